// The shared RFC 6962 vectors (tests/data/rfc6962_vectors.json): official
// transparency-dev/merkle vectors, vectors derived by an independent
// implementation, and the malformed-proof probes a correct verifier rejects.
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "gtest/gtest.h"
#include "log/merkle.h"
#include "log/merkle_compact.h"
#include "log/merkle_proof.h"

namespace tz::merkle {
namespace {

const Json& Vectors() {
  static const Json* vectors = [] {
    std::ifstream in(std::string(TZ_TESTDATA_DIR) + "/rfc6962_vectors.json");
    std::stringstream ss;
    ss << in.rdbuf();
    Result<Json> j = ParseJson(ss.str());
    if (!j.ok()) {
      ADD_FAILURE() << j.status().ToString();
      return new Json();
    }
    return new Json(std::move(j).value());
  }();
  return *vectors;
}

const Json& Field(const Json& obj, std::string_view key) {
  const Json* v = obj.find(key);
  if (v == nullptr) {
    ADD_FAILURE() << "missing field " << key;
    static const Json kNull;
    return kNull;
  }
  return *v;
}

Bytes Hex(const Json& v) {
  Result<Bytes> b = HexDecode(v.as_string());
  EXPECT_TRUE(b.ok()) << v.as_string();
  return b.ok() ? b.value() : Bytes();
}

Digest D(const Json& v) {
  Bytes b = Hex(v);
  Digest d;
  EXPECT_TRUE(Digest::FromSpan(b, &d)) << v.as_string();
  return d;
}

std::vector<Bytes> HexList(const Json& v) {
  std::vector<Bytes> out;
  for (const Json& e : v.as_array()) out.push_back(Hex(e));
  return out;
}

std::vector<Digest> DigestList(const Json& v) {
  std::vector<Digest> out;
  for (const Json& e : v.as_array()) out.push_back(D(e));
  return out;
}

uint64_t U(const Json& obj, std::string_view key) { return Field(obj, key).as_uint64(); }

// The eight-leaf reference tree of the vectors, in a node store.
struct VectorTree {
  LogHasher hasher;
  MemoryNodeStore store;
  std::vector<Digest> roots;  // roots[n] = root of the first n leaves
  VectorTree() {
    CompactRange range(hasher);
    roots.push_back(range.Root());
    std::vector<StoredNode> created;
    for (const Bytes& leaf : HexList(Field(Vectors(), "leaf_inputs_hex"))) {
      range.Append(hasher.HashLeaf(leaf), &created);
      roots.push_back(range.Root());
    }
    store.PutAll(created);
  }
};

TEST(MerkleVectors, FileLoads) {
  ASSERT_TRUE(Vectors().is_object());
  EXPECT_EQ(Field(Vectors(), "hash_algorithm").as_string(), "SHA-256");
  EXPECT_EQ(Field(Vectors(), "leaf_hash_prefix").as_string(), "00");
  EXPECT_EQ(Field(Vectors(), "node_hash_prefix").as_string(), "01");
  EXPECT_EQ(kLeafHashPrefix, 0x00);
  EXPECT_EQ(kNodeHashPrefix, 0x01);
}

TEST(MerkleVectors, HasherUnitVectors) {
  LogHasher h;
  EXPECT_EQ(h.EmptyRoot(), D(Field(Vectors(), "empty_tree_root_hex")));
  int checked = 0;
  for (const Json& v : Field(Vectors(), "hasher_unit_vectors").as_array()) {
    const std::string& op = Field(v, "op").as_string();
    Digest want = D(Field(v, "expected_hex"));
    if (op == "empty_root") {
      EXPECT_EQ(h.EmptyRoot(), want);
    } else if (op == "leaf_hash") {
      EXPECT_EQ(h.HashLeaf(Hex(Field(v, "input_hex"))), want);
    } else if (op == "node_hash") {
      // The unit vector hashes short strings as "children"; go through the
      // raw definition H(0x01 || l || r) since LogHasher takes digests.
      Bytes l = Hex(Field(v, "left_hex"));
      Bytes r = Hex(Field(v, "right_hex"));
      Bytes msg = {kNodeHashPrefix};
      msg.insert(msg.end(), l.begin(), l.end());
      msg.insert(msg.end(), r.begin(), r.end());
      EXPECT_EQ(Sha256(msg), want);
    } else {
      ADD_FAILURE() << "unknown op " << op;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(MerkleVectors, LeafNodeAndRootHashes) {
  VectorTree t;
  std::vector<Bytes> inputs = HexList(Field(Vectors(), "leaf_inputs_hex"));
  std::vector<Digest> leaf_hashes = DigestList(Field(Vectors(), "leaf_hashes_hex"));
  ASSERT_EQ(inputs.size(), 8u);
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_EQ(t.hasher.HashLeaf(inputs[i]), leaf_hashes[i]);

  const Json::Array& levels = Field(Vectors(), "node_hashes_by_level_hex").as_array();
  for (uint32_t level = 0; level < levels.size(); ++level) {
    std::vector<Digest> nodes = DigestList(levels[level]);
    for (uint64_t index = 0; index < nodes.size(); ++index) {
      Result<Digest> got = t.store.GetNode(NodeId{level, index});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(got.value(), nodes[index]) << level << "/" << index;
    }
  }
  EXPECT_EQ(t.store.node_count(), 15u);

  for (const auto& [size_str, root_hex] :
       Field(Vectors(), "root_hashes_by_tree_size_hex").as_object()) {
    uint64_t size = std::stoull(size_str);
    EXPECT_EQ(t.roots[size], D(root_hex)) << size;
    Result<Digest> at = RootAt(t.store, t.hasher, size);
    ASSERT_TRUE(at.ok());
    EXPECT_EQ(at.value(), D(root_hex)) << size;
  }
}

// Official and derived inclusion vectors: our builder reproduces each proof
// and our verifier accepts it.
void CheckInclusionVectors(std::string_view key, size_t want_count) {
  VectorTree t;
  std::vector<Digest> leaf_hashes = DigestList(Field(Vectors(), "leaf_hashes_hex"));
  const Json::Array& vs = Field(Vectors(), key).as_array();
  EXPECT_EQ(vs.size(), want_count);
  for (const Json& v : vs) {
    uint64_t index = U(v, "leaf_index");
    uint64_t size = U(v, "tree_size");
    SCOPED_TRACE(std::string(key) + " index " + std::to_string(index) + " size " +
                 std::to_string(size));
    std::vector<Digest> proof = DigestList(Field(v, "proof_hex"));
    Digest root = v.find("root_hex") ? D(Field(v, "root_hex")) : t.roots[size];
    Digest leaf = v.find("leaf_hash_hex") ? D(Field(v, "leaf_hash_hex")) : leaf_hashes[index];
    EXPECT_EQ(root, t.roots[size]);
    EXPECT_TRUE(VerifyInclusion(t.hasher, index, size, leaf, proof, root).ok());
    Result<std::vector<Digest>> built = InclusionProof(t.store, t.hasher, index, size);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    EXPECT_EQ(built.value(), proof);
  }
}

TEST(MerkleVectors, OfficialInclusionProofs) {
  CheckInclusionVectors("official_inclusion_proofs", 5);
}
TEST(MerkleVectors, DerivedInclusionProofs) {
  CheckInclusionVectors("derived_all_inclusion_proofs", 36);
}

void CheckConsistencyVectors(std::string_view key, size_t want_count) {
  VectorTree t;
  const Json::Array& vs = Field(Vectors(), key).as_array();
  EXPECT_EQ(vs.size(), want_count);
  for (const Json& v : vs) {
    uint64_t size1 = U(v, "size1");
    uint64_t size2 = U(v, "size2");
    SCOPED_TRACE(std::string(key) + " " + std::to_string(size1) + " -> " + std::to_string(size2));
    std::vector<Digest> proof = DigestList(Field(v, "proof_hex"));
    Digest root1 = v.find("root1_hex") ? D(Field(v, "root1_hex")) : t.roots[size1];
    Digest root2 = v.find("root2_hex") ? D(Field(v, "root2_hex")) : t.roots[size2];
    EXPECT_EQ(root1, t.roots[size1]);
    EXPECT_EQ(root2, t.roots[size2]);
    EXPECT_TRUE(VerifyConsistency(t.hasher, size1, size2, proof, root1, root2).ok());
    Result<std::vector<Digest>> built = ConsistencyProof(t.store, t.hasher, size1, size2);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    EXPECT_EQ(built.value(), proof);
  }
}

TEST(MerkleVectors, OfficialConsistencyProofs) {
  CheckConsistencyVectors("official_consistency_proofs", 5);
}
TEST(MerkleVectors, DerivedConsistencyProofs) {
  CheckConsistencyVectors("derived_all_consistency_proofs", 28);
}

// ---- Probes ----------------------------------------------------------------
//
// Each probe mutates one thing of a valid proof; `desc` names it. The verifier
// must reject it for a reason of the matching kind, not merely reject it.

using Reasons = std::set<std::string_view>;

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

Reasons InclusionReasonsFor(const std::string& desc) {
  using namespace reason;
  // A moved index or size changes the expected proof shape or the root.
  Reasons moved = {kIndexOutOfRange, kWrongLength, kRootMismatch};
  if (StartsWith(desc, "leafIdx") || StartsWith(desc, "treeSize")) return moved;
  if (desc == "empty leaf" || desc == "wrong leaf") return {kBadLeafHashSize, kRootMismatch};
  if (desc == "empty root and leaf") return {kBadLeafHashSize, kBadRootSize};
  if (desc == "empty root" || desc == "random root") return {kBadRootSize, kRootMismatch};
  if (StartsWith(desc, "modified proof")) return {kRootMismatch};
  if (desc == "inserted component" || desc == "removed component" ||
      StartsWith(desc, "preceding") || StartsWith(desc, "trailing")) {
    return {kWrongLength, kBadNodeSize};
  }
  ADD_FAILURE() << "unclassified inclusion probe: " << desc;
  return {};
}

Reasons ConsistencyReasonsFor(const std::string& desc) {
  using namespace reason;
  if (StartsWith(desc, "size1 ") &&
      (desc.find("XOR") != std::string::npos || desc.find("plus") != std::string::npos ||
       desc.find("sub") != std::string::npos)) {
    return {kSizeOrder, kEmptyFirstTree, kNonemptyForEqualSizes, kWrongLength, kRootMismatch};
  }
  if (StartsWith(desc, "size2 ")) {
    return {kSizeOrder, kNonemptyForEqualSizes, kWrongLength, kRootMismatch};
  }
  if (StartsWith(desc, "size1 is greater than size2")) return {kSizeOrder};
  if (desc.find("size1 is zero") != std::string::npos || desc.find("(zero)") != std::string::npos ||
      desc.find("sizes are zero") != std::string::npos) {
    return {kEmptyFirstTree};
  }
  if (StartsWith(desc, "sizes match but proof is not empty")) return {kNonemptyForEqualSizes};
  if (desc == "empty proof" || desc == "truncated proof" ||
      desc == "sizes do not watch and proof is empty" || StartsWith(desc, "preceding") ||
      StartsWith(desc, "trailing")) {
    return {kWrongLength, kBadNodeSize};
  }
  if (StartsWith(desc, "modified proof") || desc == "swapped roots" ||
      StartsWith(desc, "wrong root") || desc.find("roots are not") != std::string::npos ||
      desc.find("roots do not") != std::string::npos) {
    return {kRootMismatch, kBadRootSize};
  }
  ADD_FAILURE() << "unclassified consistency probe: " << desc;
  return {};
}

TEST(MerkleVectors, InclusionProbes) {
  LogHasher h;
  int total = 0, rejected = 0;
  for (const Json& p : Field(Field(Vectors(), "probes"), "inclusion").as_array()) {
    const std::string& desc = Field(p, "desc").as_string();
    SCOPED_TRACE(Field(p, "file").as_string());
    Status s =
        VerifyInclusion(h, U(p, "leaf_index"), U(p, "tree_size"), Hex(Field(p, "leaf_hash_hex")),
                        HexList(Field(p, "proof_hex")), Hex(Field(p, "root_hex")));
    ++total;
    if (Field(p, "want_error").as_bool()) {
      ++rejected;
      ASSERT_FALSE(s.ok()) << desc;
      EXPECT_EQ(s.code(), Code::kVerificationFailed);
      EXPECT_TRUE(InclusionReasonsFor(desc).contains(s.reason())) << desc << ": " << s.ToString();
    } else {
      EXPECT_TRUE(s.ok()) << desc << ": " << s.ToString();
    }
  }
  EXPECT_EQ(total, 86);
  EXPECT_EQ(rejected, 80);
}

TEST(MerkleVectors, ConsistencyProbes) {
  LogHasher h;
  int total = 0, rejected = 0;
  for (const Json& p : Field(Field(Vectors(), "probes"), "consistency").as_array()) {
    const std::string& desc = Field(p, "desc").as_string();
    SCOPED_TRACE(Field(p, "file").as_string());
    Status s = VerifyConsistency(h, U(p, "size1"), U(p, "size2"), HexList(Field(p, "proof_hex")),
                                 Hex(Field(p, "root1_hex")), Hex(Field(p, "root2_hex")));
    ++total;
    if (Field(p, "want_error").as_bool()) {
      ++rejected;
      ASSERT_FALSE(s.ok()) << desc;
      EXPECT_EQ(s.code(), Code::kVerificationFailed);
      EXPECT_TRUE(ConsistencyReasonsFor(desc).contains(s.reason())) << desc << ": " << s.ToString();
    } else {
      EXPECT_TRUE(s.ok()) << desc << ": " << s.ToString();
    }
  }
  EXPECT_EQ(total, 98);
  EXPECT_EQ(rejected, 92);
}

// The typed API agrees with the wire API on every probe that fits in digests.
TEST(MerkleVectors, TypedApiAgreesOnWellSizedProbes) {
  LogHasher h;
  int compared = 0;
  auto all32 = [](const std::vector<Bytes>& v) {
    for (const Bytes& b : v) {
      if (b.size() != 32) return false;
    }
    return true;
  };
  for (const Json& p : Field(Field(Vectors(), "probes"), "inclusion").as_array()) {
    Bytes leaf = Hex(Field(p, "leaf_hash_hex")), root = Hex(Field(p, "root_hex"));
    std::vector<Bytes> proof = HexList(Field(p, "proof_hex"));
    if (leaf.size() != 32 || root.size() != 32 || !all32(proof)) continue;
    uint64_t index = U(p, "leaf_index"), size = U(p, "tree_size");
    Status wire = VerifyInclusion(h, index, size, leaf, proof, root);
    std::vector<Digest> dproof = DigestList(Field(p, "proof_hex"));
    Status typed = VerifyInclusion(h, index, size, D(Field(p, "leaf_hash_hex")), dproof,
                                   D(Field(p, "root_hex")));
    EXPECT_EQ(wire.reason(), typed.reason()) << Field(p, "file").as_string();
    ++compared;
  }
  for (const Json& p : Field(Field(Vectors(), "probes"), "consistency").as_array()) {
    Bytes r1 = Hex(Field(p, "root1_hex")), r2 = Hex(Field(p, "root2_hex"));
    std::vector<Bytes> proof = HexList(Field(p, "proof_hex"));
    if (r1.size() != 32 || r2.size() != 32 || !all32(proof)) continue;
    uint64_t s1 = U(p, "size1"), s2 = U(p, "size2");
    Status wire = VerifyConsistency(h, s1, s2, proof, r1, r2);
    std::vector<Digest> dproof = DigestList(Field(p, "proof_hex"));
    Status typed =
        VerifyConsistency(h, s1, s2, dproof, D(Field(p, "root1_hex")), D(Field(p, "root2_hex")));
    EXPECT_EQ(wire.reason(), typed.reason()) << Field(p, "file").as_string();
    ++compared;
  }
  EXPECT_GT(compared, 120);
}

}  // namespace
}  // namespace tz::merkle
