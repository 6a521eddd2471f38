// doc.notarize and archive.link (handover/src/entry_document.cc).
// Every validation rule has a test that breaks it; a rejected entry changes
// no state.
#include <gtest/gtest.h>

#include "handover/entries_test_util.h"

namespace tz::handover {
namespace {

using namespace testing;  // the entry-test fixture and the ledger's vocabulary

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

TEST_F(EntriesTest, ControlAndBidiCharactersInTextAreRejected) {
  // A title that would repaint the terminal after it, or reverse how the
  // rest of the line reads (Trojan Source), is refused at validation.
  auto& b = c.c("builder");
  for (const std::string& evil :
       std::vector<std::string>{"plan\x1b[2J\x1b[1;1Hverified", std::string("plan\0x", 6),
                                "plan\r\u2714 all checks passed", "line\nbreak", "tab\there",
                                "invoice \u202Egpj.exe", "\u2066isolate\u2069", "\u200Fmark",
                                "csi \xc2\x9b"
                                "31m",
                                "del\x7f", "para\u2029sep"}) {
    SCOPED_TRACE(evil);
    Json bad = c.Notarize("y");
    bad.set("title", Json(evil));
    ExpectRejected(b.Sign(bad), "field.unsafe_text");
  }
  // Chinese, other scripts and ordinary punctuation pass.
  Json good = c.Notarize("y");
  good.set("title", Json("竣工验收报告（第2版）— Ünïcode «ok» ✓ 🏠"));
  ExpectOk(b.Sign(good));
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

}  // namespace
}  // namespace tz::handover
