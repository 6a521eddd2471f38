// The typed entry bodies and state records (handover/records.h): each
// Parse accepts a valid body and returns each schema reason it can; state
// records round-trip to the same canonical bytes.
#include "handover/records.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tz::handover {
namespace {

using ledger::Role;

const std::string kDigestA(64, 'a');
const std::string kDigestB(64, 'b');
const std::string kEntryC(64, 'c');
const std::string kCommitment(64, 'd');

Json J(std::string_view text) {
  auto j = ParseJson(text);
  EXPECT_TRUE(j.ok()) << text;
  return j.ok() ? *j : Json();
}

Json With(const Json& obj, const std::string& key, Json value) {
  Json out = obj;
  out.set(key, std::move(value));
  return out;
}

Json Without(const Json& obj, std::string_view key) {
  Json out = Json::MakeObject();
  for (const auto& [k, v] : obj.as_object()) {
    if (k != key) out.set(k, v);
  }
  return out;
}

struct BadCase {
  Json body;
  std::string reason;
};

template <typename T>
void ExpectReasons(const std::vector<BadCase>& cases) {
  for (const BadCase& c : cases) {
    Result<T> r = T::Parse(c.body);
    EXPECT_FALSE(r.ok()) << c.body.Canonical();
    if (!r.ok()) {
      EXPECT_EQ(r.status().reason(), c.reason) << c.body.Canonical();
    }
  }
}

// ---- entry bodies ----

Json NotarizeBody() {
  return J(R"({"type":"doc.notarize","v":1,"digest":")" + kDigestA +
           R"(","size":12,"media_type":"application/pdf","title":"保修书","doc_type":"warranty",)"
           R"("project":"P-1","house":"H-101","in_archive":true,"encrypted":false})");
}

TEST(RecordsTest, DocumentNotarizationParses) {
  auto n = DocumentNotarization::Parse(NotarizeBody());
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(ToHex(n->digest), kDigestA);
  EXPECT_EQ(n->size, 12);
  EXPECT_EQ(n->media_type, "application/pdf");
  EXPECT_EQ(n->title, "保修书");
  EXPECT_EQ(n->doc_type, "warranty");
  EXPECT_EQ(n->project, "P-1");
  EXPECT_EQ(n->house, std::optional<std::string>("H-101"));
  EXPECT_TRUE(n->in_archive);
  EXPECT_FALSE(n->encrypted);
  auto no_house = DocumentNotarization::Parse(Without(NotarizeBody(), "house"));
  ASSERT_TRUE(no_house.ok());
  EXPECT_FALSE(no_house->house);
}

TEST(RecordsTest, DocumentNotarizationReasons) {
  Json b = NotarizeBody();
  ExpectReasons<DocumentNotarization>({
      {With(b, "extra", Json(1)), "json.unknown_field"},
      {Without(b, "digest"), "json.missing_field"},
      {With(b, "digest", Json("ABC")), "field.bad_digest"},
      {With(b, "size", Json("12")), "json.wrong_type"},
      {With(b, "size", Json(-1)), "field.negative"},
      {With(b, "media_type", Json("PDF")), "field.bad_media_type"},
      {With(b, "title", Json("")), "field.too_long"},
      {With(b, "doc_type", Json("nonesuch")), "document.unknown_type"},
      {With(b, "project", Json("bad id")), "field.bad_id"},
      {With(b, "house", Json("")), "field.bad_id"},
      {Without(b, "in_archive"), "json.missing_field"},
      {With(b, "encrypted", Json("no")), "json.wrong_type"},
      {With(b, "doc_type", Json("lease_contract")), "document.must_encrypt"},
      // The first failing check decides the reason.
      {With(With(b, "digest", Json("x")), "size", Json(-1)), "field.bad_digest"},
  });
}

Json LinkBody() {
  return J(R"({"type":"archive.link","v":1,"file":{"kind":"house","id":"H-101"},)"
           R"("category":"warranty","slot":"main","document":")" +
           kDigestA + R"(","supersedes":")" + kEntryC + R"("})");
}

