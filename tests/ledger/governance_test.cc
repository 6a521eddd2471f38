// The typed governance forms (ledger/governance.h): genesis, gov.propose and
// gov.vote bodies parse into their structs with the schema's reasons, an
// action encodes back to the bytes it was parsed from, and the governance
// state records keep the exact bytes the chain stores.
#include "ledger/governance.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/ledger_test_util.h"

namespace tz::ledger {
namespace {

using testing::Arr;
using testing::KeySpec;
using testing::Obj;

Json J(std::string_view text) {
  auto j = ParseJson(text);
  EXPECT_TRUE(j.ok()) << text;
  return j.ok() ? *j : Json();
}

template <typename T>
void ExpectReason(const Json& body, const std::string& reason) {
  Result<T> r = T::Parse(body);
  ASSERT_FALSE(r.ok()) << body.Canonical();
  EXPECT_EQ(r.status().reason(), reason) << body.Canonical();
}

class GovernanceTest : public ::testing::Test {
 protected:
  KeyPair member_key = GenerateKeyPair(SignatureAlgorithm::kEd25519);
  KeyPair client_key = GenerateKeyPair(SignatureAlgorithm::kEd25519);
  log::NoteSigner node =
      log::NoteSigner::Create("node.test", GenerateKeyPair(SignatureAlgorithm::kEd25519).secret_key)
          .value();
  std::string vkey = node.verifier().ToString();

  Json MemberJson(const std::string& name) {
    return Obj(
        {{"name", Json(name)}, {"key", KeySpec(member_key.public_key)}, {"node", Json(vkey)}});
  }
  Json ClientJson(Json roles) {
    return Obj({{"key", KeySpec(client_key.public_key)}, {"party", Json("p1")}, {"roles", roles}});
  }
  Json GenesisJson() {
    return Obj({{"type", Json("genesis")},
                {"v", Json(1)},
                {"chain", Json("c1")},
                {"suite", Json("intl")},
                {"origin", Json("tiezheng.test/o")},
                {"members", Arr({MemberJson("m1")})},
                {"keys", Arr({ClientJson(Arr({Json("operator"), Json("auditor")}))})}});
  }
  Json Propose(Json action) {
    return Obj({{"type", Json("gov.propose")}, {"v", Json(1)}, {"action", std::move(action)}});
  }
};

TEST_F(GovernanceTest, GenesisParses) {
  auto g = Genesis::Parse(GenesisJson());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->chain, "c1");
  EXPECT_EQ(g->suite, "intl");
  EXPECT_EQ(g->origin, "tiezheng.test/o");
  ASSERT_EQ(g->members.size(), 1u);
  EXPECT_EQ(g->members[0].name, "m1");
  EXPECT_TRUE(g->members[0].key == member_key.public_key);
  EXPECT_EQ(g->members[0].node_vkey, vkey);
  ASSERT_EQ(g->keys.size(), 1u);
  EXPECT_TRUE(g->keys[0].key == client_key.public_key);
  EXPECT_EQ(g->keys[0].party, "p1");
  EXPECT_EQ(g->keys[0].roles, (std::vector<Role>{Role::kOperator, Role::kAuditor}));
}

TEST_F(GovernanceTest, GenesisReasons) {
  auto with = [&](const std::string& key, Json value) {
    Json g = GenesisJson();
    g.set(key, std::move(value));
    return g;
  };
  ExpectReason<Genesis>(with("extra", Json(1)), "json.unknown_field");
  ExpectReason<Genesis>(with("chain", Json("a b")), "field.bad_id");
  ExpectReason<Genesis>(with("suite", Json("gm")), "genesis.suite_unsupported");
  ExpectReason<Genesis>(with("suite", Json("x")), "field.bad_enum");
  ExpectReason<Genesis>(with("origin", Json("")), "field.too_long");
  ExpectReason<Genesis>(with("members", Arr({})), "genesis.no_members");
  ExpectReason<Genesis>(with("members", Arr({Json("m1")})), "json.wrong_type");
  Json bad_node = MemberJson("m1");
  bad_node.set("node", Json("not a vkey"));
  ExpectReason<Genesis>(with("members", Arr({bad_node})), "field.bad_vkey");
  Json bad_key = MemberJson("m1");
  bad_key.set("key", Obj({{"alg", Json("ed25519")}, {"pub", Json("AA==")}}));
  ExpectReason<Genesis>(with("members", Arr({bad_key})), "field.bad_key");
  ExpectReason<Genesis>(with("keys", Arr({ClientJson(Arr({}))})), "gov.bad_roles");
  ExpectReason<Genesis>(with("keys", Arr({ClientJson(Arr({Json("member")}))})), "gov.bad_roles");
  ExpectReason<Genesis>(with("keys", Arr({ClientJson(Arr({Json("boss")}))})), "field.bad_role");
}

TEST_F(GovernanceTest, ActionsParseAndEncodeBack) {
  std::string key_id = ToHex(KeyIdOf(client_key.public_key));
  Json add = MemberJson("m2");
  add.set("kind", Json("member.add"));
  Json reg = ClientJson(Arr({Json("department")}));
  reg.set("kind", Json("key.register"));
  std::vector<Json> actions = {
      add,
      Obj({{"kind", Json("member.remove")}, {"name", Json("m2")}}),
      reg,
      Obj({{"kind", Json("key.revoke")}, {"key_id", Json(key_id)}}),
      Obj({{"kind", Json("key.roles")},
           {"key_id", Json(key_id)},
           {"roles", Arr({Json("tenant_rep"), Json("operator")})}}),
  };
  for (size_t i = 0; i < actions.size(); ++i) {
    auto a = ParseAction(actions[i]);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->index(), i);
    EXPECT_EQ(ActionJson(*a).Canonical(), actions[i].Canonical());
  }
  Result<Action> add_parsed = ParseAction(add);
  ASSERT_TRUE(add_parsed.ok());
  const MemberAdd& m = std::get<MemberAdd>(*add_parsed);
  EXPECT_EQ(m.member.name, "m2");
  EXPECT_EQ(m.member.node_vkey, vkey);
  Result<Action> roles_parsed = ParseAction(actions[4]);
  ASSERT_TRUE(roles_parsed.ok());
  const KeyRoles& roles = std::get<KeyRoles>(*roles_parsed);
  EXPECT_EQ(ToHex(roles.key_id), key_id);
  EXPECT_EQ(roles.roles, (std::vector<Role>{Role::kTenantRep, Role::kOperator}));
}

