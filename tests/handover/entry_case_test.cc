// Handover cases: case.plan, deadline, defer, deliver, complete (handover/src/entry_case.cc).
// Every validation rule has a test that breaks it; a rejected entry changes
// no state.
#include <gtest/gtest.h>

#include "handover/entries_test_util.h"

namespace tz::handover {
namespace {

using namespace testing;  // the entry-test fixture and the ledger's vocabulary

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