TEST(RecordsTest, ArchiveLinkParses) {
  auto l = ArchiveLink::Parse(LinkBody());
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->kind, ArchiveFileKind::kHouse);
  EXPECT_EQ(l->file, "H-101");
  EXPECT_EQ(l->category, ArchiveCategory::kWarranty);
  EXPECT_EQ(Name(l->category), "warranty");
  EXPECT_EQ(l->slot, "main");
  EXPECT_EQ(ToHex(l->document), kDigestA);
  ASSERT_TRUE(l->supersedes);
  EXPECT_EQ(ledger::ToHex(*l->supersedes), kEntryC);
  Json household = J(R"({"kind":"household","id":")" + kCommitment + R"("})");
  auto h = ArchiveLink::Parse(Without(With(LinkBody(), "file", household), "supersedes"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->kind, ArchiveFileKind::kHousehold);
  EXPECT_EQ(h->file, kCommitment);
  EXPECT_FALSE(h->supersedes);
}

TEST(RecordsTest, ArchiveLinkReasons) {
  Json b = LinkBody();
  ExpectReasons<ArchiveLink>({
      {With(b, "extra", Json(1)), "json.unknown_field"},
      {Without(b, "file"), "json.missing_field"},
      {With(b, "file", Json("H-101")), "json.wrong_type"},
      {With(b, "file", J(R"({"kind":"house","id":"H","x":1})")), "json.unknown_field"},
      {With(b, "file", J(R"({"kind":"flat","id":"H"})")), "field.bad_enum"},
      {With(b, "file", J(R"({"kind":"house","id":"bad id"})")), "field.bad_id"},
      {With(b, "file", J(R"({"kind":"household","id":"H-101"})")), "field.bad_commitment"},
      {With(b, "category", Json("misc")), "field.bad_enum"},
      {Without(b, "slot"), "json.missing_field"},
      {With(b, "document", Json("nope")), "field.bad_digest"},
      {With(b, "supersedes", Json("nope")), "field.bad_entry_id"},
  });
}

Json OpenBody() {
  return J(R"({"type":"acceptance.open","v":1,"project":"P-1","house":"H-101",)"
           R"("items":[{"code":"walls","result":"pass","photos":[")" +
           kDigestA + R"("],"note":")" + kDigestB +
           R"("},{"code":"roof","result":"na"}],)"
           R"("required_roles":["construction_unit","receiving_unit","inspector"],)"
           R"("optional_roles":["tenant_rep"],"report":")" +
           kDigestB + R"("})");
}

TEST(RecordsTest, AcceptanceOpenParses) {
  auto o = AcceptanceOpen::Parse(OpenBody());
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->project, "P-1");
  EXPECT_EQ(o->house, std::optional<std::string>("H-101"));
  ASSERT_EQ(o->items.size(), 2u);
  EXPECT_EQ(o->items[0].code, "walls");
  EXPECT_EQ(o->items[0].result, ItemResult::kPass);
  ASSERT_EQ(o->items[0].photos.size(), 1u);
  EXPECT_EQ(ToHex(o->items[0].photos[0]), kDigestA);
  EXPECT_TRUE(o->items[0].note);
  EXPECT_EQ(o->items[1].result, ItemResult::kNa);
  EXPECT_TRUE(o->items[1].photos.empty());
  EXPECT_EQ(o->required_roles,
            (std::vector<Role>{Role::kConstructionUnit, Role::kReceivingUnit, Role::kInspector}));
  EXPECT_EQ(o->optional_roles, std::vector<Role>{Role::kTenantRep});
  ASSERT_TRUE(o->report);
  EXPECT_EQ(ToHex(*o->report), kDigestB);
}

