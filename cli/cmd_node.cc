// PLACEHOLDER: replaced by the real subcommands in this session.
#include <cstdio>

#include "cli.h"

namespace tz::cli {

int CmdInit(int, char**, int) {
  std::fprintf(stderr, "error: not built yet\n");
  return kExitFailure;
}

int CmdNode(int, char**, int) {
  std::fprintf(stderr, "error: not built yet\n");
  return kExitFailure;
}

}  // namespace tz::cli
