// Household files, access.log and shred.record (handover/src/entry_privacy.cc).
// Every validation rule has a test that breaks it; a rejected entry changes
// no state.
#include <gtest/gtest.h>

#include "handover/entries_test_util.h"

namespace tz::handover {
namespace {

using namespace testing;  // the entry-test fixture and the ledger's vocabulary

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

}  // namespace
}  // namespace tz::handover