TEST(RecordsTest, AcceptanceOpenReasons) {
  Json b = OpenBody();
  Json req = J(R"(["construction_unit","receiving_unit","inspector"])");
  ExpectReasons<AcceptanceOpen>({
      {With(b, "extra", Json(1)), "json.unknown_field"},
      {With(b, "project", Json(7)), "json.wrong_type"},
      {With(b, "house", Json("bad id")), "field.bad_id"},
      {Without(b, "items"), "json.missing_field"},
      {With(b, "items", Json("x")), "json.wrong_type"},
      {With(b, "items", Json::MakeArray()), "acceptance.no_items"},
      {With(b, "items", J(R"([1])")), "json.wrong_type"},
      {With(b, "items", J(R"([{"code":"a","result":"pass","x":1}])")), "json.unknown_field"},
      {With(b, "items", J(R"([{"code":"a b","result":"pass"}])")), "field.bad_id"},
      {With(b, "items", J(R"([{"code":"a","result":"pass"},{"code":"a","result":"na"}])")),
       "acceptance.duplicate_item"},
      {With(b, "items", J(R"([{"code":"a","result":"maybe"}])")), "field.bad_enum"},
      {With(b, "items", J(R"([{"code":"a","result":"pass","photos":"x"}])")), "json.wrong_type"},
      {With(b, "items", J(R"([{"code":"a","result":"pass","photos":[1]}])")), "field.bad_digest"},
      {With(b, "items", J(R"([{"code":"a","result":"pass","note":"x"}])")), "field.bad_digest"},
      {Without(b, "required_roles"), "json.missing_field"},
      {With(b, "required_roles", J(R"([1])")), "json.wrong_type"},
      {With(b, "required_roles", J(R"(["mayor"])")), "field.bad_role"},
      {With(b, "required_roles", J(R"(["inspector","inspector"])")), "field.duplicate"},
      {With(b, "optional_roles", J(R"(["mayor"])")), "field.bad_role"},
      {With(b, "required_roles", J(R"(["construction_unit","receiving_unit"])")),
       "acceptance.missing_required_role"},
      {With(b, "required_roles",
            J(R"(["construction_unit","receiving_unit","inspector","auditor"])")),
       "acceptance.bad_role"},
      {With(b, "optional_roles", J(R"(["inspector"])")), "acceptance.bad_role"},
      {With(b, "optional_roles", J(R"(["department"])")), "acceptance.bad_role"},
      {With(With(b, "required_roles", req), "report", Json("x")), "field.bad_digest"},
  });
}

Json SignBody() {
  return J(R"({"type":"acceptance.sign","v":1,"record":")" + kEntryC +
           R"(","role":"inspector","verdict":"reject","comment":")" + kDigestA + R"("})");
}

TEST(RecordsTest, AcceptanceSignParses) {
  auto s = AcceptanceSign::Parse(SignBody());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(ledger::ToHex(s->record), kEntryC);
  EXPECT_EQ(s->role, Role::kInspector);
  EXPECT_EQ(s->verdict, Verdict::kReject);
  EXPECT_TRUE(s->comment);
  EXPECT_FALSE(AcceptanceSign::Parse(Without(SignBody(), "comment"))->comment);
}

TEST(RecordsTest, AcceptanceSignReasons) {
  Json b = SignBody();
  ExpectReasons<AcceptanceSign>({
      {With(b, "extra", Json(1)), "json.unknown_field"},
      {With(b, "record", Json("c")), "field.bad_entry_id"},
      {Without(b, "role"), "json.missing_field"},
      {With(b, "role", Json("mayor")), "field.bad_role"},
      {With(b, "verdict", Json("abstain")), "field.bad_enum"},
      {With(b, "comment", Json("x")), "field.bad_digest"},
  });
}

Json PlanBody() {
  return J(
      R"({"type":"case.plan","v":1,"case":"C-1","project":"P-1","houses":["H-1","H-2"],)"
      R"("deadlines":{"plan":1000,"operation":2000},"required_docs":["warranty","user_manual"]})");
}

TEST(RecordsTest, CasePlanParses) {
  auto p = CasePlan::Parse(PlanBody());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->case_id, "C-1");
  EXPECT_EQ(p->project, "P-1");
  EXPECT_EQ(p->houses, (std::vector<std::string>{"H-1", "H-2"}));
  EXPECT_EQ(p->deadlines,
            (std::map<CaseStep, int64_t>{{CaseStep::kPlan, 1000}, {CaseStep::kOperation, 2000}}));
  EXPECT_EQ(p->required_docs, (std::vector<std::string>{"warranty", "user_manual"}));
  EXPECT_TRUE(CasePlan::Parse(Without(PlanBody(), "houses"))->houses.empty());
}