TEST_F(GovernanceTest, ProposalAndVoteReasons) {
  Json revoke = Obj({{"kind", Json("key.revoke")}, {"key_id", Json(std::string(32, 'a'))}});
  auto p = Proposal::Parse(Propose(revoke));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(p->ttl_days);
  EXPECT_FALSE(p->reason);
  Json with_ttl = Propose(revoke);
  with_ttl.set("ttl_days", Json(30));
  with_ttl.set("reason", Json("routine"));
  auto q = Proposal::Parse(with_ttl);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->ttl_days, std::optional<int64_t>(30));
  EXPECT_EQ(q->reason, std::optional<std::string>("routine"));
  for (int64_t bad : {0, 91}) {
    Json b = Propose(revoke);
    b.set("ttl_days", Json(bad));
    ExpectReason<Proposal>(b, "gov.bad_ttl");
  }
  ExpectReason<Proposal>(Obj({{"type", Json("gov.propose")}, {"v", Json(1)}}),
                         "json.missing_field");
  ExpectReason<Proposal>(Propose(Json("x")), "json.wrong_type");
  ExpectReason<Proposal>(Propose(Obj({{"kind", Json("key.destroy")}})), "field.bad_enum");
  ExpectReason<Proposal>(
      Propose(Obj({{"kind", Json("key.revoke")}, {"key_id", Json("AB")}, {"name", Json("x")}})),
      "json.unknown_field");
  ExpectReason<Proposal>(Propose(Obj({{"kind", Json("key.revoke")}, {"key_id", Json("AB")}})),
                         "field.bad_key_id");
  ExpectReason<Proposal>(Propose(Obj({{"kind", Json("key.roles")},
                                      {"key_id", Json(std::string(32, 'a'))},
                                      {"roles", Arr({Json("member")})}})),
                         "gov.bad_roles");

  std::string pid(64, 'b');
  auto v =
      Vote::Parse(J(R"({"type":"gov.vote","v":1,"proposal":")" + pid + R"(","approve":true})"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(ToHex(v->proposal), pid);
  EXPECT_TRUE(v->approve);
  ExpectReason<Vote>(J(R"({"type":"gov.vote","v":1,"proposal":"AB","approve":true})"),
                     "field.bad_entry_id");
  ExpectReason<Vote>(J(R"({"type":"gov.vote","v":1,"proposal":")" + pid + R"("})"),
                     "json.missing_field");
}

TEST(GovernanceRecords, RoundTripToTheStoredBytes) {
  const std::string kid(32, 'c');
  for (std::string text : {std::string(R"({"chain":"c1","origin":"o/1","suite":"intl"})")}) {
    auto r = ChainRecord::FromJson(J(text));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->ToJson().Canonical(), text);
  }
  for (std::string text : {R"({"key":")" + kid + R"(","node":"n+1+AA"})",
                           R"({"key":")" + kid + R"(","node":"n+1+AA","removed":true})"}) {
    auto r = MemberRecord::FromJson(J(text));
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_EQ(r->ToJson().Canonical(), text);
  }
  std::string action = R"({"key_id":")" + kid + R"(","kind":"key.revoke"})";
  for (std::string text : {
           R"({"action":)" + action +
               R"(,"expires":1700604800000,"no":[],"proposer":"m1","status":"open","yes":["m1"]})",
           R"({"action":)" + action +
               R"(,"no":["m2","m3"],"proposer":"m1","status":"rejected","yes":["m1"]})",
           R"({"action":)" + action +
               R"(,"expires":5,"no":[],"proposer":"m1","status":"enacted","yes":["m1","m2"]})",
       }) {
    auto r = ProposalRecord::FromJson(J(text));
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_EQ(r->ToJson().Canonical(), text);
  }
  auto p = ProposalRecord::FromJson(J(
      R"({"action":)" + action + R"(,"no":["m3"],"proposer":"m1","status":"open","yes":["m1"]})"));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->HasVoted("m1"));
  EXPECT_TRUE(p->HasVoted("m3"));
  EXPECT_FALSE(p->HasVoted("m2"));
  EXPECT_FALSE(p->expires);
  EXPECT_EQ(p->status, ProposalStatus::kOpen);
}

