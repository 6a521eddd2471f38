// Offline verification of an evidence package with 1,000 documents (64 KiB
// each, 10 blocks), without and with hashing the document bytes, and
// `sha256sum` over the same files for the ratio (docs/evidence.md).
//   make -C build evidence_bench && build/bench/evidence_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "archive/local_store.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "evidence/evidence.h"
#include "handover/entry_types.h"
#include "ledger/envelope.h"
#include "ledger/ledger.h"
#include "node/evidence_export.h"

namespace {

using namespace tz;  // NOLINT
namespace ev = evidence;
constexpr int kDocs = 1000;
constexpr size_t kDocBytes = 64 << 10;
constexpr int64_t kT0 = 1700000000000;

Json KeySpec(const PublicKey& pk) {
  return Json::MakeObject({{"alg", Json("ed25519")}, {"pub", Json(Base64Encode(pk.bytes()))}});
}

struct Package {
  std::string tar;
  std::string dir;  // documents extracted here, for sha256sum
};

Package Build() {
  Package p;
  p.dir =
      std::filesystem::temp_directory_path() / ("tz-evidence-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(p.dir + "/documents");
  auto blobs = archive::LocalBlobStore::Open(archive::Env::Default(), p.dir + "/blobs").value();
  KeyPair member = GenerateKeyPair(SignatureAlgorithm::kEd25519);
  KeyPair builder = GenerateKeyPair(SignatureAlgorithm::kEd25519);
  auto node = log::NoteSigner::Create("bench/node",
                                      GenerateKeyPair(SignatureAlgorithm::kEd25519).secret_key)
                  .value();
  Json genesis = Json::MakeObject(
      {{"type", Json("genesis")},
       {"v", Json(1)},
       {"chain", Json("bench")},
       {"suite", Json("intl")},
       {"origin", Json("bench/log")},
       {"members",
        Json::MakeArray({Json::MakeObject({{"name", Json("m")},
                                           {"key", KeySpec(member.public_key)},
                                           {"node", Json(node.verifier().ToString())}})})},
       {"keys", Json::MakeArray({Json::MakeObject(
                    {{"key", KeySpec(builder.public_key)},
                     {"party", Json("builder")},
                     {"roles", Json::MakeArray({Json("construction_unit")})}})})}});
  auto g = ledger::SignEntry("bench", genesis, ledger::KeyIdOf(member.public_key),
                             member.secret_key, 1, kT0)
               .value();
  ledger::LedgerOptions lo;
  lo.sync = false;
  lo.types = &handover::EntryTypes();
  auto l = ledger::Ledger::CreateGenesis(ledger::NewMemKvStore(), g, kT0, node, lo).value();
  ledger::KeyId bid = ledger::KeyIdOf(builder.public_key);
  int64_t seq = 1;
  for (int block = 0; block < 10; ++block) {
    ledger::BlockBuilder b = l->NewBlock(kT0, "m");
    for (int i = 0; i < kDocs / 10; ++i) {
      std::string content(kDocBytes, '\0');
      RandomBytes(reinterpret_cast<uint8_t*>(content.data()), content.size());
      auto w = blobs->NewWriter().value();
      (void)w->Append(AsBytes(content));
      (void)w->Commit();
      std::string hex = ToHex(Sha256(content));
      std::ofstream(p.dir + "/documents/" + hex, std::ios::binary) << content;
      Json doc = Json::MakeObject({{"type", Json("doc.notarize")},
                                   {"v", Json(1)},
                                   {"digest", Json(hex)},
                                   {"size", Json(static_cast<uint64_t>(kDocBytes))},
                                   {"media_type", Json("application/pdf")},
                                   {"title", Json("图纸 " + std::to_string(block * 100 + i))},
                                   {"doc_type", Json("as_built_drawings")},
                                   {"project", Json("P-1")},
                                   {"house", Json("H-1")},
                                   {"in_archive", Json(true)},
                                   {"encrypted", Json(false)}});
      auto e = ledger::SignEntry("bench", doc, bid, builder.secret_key, seq++, kT0).value();
      if (!b.Add(e).ok()) std::abort();
    }
    if (!l->Commit(std::move(b), node).ok()) std::abort();
  }
  node::EvidenceExportOptions o{"house", "H-1", false, nullptr, kT0};
  p.tar = node::ExportEvidencePackage(*l, blobs.get(), o).value();
  return p;
}

const Package& Pkg() {
  static Package* p = new Package(Build());
  return *p;
}

void BM_VerifyWithoutDocumentHashing(benchmark::State& state) {
  ev::VerifyOptions opts;
  opts.hash_documents = false;
  for (auto _ : state) {
    ev::VerifyReport r = ev::VerifyPackage(Pkg().tar, opts);
    if (!r.verified) state.SkipWithError(r.reason.c_str());
  }
  state.counters["documents"] = kDocs;
  state.counters["package_MiB"] = static_cast<double>(Pkg().tar.size()) / (1 << 20);
}
BENCHMARK(BM_VerifyWithoutDocumentHashing)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_VerifyFull(benchmark::State& state) {
  for (auto _ : state) {
    ev::VerifyReport r = ev::VerifyPackage(Pkg().tar);
    if (!r.verified) state.SkipWithError(r.reason.c_str());
  }
}
BENCHMARK(BM_VerifyFull)->Unit(benchmark::kMillisecond)->UseRealTime();

// The reference: sha256sum over the same 1,000 files (page cache warm).
void BM_Sha256sumSameFiles(benchmark::State& state) {
  std::string cmd = "sha256sum " + Pkg().dir + "/documents/* > /dev/null";
  for (auto _ : state) {
    if (std::system(cmd.c_str()) != 0) state.SkipWithError("sha256sum failed");
  }
}
BENCHMARK(BM_Sha256sumSameFiles)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  Pkg();  // build the package before timing
  benchmark::RunSpecifiedBenchmarks();
  std::filesystem::remove_all(Pkg().dir);
  return 0;
}
