#include "cli.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace tz::cli {

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Code::kOk:
      return kExitOk;
    case Code::kVerificationFailed:
    case Code::kCorruption:
      return kExitNotVerified;
    case Code::kInvalidArgument:
    case Code::kNotFound:
    case Code::kAlreadyExists:
    case Code::kPermissionDenied:
    case Code::kUnauthenticated:
    case Code::kFailedPrecondition:
      return kExitInput;
    default:
      return kExitFailure;
  }
}

int Fail(const Status& s) {
  std::fprintf(stderr, "error [%s]: %s\n", s.reason().c_str(), s.message().c_str());
  return ExitCodeFor(s);
}

bool Args::Parse(int argc, char** argv, int first) {
  auto has = [](const std::vector<std::string>& v, const std::string& n) {
    return std::find(v.begin(), v.end(), n) != v.end();
  };
  bool only_positional = false;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-' || a == "-") {
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string name = a.substr(a.find_first_not_of('-'));
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (has(flag_opts_, name) && !inline_value) {
      flags_[name] = true;
    } else if (has(value_opts_, name)) {
      if (inline_value) {
        values_[name] = *inline_value;
      } else if (i + 1 < argc) {
        values_[name] = argv[++i];
      } else {
        error_ = "option --" + name + " needs a value";
        return false;
      }
    } else {
      error_ = "unknown option " + a;
      return false;
    }
  }
  return true;
}

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::value_or(const std::string& name, const std::string& def) const {
  return value(name).value_or(def);
}

Result<std::string> ReadFileAtMost(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("file.open", "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("file.read", "cannot read " + path);
  std::string s = ss.str();
  if (s.size() > max_bytes) {
    return Status(Code::kResourceExhausted, "file.too_large",
                  path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  return s;
}

Status WriteFileAtomically(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IOError("file.write", "cannot write " + tmp);
    out << data;
    if (!out.flush()) return Status::IOError("file.write", "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("file.write", "cannot rename " + tmp);
  }
  return Status::Ok();
}

}  // namespace tz::cli
