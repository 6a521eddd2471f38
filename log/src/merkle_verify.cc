// Proof verification, following RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.
// The RFC loops already reject proofs of the wrong length, but only after
// hashing; the length is checked first so that the reason is precise and
// hostile input costs nothing.
#include <algorithm>
#include <bit>
#include <string>

#include "log/merkle.h"

namespace tz::merkle {
namespace {

Status Fail(std::string_view reason, std::string message) {
  return Status::Verification(std::string(reason), std::move(message));
}

std::string N(uint64_t v) { return std::to_string(v); }

Status CheckInclusionShape(uint64_t index, uint64_t size, size_t proof_len) {
  if (index >= size) {
    return Fail(reason::kIndexOutOfRange,
                "leaf index " + N(index) + " is not below tree size " + N(size));
  }
  size_t want = InclusionProofLength(index, size);
  if (proof_len != want) {
    return Fail(reason::kWrongLength, "inclusion proof for leaf " + N(index) + " in tree of " +
                                          N(size) + " needs " + N(want) + " hashes, got " +
                                          N(proof_len));
  }
  return Status::Ok();
}

// Everything about a consistency proof that does not need a hash.
Status CheckConsistencyShape(uint64_t size1, uint64_t size2, size_t proof_len) {
  if (size1 > size2) {
    return Fail(reason::kSizeOrder,
                "first tree size " + N(size1) + " is larger than second tree size " + N(size2));
  }
  if (size1 == 0) {
    return Fail(reason::kEmptyFirstTree,
                "consistency with the empty tree proves nothing and is not accepted");
  }
  if (size1 == size2) {
    if (proof_len != 0) {
      return Fail(reason::kNonemptyForEqualSizes,
                  "equal tree sizes need an empty proof, got " + N(proof_len) + " hashes");
    }
    return Status::Ok();
  }
  size_t want = ConsistencyProofLength(size1, size2);
  if (proof_len != want) {
    return Fail(reason::kWrongLength, "consistency proof from " + N(size1) + " to " + N(size2) +
                                          " needs " + N(want) + " hashes, got " + N(proof_len));
  }
  return Status::Ok();
}

// Right-shifts fn and sn together until LSB(fn) is set or fn is 0.
void ShiftWhileEven(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

Status CheckSize(std::string_view reason, std::string_view what, size_t got) {
  if (got == LogHasher::Size()) return Status::Ok();
  return Fail(reason,
              std::string(what) + " has " + N(got) + " bytes, want " + N(LogHasher::Size()));
}

Status CheckNodeSizes(std::span<const Bytes> proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    TZ_RETURN_IF_ERROR(CheckSize(reason::kBadNodeSize, "proof hash " + N(i), proof[i].size()));
  }
  return Status::Ok();
}

// Requires every element to have been size-checked.
std::vector<Digest> ToDigests(std::span<const Bytes> proof) {
  std::vector<Digest> out(proof.size());
  for (size_t i = 0; i < proof.size(); ++i) (void)Digest::FromSpan(proof[i], &out[i]);
  return out;
}

Digest ToDigest(ByteSpan b) {
  Digest d;
  (void)Digest::FromSpan(b, &d);
  return d;
}

}  // namespace

size_t InclusionProofLength(uint64_t index, uint64_t size) {
  if (index >= size) return 0;
  // The path splits into the part below the last node shared with the path to
  // leaf size-1 ("inner": one hash per level) and the part above, where a
  // hash is needed only where the path turns left ("border").
  int inner = std::bit_width(index ^ (size - 1));
  int border = inner == 64 ? 0 : std::popcount(index >> inner);  // no shift by 64 (UB)
  return static_cast<size_t>(inner + border);
}

size_t ConsistencyProofLength(uint64_t size1, uint64_t size2) {
  if (size1 == 0 || size1 >= size2) return 0;
  // The proof is the inclusion proof, in the tree of size2 seen at `level`,
  // of the biggest perfect subtree that ends at size1, preceded by that
  // subtree's hash unless it is the whole first tree (size1 a power of 2).
  int level = std::countr_zero(size1);
  uint64_t index = (size1 - 1) >> level;
  uint64_t nodes_at_level = ((size2 - 1) >> level) + 1;
  return (index == 0 ? 0 : 1) + InclusionProofLength(index, nodes_at_level);
}

Result<Digest> RootFromInclusionProof(const LogHasher& hasher, uint64_t index, uint64_t size,
                                      const Digest& leaf_hash, std::span<const Digest> proof) {
  TZ_RETURN_IF_ERROR(CheckInclusionShape(index, size, proof.size()));
  // RFC 9162 §2.1.3.2 steps 2-5.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Digest r = leaf_hash;
  for (const Digest& p : proof) {
    if (sn == 0) return Fail(reason::kWrongLength, "inclusion proof too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = hasher.HashChildren(p, r);
      ShiftWhileEven(fn, sn);
    } else {
      r = hasher.HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Fail(reason::kWrongLength, "inclusion proof too short");
  return r;
}

Status VerifyInclusion(const LogHasher& hasher, uint64_t index, uint64_t size,
                       const Digest& leaf_hash, std::span<const Digest> proof, const Digest& root) {
  TZ_ASSIGN_OR_RETURN(Digest computed,
                      RootFromInclusionProof(hasher, index, size, leaf_hash, proof));
  if (computed != root) {
    return Fail(reason::kRootMismatch, "inclusion proof for leaf " + N(index) + " in tree of " +
                                           N(size) + " yields root " + ToHex(computed) + ", not " +
                                           ToHex(root));
  }
  return Status::Ok();
}

Status VerifyConsistency(const LogHasher& hasher, uint64_t size1, uint64_t size2,
                         std::span<const Digest> proof, const Digest& root1, const Digest& root2) {
  TZ_RETURN_IF_ERROR(CheckConsistencyShape(size1, size2, proof.size()));
  if (size1 == size2) {
    if (root1 != root2) {
      return Fail(reason::kRootMismatch, "trees of equal size " + N(size1) + " differ");
    }
    return Status::Ok();
  }
  // RFC 9162 §2.1.4.2. Step 2: if size1 is a power of 2 the first tree is a
  // perfect subtree of the second and its root (root1) seeds the path.
  bool seed_is_root1 = std::has_single_bit(size1);
  std::span<const Digest> rest = seed_is_root1 ? proof : proof.subspan(1);
  const Digest& seed = seed_is_root1 ? root1 : proof[0];
  // Steps 3-4.
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  // Steps 5-6.
  Digest fr = seed;
  Digest sr = seed;
  for (const Digest& c : rest) {
    if (sn == 0) return Fail(reason::kWrongLength, "consistency proof too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = hasher.HashChildren(c, fr);
      sr = hasher.HashChildren(c, sr);
      ShiftWhileEven(fn, sn);
    } else {
      sr = hasher.HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) return Fail(reason::kWrongLength, "consistency proof too short");
  if (fr != root1) {
    return Fail(reason::kRootMismatch,
                "consistency proof yields first root " + ToHex(fr) + ", not " + ToHex(root1));
  }
  if (sr != root2) {
    return Fail(reason::kRootMismatch,
                "consistency proof yields second root " + ToHex(sr) + ", not " + ToHex(root2));
  }
  return Status::Ok();
}

// ---- Wire form: validate sizes in the documented order, then the above. ----

Result<Digest> RootFromInclusionProof(const LogHasher& hasher, uint64_t index, uint64_t size,
                                      ByteSpan leaf_hash, std::span<const Bytes> proof) {
  if (index >= size) return CheckInclusionShape(index, size, proof.size());
  TZ_RETURN_IF_ERROR(CheckSize(reason::kBadLeafHashSize, "leaf hash", leaf_hash.size()));
  TZ_RETURN_IF_ERROR(CheckInclusionShape(index, size, proof.size()));
  TZ_RETURN_IF_ERROR(CheckNodeSizes(proof));
  std::vector<Digest> digests = ToDigests(proof);
  return RootFromInclusionProof(hasher, index, size, ToDigest(leaf_hash), digests);
}

Status VerifyInclusion(const LogHasher& hasher, uint64_t index, uint64_t size, ByteSpan leaf_hash,
                       std::span<const Bytes> proof, ByteSpan root) {
  if (index >= size) return CheckInclusionShape(index, size, proof.size());
  TZ_RETURN_IF_ERROR(CheckSize(reason::kBadLeafHashSize, "leaf hash", leaf_hash.size()));
  TZ_RETURN_IF_ERROR(CheckInclusionShape(index, size, proof.size()));
  TZ_RETURN_IF_ERROR(CheckNodeSizes(proof));
  TZ_RETURN_IF_ERROR(CheckSize(reason::kBadRootSize, "root", root.size()));
  std::vector<Digest> digests = ToDigests(proof);
  return VerifyInclusion(hasher, index, size, ToDigest(leaf_hash), digests, ToDigest(root));
}

Status VerifyConsistency(const LogHasher& hasher, uint64_t size1, uint64_t size2,
                         std::span<const Bytes> proof, ByteSpan root1, ByteSpan root2) {
  TZ_RETURN_IF_ERROR(CheckConsistencyShape(size1, size2, proof.size()));
  if (size1 == size2) {
    bool equal =
        root1.size() == root2.size() && std::equal(root1.begin(), root1.end(), root2.begin());
    if (!equal) return Fail(reason::kRootMismatch, "trees of equal size " + N(size1) + " differ");
    return Status::Ok();
  }
  TZ_RETURN_IF_ERROR(CheckNodeSizes(proof));
  TZ_RETURN_IF_ERROR(CheckSize(reason::kBadRootSize, "first root", root1.size()));
  TZ_RETURN_IF_ERROR(CheckSize(reason::kBadRootSize, "second root", root2.size()));
  std::vector<Digest> digests = ToDigests(proof);
  return VerifyConsistency(hasher, size1, size2, digests, ToDigest(root1), ToDigest(root2));
}

}  // namespace tz::merkle
