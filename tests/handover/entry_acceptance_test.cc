// acceptance.open and acceptance.sign (handover/src/entry_acceptance.cc).
// Every validation rule has a test that breaks it; a rejected entry changes
// no state.
#include <gtest/gtest.h>

#include "handover/entries_test_util.h"

namespace tz::handover {
namespace {

using namespace testing;  // the entry-test fixture and the ledger's vocabulary

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

}  // namespace
}  // namespace tz::handover
