// PLACEHOLDER: replaced by the real subcommand in this session.
#include <cstdio>

#include "cli.h"

namespace tz::cli {

int CmdAudit(int, char**, int) {
  std::fprintf(stderr, "error: 'audit' is not built yet\n");
  return kExitFailure;
}

}  // namespace tz::cli
