// Client keys, sequence numbers, the pinned consortium, entry submission and
// output helpers shared by the client subcommands.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "client_common.h"
#include "crypto/encoding.h"
#include "evidence/evidence.h"
#include "safe_output.h"

namespace tz::cli::client {
namespace {

std::string EnvOr(const char* name, const std::string& def) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : def;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes a small file atomically (temp + fsync + rename).
Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError("file.write", "cannot write " + tmp);
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("file.write", "cannot write " + path);
  }
  return Status::Ok();
}

// "http://127.0.0.1:7390" -> "127.0.0.1_7390".
std::string HostPortName(const std::string& server) {
  std::string s = server;
  if (auto p = s.find("://"); p != std::string::npos) s = s.substr(p + 3);
  std::string out;
  for (char c : s) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-';
    out += keep ? c : '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// Two consortium documents describe the same key set and quorum.
bool SameKeySet(const Consortium& a, const Consortium& b) {
  if (a.chain != b.chain || a.quorum != b.quorum || a.keys.size() != b.keys.size()) return false;
  for (size_t i = 0; i < a.keys.size(); ++i) {
    if (!(a.keys[i] == b.keys[i])) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> CommonValueOpts() { return {"server", "key", "consortium"}; }
std::vector<std::string> CommonFlagOpts() { return {"json", "help"}; }

std::string ConfigDir() {
  std::string dir = EnvOr("TZ_HOME", EnvOr("HOME", ".") + "/.tiezheng");
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

Options OptionsFrom(const Args& args) {
  Options o;
  o.server = args.value_or("server", EnvOr("TZ_SERVER", kDefaultServer));
  while (!o.server.empty() && o.server.back() == '/') o.server.pop_back();
  o.key_path = args.value_or("key", EnvOr("TZ_KEY", ""));
  if (o.key_path.empty()) o.key_path = ConfigDir() + "/client.key";
  o.consortium = args.value_or("consortium", EnvOr("TZ_CONSORTIUM", ""));
  o.json = args.flag("json");
  return o;
}

Result<ClientKey> LoadClientKey(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("client.no_key", "没有客户端密钥 / no client key at " + path +
                                                 " (create one: tiezheng key new --key " + path +
                                                 ")");
  }
  TZ_ASSIGN_OR_RETURN(NamedKeyPair pair, ReadKeyFile(path));
  ClientKey k;
  k.path = path;
  k.id = ledger::KeyIdOf(pair.keys.public_key);
  k.pair = std::move(pair);
  return k;
}

Result<int64_t> NextSequence(const ClientKey& key) {
  std::string path = key.path + ".seq";
  int64_t last = 0;
  if (std::ifstream in(path); in) in >> last;
  int64_t next = std::max(last + 1, NowMs());
  TZ_RETURN_IF_ERROR(WriteFileAtomic(path, std::to_string(next) + "\n", 0600));
  return next;
}

Result<Submitted> SubmitEntry(HttpClient& http, const ClientKey& key, const std::string& chain,
                              const Json& entry) {
  TZ_ASSIGN_OR_RETURN(int64_t seq, NextSequence(key));
  TZ_ASSIGN_OR_RETURN(
      ledger::SignedEntry e,
      ledger::SignEntry(chain, entry, key.id, key.pair.keys.secret_key, seq, NowMs()));
  TZ_ASSIGN_OR_RETURN(Json ans, http.Post("/v1/entries", e.bytes, "application/json", nullptr));
  Submitted s;
  TZ_ASSIGN_OR_RETURN(s.id, AnswerString(ans, "id"));
  TZ_ASSIGN_OR_RETURN(s.index, AnswerInt(ans, "index"));
  TZ_ASSIGN_OR_RETURN(s.height, AnswerInt(ans, "height"));
  if (s.id != ledger::ToHex(e.id)) {
    return Status::Verification(
        "client.entry_id_mismatch",
        "server reports entry id " + s.id + ", expected " + ledger::ToHex(e.id));
  }
  s.bytes = e.bytes;
  return s;
}

Result<Submitted> SignAndSubmit(const Options& opts, const Json& entry) {
  TZ_ASSIGN_OR_RETURN(ClientKey key, LoadClientKey(opts.key_path));
  HttpClient http(opts.server);
  TZ_ASSIGN_OR_RETURN(Consortium c, PinnedConsortium(http, opts));
  return SubmitEntry(http, key, c.chain, entry);
}

Status ForEachEntry(HttpClient& http, const std::string& query,
                    const std::function<Status(const ledger::SignedEntry&, int64_t)>& fn) {
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    std::string q = "/v1/entries?" + query + "&limit=500";
    if (!cursor.empty()) q += "&cursor=" + cursor;
    TZ_ASSIGN_OR_RETURN(Json ans, http.GetJson(q));
    const Json* entries = ans.find("entries");
    if (entries == nullptr || !entries->is_array()) break;
    for (const Json& s : entries->as_array()) {
      auto bytes = AnswerString(s, "signed");
      auto index = AnswerInt(s, "index");
      if (!bytes.ok() || !index.ok()) continue;
      auto e = ledger::ParseSignedEntry(*bytes);
      if (!e.ok()) continue;
      TZ_RETURN_IF_ERROR(fn(*e, *index));
    }
    const Json* next = ans.find("next_cursor");
    if (next == nullptr || !next->is_string() || next->as_string().empty()) break;
    cursor = next->as_string();
  }
  return Status::Ok();
}

Result<Consortium> ParseConsortium(const Json& j) {
  auto bad = [](const std::string& m) { return Status::Invalid("consortium.malformed", m); };
  if (!j.is_object()) return bad("not a JSON object");
  // The key set itself is parsed exactly as the evidence verifier does.
  auto trusted = evidence::TrustedConsortium::FromJson(j);
  if (!trusted.ok()) return bad(trusted.status().message());
  Consortium c;
  c.chain = trusted->chain;
  c.origin = trusted->origin;
  c.quorum = trusted->quorum;
  c.keys = std::move(trusted->keys);
  c.suite = GetString(j, "suite").ok() ? *GetString(j, "suite") : "intl";
  for (const Json& m : j.find("members")->as_array()) {
    auto name = GetString(m, "name");
    if (!name.ok()) return bad("each member needs name and verifier_key");
    c.member_names.push_back(*name);
  }
  c.raw = j;
  return c;
}

Result<Consortium> PinnedConsortium(HttpClient& http, const Options& opts) {
  std::string path = opts.consortium;
  bool tofu = path.empty();
  if (tofu) {
    std::string dir = ConfigDir() + "/consortium";
    ::mkdir(dir.c_str(), 0700);
    path = dir + "/" + HostPortName(http.server()) + ".json";
  }
  auto text = ReadFileAtMost(path, 1 << 20);
  if (!text.ok()) {
    if (!tofu) return text.status();
    TZ_ASSIGN_OR_RETURN(Json j, http.GetJson("/v1/consortium"));
    TZ_ASSIGN_OR_RETURN(Consortium c, ParseConsortium(j));
    TZ_RETURN_IF_ERROR(WriteFileAtomic(path, j.Pretty() + "\n", 0644));
    std::fprintf(stderr,
                 "注意：首次使用，已固定联盟密钥 / note: first use, pinned the consortium key set "
                 "(%zu members, quorum %zu) to %s\n",
                 c.keys.size(), c.quorum, path.c_str());
    return c;
  }
  TZ_ASSIGN_OR_RETURN(Json pinned_json, ParseJson(*text));
  TZ_ASSIGN_OR_RETURN(Consortium pinned, ParseConsortium(pinned_json));
  // The server's answer is checked against the pin, never used instead of it.
  auto now = http.GetJson("/v1/consortium");
  if (now.ok()) {
    auto current = ParseConsortium(*now);
    if (!current.ok() || !SameKeySet(pinned, *current)) {
      return Status::Verification(
          "consortium.changed",
          "服务器报告的联盟密钥与固定的不同 / the server reports a consortium key set that "
          "differs from the one pinned in " +
              path + "; if membership changed by a vote, check and re-pin with --consortium");
    }
  }
  return pinned;
}

std::string FormatTime(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);
  return buf;
}

void PrintJson(const Json& j) { std::printf("%s\n", j.Pretty().c_str()); }

void DrawProgress(uint64_t done, uint64_t total) {
  if (!::isatty(2) || total == 0) return;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(done * kWidth / total);
  std::string bar(filled, '=');
  bar.resize(kWidth, ' ');
  char line[160];
  std::snprintf(line, sizeof line, "\r上传 upload [%s] %3d%% %.1f/%.1f MiB%s", bar.c_str(),
                static_cast<int>(done * 100 / total), done / 1048576.0, total / 1048576.0,
                done >= total ? "\n" : "");
  WriteProgress(line);  // raw: the filtered stderr would escape the "\r"
}

Result<std::string> AnswerString(const Json& j, std::string_view key) {
  const Json* v = j.find(key);
  if (v == nullptr || !v->is_string()) {
    return Status(Code::kInternal, "client.bad_answer",
                  "server answer lacks string '" + std::string(key) + "'");
  }
  return v->as_string();
}

Result<int64_t> AnswerInt(const Json& j, std::string_view key) {
  const Json* v = j.find(key);
  if (v == nullptr || !v->is_int() || !v->fits_int64()) {
    return Status(Code::kInternal, "client.bad_answer",
                  "server answer lacks integer '" + std::string(key) + "'");
  }
  return v->as_int64();
}

std::string StringOr(const Json& obj, std::string_view key, const std::string& def) {
  const Json* v = obj.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : def;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace tz::cli::client
