// Crypto throughput and latency. Build: cmake --build BUILD --target crypto_bench
// Run:   BUILD/bench/crypto_bench   (numbers and the openssl/libsodium comparison
// are recorded in docs/crypto.md).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "crypto/aead.h"
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