TEST(RecordsTest, CasePlanReasons) {
  Json b = PlanBody();
  ExpectReasons<CasePlan>({
      {With(b, "extra", Json(1)), "json.unknown_field"},
      {With(b, "case", Json("")), "field.bad_id"},
      {Without(b, "project"), "json.missing_field"},
      {With(b, "houses", Json(1)), "json.wrong_type"},
      {With(b, "houses", J(R"(["bad id"])")), "field.bad_id"},
      {Without(b, "deadlines"), "json.wrong_type"},
      {With(b, "deadlines", Json::MakeArray()), "json.wrong_type"},
      {With(b, "deadlines", J(R"({"moving":1})")), "case.bad_step"},
      {With(b, "deadlines", J(R"({"plan":-1})")), "json.wrong_type"},
      {With(b, "deadlines", J(R"({"plan":"soon"})")), "json.wrong_type"},
      {Without(b, "required_docs"), "json.missing_field"},
      {With(b, "required_docs", J(R"(["nonesuch"])")), "document.unknown_type"},
  });
}

TEST(RecordsTest, CaseUpdatesParse) {
  auto d = CaseDeadline::Parse(
      J(R"({"type":"case.deadline","v":1,"case":"C-1","step":"system","due":5,"reason":"rain"})"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->case_id, "C-1");
  EXPECT_EQ(d->step, CaseStep::kSystem);
  EXPECT_EQ(d->due, 5);
  EXPECT_EQ(d->reason, "rain");

  auto f = CaseDefer::Parse(J(R"({"type":"case.defer","v":1,"case":"C-1","doc_type":"warranty",)"
                              R"("due":9,"reason":"third_party_delay"})"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->doc_type, "warranty");
  EXPECT_EQ(f->due, 9);
  EXPECT_EQ(f->reason, DeferReason::kThirdPartyDelay);

  auto v = CaseDeliver::Parse(J(R"({"type":"case.deliver","v":1,"case":"C-1",)"
                                R"("doc_type":"warranty","document":")" +
                                kDigestA + R"("})"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(ToHex(v->document), kDigestA);

  auto c = CaseComplete::Parse(J(R"({"type":"case.complete","v":1,"case":"C-1"})"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->case_id, "C-1");
}

TEST(RecordsTest, CaseUpdateReasons) {
  Json dl =
      J(R"({"type":"case.deadline","v":1,"case":"C-1","step":"system","due":5,"reason":"r"})");
  ExpectReasons<CaseDeadline>({
      {With(dl, "extra", Json(1)), "json.unknown_field"},
      {With(dl, "case", Json("a b")), "field.bad_id"},
      {With(dl, "step", Json("moving")), "field.bad_enum"},
      {With(dl, "due", Json(-5)), "field.negative"},
      {With(dl, "reason", Json(std::string(300, 'x'))), "field.too_long"},
      {Without(dl, "reason"), "json.missing_field"},
  });
  Json df = J(R"({"type":"case.defer","v":1,"case":"C-1","doc_type":"warranty","due":9,)"
              R"("reason":"other"})");
  ExpectReasons<CaseDefer>({
      {With(df, "extra", Json(1)), "json.unknown_field"},
      {Without(df, "case"), "json.missing_field"},
      {With(df, "doc_type", Json("a b")), "field.bad_id"},
      {With(df, "due", Json("9")), "json.wrong_type"},
      {With(df, "reason", Json("lazy")), "field.bad_enum"},
  });
  Json dv = J(R"({"type":"case.deliver","v":1,"case":"C-1","doc_type":"warranty","document":")" +
              kDigestA + R"("})");
  ExpectReasons<CaseDeliver>({
      {With(dv, "extra", Json(1)), "json.unknown_field"},
      {With(dv, "case", Json(1)), "json.wrong_type"},
      {Without(dv, "doc_type"), "json.missing_field"},
      {With(dv, "document", Json("x")), "field.bad_digest"},
  });
  Json cc = J(R"({"type":"case.complete","v":1,"case":"C-1"})");
  ExpectReasons<CaseComplete>({
      {With(cc, "extra", Json(1)), "json.unknown_field"},
      {Without(cc, "case"), "json.missing_field"},
      {With(cc, "case", Json("a b")), "field.bad_id"},
  });
}

