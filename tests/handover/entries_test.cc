// Every validation rule has a test that breaks it; a rejected entry changes
// no state.
#include <gtest/gtest.h>

#include "handover/commitment.h"
#include "handover/state_keys.h"
#include "ledger/ledger_test_util.h"

namespace tz::handover {
namespace {

using namespace ledger;  // entries are written in the ledger's vocabulary
namespace testing = ledger::testing;

using testing::Arr;
using testing::Consortium;
using testing::HexDigestOf;
using testing::kT0;
using testing::Obj;

std::string StateDump(const Ledger& l) {
  std::string out;
  EXPECT_TRUE(ScanPrefix(l.store(), "s/", [&](std::string_view k, std::string_view v) {
                out.append(k).append("=").append(v).append("\n");
                return true;
              }).ok());
  return out;
}

class EntriesTest : public ::testing::Test {
 protected:
  // Appends e alone in a block; expects rejection with `reason` and no state change.
  void ExpectRejected(const SignedEntry& e, const std::string& reason, int64_t time = kT0) {
    std::string before = StateDump(*c.ledger);
    uint64_t size = c.ledger->head().log_size;
    Status s = c.AppendOne(e, time);
    EXPECT_EQ(s.reason(), reason) << s.ToString();
    EXPECT_EQ(StateDump(*c.ledger), before);
    EXPECT_EQ(c.ledger->head().log_size, size);
  }
  void ExpectOk(const SignedEntry& e, int64_t time = kT0) {
    Status s = c.AppendOne(e, time);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // Notarizes a document by the builder and returns its digest hex.
  std::string Doc(const std::string& content, const std::string& type = "as_built_drawings",
                  bool encrypted = false) {
    ExpectOk(c.c("builder").Sign(c.Notarize(content, type, encrypted)));
    return HexDigestOf(content);
  }
  Json Open(const std::string& photo) {
    return Obj({{"type", Json("acceptance.open")},
                {"v", Json(1)},
                {"project", Json("P-2024-001")},
                {"house", Json("H-1-101")},
                {"items", Arr({Obj({{"code", Json("elevator.load")},
                                    {"result", Json("pass")},
                                    {"photos", Arr({Json(photo)})}}),
                               Obj({{"code", Json("pipes")}, {"result", Json("pass")}})})},
                {"required_roles",
                 Arr({Json("construction_unit"), Json("receiving_unit"), Json("inspector")})},
                {"optional_roles", Arr({Json("tenant_rep")})}});
  }
  Json SignAcc(const EntryId& record, const std::string& role,
               const std::string& verdict = "accept") {
    return Obj({{"type", Json("acceptance.sign")},
                {"v", Json(1)},
                {"record", Json(ToHex(record))},
                {"role", Json(role)},
                {"verdict", Json(verdict)}});
  }
  Json AcceptanceRecord(const EntryId& id) {
    return **c.ledger->CommittedState().GetJson(StateKeyForAcceptance(id));
  }
  Consortium c;
};

TEST_F(EntriesTest, EnvelopeRules) {
  auto& b = c.c("builder");
  // Wrong chain.
  auto other = SignEntry("other-chain", c.Notarize("a"), b.id, b.keys.secret_key, 1, kT0);
  ExpectRejected(*other, "envelope.wrong_chain");
  // Unknown type / version.
  ExpectRejected(b.Sign(Obj({{"type", Json("doc.shred")}, {"v", Json(1)}})), "entry.unknown_type");
  ExpectRejected(b.Sign(Obj({{"type", Json("doc.notarize")}, {"v", Json(9)}})),
                 "entry.unsupported_version");
  // Unknown key.
  auto stranger = testing::MakeClient("x");
  ExpectRejected(stranger.Sign(c.Notarize("a")), "envelope.unknown_key");
  // Bad signature: signed by another key under the builder's key id.
  auto forged = SignEntry(testing::kChain, c.Notarize("a"), b.id, stranger.keys.secret_key, 5, kT0);
  ExpectRejected(*forged, "envelope.bad_signature");
  // Replay: the same bytes twice, and a lower seq.
  SignedEntry ok = b.Sign(c.Notarize("a"));
  ExpectOk(ok);
  ExpectRejected(ok, "envelope.replayed");
  auto low = SignEntry(testing::kChain, c.Notarize("b"), b.id, b.keys.secret_key, ok.seq, kT0);
  ExpectRejected(*low, "envelope.replayed");
  // Time far ahead / far behind the block.
  ExpectRejected(b.Sign(c.Notarize("c"), kT0 + kMaxClockAheadMs + 1), "envelope.time_skew");
  ExpectRejected(b.Sign(c.Notarize("c"), kT0 - kMaxEntryAgeMs - 1), "envelope.time_skew");
  // Role not allowed: the auditor cannot notarize, the tenants cannot open cases.
  ExpectRejected(c.c("auditor").Sign(c.Notarize("d")), "envelope.role_not_allowed");
  // A second genesis.
  ExpectRejected(c.member.Sign(c.genesis_entry.entry), "entry.genesis_only");
}

TEST_F(EntriesTest, RevokedKeyByVote) {
  auto& b = c.c("builder");
  ExpectOk(c.member.Sign(
      Obj({{"type", Json("gov.propose")},
           {"v", Json(1)},
           {"action", Obj({{"kind", Json("key.revoke")}, {"key_id", Json(ToHex(b.id))}})}})));
  ExpectRejected(b.Sign(c.Notarize("a")), "envelope.revoked_key");
  // Non-members cannot propose.
  ExpectRejected(
      c.c("dept").Sign(
          Obj({{"type", Json("gov.propose")},
               {"v", Json(1)},
               {"action", Obj({{"kind", Json("key.revoke")}, {"key_id", Json(ToHex(b.id))}})}})),
      "envelope.role_not_allowed");
  // Revoking twice.
  ExpectRejected(
      c.member.Sign(
          Obj({{"type", Json("gov.propose")},
               {"v", Json(1)},
               {"action", Obj({{"kind", Json("key.revoke")}, {"key_id", Json(ToHex(b.id))}})}})),
      "gov.already_revoked");
}

TEST_F(EntriesTest, RegisterKeyAndMember) {
  auto fresh = testing::MakeClient("newco");
  ExpectRejected(fresh.Sign(c.Notarize("a")), "envelope.unknown_key");
  fresh.next_seq = 1;
  ExpectOk(c.member.Sign(Obj({{"type", Json("gov.propose")},
                              {"v", Json(1)},
                              {"action", Obj({{"kind", Json("key.register")},
                                              {"key", testing::KeySpec(fresh.keys.public_key)},
                                              {"party", Json("newco")},
                                              {"roles", Arr({Json("construction_unit")})}})}})));
  ExpectOk(fresh.Sign(c.Notarize("a")));
  // Registering the same key again.
  ExpectRejected(
      c.member.Sign(Obj({{"type", Json("gov.propose")},
                         {"v", Json(1)},
                         {"action", Obj({{"kind", Json("key.register")},
                                         {"key", testing::KeySpec(fresh.keys.public_key)},
                                         {"party", Json("newco")},
                                         {"roles", Arr({Json("operator")})}})}})),
      "gov.key_exists");
  // Add a second member: now 2 members, threshold 2, so proposals need a vote.
  auto m2 = testing::MakeClient("caizheng");
  auto node2 =
      log::NoteSigner::Create("caizheng-node", GenerateKeyPair(SignatureAlgorithm::kEd25519).secret_key);
  ExpectOk(c.member.Sign(Obj({{"type", Json("gov.propose")},
                              {"v", Json(1)},
                              {"action", Obj({{"kind", Json("member.add")},
                                              {"name", Json("caizheng")},
                                              {"key", testing::KeySpec(m2.keys.public_key)},
                                              {"node", Json(node2->verifier().ToString())}})}})));
  EXPECT_EQ(c.ledger->CommittedState().Members()->size(), 2u);
  auto other = testing::MakeClient("other");
  SignedEntry prop =
      c.member.Sign(Obj({{"type", Json("gov.propose")},
                         {"v", Json(1)},
                         {"action", Obj({{"kind", Json("key.register")},
                                         {"key", testing::KeySpec(other.keys.public_key)},
                                         {"party", Json("other")},
                                         {"roles", Arr({Json("operator")})}})}}));
  ExpectOk(prop);
  ExpectRejected(other.Sign(c.Notarize("b")), "envelope.unknown_key");  // not enacted yet
  Json vote = Obj({{"type", Json("gov.vote")},
                   {"v", Json(1)},
                   {"proposal", Json(ToHex(prop.id))},
                   {"approve", Json(true)}});
  ExpectRejected(c.member.Sign(vote), "gov.already_voted");
  ExpectOk(m2.Sign(vote));
  ExpectRejected(m2.Sign(vote), "gov.proposal_closed");
  other.next_seq = 1;
  ExpectOk(other.Sign(Obj({{"type", Json("access.log")},
                           {"v", Json(1)},
                           {"household", Json(HexDigestOf("hh"))},
                           {"purpose", Json("repair")},
                           {"fields", Arr({Json("phone")})}})));
  ExpectRejected(c.member.Sign(Obj({{"type", Json("gov.vote")},
                                    {"v", Json(1)},
                                    {"proposal", Json(HexDigestOf("none"))},
                                    {"approve", Json(true)}})),
                 "gov.unknown_proposal");
  // Proposals expire: ttl_days of block time, default 7.
  auto late = testing::MakeClient("late");
  auto later = testing::MakeClient("later");
  for (int64_t bad : {0, 91}) {
    ExpectRejected(c.member.Sign(Obj({{"type", Json("gov.propose")},
                                      {"v", Json(1)},
                                      {"ttl_days", Json(bad)},
                                      {"action", Obj({{"kind", Json("key.revoke")},
                                                      {"key_id", Json(ToHex(other.id))}})}})),
                   "gov.bad_ttl");
  }
  auto register_key = [&](const testing::Client& k) {
    SignedEntry p = c.member.Sign(Obj({{"type", Json("gov.propose")},
                                       {"v", Json(1)},
                                       {"ttl_days", Json(1)},
                                       {"action", Obj({{"kind", Json("key.register")},
                                                       {"key", testing::KeySpec(k.keys.public_key)},
                                                       {"party", Json(k.party)},
                                                       {"roles", Arr({Json("operator")})}})}}));
    ExpectOk(p);
    return Obj({{"type", Json("gov.vote")},
                {"v", Json(1)},
                {"proposal", Json(ToHex(p.id))},
                {"approve", Json(true)}});
  };
  Json vote_late = register_key(late);
  Json vote_later = register_key(later);
  constexpr int64_t kDay = 24LL * 3600 * 1000;
  // A moment before expiry a vote counts ...
  ExpectOk(m2.Sign(vote_late, kT0 + kDay - 1), kT0 + kDay - 1);
  EXPECT_TRUE(c.ledger->CommittedState().GetKey(late.id)->has_value());
  // ... from the expiry time on it is refused and nothing is enacted.
  EXPECT_EQ(c.AppendOne(m2.Sign(vote_later, kT0 + kDay), kT0 + kDay).reason(),
            "gov.proposal_expired");
  EXPECT_FALSE(c.ledger->CommittedState().GetKey(later.id)->has_value());
}

TEST_F(EntriesTest, Notarization) {
  auto& b = c.c("builder");
  ExpectOk(b.Sign(c.Notarize("drawing")));
  ExpectRejected(b.Sign(c.Notarize("drawing")), "document.duplicate");
  Json bad = c.Notarize("x");
  bad.set("doc_type", Json("secret_plans"));
  ExpectRejected(b.Sign(bad), "document.unknown_type");
  ExpectRejected(b.Sign(c.Notarize("lease", "lease_contract", false)), "document.must_encrypt");
  ExpectOk(b.Sign(c.Notarize("lease", "lease_contract", true)));
  bad = c.Notarize("y");
  bad.set("digest", Json("ABC"));
  ExpectRejected(b.Sign(bad), "field.bad_digest");
  bad = c.Notarize("y");
  bad.set("size", Json(-1));
  ExpectRejected(b.Sign(bad), "field.negative");
  bad = c.Notarize("y");
  bad.set("media_type", Json("PDF"));
  ExpectRejected(b.Sign(bad), "field.bad_media_type");
  bad = c.Notarize("y");
  bad.set("owner_name", Json("张三"));
  ExpectRejected(b.Sign(bad), "json.unknown_field");
  bad = c.Notarize("y");
  bad.set("house", Json("H 1"));
  ExpectRejected(b.Sign(bad), "field.bad_id");
  bad = c.Notarize("y");
  bad.set("title", Json(std::string(300, 'a')));
  ExpectRejected(b.Sign(bad), "field.too_long");
}

TEST_F(EntriesTest, AcceptanceNeedsEveryRequiredRoleOnce) {
  std::string photo = Doc("photo-1", "photo");
  // A photo never notarized.
  ExpectRejected(c.c("builder").Sign(Open(HexDigestOf("never"))), "document.not_notarized");
  Json missing = Open(photo);
  missing.set("required_roles", Arr({Json("construction_unit"), Json("receiving_unit")}));
  ExpectRejected(c.c("builder").Sign(missing), "acceptance.missing_required_role");
  SignedEntry open = c.c("builder").Sign(Open(photo));
  ExpectOk(open);
  ExpectOk(c.c("builder").Sign(SignAcc(open.id, "construction_unit")));
  // One role cannot sign twice.
  ExpectRejected(c.c("builder").Sign(SignAcc(open.id, "construction_unit")),
                 "acceptance.role_already_signed");
  // A key cannot sign for a role it does not hold.
  ExpectRejected(c.c("receiver").Sign(SignAcc(open.id, "inspector")),
                 "acceptance.signer_lacks_role");
  // A role the record does not ask for.
  ExpectRejected(c.c("operator").Sign(SignAcc(open.id, "operator")),
                 "acceptance.role_not_requested");
  ExpectRejected(c.c("receiver").Sign(SignAcc(EntryId(Sha256("x").array()), "receiving_unit")),
                 "acceptance.unknown_record");
  ExpectOk(c.c("receiver").Sign(SignAcc(open.id, "receiving_unit")));
  EXPECT_EQ(AcceptanceRecord(open.id).find("status")->as_string(), "open");
  ExpectOk(c.c("tenants").Sign(SignAcc(open.id, "tenant_rep")));
  ExpectOk(c.c("inspector").Sign(SignAcc(open.id, "inspector")));
  EXPECT_EQ(AcceptanceRecord(open.id).find("status")->as_string(), "complete");
  ExpectRejected(c.c("builder").Sign(SignAcc(open.id, "construction_unit")), "acceptance.closed");
  // Lookup by acceptance record finds the four signatures.
  auto sigs = c.ledger->Lookup("acceptance", ToHex(open.id), 100);
  ASSERT_TRUE(sigs.ok());
  EXPECT_EQ(sigs->size(), 4u);
}

TEST_F(EntriesTest, AcceptanceOnePartyOneRole) {
  std::string photo = Doc("photo-2", "photo");
  // A party holding two roles may sign only one of them.
  auto dual = testing::MakeClient("dual");
  ExpectOk(c.member.Sign(
      Obj({{"type", Json("gov.propose")},
           {"v", Json(1)},
           {"action", Obj({{"kind", Json("key.register")},
                           {"key", testing::KeySpec(dual.keys.public_key)},
                           {"party", Json("dual")},
                           {"roles", Arr({Json("construction_unit"), Json("inspector")})}})}})));
  SignedEntry open = c.c("builder").Sign(Open(photo));
  ExpectOk(open);
  ExpectOk(dual.Sign(SignAcc(open.id, "construction_unit")));
  ExpectRejected(dual.Sign(SignAcc(open.id, "inspector")), "acceptance.party_already_signed");
  ExpectOk(c.c("receiver").Sign(SignAcc(open.id, "receiving_unit", "reject")));
  EXPECT_EQ(AcceptanceRecord(open.id).find("status")->as_string(), "rejected");
}

TEST_F(EntriesTest, ArchiveLinksSupersedeNeverReplace) {
  std::string v1 = Doc("plan-v1");
  std::string v2 = Doc("plan-v2");
  auto link = [&](const std::string& doc, std::optional<EntryId> sup) {
    Json j = Obj({{"type", Json("archive.link")},
                  {"v", Json(1)},
                  {"file", Obj({{"kind", Json("house")}, {"id", Json("H-1-101")}})},
                  {"category", Json("drawings")},
                  {"slot", Json("floor-plan")},
                  {"document", Json(doc)}});
    if (sup) j.set("supersedes", Json(ToHex(*sup)));
    return c.c("operator").Sign(j);
  };
  ExpectRejected(link(HexDigestOf("never"), std::nullopt), "document.not_notarized");
  ExpectRejected(link(v1, EntryId(Sha256("x").array())), "archive.unknown_supersede");
  SignedEntry first = link(v1, std::nullopt);
  ExpectOk(first);
  ExpectRejected(link(v2, std::nullopt), "archive.supersede_required");
  ExpectRejected(link(v2, EntryId(Sha256("x").array())), "archive.stale_supersede");
  SignedEntry second = link(v2, first.id);
  ExpectOk(second);
  ExpectRejected(link(v1, first.id), "archive.stale_supersede");
  auto house = c.ledger->Lookup("house", "H-1-101", 100);
  ASSERT_TRUE(house.ok());
  EXPECT_GE(house->size(), 4u);  // two notarizations, two links: both versions kept
}

TEST_F(EntriesTest, HouseholdFilesCommitmentsAndShredding) {
  SymmetricKey salt = SymmetricKey::Generate();
  std::string hh = HouseholdCommitment(salt, "350102199001011234");
  EXPECT_EQ(hh.size(), 64u);
  EXPECT_EQ(hh, HouseholdCommitment(salt, "350102199001011234"));
  EXPECT_NE(hh, HouseholdCommitment(SymmetricKey::Generate(), "350102199001011234"));
  std::string clear = Doc("lease-1", "lease_contract", true);
  std::string plain = Doc("photo-h", "photo", false);
  auto link = [&](const std::string& id, const std::string& doc) {
    return c.c("operator")
        .Sign(Obj({{"type", Json("archive.link")},
                   {"v", Json(1)},
                   {"file", Obj({{"kind", Json("household")}, {"id", Json(id)}})},
                   {"category", Json("lease")},
                   {"slot", Json("lease-2024")},
                   {"document", Json(doc)}}));
  };
  // The household id must be a commitment, never an id number in clear.
  ExpectRejected(link("350102199001011234", clear), "field.bad_commitment");
  ExpectRejected(link(hh, plain), "archive.household_requires_encryption");
  ExpectOk(link(hh, clear));
  Json access = Obj({{"type", Json("access.log")},
                     {"v", Json(1)},
                     {"household", Json(hh)},
                     {"purpose", Json("arrears")},
                     {"fields", Arr({Json("income"), Json("phone")})}});
  ExpectOk(c.c("operator").Sign(access));
  Json bad_purpose = access;
  bad_purpose.set("purpose", Json("curiosity"));
  ExpectRejected(c.c("operator").Sign(bad_purpose), "field.bad_enum");
  Json shred = Obj({{"type", Json("shred.record")},
                    {"v", Json(1)},
                    {"household", Json(hh)},
                    {"key_digest", Json(HexDigestOf("wrapped-key"))},
                    {"reason", Json("retention_expired")}});
  ExpectRejected(c.c("operator").Sign(shred), "envelope.role_not_allowed");
  ExpectOk(c.c("dept").Sign(shred));
  ExpectRejected(c.c("dept").Sign(shred), "household.shredded");
  ExpectRejected(c.c("operator").Sign(access), "household.shredded");
  auto hits = c.ledger->Lookup("household", hh, 100);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 3u);
}

TEST_F(EntriesTest, HandoverCaseWithDeferredDocuments) {
  auto plan = Obj({{"type", Json("case.plan")},
                   {"v", Json(1)},
                   {"case", Json("C-2024-7")},
                   {"project", Json("P-2024-001")},
                   {"houses", Arr({Json("H-1-101"), Json("H-1-102")})},
                   {"deadlines", Obj({{"acceptance", Json(kT0 + 86400000)}})},
                   {"required_docs", Arr({Json("warranty"), Json("pipe_network_drawings")})}});
  ExpectOk(c.c("dept").Sign(plan));
  ExpectRejected(c.c("dept").Sign(plan), "case.exists");
  auto ev = [&](std::initializer_list<std::pair<std::string, Json>> kv) {
    Json j = Obj(kv);
    j.set("case", Json("C-2024-7"));
    j.set("v", Json(1));
    return j;
  };
  ExpectRejected(c.c("dept").Sign(ev({{"type", Json("case.complete")}})), "case.documents_missing");
  std::string warranty = Doc("warranty-1", "warranty");
  Json deliver = ev({{"type", Json("case.deliver")},
                     {"doc_type", Json("warranty")},
                     {"document", Json(warranty)}});
  Json wrong_type = deliver;
  wrong_type.set("document", Json(Doc("drawing-9")));
  ExpectRejected(c.c("builder").Sign(wrong_type), "case.doc_type_mismatch");
  ExpectOk(c.c("builder").Sign(deliver));
  ExpectRejected(c.c("builder").Sign(deliver), "case.already_delivered");
  Json defer = ev({{"type", Json("case.defer")},
                   {"doc_type", Json("pipe_network_drawings")},
                   {"due", Json(int64_t{kT0 + 30LL * 86400000})},
                   {"reason", Json("pending_certificate")}});
  Json past = defer;
  past.set("due", Json(kT0 - 1));
  ExpectRejected(c.c("dept").Sign(past), "case.due_in_past");
  Json not_required = defer;
  not_required.set("doc_type", Json("user_manual"));
  ExpectRejected(c.c("dept").Sign(not_required), "case.not_required");
  ExpectOk(c.c("dept").Sign(defer));
  ExpectOk(c.c("receiver").Sign(ev({{"type", Json("case.complete")}})));
  ExpectRejected(c.c("dept").Sign(defer), "case.closed");
  // The deferred document arrives after completion, late.
  std::string pipes = Doc("pipes-1", "pipe_network_drawings");
  int64_t later = kT0 + 31LL * 86400000;
  ExpectOk(c.c("builder").Sign(ev({{"type", Json("case.deliver")},
                                   {"doc_type", Json("pipe_network_drawings")},
                                   {"document", Json(pipes)}}),
                               later),
           later);
  Json cs = **c.ledger->CommittedState().GetJson(StateKeyForCase("C-2024-7"));
  EXPECT_EQ(cs.find("status")->as_string(), "complete");
  EXPECT_TRUE(cs.find("delivered")->find("pipe_network_drawings")->find("late")->as_bool());
  ExpectRejected(c.c("dept").Sign(ev({{"type", Json("case.deadline")},
                                      {"step", Json("operation")},
                                      {"due", Json(kT0)},
                                      {"reason", Json("x")}}),
                                  later),
                 "case.closed", later);
  auto hits = c.ledger->Lookup("case", "C-2024-7", 100);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 5u);
}

}  // namespace
}  // namespace tz::handover
