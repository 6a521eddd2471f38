// PLACEHOLDER: replaced by the real subcommands in this session.
#include <cstdio>

#include "cli.h"

namespace tz::cli {

int CmdNotarize(int, char**, int) {
  std::fprintf(stderr, "error: not built yet\n");
  return kExitFailure;
}

int CmdVerify(int, char**, int) {
  std::fprintf(stderr, "error: not built yet\n");
  return kExitFailure;
}

int CmdHouse(int, char**, int) {
  std::fprintf(stderr, "error: not built yet\n");
  return kExitFailure;
}

int CmdAcceptance(int, char**, int) {
  std::fprintf(stderr, "error: not built yet\n");
  return kExitFailure;
}

int CmdKey(int, char**, int) {
  std::fprintf(stderr, "error: not built yet\n");
  return kExitFailure;
}

}  // namespace tz::cli
