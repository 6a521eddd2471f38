// Crypto throughput and latency. Build: cmake --build BUILD --target crypto_bench
// Run:   BUILD/bench/crypto_bench   (numbers and the openssl/libsodium comparison
// are recorded in docs/crypto.md).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "crypto/aead.h"
#include "crypto/ed25519_batch.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/sign.h"

// Raw library baselines, defined in crypto/src/bench_baseline.cc (kept there
// so that libsodium/OpenSSL headers stay inside crypto/src/).
namespace tz::bench_baseline {
void Ed25519Keypair(uint8_t pk[32], uint8_t sk[64]);
void Ed25519Sign(uint8_t sig[64], const uint8_t* m, size_t n, const uint8_t sk[64]);
bool Ed25519Verify(const uint8_t sig[64], const uint8_t* m, size_t n, const uint8_t pk[32]);
void Sha256Evp(const uint8_t* buf, size_t chunk, size_t updates, uint8_t out[32]);
void Sha256Sodium(const uint8_t* buf, size_t chunk, size_t updates, uint8_t out[32]);
}  // namespace tz::bench_baseline

namespace tz {
namespace {

constexpr size_t kUpdate = 16 * 1024;
constexpr size_t kMessage = 256;  // a typical signed entry is a few hundred bytes

// Streaming hash: one 16 KiB Update per iteration (as `openssl speed -bytes 16384`).
void BM_HashStream(benchmark::State& state, HashAlgorithm alg) {
  Bytes buf = RandomBytes(kUpdate);
  Hasher h(alg);
  for (auto _ : state) h.Update(buf);
  benchmark::DoNotOptimize(h.Finish());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kUpdate));
}
BENCHMARK_CAPTURE(BM_HashStream, sha256, HashAlgorithm::kSha256);
BENCHMARK_CAPTURE(BM_HashStream, sm3, HashAlgorithm::kSm3);

void BM_Sha256RawEvp(benchmark::State& state) {
  Bytes buf = RandomBytes(kUpdate);
  uint8_t out[32];
  for (auto _ : state) {
    bench_baseline::Sha256Evp(buf.data(), kUpdate, 64, out);  // 1 MiB per iteration
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kUpdate * 64));
}
BENCHMARK(BM_Sha256RawEvp);

void BM_Sha256RawSodium(benchmark::State& state) {
  Bytes buf = RandomBytes(kUpdate);
  uint8_t out[32];
  for (auto _ : state) {
    bench_baseline::Sha256Sodium(buf.data(), kUpdate, 64, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kUpdate * 64));
}
BENCHMARK(BM_Sha256RawSodium);

// One-shot hash of a short input: the Merkle-node case (1 + 32 + 32 bytes).
void BM_HashSmall(benchmark::State& state, HashAlgorithm alg) {
  Bytes buf = RandomBytes(65);
  for (auto _ : state) benchmark::DoNotOptimize(Hash(alg, buf));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_HashSmall, sha256_65B, HashAlgorithm::kSha256);
BENCHMARK_CAPTURE(BM_HashSmall, sm3_65B, HashAlgorithm::kSm3);

void BM_Sign(benchmark::State& state, SignatureAlgorithm alg) {
  KeyPair kp = GenerateKeyPair(alg);
  Bytes msg = RandomBytes(kMessage);
  for (auto _ : state) benchmark::DoNotOptimize(Sign(kp.secret_key, msg));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Sign, ed25519, SignatureAlgorithm::kEd25519);
BENCHMARK_CAPTURE(BM_Sign, sm2, SignatureAlgorithm::kSm2);

