// Starts the real `tiezheng` binary as a node on 127.0.0.1 with a free port
// in a temporary data directory, and gives tests signing keys registered at
// genesis plus small HTTP helpers (cpp-httplib and raw sockets).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/request_signer.h"
#include "crypto/encoding.h"
#include "crypto/json.h"
#include "crypto/sign.h"
#include "integration/subprocess.h"
#include "ledger/envelope.h"
#include "ledger/types.h"

namespace tz::testing {

struct TestKey {
  KeyPair keys;
  ledger::KeyId id;
  std::string party;
  int64_t seq = 0;
};

inline TestKey MakeKey(const std::string& party) {
  TestKey k{GenerateKeyPair(SignatureAlgorithm::kEd25519), {}, party, 0};
  k.id = ledger::KeyIdOf(k.keys.public_key);
  return k;
}

inline Json GenesisKeyJson(const TestKey& k, std::vector<std::string> roles) {
  Json spec = Json::MakeObject(
      {{"alg", Json("ed25519")}, {"pub", Json(Base64Encode(k.keys.public_key.bytes()))}});
  Json r = Json::MakeArray();
  for (auto& s : roles) r.push_back(Json(s));
  return Json::MakeObject({{"key", spec}, {"party", Json(k.party)}, {"roles", r}});
}

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class NodeProcess {
 public:
  // Initialises a data dir with `builder` (construction_unit) and `auditor`
  // keys and starts the node with short slow-body windows for tests.
  // `before_init` runs first with the (not yet existing) data directory's
  // path, e.g. to mount a file system there.
  explicit NodeProcess(std::vector<std::string> extra_flags = {},
                       const std::function<void(const std::string&)>& before_init = {}) {
    // A node may answer (507, 413, 408) and close before a client finished
    // sending a body; the client must then see EPIPE, not die of SIGPIPE
    // and leave the node running with the test's output pipe open.
    ::signal(SIGPIPE, SIG_IGN);
    if (before_init) before_init(dir.File("data"));
    builder = MakeKey("builder-co");
    auditor = MakeKey("audit-office");
    Json keys = Json::MakeArray(
        {GenesisKeyJson(builder, {"construction_unit"}), GenesisKeyJson(auditor, {"auditor"})});
    for (int i = 0; i < 4; ++i) {
      workers.push_back(MakeKey("worker-" + std::to_string(i)));
      keys.push_back(GenesisKeyJson(workers.back(), {"inspector"}));
    }
    WriteFile(dir.File("keys.json"), keys.Canonical());
    RunResult init = Tz({"init", "--data", dir.File("data"), "--name", "node1", "--chain",
                         "test-chain", "--genesis-keys", dir.File("keys.json")});
    init_output = init.out + init.err;
    if (init.exit_code != 0) return;
    std::vector<std::string> argv = {TZ_BINARY,
                                     "node",
                                     "run",
                                     "--data",
                                     dir.File("data"),
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--no-sync",
                                     "--body-window-ms",
                                     "1000",
                                     "--header-timeout-ms",
                                     "2000"};
    for (auto& f : extra_flags) argv.push_back(f);
    argv_ = argv;
    Start(argv);
  }

  // Starts the node again on the same data directory, after Stop.
  void Restart() {
    port = 0;
    Start(argv_);
  }
  ~NodeProcess() { Stop(); }

  void Start(const std::vector<std::string>& argv) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (port == 0 && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[512];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
      size_t at = text.find("portal: http://127.0.0.1:");
      if (at != std::string::npos) {
        size_t start = at + std::string("portal: http://127.0.0.1:").size();
        size_t end = text.find('/', start);
        if (end != std::string::npos) port = std::stoi(text.substr(start, end - start));
      }
    }
    start_output = text;
    out_fd_ = out[0];
  }

  // SIGTERM and wait; returns the exit code.
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(20, 0);
    c.set_keep_alive(true);
    return c;
  }

  // Starts a resumable upload of `data` (POST /v1/uploads, signed by the
  // builder); the session JSON ({"upload_id","part_size","parts",...}), or
  // null with a test failure.
  Json BeginUpload(httplib::Client& c, const std::string& data) {
    std::string body = Json::MakeObject({{"sha256", Json(ToHex(Sha256(data)))},
                                         {"size", Json(static_cast<int64_t>(data.size()))}})
                           .Canonical();
    auto r = c.Post("/v1/uploads", Signed(builder, "POST", "/v1/uploads", body), body,
                    "application/json");
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no response");
    if (!r || r->status != 201) return Json();
    auto j = ParseJson(r->body);
    EXPECT_TRUE(j.ok());
    return j.ok() ? *j : Json();
  }

  // A signed entry's canonical bytes.
  std::string Entry(TestKey& k, const Json& body, int64_t time = 0) {
    auto e = ledger::SignEntry("test-chain", body, k.id, k.keys.secret_key, ++k.seq,
                               time ? time : NowMs());
    return e.ok() ? e->bytes : std::string();
  }

  static httplib::Headers Signed(const TestKey& k, const std::string& method,
                                 const std::string& target, const std::string& body,
                                 int64_t created = 0, std::string nonce = "") {
    auto h = api::SignRequest(k.id, k.keys.secret_key, method, target, body, created, nonce);
    return {{"Content-Digest", h->content_digest},
            {"Signature-Input", h->signature_input},
            {"Signature", h->signature}};
  }
  // A signed read of personal data: X-TZ-Reason (and X-TZ-Purpose unless
  // empty) sent and covered by the signature, as docs/api.md requires.
  static httplib::Headers SignedRead(const TestKey& k, const std::string& target,
                                     const std::string& reason, const std::string& purpose = "") {
    std::vector<api::CoveredHeader> covered = {{"x-tz-reason", reason}};
    if (!purpose.empty()) covered.push_back({"x-tz-purpose", purpose});
    auto h = api::SignRequest(k.id, k.keys.secret_key, "GET", target, "", 0, "", covered);
    httplib::Headers out = {{"Content-Digest", h->content_digest},
                            {"Signature-Input", h->signature_input},
                            {"Signature", h->signature},
                            {"X-TZ-Reason", reason}};
    if (!purpose.empty()) out.emplace("X-TZ-Purpose", purpose);
    return out;
  }

  TempDir dir;
  TestKey builder, auditor;
  std::vector<TestKey> workers;
  std::string init_output, start_output;
  int port = 0;

 private:
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
};

// Raw TCP to the node, for what HTTP libraries refuse to send.
class RawConn {
 public:
  explicit RawConn(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawConn() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool Send(const std::string& s) {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  // Reads until the peer closes or `timeout` passes.
  std::string ReadAll(std::chrono::milliseconds timeout, bool* closed = nullptr) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    if (closed) *closed = false;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
};

// {"error":{"code":...}} -> code, or "" when the body is not an error.
inline std::string ErrorCode(const std::string& body) {
  auto j = ParseJson(body);
  if (!j.ok()) return "";
  const Json* e = j->find("error");
  if (e == nullptr) return "";
  const Json* c = e->find("code");
  return c != nullptr && c->is_string() ? c->as_string() : "";
}

}  // namespace tz::testing
