// Test fixtures: a consortium of one member with client keys of every role,
// and helpers to sign entries.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "crypto/encoding.h"
#include "crypto/sign.h"
#include "handover/entry_types.h"
#include "ledger/audit.h"
#include "ledger/entries.h"
#include "ledger/envelope.h"
#include "ledger/ledger.h"
#include "log/note.h"

namespace tz::ledger::testing {

inline constexpr int64_t kT0 = 1700000000000;  // 2023-11-14, ms
inline constexpr char kChain[] = "test-chain";
inline constexpr char kOrigin[] = "tiezheng.test/ledger";

// Ledger options for a ledger holding handover entries.
inline LedgerOptions DomainOptions() {
  LedgerOptions o;
  o.types = &handover::EntryTypes();
  return o;
}

// Audit options for a ledger holding handover entries.
inline AuditOptions DomainAudit(AuditOptions o = {}) {
  o.types = &handover::EntryTypes();
  return o;
}

// A client identity: key pair, id and the next sequence number.
struct Client {
  std::string party;
  KeyPair keys;
  KeyId id;
  int64_t next_seq = 1;

  SignedEntry Sign(const Json& entry, int64_t time = kT0) {
    auto e = SignEntry(kChain, entry, id, keys.secret_key, next_seq++, time);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return *e;
  }
};

inline Client MakeClient(std::string party) {
  Client c;
  c.party = std::move(party);
  c.keys = GenerateKeyPair(SignatureAlgorithm::kEd25519);
  c.id = KeyIdOf(c.keys.public_key);
  return c;
}

inline Json KeySpec(const PublicKey& pk) {
  Json j = Json::MakeObject();
  j.set("alg", Json("ed25519"));
  j.set("pub", Json(Base64Encode(pk.bytes())));
  return j;
}

inline Json Obj(std::initializer_list<std::pair<std::string, Json>> kv) {
  Json j = Json::MakeObject();
  for (const auto& [k, v] : kv) j.set(k, v);
  return j;
}

inline Json Arr(std::initializer_list<Json> v) { return Json::MakeArray(Json::Array(v)); }

inline std::string HexDigestOf(std::string_view s) { return tz::ToHex(Sha256(s)); }

// A fresh one-member ledger with clients for every role.
class Consortium {
 public:
  // `mark`: where the ledger records its checkpoints (LedgerOptions::mark).
  explicit Consortium(std::unique_ptr<KvStore> store = NewMemKvStore(), bool sync = false,
                      std::shared_ptr<CheckpointMarkStore> mark = nullptr)
      : member(MakeClient("zhujian")),
        node(log::NoteSigner::Create(kOrigin,
                                     GenerateKeyPair(SignatureAlgorithm::kEd25519).secret_key)
                 .value()) {
    const char* roles[][2] = {{"builder", "construction_unit"},
                              {"receiver", "receiving_unit"},
                              {"operator", "operator"},
                              {"inspector", "inspector"},
                              {"tenants", "tenant_rep"},
                              {"dept", "department"},
                              {"auditor", "auditor"}};
    Json keys = Json::MakeArray();
    for (auto& r : roles) {
      clients.emplace(r[0], MakeClient(r[0]));
      keys.push_back(Obj({{"key", KeySpec(clients.at(r[0]).keys.public_key)},
                          {"party", Json(r[0])},
                          {"roles", Arr({Json(r[1])})}}));
    }
    Json genesis = Obj({{"type", Json("genesis")},
                        {"v", Json(1)},
                        {"chain", Json(kChain)},
                        {"suite", Json("intl")},
                        {"origin", Json(kOrigin)},
                        {"members", Arr({Obj({{"name", Json("zhujian")},
                                              {"key", KeySpec(member.keys.public_key)},
                                              {"node", Json(node.verifier().ToString())}})})},
                        {"keys", keys}});
    genesis_entry = member.Sign(genesis);
    LedgerOptions opts;
    opts.sync = sync;
    opts.types = &handover::EntryTypes();
    opts.mark = std::move(mark);
    auto l = Ledger::CreateGenesis(std::move(store), genesis_entry, kT0, node, opts);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    if (l.ok()) ledger = std::move(*l);
  }

  Client& c(const std::string& name) { return clients.at(name); }

  // Builds a block of the given entries; returns the per-entry results and
  // commits the accepted ones.
  std::vector<Result<Receipt>> Append(const std::vector<SignedEntry>& entries, int64_t time = kT0) {
    BlockBuilder b = ledger->NewBlock(time, "zhujian");
    std::vector<Result<Receipt>> out;
    for (const auto& e : entries) out.push_back(b.Add(e));
    auto h = ledger->Commit(std::move(b), node);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return out;
  }
  Status AppendOne(const SignedEntry& e, int64_t time = kT0) {
    return Append({e}, time)[0].status();
  }

  Json Notarize(const std::string& content, const std::string& doc_type = "as_built_drawings",
                bool encrypted = false) {
    return Obj({{"type", Json("doc.notarize")},
                {"v", Json(1)},
                {"digest", Json(HexDigestOf(content))},
                {"size", Json(static_cast<int64_t>(content.size()))},
                {"media_type", Json("application/pdf")},
                {"title", Json("竣工图纸 " + content)},
                {"doc_type", Json(doc_type)},
                {"project", Json("P-2024-001")},
                {"house", Json("H-1-101")},
                {"in_archive", Json(true)},
                {"encrypted", Json(encrypted)}});
  }

  Client member;
  log::NoteSigner node;
  std::map<std::string, Client> clients;
  SignedEntry genesis_entry;
  std::unique_ptr<Ledger> ledger;
};

// A fresh directory under the system temp dir, unique to this process.
inline std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("tz_ledger_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

// Appends `blocks` blocks of `per_block` notarizations by the builder.
inline void Fill(Consortium& c, int blocks, int per_block, int64_t t = kT0) {
  static int counter = 0;
  for (int b = 0; b < blocks; ++b) {
    std::vector<SignedEntry> es;
    for (int i = 0; i < per_block; ++i) {
      es.push_back(c.c("builder").Sign(c.Notarize("doc-" + std::to_string(counter++))));
    }
    for (const auto& r : c.Append(es, t + b)) ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
}

}  // namespace tz::ledger::testing