void BM_Verify(benchmark::State& state, SignatureAlgorithm alg) {
  KeyPair kp = GenerateKeyPair(alg);
  Bytes msg = RandomBytes(kMessage);
  Signature sig = *Sign(kp.secret_key, msg);
  for (auto _ : state) {
    Status s = Verify(kp.public_key, msg, sig);
    if (!s.ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Verify, ed25519, SignatureAlgorithm::kEd25519);
BENCHMARK_CAPTURE(BM_Verify, sm2, SignatureAlgorithm::kSm2);

// n Ed25519 signatures over kMessage-byte messages from 8 keys (round robin),
// the ledger's shape: few keys, many entries.
struct Ed25519SignedSet {
  static constexpr size_t kKeys = 8;
  std::vector<KeyPair> keys;
  std::vector<Bytes> msgs;
  std::vector<Signature> sigs;

  explicit Ed25519SignedSet(size_t n) {
    for (size_t k = 0; k < kKeys; ++k)
      keys.push_back(GenerateKeyPair(SignatureAlgorithm::kEd25519));
    for (size_t i = 0; i < n; ++i) {
      msgs.push_back(RandomBytes(kMessage));
      sigs.push_back(*Sign(keys[i % kKeys].secret_key, msgs.back()));
    }
  }
  // The verifier refers to msgs, so the set must outlive it.
  Ed25519BatchVerifier Batch() const {
    Ed25519BatchVerifier batch;
    for (size_t i = 0; i < msgs.size(); ++i)
      batch.Add(keys[i % kKeys].public_key, msgs[i], sigs[i]);
    return batch;
  }
};

// "per_sig": time per signature, to compare with BM_Verify/ed25519.
benchmark::Counter PerSignature(size_t n) {
  return benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                                        benchmark::Counter::kInvert);
}

// Ed25519 batch verification (crypto/ed25519_batch.h), VerifyAll on
// state.range(0) valid signatures.
void BM_Ed25519BatchVerify(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Ed25519SignedSet set(n);
  Ed25519BatchVerifier batch = set.Batch();
  for (auto _ : state) {
    if (!batch.VerifyAll()) state.SkipWithError("batch verify failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["per_sig"] = PerSignature(n);
}
BENCHMARK(BM_Ed25519BatchVerify)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->Arg(1024);

// VerifyEach on 256 signatures of which one is invalid: the batch fails, the
// halves are re-checked as batches, and the last few items singly.
void BM_Ed25519BatchVerifyEachOneBad(benchmark::State& state) {
  constexpr size_t n = 256;
  Ed25519SignedSet set(n);
  set.msgs[n / 3][0] ^= 1;
  Ed25519BatchVerifier batch = set.Batch();
  for (auto _ : state) {
    std::vector<bool> each = batch.VerifyEach();
    if (each[n / 3] || !each[0]) state.SkipWithError("wrong per-item result");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["per_sig"] = PerSignature(n);
}
BENCHMARK(BM_Ed25519BatchVerifyEachOneBad);

void BM_Ed25519SignRawSodium(benchmark::State& state) {
  uint8_t pk[32], sk[64], sig[64];
  bench_baseline::Ed25519Keypair(pk, sk);
  Bytes msg = RandomBytes(kMessage);
  for (auto _ : state) {
    bench_baseline::Ed25519Sign(sig, msg.data(), msg.size(), sk);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519SignRawSodium);

void BM_Ed25519VerifyRawSodium(benchmark::State& state) {
  uint8_t pk[32], sk[64], sig[64];
  bench_baseline::Ed25519Keypair(pk, sk);
  Bytes msg = RandomBytes(kMessage);
  bench_baseline::Ed25519Sign(sig, msg.data(), msg.size(), sk);
  for (auto _ : state) {
    if (!bench_baseline::Ed25519Verify(sig, msg.data(), msg.size(), pk)) {
      state.SkipWithError("verify failed");
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519VerifyRawSodium);

void BM_AeadEncrypt(benchmark::State& state, AeadAlgorithm alg) {
  SymmetricKey key = SymmetricKey::Generate();
  Bytes chunk = RandomBytes(kAeadChunkSize);
  StreamEncryptor enc(alg, key);
  for (auto _ : state) benchmark::DoNotOptimize(enc.Push(chunk, false));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kAeadChunkSize));
}
BENCHMARK_CAPTURE(BM_AeadEncrypt, xchacha20poly1305, AeadAlgorithm::kXChaCha20Poly1305);
BENCHMARK_CAPTURE(BM_AeadEncrypt, sm4_gcm, AeadAlgorithm::kSm4Gcm);

void BM_AeadDecrypt(benchmark::State& state, AeadAlgorithm alg) {
  SymmetricKey key = SymmetricKey::Generate();
  Bytes chunk = RandomBytes(kAeadChunkSize);
  // Pre-encrypt a long stream so that each iteration pulls the next chunk.
  constexpr int kChunks = 256;  // 16 MiB, replayed from the start when used up
  StreamEncryptor enc(alg, key);
  std::vector<Bytes> cts;
  for (int i = 0; i < kChunks; ++i) cts.push_back(enc.Push(chunk, i == kChunks - 1));
  auto dec = StreamDecryptor::Create(alg, key, enc.header());
  size_t i = 0;
  bool last = false;
  for (auto _ : state) {
    if (i == cts.size()) {
      state.PauseTiming();
      dec = StreamDecryptor::Create(alg, key, enc.header());
      i = 0;
      state.ResumeTiming();
    }
    auto p = (*dec)->Pull(cts[i++], &last);
    if (!p.ok()) state.SkipWithError("decrypt failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kAeadChunkSize));
}
BENCHMARK_CAPTURE(BM_AeadDecrypt, xchacha20poly1305, AeadAlgorithm::kXChaCha20Poly1305);
BENCHMARK_CAPTURE(BM_AeadDecrypt, sm4_gcm, AeadAlgorithm::kSm4Gcm);

}  // namespace
}  // namespace tz

BENCHMARK_MAIN();
