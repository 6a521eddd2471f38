// PLACEHOLDER: replaced by the real subcommand in this session.
#include <cstdio>

#include "cli.h"

namespace tz::cli {

int CmdArchive(int, char**, int) {
  std::fprintf(stderr, "error: 'archive' is not built yet\n");
  return kExitFailure;
}

}  // namespace tz::cli
