// The rules every entry shares (envelope, keys, replay, time) and governance
// (ledger/src/entries.cc, entry_governance.cc). Every validation rule has a test that breaks it; a
// rejected entry changes no state.
#include <gtest/gtest.h>

#include "handover/entries_test_util.h"

namespace tz::ledger {
namespace {

using namespace handover::testing;  // the entry-test fixture and the ledger's vocabulary

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
  auto node2 = log::NoteSigner::Create("caizheng-node",
                                       GenerateKeyPair(SignatureAlgorithm::kEd25519).secret_key);
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
    ExpectRejected(
        c.member.Sign(Obj(
            {{"type", Json("gov.propose")},
             {"v", Json(1)},
             {"ttl_days", Json(bad)},
             {"action", Obj({{"kind", Json("key.revoke")}, {"key_id", Json(ToHex(other.id))}})}})),
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

}  // namespace
}  // namespace tz::ledger
