// Shared pieces of the `tiezheng` command line: argument parsing, exit codes,
// and the subcommand entry points (one file per subcommand group).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/status.h"

namespace tz::cli {

// Exit codes (documented in docs/cli.md):
enum ExitCode : int {
  kExitOk = 0,           // success; for verify commands: verified
  kExitNotVerified = 1,  // the evidence/proof/audit did not verify
  kExitUsage = 2,        // bad command line
  kExitInput = 3,        // bad or missing input (file, key, malformed data)
  kExitFailure = 4,      // I/O error, internal error, server unreachable
};

// Maps a Status to an exit code: verification/corruption -> 1,
// invalid/not-found/permission -> 3, everything else -> 4.
int ExitCodeFor(const Status& s);
// Prints "error [reason]: message" to stderr and returns ExitCodeFor(s).
int Fail(const Status& s);

// Minimal getopt-like parser: "--name value", "--name=value", boolean
// "--flag", and positional arguments. Unknown options are usage errors.
class Args {
 public:
  // value_opts take a value; flag_opts do not.
  Args(std::vector<std::string> value_opts, std::vector<std::string> flag_opts)
      : value_opts_(std::move(value_opts)), flag_opts_(std::move(flag_opts)) {}
  // Returns false and sets error() on unknown options or missing values.
  bool Parse(int argc, char** argv, int first);
  const std::string& error() const { return error_; }
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& def) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::vector<std::string> value_opts_, flag_opts_;
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> flags_;
  std::vector<std::string> positional_;
  std::string error_;
};

// Reads a whole file of at most max_bytes. Reasons "file.open" (not found),
// "file.read" (I/O), "file.too_large".
Result<std::string> ReadFileAtMost(const std::string& path, size_t max_bytes);
// Writes path via path.tmp + rename, so readers never see a partial file.
// Reason "file.write".
Status WriteFileAtomically(const std::string& path, const std::string& data);

// Subcommands. Each receives argv with argv[first] being its first argument.
int CmdHash(int argc, char** argv, int first);
int CmdKeygen(int argc, char** argv, int first);
int CmdLog(int argc, char** argv, int first);
int CmdArchive(int argc, char** argv, int first);
int CmdAudit(int argc, char** argv, int first);
int CmdLedger(int argc, char** argv, int first);      // cmd_ledger.cc
int CmdInit(int argc, char** argv, int first);        // cmd_node.cc
int CmdNode(int argc, char** argv, int first);        // cmd_node.cc
int CmdNotarize(int argc, char** argv, int first);    // cmd_client.cc
int CmdVerify(int argc, char** argv, int first);      // cmd_client.cc
int CmdHouse(int argc, char** argv, int first);       // cmd_client.cc
int CmdAcceptance(int argc, char** argv, int first);  // cmd_client.cc
int CmdKey(int argc, char** argv, int first);         // cmd_client.cc
int CmdEvidence(int argc, char** argv, int first);    // cmd_evidence.cc

}  // namespace tz::cli
