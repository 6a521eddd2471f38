// PLACEHOLDER: replaced by the real subcommand in this session.
#include <cstdio>

#include "cli.h"

namespace tz::cli {

int CmdHash(int, char**, int) {
  std::fprintf(stderr, "error: 'hash' is not built yet\n");
  return kExitFailure;
}

}  // namespace tz::cli