TEST(GovernanceRecords, DeviationsAreCorrupt) {
  const std::string kid(32, 'c');
  std::string action = R"({"key_id":")" + kid + R"(","kind":"key.revoke"})";
  auto corrupt = [](const Status& s) { return s.reason() == "state.corrupt"; };
  EXPECT_TRUE(corrupt(ChainRecord::FromJson(J(R"({"chain":"c1","origin":"o"})")).status()));
  EXPECT_TRUE(
      corrupt(ChainRecord::FromJson(J(R"({"chain":"c","origin":"o","suite":1})")).status()));
  EXPECT_TRUE(corrupt(MemberRecord::FromJson(J(R"({"key":"xyz","node":"n"})")).status()));
  EXPECT_TRUE(
      corrupt(MemberRecord::FromJson(J(R"({"key":")" + kid + R"(","node":"n","removed":false})"))
                  .status()));
  EXPECT_TRUE(corrupt(
      MemberRecord::FromJson(J(R"({"key":")" + kid + R"(","node":"n","name":"m"})")).status()));
  EXPECT_TRUE(
      corrupt(ProposalRecord::FromJson(J(R"({"action":{"kind":"key.burn"},"no":[],"proposer":"m1",)"
                                         R"("status":"open","yes":[]})"))
                  .status()));
  EXPECT_TRUE(corrupt(ProposalRecord::FromJson(J(R"({"action":)" + action +
                                                 R"(,"no":[],"proposer":"m1","status":"closed",)"
                                                 R"("yes":[]})"))
                          .status()));
  EXPECT_TRUE(
      corrupt(ProposalRecord::FromJson(J(R"({"no":[],"proposer":"m1","status":"open","yes":[]})"))
                  .status()));
  EXPECT_TRUE(corrupt(ProposalRecord::FromJson(J(R"({"action":)" + action +
                                                 R"(,"no":[1],"proposer":"m1","status":"open",)"
                                                 R"("yes":[]})"))
                          .status()));
}