Json AccessBody() {
  return J(R"({"type":"access.log","v":1,"household":")" + kCommitment +
           R"(","purpose":"repair","fields":["name","phone"],"request":")" + kDigestA + R"("})");
}

TEST(RecordsTest, AccessRecordParses) {
  auto a = AccessRecord::Parse(AccessBody());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->household, kCommitment);
  EXPECT_EQ(a->purpose, AccessPurpose::kRepair);
  EXPECT_EQ(a->fields, (std::vector<std::string>{"name", "phone"}));
  EXPECT_TRUE(a->request);
}

TEST(RecordsTest, AccessRecordReasons) {
  Json b = AccessBody();
  ExpectReasons<AccessRecord>({
      {With(b, "extra", Json(1)), "json.unknown_field"},
      {With(b, "household", Json("H-1")), "field.bad_commitment"},
      {With(b, "purpose", Json("curiosity")), "field.bad_enum"},
      {Without(b, "fields"), "json.missing_field"},
      {With(b, "fields", Json::MakeArray()), "access.no_fields"},
      {With(b, "fields", J(R"(["a b"])")), "field.bad_id"},
      {With(b, "request", Json("x")), "field.bad_digest"},
  });
}

Json ShredBody() {
  return J(R"({"type":"shred.record","v":1,"household":")" + kCommitment + R"(","key_digest":")" +
           kDigestA + R"(","reason":"court_order"})");
}

TEST(RecordsTest, ShredRecordParses) {
  auto s = ShredRecord::Parse(ShredBody());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->household, kCommitment);
  EXPECT_EQ(ToHex(s->key_digest), kDigestA);
  EXPECT_EQ(s->reason, ShredReason::kCourtOrder);
}

TEST(RecordsTest, ShredRecordReasons) {
  Json b = ShredBody();
  ExpectReasons<ShredRecord>({
      {With(b, "extra", Json(1)), "json.unknown_field"},
      {Without(b, "household"), "json.missing_field"},
      {With(b, "key_digest", Json("x")), "field.bad_digest"},
      {With(b, "reason", Json("bored")), "field.bad_enum"},
  });
}

// ---- state records ----

template <typename T>
void ExpectRoundTrip(const std::string& canonical) {
  Json j = J(canonical);
  auto rec = T::FromJson(j);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString() << " " << canonical;
  EXPECT_EQ(rec->ToJson().Canonical(), canonical);
}

template <typename T>
void ExpectCorrupt(const std::string& text) {
  auto rec = T::FromJson(J(text));
  EXPECT_FALSE(rec.ok()) << text;
  if (!rec.ok()) {
    EXPECT_EQ(rec.status().reason(), "state.corrupt") << text;
  }
}

TEST(RecordsTest, DocumentRecordRoundTrip) {
  std::string rec =
      R"({"doc_type":"warranty","encrypted":false,"entry":")" + kEntryC + R"(","index":42})";
  ExpectRoundTrip<DocumentRecord>(rec);
  DocumentRecord r = *DocumentRecord::FromJson(J(rec));
  EXPECT_EQ(r.index, 42u);
  EXPECT_EQ(r.doc_type, "warranty");
  ExpectCorrupt<DocumentRecord>(R"({"doc_type":"warranty","encrypted":false,"index":42})");
  ExpectCorrupt<DocumentRecord>(R"({"doc_type":"warranty","encrypted":0,"entry":")" + kEntryC +
                                R"(","index":42})");
  ExpectCorrupt<DocumentRecord>(R"([])");
}

TEST(RecordsTest, AcceptanceRecordRoundTrip) {
  ExpectRoundTrip<AcceptanceRecord>(
      R"({"optional":[],"required":["construction_unit","receiving_unit","inspector"],)"
      R"("signed":{},"status":"open"})");
  std::string signed_rec =
      R"({"optional":["tenant_rep"],"required":["inspector","construction_unit","receiving_unit"],)"
      R"("signed":{"construction_unit":{"entry":")" +
      kEntryC + R"(","party":"builder","verdict":"accept"},"inspector":{"entry":")" + kEntryC +
      R"(","party":"lab","verdict":"reject"}},"status":"rejected"})";
  ExpectRoundTrip<AcceptanceRecord>(signed_rec);
  AcceptanceRecord r = *AcceptanceRecord::FromJson(J(signed_rec));
  EXPECT_TRUE(r.Requires(Role::kInspector));
  EXPECT_TRUE(r.Requests(Role::kTenantRep));
  EXPECT_FALSE(r.Requires(Role::kTenantRep));
  EXPECT_EQ(r.signed_by.at(Role::kInspector).verdict, Verdict::kReject);
  ExpectCorrupt<AcceptanceRecord>(
      R"({"optional":[],"required":["mayor"],"signed":{},"status":"open"})");
  ExpectCorrupt<AcceptanceRecord>(
      R"({"optional":[],"required":[],"signed":{},"status":"pending"})");
  ExpectCorrupt<AcceptanceRecord>(R"({"optional":[],"required":[],"status":"open"})");
}

