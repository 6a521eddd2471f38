// The RFC 6962 / RFC 9162 Merkle log: hashing, node ids, and verification of
// inclusion and consistency proofs.
//
// This is the part that auditors and courts re-implement with their own tools,
// so it follows the RFCs to the letter (RFC 9162 §2.1.1 hashing, §2.1.3.2
// inclusion, §2.1.4.2 consistency) plus the stricter edge rules of
// transparency-dev/merkle (see docs/merkle.md). Building proofs lives in
// ledger/merkle_proof.h, incremental appends in ledger/merkle_compact.h.
//
// Everything here is pure (no I/O, no shared state) and safe to call
// concurrently.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/status.h"

namespace tz::merkle {

// RFC 6962 §2.1 domain-separation prefixes: a leaf can never be mistaken for
// an interior node (second-preimage resistance).
inline constexpr uint8_t kLeafHashPrefix = 0x00;
inline constexpr uint8_t kNodeHashPrefix = 0x01;

// Hashes of the log: MTH({}) = H(""), leaf = H(0x00 || entry),
// node = H(0x01 || left || right). SHA-256 for the intl suite (the RFC
// format), SM3 for the gm suite. Cheap to copy; thread-safe.
class LogHasher {
 public:
  explicit LogHasher(HashAlgorithm alg = HashAlgorithm::kSha256) : alg_(alg) {}

  HashAlgorithm algorithm() const { return alg_; }
  // Bytes in every hash of this log (32 for both SHA-256 and SM3).
  static constexpr size_t Size() { return Digest::kSize; }

  // Root of the empty tree: H("").
  Digest EmptyRoot() const;
  // H(0x00 || entry): the leaf hash of one log entry.
  Digest HashLeaf(ByteSpan entry) const;
  // H(0x01 || left || right).
  Digest HashChildren(const Digest& left, const Digest& right) const;

 private:
  HashAlgorithm alg_;
};

// A node of the complete binary tree over the leaves: node {level, index}
// covers leaves [index << level, (index + 1) << level). Level 0 nodes are
// leaves. A node is "perfect" in a tree of size n (and then never changes)
// when its whole coverage is below n, i.e. end() <= n. Requires level < 64.
struct NodeId {
  uint32_t level = 0;
  uint64_t index = 0;

  constexpr NodeId Parent() const { return {level + 1, index >> 1}; }
  constexpr NodeId Sibling() const { return {level, index ^ 1}; }
  // First leaf covered.
  constexpr uint64_t begin() const { return index << level; }
  // One past the last leaf covered (wraps to 0 for the node covering 2^64).
  constexpr uint64_t end() const { return (index + 1) << level; }

