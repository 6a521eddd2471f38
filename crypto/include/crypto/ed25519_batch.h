// Ed25519 batch verification: checks many (public key, message, signature)
// triples with one multi-scalar multiplication instead of one double-scalar
// multiplication each (RFC 8032 section 5.1.7; Chalkias, Garillot, Kondi,
// Nikolaenko, "Taming the many EdDSAs", 2020).
//
// Equation. For items i with signature (R_i, S_i) under key A_i and
// h_i = SHA-512(R_i || A_i || M_i) mod L, with z_i fresh uniformly random
// 128-bit scalars drawn from the OS RNG on every call,
//
//   [8]( [sum z_i S_i] B - sum z_i R_i - sum_keys [sum_{i: A_i = A} z_i h_i] A ) == O.
//
// If any item is invalid under this (cofactored) equation, the check fails
// except with probability below 2^-120 (over the verifier's randomness, which
// a signer cannot predict). A valid set always passes.
//
// Pre-checks. Every item must also pass exactly the input checks of
// libsodium 1.0.18 crypto_sign_ed25519_verify_detached (non-ED25519_COMPAT
// build): S < L; R is not a small-order encoding (libsodium's blocklist,
// which ignores the sign bit); A is canonical (y < p), decodes and does not
// have small order. In addition R must decode as a canonical curve point (y <
// p, on the curve): libsodium compares the canonical encoding of S*B - h*A
// with R's bytes, so such an R can never pass there either. An item whose key
// is not an Ed25519 key (e.g. SM2) or is empty fails.
//
// Semantics versus libsodium (tz::Verify). libsodium is cofactorless: it
// accepts iff R == S*B - h*A exactly. The batch equation is cofactored: it
// accepts iff 8R == 8(S*B - h*A). The two agree on every signature made by an
// RFC 8032 signer. They differ only on a signature whose R (or key A) carries
// a small-order (torsion) component, e.g. R' = r*B + T with T of order 8 and
// S = r + SHA-512(R' || A || M) * a: the batch accepts it, libsodium rejects
// it. Producing one needs the secret scalar a, so it lets the key holder
// make a signature that verifiers disagree on, but lets no one else forge.
// (Tested in tests/crypto/ed25519_batch_encoding_test.cc, Ed25519Batch.TorsionSignature.)
//
// Cost: about a quarter of tz::Verify per signature for batches of 64 or
// more with few distinct keys (docs/crypto.md has the numbers). Items are
// processed in chunks of kChunkSize, so memory stays bounded for any size.
// The A terms are grouped per distinct key, so the cost grows with the number
// of distinct keys per chunk; it is meant for the ledger's case of few keys
// and many signatures. Not constant time: only for public data.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/sign.h"

namespace tz {

class Ed25519BatchVerifier {
 public:
  // Items are verified in independent batches of at most this many.
  static constexpr size_t kChunkSize = 512;

  Ed25519BatchVerifier() = default;

  // Queues one item. Copies the key (32 bytes, once per distinct key) and
  // the signature, but NOT the message: the message bytes must stay alive and
  // unchanged until the last VerifyAll()/VerifyEach() call on this verifier
  // (or until Clear()/destruction). Never fails; an unusable item (SM2 key,
  // empty key, bad encodings) is simply reported as not verifying.
  void Add(const PublicKey& pk, ByteSpan message, const Signature& sig);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void Reserve(size_t n) { items_.reserve(n); }
  void Clear();

  // True iff every item passes the pre-checks and the batch equation (with
  // probability at least 1 - 2^-120 for any set containing an invalid item;
  // always for a valid set). True for an empty verifier. Draws fresh
  // randomness on every call; does not modify the verifier (safe to call
  // from several threads at once).
  [[nodiscard]] bool VerifyAll() const;

  // Per-item results, in Add order. Each chunk is checked as one batch; when
  // a chunk fails, its halves are checked as batches recursively (fresh
  // randomness each time) and ranges of at most kSingleVerifyMax items
  // that still fail are verified one by one with libsodium (tz::Verify's
  // verifier). So a false entry is always an item libsodium rejects; a true
  // entry passed the cofactored check (and the pre-checks). Only for a
  // torsion signature (see above) can the verdict differ from tz::Verify,
  // and then it depends on whether it shares a small failing range with
  // another invalid item.
  std::vector<bool> VerifyEach() const;

  // Failing ranges this small are verified item by item.
  static constexpr size_t kSingleVerifyMax = 4;

 private:
  struct Item {
    ByteSpan message;
    Signature signature;
    uint32_t key;  // index into keys_, or kNoKey
  };
  static constexpr uint32_t kNoKey = UINT32_MAX;
  using KeyBytes = std::array<uint8_t, 32>;
  struct Scratch;  // per-call working memory, defined in ed25519_batch.cc

  // Verifies items_[begin, end). With each == nullptr: returns false as soon
  // as anything fails. Otherwise fills (*each)[begin, end) and returns
  // whether all passed.
  bool VerifyChunk(size_t begin, size_t end, Scratch& scratch, std::vector<bool>* each) const;

  std::vector<Item> items_;
  std::vector<KeyBytes> keys_;
  std::map<KeyBytes, uint32_t> key_index_;
};

}  // namespace tz
