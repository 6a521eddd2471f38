// handover::EntryTypes(): the ledger's own types plus every domain type,
// each findable by (name, version), none registered twice.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "handover/entry_types.h"

namespace tz::handover {
namespace {

TEST(EntryTypes, HoldsTheLedgerAndDomainTypesOnce) {
  const ledger::EntryTypeRegistry& r = EntryTypes();
  std::set<std::string> names;
  for (const ledger::EntryType* t : r.all()) names.insert(std::string(t->name));
  EXPECT_EQ(names.size(), r.all().size());  // the registry's Add refuses duplicates
  for (const char* n :
       {"genesis", "gov.propose", "gov.vote", "doc.notarize", "acceptance.open", "acceptance.sign",
        "archive.link", "case.plan", "case.deadline", "case.defer", "case.deliver", "case.complete",
        "access.log", "shred.record"}) {
    auto t = r.Find(n, 1);
    ASSERT_TRUE(t.ok()) << n;
    EXPECT_EQ((*t)->name, n);
  }
  EXPECT_EQ(r.all().size(), 14u);
  EXPECT_EQ(r.Find("doc.notarize", 2).status().reason(), "entry.unsupported_version");
  EXPECT_EQ(r.Find("house.sell", 1).status().reason(), "entry.unknown_type");
  // The generic ledger alone knows none of the domain's types.
  EXPECT_EQ(ledger::LedgerEntryTypes().Find("doc.notarize", 1).status().reason(),
            "entry.unknown_type");
  EXPECT_EQ(ledger::LedgerEntryTypes().all().size(), 3u);
}

TEST(EntryTypes, ARegistryRefusesADuplicate) {
  ledger::EntryTypeRegistry r;
  ASSERT_TRUE(r.Add(&kDocNotarizeType).ok());
  EXPECT_EQ(r.Add(&kDocNotarizeType).reason(), "registry.duplicate");
  EXPECT_EQ(r.Add(&ledger::kGenesisType).reason(), "registry.duplicate");
}

}  // namespace
}  // namespace tz::handover
