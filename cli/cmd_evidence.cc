// tiezheng evidence export|verify: evidence packages a court verifies
// offline (docs/evidence.md).
#include <cstdio>
#include <fstream>
#include <sstream>

#include "archive/local_store.h"
#include "cli.h"
#include "client_common.h"
#include "crypto/timestamp.h"
#include "evidence/evidence.h"
#include "ledger/kv.h"
#include "ledger/ledger.h"
#include "node/config.h"
#include "node/evidence_export.h"

namespace tz::cli {
namespace {

namespace ev = evidence;
// Evidence packages are read whole; one with its documents may be large.
constexpr size_t kMaxPackageFile = size_t{4} << 30;

const char kUsage[] =
    "Usage:\n"
    "  tiezheng evidence export (--node URL | --data DIR | --ledger DIR [--blobs DIR])\n"
    "        (--document SHA256 | --acceptance ENTRY_ID | --house ID | --case ID)\n"
    "        [--withhold] [--tsa-cert PEM --tsa-key PEM [--tsa-chain PEM] [--tsa-policy OID]]\n"
    "        -o PACKAGE.tar\n"
    "  tiezheng evidence verify PACKAGE.tar [--json] [--trust CONSORTIUM.json]\n"
    "        [--tsa-ca CA.pem] [--report OUT.html]\n"
    "\n"
    "export --node URL fetches the package from a running node (GET /v1/evidence,\n"
    "with the node's stored time-stamp tokens); --data/--ledger read a stopped node's\n"
    "data directory (or a copy): the ledger's LevelDB is locked while a node runs.\n"
    "verify needs no network and no node.\n"
    "Exit codes: 0 verified, 1 not verified, 2 usage, 3 bad input, 4 failure.\n";

int Usage(const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "error: %s\n\n", why.c_str());
  std::fprintf(why.empty() ? stdout : stderr, "%s", kUsage);
  return why.empty() ? kExitOk : kExitUsage;
}

// Percent-encodes a query value (ids are [A-Za-z0-9._:-], digests hex; this
// also keeps anything else a user typed from changing the query).
std::string QueryEscape(const std::string& v) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int ExportFromNode(const std::string& url, const node::EvidenceExportOptions& opts, bool withhold,
                   const std::string& out) {
  client::HttpClient http(url);
  std::string target = "/v1/evidence?" + opts.kind + "=" + QueryEscape(opts.id);
  if (withhold) target += "&withhold=1";
  auto n = http.GetToFile(target, out);
  if (!n.ok()) return Fail(n.status());
  std::fprintf(stderr, "wrote %s (%llu bytes) from %s\n", out.c_str(),
               static_cast<unsigned long long>(*n), url.c_str());
  return kExitOk;
}

int Export(const Args& args) {
  node::EvidenceExportOptions opts;
  int kinds = 0;
  for (const char* k : {"document", "acceptance", "house", "case"}) {
    if (auto v = args.value(k)) {
      opts.kind = k;
      opts.id = *v;
      ++kinds;
    }
  }
  if (kinds != 1) return Usage("give exactly one of --document, --acceptance, --house, --case");
  auto out = args.value("o");
  if (!out) out = args.value("out");
  if (!out) return Usage("missing -o PACKAGE.tar");
  std::optional<std::string> node_url = args.value("node");
  if (!node_url) node_url = args.value("server");
  if (node_url) {
    if (args.value("data") || args.value("ledger") || args.value("tsa-cert")) {
      return Usage("--node fetches from a running node: no --data, --ledger or --tsa-cert");
    }
    return ExportFromNode(*node_url, opts, args.flag("withhold"), *out);
  }
  std::string ledger_dir, blob_dir;
  if (auto data = args.value("data")) {
    node::DataDir dir{*data};
    ledger_dir = dir.ledger();
    blob_dir = dir.archive();
  } else if (auto l = args.value("ledger")) {
    ledger_dir = *l;
    blob_dir = args.value_or("blobs", "");
  } else {
    return Usage("give --data DIR or --ledger DIR");
  }
  opts.withhold_documents = args.flag("withhold");

  std::optional<TimeStampAuthority> tsa;
  if (auto cert = args.value("tsa-cert")) {
    auto key = args.value("tsa-key");
    if (!key) return Usage("--tsa-cert needs --tsa-key");
    auto cfg = LoadTsaConfigFiles(*cert, *key, args.value_or("tsa-chain", ""),
                                  args.value_or("tsa-policy", std::string(kDemoTsaPolicy)));
    if (!cfg.ok()) return Fail(cfg.status());
    auto t = TimeStampAuthority::Create(*cfg);
    if (!t.ok()) return Fail(t.status());
    tsa.emplace(std::move(*t));
    opts.tsa = &*tsa;
  }

  auto store = ledger::OpenLevelDbStore(ledger_dir, false);
  if (!store.ok()) return Fail(store.status());
  auto l = ledger::Ledger::Open(std::move(*store), node::NodeLedgerOptions());
  if (!l.ok()) return Fail(l.status());
  std::unique_ptr<archive::LocalBlobStore> blobs;
  if (!blob_dir.empty()) {
    archive::LocalStoreOptions so;
    so.create_if_missing = false;
    auto b = archive::LocalBlobStore::Open(archive::Env::Default(), blob_dir, so);
    if (!b.ok()) return Fail(b.status());
    blobs = std::move(*b);
  }
  auto pkg = node::ExportEvidencePackage(**l, blobs.get(), opts);
  if (!pkg.ok()) return Fail(pkg.status());
  Status w = WriteFileAtomically(*out, *pkg);
  if (!w.ok()) return Fail(w);
  std::fprintf(stderr, "wrote %s (%zu bytes)\n", out->c_str(), pkg->size());
  return kExitOk;
}

void PrintHuman(const ev::VerifyReport& r) {
  if (r.manifest) {
    std::printf("证据对象 Subject: %s %s\n账本 Chain: %s\n",
                std::string(evidence::Name(r.manifest->subject_kind)).c_str(),
                r.manifest->subject_id.c_str(), r.manifest->chain.c_str());
  }
  size_t passed = 0, unverified = 0;
  for (const auto& c : r.checks) {
    if (c.status == evidence::CheckStatus::kPassed) {
      ++passed;
      continue;
    }
    if (c.status == evidence::CheckStatus::kUnverified) ++unverified;
    std::printf("  %-8s %-18s %-30s %s: %s\n",
                c.status == evidence::CheckStatus::kFailed ? "FAILED" : "NOTE",
                std::string(evidence::Name(c.check)).c_str(), c.item.c_str(), c.reason.c_str(),
                c.detail.c_str());
  }
  std::printf("%zu checks passed, %zu with trust not verified, %zu failed\n", passed, unverified,
              r.checks.size() - passed - unverified);
  if (r.verified) {
    std::printf("结论 Verdict: 核验通过 VERIFIED\n");
  } else {
    std::printf("结论 Verdict: 核验未通过 NOT VERIFIED [%s]\n", r.reason.c_str());
  }
}

int Verify(const Args& args) {
  if (args.positional().size() != 2) return Usage("verify takes one PACKAGE");
  auto bytes = ReadFileAtMost(args.positional()[1], kMaxPackageFile);
  if (!bytes.ok()) return Fail(bytes.status());
  ev::VerifyOptions opts;
  if (auto ca = args.value("tsa-ca")) {
    auto pem = ReadFileAtMost(*ca, kMaxPackageFile);
    if (!pem.ok()) return Fail(pem.status());
    opts.tsa_ca_pem = *pem;
  }
  if (auto trust = args.value("trust")) {
    auto text = ReadFileAtMost(*trust, kMaxPackageFile);
    if (!text.ok()) return Fail(text.status());
    auto j = ParseJson(*text);
    if (!j.ok()) return Fail(Status::Invalid("evidence.bad_trust_file", j.status().message()));
    auto t = ev::TrustedConsortium::FromJson(*j);
    if (!t.ok()) return Fail(t.status());
    opts.trust = std::move(*t);
  }
  ev::VerifyReport r = ev::VerifyPackage(*bytes, opts);
  if (auto report = args.value("report")) {
    Status w = WriteFileAtomically(*report, evidence::RenderEvidenceReport(r));
    if (!w.ok()) return Fail(w);
  }
  if (args.flag("json")) {
    std::printf("%s\n", r.ToJson().Pretty().c_str());
  } else {
    PrintHuman(r);
  }
  return r.verified ? kExitOk : kExitNotVerified;
}

}  // namespace

int CmdEvidence(int argc, char** argv, int first) {
  if (first >= argc) return Usage("missing subcommand");
  std::string sub = argv[first];
  if (sub == "--help" || sub == "-h" || sub == "help") return Usage("");
  Args args(
      {"node", "server", "data", "ledger", "blobs", "document", "acceptance", "house", "case", "o",
       "out", "tsa-cert", "tsa-key", "tsa-chain", "tsa-policy", "trust", "tsa-ca", "report"},
      {"withhold", "json", "help"});
  if (!args.Parse(argc, argv, first)) return Usage(args.error());
  if (args.flag("help")) return Usage("");
  if (sub == "export") return Export(args);
  if (sub == "verify") return Verify(args);
  return Usage("unknown subcommand '" + sub + "'");
}

}  // namespace tz::cli
