// tiezheng hash: sha256sum-compatible file digests (SHA-256 or SM3).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli.h"
#include "crypto/hash.h"
#include "safe_output.h"

namespace tz::cli {
namespace {

constexpr char kUsage[] =
    "Usage: tiezheng hash [--algo sha256|sm3] [FILE...]\n"
    "\n"
    "计算文件摘要 / Print the digest of each FILE, one line per file, in the format\n"
    "of sha256sum: \"<lowercase hex>  <name>\". With no FILE, or when FILE is -, read\n"
    "standard input. Names containing a backslash, newline or carriage return are\n"
    "escaped and the line starts with a backslash, as GNU sha256sum does.\n"
    "\n"
    "Options:\n"
    "  --algo sha256|sm3   hash algorithm (default sha256; sm3 is GB/T 32905)\n"
    "  --help              show this help\n"
    "\n"
    "Exit codes: 0 ok, 2 usage, 3 a file is missing or unreadable, 4 I/O failure.\n";

// GNU coreutils' escaping for names in checksum lines.
std::string EscapeName(const std::string& name, bool* escaped) {
  std::string out;
  *escaped = false;
  for (char c : name) {
    switch (c) {
      case '\\':
        out += "\\\\";
        *escaped = true;
        break;
      case '\n':
        out += "\\n";
        *escaped = true;
        break;
      case '\r':
        out += "\\r";
        *escaped = true;
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

int CmdHash(int argc, char** argv, int first) {
  Args args({"algo"}, {"help", "h"});
  if (!args.Parse(argc, argv, first)) {
    std::fprintf(stderr, "error: %s\n\n%s", args.error().c_str(), kUsage);
    return kExitUsage;
  }
  if (args.flag("help") || args.flag("h")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  auto alg = ParseHashName(args.value_or("algo", "sha256"));
  if (!alg.ok()) {
    std::fprintf(stderr, "error: %s\n\n%s", alg.status().message().c_str(), kUsage);
    return kExitUsage;
  }
  std::vector<std::string> files = args.positional();
  if (files.empty()) files.push_back("-");

  int rc = kExitOk;
  for (const std::string& name : files) {
    Result<Digest> d =
        name == "-" ? HashFileDescriptor(*alg, STDIN_FILENO, "-") : HashFile(*alg, name);
    if (!d.ok()) {
      int code = Fail(d.status());  // keep going, like sha256sum; report the worst
      if (code > rc) rc = code;
      continue;
    }
    bool escaped = false;
    std::string line = EscapeName(name, &escaped);
    line = (escaped ? "\\" : "") + ToHex(*d) + "  " + line + "\n";
    std::fwrite(line.data(), 1, line.size(), RawStdout());  // sha256sum's format, byte for byte
  }
  if (std::fflush(RawStdout()) != 0) {
    return Fail(Status::IOError("output.write", "cannot write to standard output"));
  }
  return rc;
}

}  // namespace tz::cli
