// `tiezheng init` and `tiezheng node run`.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/request_signer.h"
#include "api/service.h"
#include "api/tsa_client.h"
#include "cli.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "crypto/timestamp.h"
#include "node/bulk_load.h"
#include "node/config.h"
#include "node/node.h"
#include "safe_output.h"

namespace tz::cli {
namespace {

const char kInitHelp[] =
    "Usage: tiezheng init --data DIR [--suite intl|gm] [--name NODE] [--chain ID]\n"
    "                     [--origin TEXT] [--listen ADDR:PORT] [--genesis-keys FILE] [--force]\n"
    "\n"
    "Initialises a one-node consortium in DIR: member, node (checkpoint), service and\n"
    "admin keys under DIR/keys/, the genesis block with this node as the only member,\n"
    "and DIR/node.json. --genesis-keys registers more client keys at genesis (a JSON\n"
    "array of {\"key\":{\"alg\",\"pub\"},\"party\",\"roles\"}). --force replaces an\n"
    "existing data directory.\n";

const char kNodeHelp[] =
    "Usage: tiezheng node run --data DIR [--listen ADDR:PORT] [options]\n"
    "\n"
    "Serves the HTTP API (docs/api.md) and the web portal until SIGINT/SIGTERM.\n"
    "Options (defaults in brackets):\n"
    "  --listen ADDR:PORT        [from node.json, 127.0.0.1:7390]; port 0 picks a free one\n"
    "  --threads N               I/O threads [2]\n"
    "  --max-connections N       concurrent connections [1024]\n"
    "  --header-timeout-ms N     request head must arrive within [10000]\n"
    "  --idle-timeout-ms N       keep-alive idle timeout [60000]\n"
    "  --body-window-ms N        slow-body window [10000]\n"
    "  --min-body-rate N         bytes/s a body must average per window [1024]\n"
    "  --max-json-body N         JSON request bodies [1048576]\n"
    "  --max-entry-body N        POST /v1/entries [65536]\n"
    "  --max-blob-body N         PUT /v1/blobs [1073741824]\n"
    "  --rate N --burst N        signed requests per key per second [50], burst [100]\n"
    "  --public-rate N --public-burst N  unsigned requests per client address per\n"
    "                            second [200], burst [400]; 0 = no limit\n"
    "  --public-rate-loopback    limit loopback clients too (exempt by default: behind a\n"
    "                            local reverse proxy all clients share 127.0.0.1)\n"
    "  --portal DIR              portal files [<binary dir>/portal, else source api/portal]\n"
    "  --kek FILE                key-encryption key for household files, outside DIR\n"
    "                            [$TIEZHENG_KEK]; without it they cannot be decrypted\n"
    "  --no-sync                 do not fsync blocks (tests and benchmarks only)\n"
    "Trusted time (docs/timestamp.md; tokens go to DIR/timestamps/):\n"
    "  --tsa-cert PEM --tsa-key PEM  act as an RFC 3161 TSA: stamp every new checkpoint\n"
    "                            and serve POST /v1/tsa (critical timeStamping EKU needed)\n"
    "  --tsa-chain PEM           intermediate CA certificates put in tokens\n"
    "  --tsa-policy OID          policy of this TSA [demo policy 2.25.1480...]\n"
    "  --tsa-url URL --tsa-ca PEM    fetch tokens for new checkpoints from an external\n"
    "                            TSA (http://host[:port]/path), replies checked against PEM\n"
    "  --tsa-url-policy OID      policy to ask the external TSA for [its default]\n"
    "  --tsa-retry-max-ms N      back-off cap after external TSA failures [300000]\n"
    "  --tsa-timeout-ms N        one external TSA exchange [10000]\n";

bool ParseListen(const std::string& s, std::string* addr, uint16_t* port) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *addr = s.substr(0, colon);
  if (addr->size() > 2 && addr->front() == '[' && addr->back() == ']') {
    *addr = addr->substr(1, addr->size() - 2);
  }
  std::string p = s.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  unsigned long v = std::stoul(p);
  if (v > 65535) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

bool ParseCount(const Args& a, const char* name, uint64_t* out) {
  auto v = a.value(name);
  if (!v) return true;
  if (v->empty() || v->size() > 18 || v->find_first_not_of("0123456789") != std::string::npos) {
    std::fprintf(stderr, "error: --%s needs a non-negative integer\n", name);
    return false;
  }
  *out = std::stoull(*v);
  return true;
}

// Hidden benchmark tool: `tiezheng node bulkload --data DIR --count N
// [--digests FILE]` appends N synthetic notarizations (docs/node.md).
int NodeBulkLoad(int argc, char** argv, int first) {
  Args a({"data", "count", "digests", "block"}, {});
  if (!a.Parse(argc, argv, first) || !a.value("data")) {
    std::fprintf(stderr,
                 "usage: tiezheng node bulkload --data DIR --count N [--digests FILE] "
                 "[--block N]\n");
    return kExitUsage;
  }
  node::BulkLoadOptions o;
  uint64_t block = o.block_entries;
  if (!ParseCount(a, "count", &o.count) || !ParseCount(a, "block", &block) || block == 0) {
    return kExitUsage;
  }
  o.block_entries = block;
  o.digests_out = a.value_or("digests", "");
  auto t0 = std::chrono::steady_clock::now();
  o.progress = [&](uint64_t done) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char line[64];
    std::snprintf(line, sizeof line, "\r%llu entries, %.0f/s",
                  static_cast<unsigned long long>(done), static_cast<double>(done) / s);
    WriteProgress(line);  // raw, to a terminal only: the filtered stderr escapes "\r"
  };
  Status st = node::BulkLoadDocuments(*a.value("data"), o);
  WriteProgress("\n");
  if (!st.ok()) return Fail(st);
  return kExitOk;
}

// Benchmark/debug helper: prints the RFC 9421 headers (one "Name: value"
// per line, for `curl -H @file`) for a request signed with a key file
// (default: DIR/keys/admin.key).
int NodeSignRequest(int argc, char** argv, int first) {
  Args a({"data", "key", "method", "target", "sha256", "body", "reason", "purpose"}, {});
  if (!a.Parse(argc, argv, first) || !a.value("method") || !a.value("target") ||
      (!a.value("data") && !a.value("key"))) {
    std::fprintf(stderr,
                 "usage: tiezheng node sign-request (--data DIR | --key FILE) --method M "
                 "--target /path?query [--sha256 HEX | --body FILE] [--reason TEXT] "
                 "[--purpose P]\n");
    return kExitUsage;
  }
  std::string key_file = a.value_or("key", node::DataDir{a.value_or("data", "")}.admin_key());
  auto key = ReadKeyFile(key_file);
  if (!key.ok()) return Fail(key.status());
  std::string digest_header;
  if (auto hex = a.value("sha256")) {
    auto d = DigestFromHex(*hex);
    if (!d.ok()) return Fail(d.status());
    digest_header = api::ContentDigestFromSha256(*d);
  } else if (auto body = a.value("body")) {
    auto d = HashFile(HashAlgorithm::kSha256, *body);
    if (!d.ok()) return Fail(d.status());
    digest_header = api::ContentDigestFromSha256(*d);
  } else {
    digest_header = api::ContentDigestOf("");
  }
  // A household read states its reason (and purpose); the signature covers
  // them, and they are printed with the other headers.
  std::vector<api::CoveredHeader> covered;
  if (auto r = a.value("reason")) covered.push_back({"x-tz-reason", *r});
  if (auto p = a.value("purpose")) covered.push_back({"x-tz-purpose", *p});
  auto h = api::SignRequestWithDigest(ledger::KeyIdOf(key->keys.public_key), key->keys.secret_key,
                                      *a.value("method"), *a.value("target"), digest_header, 0, "",
                                      covered);
  if (!h.ok()) return Fail(h.status());
  std::printf("Content-Digest: %s\nSignature-Input: %s\nSignature: %s\n", h->content_digest.c_str(),
              h->signature_input.c_str(), h->signature.c_str());
  if (auto r = a.value("reason")) std::printf("X-TZ-Reason: %s\n", r->c_str());
  if (auto p = a.value("purpose")) std::printf("X-TZ-Purpose: %s\n", p->c_str());
  return kExitOk;
}

// The options of `tiezheng node run` (kNodeHelp), by topic.
Args NodeRunArgs() {
  std::vector<std::string> values = {"data", "listen", "portal", "kek"};
  for (const char* v :
       {"threads", "max-connections", "header-timeout-ms", "idle-timeout-ms", "body-window-ms",
        "min-body-rate", "max-json-body", "max-entry-body", "max-blob-body"}) {
    values.push_back(v);
  }
  for (const char* v : {"rate", "burst", "public-rate", "public-burst"}) values.push_back(v);
  for (const char* v : {"tsa-cert", "tsa-key", "tsa-chain", "tsa-policy", "tsa-url", "tsa-ca",
                        "tsa-url-policy", "tsa-retry-max-ms", "tsa-timeout-ms"}) {
    values.push_back(v);
  }
  return Args(std::move(values), {"help", "no-sync", "public-rate-loopback"});
}

// Reads the server and service limits (--threads ... --max-blob-body, the
// rate limits, --portal, --kek or $TIEZHENG_KEK) into `so`; false, having
// said why on stderr, on a bad value.
bool ParseServiceOptions(const Args& a, api::ServiceOptions* so) {
  uint64_t threads = 2, max_conn = so->server.max_connections, header_ms = 10000, idle_ms = 60000,
           window_ms = 10000, rate = 50, burst = 100;
  uint64_t public_rate = static_cast<uint64_t>(so->server.public_limit.rate_per_second),
           public_burst = static_cast<uint64_t>(so->server.public_limit.burst);
  uint64_t max_json = so->max_json_body, max_entry = so->max_entry_body;
  if (!ParseCount(a, "threads", &threads) || !ParseCount(a, "max-connections", &max_conn) ||
      !ParseCount(a, "header-timeout-ms", &header_ms) ||
      !ParseCount(a, "idle-timeout-ms", &idle_ms) || !ParseCount(a, "body-window-ms", &window_ms) ||
      !ParseCount(a, "min-body-rate", &so->server.min_body_rate) ||
      !ParseCount(a, "max-json-body", &max_json) || !ParseCount(a, "max-entry-body", &max_entry) ||
      !ParseCount(a, "max-blob-body", &so->max_blob_body) || !ParseCount(a, "rate", &rate) ||
      !ParseCount(a, "burst", &burst) || !ParseCount(a, "public-rate", &public_rate) ||
      !ParseCount(a, "public-burst", &public_burst)) {
    return false;
  }
  if (threads < 1 || threads > 64 || window_ms < 100) {
    std::fprintf(stderr, "error: --threads must be 1..64 and --body-window-ms >= 100\n");
    return false;
  }
  so->server.threads = static_cast<int>(threads);
  so->server.max_connections = max_conn;
  so->server.header_timeout = std::chrono::milliseconds(header_ms);
  so->server.idle_timeout = std::chrono::milliseconds(idle_ms);
  so->server.body_rate_window = std::chrono::milliseconds(window_ms);
  so->max_json_body = max_json;
  so->max_entry_body = max_entry;
  so->auth.rate_per_second = static_cast<double>(rate);
  so->auth.burst = static_cast<double>(burst);
  so->server.public_limit.rate_per_second = static_cast<double>(public_rate);
  so->server.public_limit.burst = static_cast<double>(std::max<uint64_t>(public_burst, 1));
  so->server.public_limit.limit_loopback = a.flag("public-rate-loopback");
  so->portal_dir = a.value_or("portal", "");
  const char* kek_env = std::getenv("TIEZHENG_KEK");
  so->kek_path = a.value_or("kek", kek_env != nullptr ? kek_env : "");
  return true;
}

// --tsa-cert, --tsa-key, --tsa-chain, --tsa-policy: this node as an RFC 3161
// TSA. nullopt if they are absent or valid, else the exit code to stop with
// (the reason is printed).
std::optional<int> ParseLocalTsa(const Args& a, node::NodeTimestampOptions* ts) {
  if (auto cert = a.value("tsa-cert")) {
    auto key = a.value("tsa-key");
    if (!key) {
      std::fprintf(stderr, "error: --tsa-cert needs --tsa-key\n");
      return kExitUsage;
    }
    auto cfg = LoadTsaConfigFiles(*cert, *key, a.value_or("tsa-chain", ""),
                                  a.value_or("tsa-policy", std::string(kDemoTsaPolicy)));
    if (!cfg.ok()) return Fail(cfg.status());
    ts->local = std::move(*cfg);
  } else if (a.value("tsa-key") || a.value("tsa-chain") || a.value("tsa-policy")) {
    std::fprintf(stderr, "error: --tsa-key/--tsa-chain/--tsa-policy need --tsa-cert\n");
    return kExitUsage;
  }
  return std::nullopt;
}

// --tsa-url, --tsa-ca, --tsa-url-policy, --tsa-retry-max-ms, --tsa-timeout-ms:
// tokens from an external TSA. Returns as ParseLocalTsa does.
std::optional<int> ParseExternalTsa(const Args& a, node::NodeTimestampOptions* ts) {
  auto url = a.value("tsa-url");
  if (!url) {
    if (a.value("tsa-ca") || a.value("tsa-url-policy") || a.value("tsa-retry-max-ms") ||
        a.value("tsa-timeout-ms")) {
      std::fprintf(stderr, "error: --tsa-ca and the --tsa-url-* options need --tsa-url\n");
      return kExitUsage;
    }
    return std::nullopt;
  }
  auto ca = a.value("tsa-ca");
  if (!ca) {
    std::fprintf(stderr, "error: --tsa-url needs --tsa-ca (the CA its replies must chain to)\n");
    return kExitUsage;
  }
  auto pem = ReadFileAtMost(*ca, 1 << 20);
  if (!pem.ok()) return Fail(pem.status());
  uint64_t retry_max = 300000, timeout = 10000;
  if (!ParseCount(a, "tsa-retry-max-ms", &retry_max) ||
      !ParseCount(a, "tsa-timeout-ms", &timeout)) {
    return kExitUsage;
  }
  if (retry_max < 1 || timeout < 1) {
    std::fprintf(stderr, "error: --tsa-retry-max-ms and --tsa-timeout-ms must be >= 1\n");
    return kExitUsage;
  }
  ts->url = *url;
  ts->ca_pem = *pem;
  ts->policy_oid = a.value_or("tsa-url-policy", "");
  ts->post = api::PostTimeStampQuery;
  ts->retry_max = std::chrono::milliseconds(retry_max);
  ts->retry_min = std::min(ts->retry_min, ts->retry_max);
  ts->timeout = std::chrono::milliseconds(timeout);
  return std::nullopt;
}

// Blocks SIGINT and SIGTERM in this thread, and so in every thread started
// after this (the node's, the server's); returns them for sigwait.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// The startup banner on stdout (flushed: scripts wait for it).
void PrintServing(node::Node& n, const api::Service& svc, const std::string& address,
                  const std::string& tsa_url) {
  ledger::Head head = n.ledger().head();
  std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  std::printf(
      "tiezheng node %s serving chain %s (height %llu, %llu entries)\n"
      "  API:    http://%s:%u/v1/health\n  portal: http://%s:%u/\n",
      n.config().name.c_str(), n.ledger().chain().c_str(),
      static_cast<unsigned long long>(head.height), static_cast<unsigned long long>(head.log_size),
      host.c_str(), svc.port(), host.c_str(), svc.port());
  if (svc.portal_dir().empty()) std::printf("  (no portal directory found)\n");
  if (n.tsa() != nullptr) {
    std::printf("  TSA:    POST http://%s:%u/v1/tsa\n", host.c_str(), svc.port());
  }
  if (!tsa_url.empty()) std::printf("  time-stamps from %s\n", tsa_url.c_str());
  std::fflush(stdout);
}

// Starts the HTTP service over `n` and serves until one of `stop_signals`
// arrives; then stops the service and the node.
int Serve(node::Node* n, const api::ServiceOptions& so, const sigset_t& stop_signals,
          const std::string& tsa_url) {
  auto svc = api::Service::Create(n, so);
  if (!svc.ok()) return Fail(svc.status());
  Status st = (*svc)->Start();
  if (!st.ok()) return Fail(st);
  PrintServing(*n, **svc, so.server.address, tsa_url);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "tiezheng: %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*svc)->Stop();
  n->Stop();
  return kExitOk;
}

// `tiezheng node run`; argv[first] is its first option.
int NodeRun(int argc, char** argv, int first) {
  Args a = NodeRunArgs();
  if (!a.Parse(argc, argv, first)) {
    std::fprintf(stderr, "error: %s\n\n%s", a.error().c_str(), kNodeHelp);
    return kExitUsage;
  }
  if (a.flag("help")) {
    std::fputs(kNodeHelp, stdout);
    return kExitOk;
  }
  if (!a.value("data") || !a.positional().empty()) {
    std::fprintf(stderr, "error: --data DIR is required\n\n%s", kNodeHelp);
    return kExitUsage;
  }
  api::ServiceOptions so;
  if (!ParseServiceOptions(a, &so)) return kExitUsage;
  const sigset_t stop_signals = BlockStopSignals();
  node::NodeOptions no;
  no.sync = !a.flag("no-sync");
  if (auto stop = ParseLocalTsa(a, &no.timestamps)) return *stop;
  if (auto stop = ParseExternalTsa(a, &no.timestamps)) return *stop;
  auto n = node::Node::Open(*a.value("data"), no);
  if (!n.ok()) return Fail(n.status());
  std::string listen = a.value_or("listen", (*n)->config().listen);
  if (!ParseListen(listen, &so.server.address, &so.server.port)) {
    std::fprintf(stderr, "error: --listen must be ADDR:PORT\n");
    return kExitUsage;
  }
  return Serve(n->get(), so, stop_signals, no.timestamps.url);
}

}  // namespace