TEST(RecordsTest, CaseRecordRoundTrip) {
  ExpectRoundTrip<CaseRecord>(R"({"deadlines":{"operation":2000,"plan":1000},"deferred":{},)"
                              R"("delivered":{},"plan":")" +
                              kEntryC +
                              R"(","required":["warranty","user_manual"],)"
                              R"("status":"open"})");
  ExpectRoundTrip<CaseRecord>(R"({"completed":")" + kEntryC +
                              R"(","deadlines":{},"deferred":{"user_manual":{"due":9,)"
                              R"("entry":")" +
                              kEntryC + R"("}},"delivered":{"user_manual":{"document":")" +
                              kDigestA + R"(","entry":")" + kEntryC +
                              R"(","late":true},"warranty":{"document":")" + kDigestB +
                              R"(","entry":")" + kEntryC + R"("}},"plan":")" + kEntryC +
                              R"(","required":["warranty","user_manual"],"status":"complete"})");
  ExpectCorrupt<CaseRecord>(R"({"deadlines":{"moving":1},"deferred":{},"delivered":{},)"
                            R"("plan":")" +
                            kEntryC + R"(","required":[],"status":"open"})");
  ExpectCorrupt<CaseRecord>(R"({"deadlines":{},"deferred":{},"delivered":{},"plan":"x",)"
                            R"("required":[],"status":"open"})");
}

TEST(RecordsTest, BareEntryIdRecords) {
  auto head = ArchiveHead::Decode(kEntryC);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->Encode(), kEntryC);
  auto hh = HouseholdRecord::Decode(kEntryC);
  ASSERT_TRUE(hh.ok());
  EXPECT_EQ(hh->Encode(), kEntryC);
  EXPECT_EQ(ArchiveHead::Decode("zz").status().reason(), "state.corrupt");
  EXPECT_EQ(HouseholdRecord::Decode("").status().reason(), "state.corrupt");
}

TEST(RecordsTest, TypedStateAccess) {
  ledger::State state(nullptr);
  Digest d = *DigestFromHex(kDigestA);
  EXPECT_FALSE(*GetDocumentRecord(state, d));
  DocumentRecord rec{*ledger::EntryIdFromHex(kEntryC), 7, "warranty", true};
  PutDocumentRecord(&state, d, rec);
  auto back = GetDocumentRecord(state, d);
  ASSERT_TRUE(back.ok() && *back);
  EXPECT_EQ((*back)->ToJson().Canonical(), rec.ToJson().Canonical());
  state.Put("s/d/" + kDigestA, "{}");
  EXPECT_EQ(GetDocumentRecord(state, d).status().reason(), "state.corrupt");
}

TEST(RecordsTest, EnumNames) {
  EXPECT_EQ(Name(ArchiveFileKind::kHousehold), "household");
  EXPECT_EQ(Name(ArchiveCategory::kOther), "other");
  EXPECT_EQ(Name(ItemResult::kNa), "na");
  EXPECT_EQ(Name(AcceptanceStatus::kRejected), "rejected");
  EXPECT_EQ(Name(CaseStep::kOperation), "operation");
  EXPECT_EQ(Name(DeferReason::kPendingCertificate), "pending_certificate");
  EXPECT_EQ(Name(AccessPurpose::kEligibilityReview), "eligibility_review");
  EXPECT_EQ(Name(ShredReason::kSubjectRequest), "subject_request");
}

}  // namespace
}  // namespace tz::handover