// The bytes the ledger stores for the genesis and for proposals, spelled out.
TEST(GovernanceState, StoredBytes) {
  testing::Consortium c;
  State st = c.ledger->CommittedState();
  auto raw = [&](const std::string& key) { return st.Get(key).value().value_or("<absent>"); };
  EXPECT_EQ(raw("s/chain"), std::string(R"({"chain":")") + testing::kChain + R"(","origin":")" +
                                testing::kOrigin + R"(","suite":"intl"})");
  EXPECT_EQ(raw("s/m/zhujian"), R"({"key":")" + ToHex(c.member.id) + R"(","node":")" +
                                    c.node.verifier().ToString() + R"("})");
  EXPECT_EQ(raw("s/members"), R"(["zhujian"])");
  auto chain = GetChainRecord(st);
  ASSERT_TRUE(chain.ok() && chain->has_value());
  EXPECT_EQ((*chain)->origin, testing::kOrigin);

  // One member: a proposal is enacted at once, and says so.
  const KeyId builder = c.c("builder").id;
  Json revoke = Obj({{"kind", Json("key.revoke")}, {"key_id", Json(ToHex(builder))}});
  SignedEntry p = c.member.Sign(Obj(
      {{"type", Json("gov.propose")}, {"v", Json(1)}, {"ttl_days", Json(2)}, {"action", revoke}}));
  ASSERT_TRUE(c.AppendOne(p).ok());
  st = c.ledger->CommittedState();
  EXPECT_EQ(raw(StateKeyForProposal(p.id)),
            R"({"action":)" + revoke.Canonical() + R"(,"expires":)" +
                std::to_string(testing::kT0 + 2 * 24 * 3600 * 1000LL) +
                R"(,"no":[],"proposer":"zhujian","status":"enacted","yes":["zhujian"]})");
  auto rec = GetProposalRecord(st, p.id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->status, ProposalStatus::kEnacted);
  EXPECT_TRUE(std::holds_alternative<KeyRevoke>((*rec)->action));
  EXPECT_TRUE((*st.GetKey(builder))->revoked);

  // A removed member stays on record, marked removed, its key revoked.
  auto m2 = testing::MakeClient("m2");
  auto node2 =
      log::NoteSigner::Create("m2-node", GenerateKeyPair(SignatureAlgorithm::kEd25519).secret_key)
          .value();
  ASSERT_TRUE(c.AppendOne(c.member.Sign(Obj(
                              {{"type", Json("gov.propose")},
                               {"v", Json(1)},
                               {"action", Obj({{"kind", Json("member.add")},
                                               {"name", Json("m2")},
                                               {"key", KeySpec(m2.keys.public_key)},
                                               {"node", Json(node2.verifier().ToString())}})}})))
                  .ok());
  SignedEntry rm = c.member.Sign(
      Obj({{"type", Json("gov.propose")},
           {"v", Json(1)},
           {"action", Obj({{"kind", Json("member.remove")}, {"name", Json("m2")}})}}));
  ASSERT_TRUE(c.AppendOne(rm).ok());
  Json vote = Obj({{"type", Json("gov.vote")},
                   {"v", Json(1)},
                   {"proposal", Json(ToHex(rm.id))},
                   {"approve", Json(true)}});
  ASSERT_TRUE(c.AppendOne(m2.Sign(vote)).ok());
  st = c.ledger->CommittedState();
  EXPECT_EQ(raw("s/m/m2"), R"({"key":")" + ToHex(m2.id) + R"(","node":")" +
                               node2.verifier().ToString() + R"(","removed":true})");
  EXPECT_EQ(raw("s/members"), R"(["zhujian"])");
  EXPECT_TRUE((*st.GetKey(m2.id))->revoked);
  auto removed = GetProposalRecord(st, rm.id);
  ASSERT_TRUE(removed.ok() && removed->has_value());
  EXPECT_EQ((*removed)->yes, (std::vector<std::string>{"zhujian", "m2"}));
  EXPECT_EQ((*removed)->status, ProposalStatus::kEnacted);
}

}  // namespace
}  // namespace tz::ledger
