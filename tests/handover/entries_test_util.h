// The fixture of the entry-type tests: a consortium with a builder, a
// receiver, an inspector, an operator and a department, and helpers that
// expect an entry to be accepted, or rejected with a reason and no change.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "handover/commitment.h"
#include "handover/state_keys.h"
#include "ledger/ledger_test_util.h"

namespace tz::handover::testing {

using namespace ledger;           // entries are written in the ledger's vocabulary
using namespace ledger::testing;  // Consortium, Obj, Arr, kT0, MakeClient, ...

inline std::string StateDump(const Ledger& l) {
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

}  // namespace tz::handover::testing