  auto operator<=>(const NodeId&) const = default;
  bool operator==(const NodeId&) const = default;
};

// Stable reasons of the Status values returned below. Every verification
// failure has code kVerificationFailed: the proof does not prove the claim.
// The reason says why, for logs, API errors and tests; see docs/merkle.md.
namespace reason {
// index >= size (including size == 0: the empty tree contains no leaf).
inline constexpr std::string_view kIndexOutOfRange = "proof.index_out_of_range";
// Wire form only: the leaf hash is not LogHasher::Size() bytes.
inline constexpr std::string_view kBadLeafHashSize = "proof.bad_leaf_hash_size";
// Wire form only: a proof hash is not LogHasher::Size() bytes.
inline constexpr std::string_view kBadNodeSize = "proof.bad_node_size";
// Wire form only: a root that must be recomputed is not LogHasher::Size() bytes.
inline constexpr std::string_view kBadRootSize = "proof.bad_root_size";
// The proof does not have exactly the number of hashes RFC 9162 PATH /
// SUBPROOF yields for these sizes (this includes an empty consistency proof
// for size1 < size2).
inline constexpr std::string_view kWrongLength = "proof.wrong_length";
// The proof is well formed but the recomputed root differs from the given one
// (for consistency: either root; the message says which).
inline constexpr std::string_view kRootMismatch = "proof.root_mismatch";
// Consistency with size1 > size2: a log never shrinks.
inline constexpr std::string_view kSizeOrder = "proof.size_order";
// Consistency with size1 == 0: every tree extends the empty one, so such a
// proof proves nothing and is refused rather than vacuously accepted.
inline constexpr std::string_view kEmptyFirstTree = "proof.empty_first_tree";
// Consistency with size1 == size2 must have an empty proof.
inline constexpr std::string_view kNonemptyForEqualSizes = "proof.nonempty_for_equal_sizes";
}  // namespace reason

// ---- Inclusion (RFC 9162 §2.1.3.2) ----------------------------------------
//
// Requires: 0 <= index < size; proof hashes ordered leaf to root, as PATH in
// RFC 6962 §2.1.1 (and as InclusionProof in merkle_proof.h returns them).
// Returns OK iff `leaf_hash` is leaf number `index` of the tree of `size`
// leaves whose root is `root`. Failure reasons, checked in this order:
// index_out_of_range, wrong_length, root_mismatch.
Status VerifyInclusion(const LogHasher& hasher, uint64_t index, uint64_t size,
                       const Digest& leaf_hash, std::span<const Digest> proof, const Digest& root);

// The root that `proof` implies for `leaf_hash` at `index` in a tree of
// `size`. Comparing it with a trusted root is the caller's job (that is
// VerifyInclusion). Reasons: index_out_of_range, wrong_length.
Result<Digest> RootFromInclusionProof(const LogHasher& hasher, uint64_t index, uint64_t size,
                                      const Digest& leaf_hash, std::span<const Digest> proof);

// ---- Consistency (RFC 9162 §2.1.4.2) --------------------------------------
//
// Requires: 0 < size1 <= size2; proof as SUBPROOF in RFC 6962 §2.1.2 (and
// ConsistencyProof in merkle_proof.h). Returns OK iff the tree of size2 with
// root2 is an append-only extension of the tree of size1 with root1.
// size1 == size2 requires an empty proof and root1 == root2. Reasons, in
// order: size_order, empty_first_tree, nonempty_for_equal_sizes,
// wrong_length, root_mismatch.
Status VerifyConsistency(const LogHasher& hasher, uint64_t size1, uint64_t size2,
                         std::span<const Digest> proof, const Digest& root1, const Digest& root2);

// ---- Wire form ------------------------------------------------------------
//
// The same checks for hashes exactly as they arrived from outside (JSON,
// tlog-proof), of any length. Sizes are validated before anything is hashed,
// adding the reasons bad_leaf_hash_size, bad_node_size and bad_root_size:
//   inclusion: index_out_of_range, bad_leaf_hash_size, wrong_length,
//              bad_node_size, bad_root_size, root_mismatch;
//   consistency: size_order, empty_first_tree, nonempty_for_equal_sizes,
//              (size1 == size2: roots compared as bytes -> root_mismatch),
//              wrong_length, bad_node_size, bad_root_size, root_mismatch.
// For size1 == size2 nothing is recomputed, so the roots are only compared
// with each other, whatever their length (as transparency-dev/merkle does).
Status VerifyInclusion(const LogHasher& hasher, uint64_t index, uint64_t size, ByteSpan leaf_hash,
                       std::span<const Bytes> proof, ByteSpan root);
Result<Digest> RootFromInclusionProof(const LogHasher& hasher, uint64_t index, uint64_t size,
                                      ByteSpan leaf_hash, std::span<const Bytes> proof);
Status VerifyConsistency(const LogHasher& hasher, uint64_t size1, uint64_t size2,
                         std::span<const Bytes> proof, ByteSpan root1, ByteSpan root2);

// Number of hashes in a valid proof; the shapes the verifiers insist on.
// Require index < size, resp. 0 < size1 < size2 (0 otherwise).
size_t InclusionProofLength(uint64_t index, uint64_t size);
size_t ConsistencyProofLength(uint64_t size1, uint64_t size2);

}  // namespace tz::merkle