int CmdInit(int argc, char** argv, int first) {
  Args a({"data", "suite", "name", "chain", "origin", "listen", "genesis-keys"}, {"force", "help"});
  if (!a.Parse(argc, argv, first)) {
    std::fprintf(stderr, "error: %s\n\n%s", a.error().c_str(), kInitHelp);
    return kExitUsage;
  }
  if (a.flag("help")) {
    std::fputs(kInitHelp, stdout);
    return kExitOk;
  }
  if (!a.value("data") || !a.positional().empty()) {
    std::fprintf(stderr, "error: --data DIR is required\n\n%s", kInitHelp);
    return kExitUsage;
  }
  node::InitOptions o;
  o.data_dir = *a.value("data");
  o.config.suite = a.value_or("suite", "intl");
  if (o.config.suite != "intl" && o.config.suite != "gm") {
    std::fprintf(stderr, "error: --suite must be intl or gm\n");
    return kExitUsage;
  }
  o.config.name = a.value_or("name", o.config.name);
  o.config.chain = a.value_or("chain", o.config.chain);
  o.config.origin = a.value_or("origin", "");
  o.config.listen = a.value_or("listen", o.config.listen);
  std::string addr;
  uint16_t port;
  if (!ParseListen(o.config.listen, &addr, &port)) {
    std::fprintf(stderr, "error: --listen must be ADDR:PORT\n");
    return kExitUsage;
  }
  o.genesis_keys_file = a.value_or("genesis-keys", "");
  o.force = a.flag("force");
  auto r = node::InitDataDir(o);
  if (!r.ok()) return Fail(r.status());
  std::printf(
      "initialised %s\n  chain:      %s\n  origin:     %s\n  node key:   %s\n"
      "  admin key:  %s (%s/keys/admin.key)\n\ngenesis checkpoint:\n%s\n"
      "next: tiezheng node run --data %s\n",
      o.data_dir.c_str(), r->chain.c_str(), r->origin.c_str(), r->node_vkey.c_str(),
      r->admin_key_id.c_str(), o.data_dir.c_str(), r->checkpoint.c_str(), o.data_dir.c_str());
  return kExitOk;
}

int CmdNode(int argc, char** argv, int first) {
  if (first >= argc || std::strcmp(argv[first], "--help") == 0 ||
      std::strcmp(argv[first], "-h") == 0) {
    std::fputs(kNodeHelp, first >= argc ? stderr : stdout);
    return first >= argc ? kExitUsage : kExitOk;
  }
  if (std::strcmp(argv[first], "bulkload") == 0) return NodeBulkLoad(argc, argv, first + 1);
  if (std::strcmp(argv[first], "sign-request") == 0) return NodeSignRequest(argc, argv, first + 1);
  if (std::strcmp(argv[first], "run") != 0) {
    std::fprintf(stderr, "error: unknown node subcommand '%s'\n\n%s", argv[first], kNodeHelp);
    return kExitUsage;
  }
  return NodeRun(argc, argv, first + 1);
}

}  // namespace tz::cli
