#include "ledger/envelope.h"

#include <gtest/gtest.h>

#include "ledger_test_util.h"

namespace tz::ledger {
namespace {

using testing::Client;
using testing::MakeClient;

Json Entry() {
  return testing::Obj({{"type", Json("doc.notarize")}, {"v", Json(1)}, {"x", Json("标题")}});
}

TEST(Envelope, SignParseRoundTrip) {
  Client c = MakeClient("p");
  SignedEntry e = c.Sign(Entry());
  auto p = ParseSignedEntry(e.bytes);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->type, "doc.notarize");
  EXPECT_EQ(p->seq, 1);
  EXPECT_EQ(p->key, c.id);
  EXPECT_EQ(p->id, EntryIdOf(AsBytes(e.bytes)));
  EXPECT_TRUE(VerifyEntrySignature(*p, c.keys.public_key).ok());
  // The signed message is the JCS form without "sig".
  std::string msg = p->SigningMessage();
  EXPECT_EQ(msg.find("\"sig\""), std::string::npos);
  auto j = ParseJson(msg);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->Canonical(), msg);
}

std::string Reason(std::string_view bytes) { return ParseSignedEntry(bytes).status().reason(); }

TEST(Envelope, RejectsNonCanonical) {
  Client c = MakeClient("p");
  SignedEntry e = c.Sign(Entry());
  std::string spaced = e.bytes;
  spaced.insert(1, " ");
  EXPECT_EQ(Reason(spaced), "envelope.not_canonical");
  // Reordered keys.
  auto j = *ParseJson(e.bytes);
  std::string reordered = "{\"time\":" + std::to_string(e.time) + "," + e.bytes.substr(1);
  reordered.erase(reordered.rfind(",\"time\""));
  reordered += "}";
  EXPECT_EQ(Reason(reordered), "envelope.not_canonical");
}

TEST(Envelope, RejectsFloatsDuplicatesAndHugeInts) {
  EXPECT_EQ(
      Reason(R"({"chain":"c","entry":{"type":"t","v":1.5},"key":"00","seq":1,"sig":"x","time":1})"),
      "json.float");
  EXPECT_EQ(Reason(R"({"chain":"c","chain":"d"})"), "json.duplicate_key");
  EXPECT_EQ(Reason(R"({"seq":9007199254740993})"), "json.int_range");
}

TEST(Envelope, RejectsOversized) {
  Client c = MakeClient("p");
  Json big = Entry();
  big.set("x", Json(std::string(kMaxEntryBytes, 'a')));
  auto e = SignEntry("c", big, c.id, c.keys.secret_key, 1, 1);
  EXPECT_EQ(e.status().reason(), "envelope.too_large");
}

TEST(Envelope, RejectsUnsignedAndBadFields) {
  Client c = MakeClient("p");
  SignedEntry e = c.Sign(Entry());
  auto j = *ParseJson(e.bytes);
  Json unsigned_env = Json::MakeObject();
  for (const auto& [k, v] : j.as_object()) {
    if (k != "sig") unsigned_env.set(k, v);
  }
  EXPECT_EQ(Reason(unsigned_env.Canonical()), "envelope.unsigned");
  Json short_sig = j;
  short_sig.set("sig", Json("AAAA"));
  EXPECT_EQ(Reason(short_sig.Canonical()), "envelope.unsigned");
  Json extra = j;
  extra.set("zzz", Json(1));
  EXPECT_EQ(Reason(extra.Canonical()), "envelope.bad_field");
  Json seq0 = j;
  seq0.set("seq", Json(0));
  EXPECT_EQ(Reason(seq0.Canonical()), "envelope.bad_seq");
  Json no_type = j;
  no_type.set("entry", testing::Obj({{"v", Json(1)}}));
  EXPECT_EQ(Reason(no_type.Canonical()), "entry.bad_type");
}

TEST(Envelope, TamperBreaksSignature) {
  Client c = MakeClient("p");
  SignedEntry e = c.Sign(Entry());
  auto j = *ParseJson(e.bytes);
  j.set("seq", Json(2));
  auto p = ParseSignedEntry(j.Canonical());
  ASSERT_TRUE(p.ok());
  Status s = VerifyEntrySignature(*p, c.keys.public_key);
  EXPECT_EQ(s.reason(), "envelope.bad_signature");
  EXPECT_EQ(s.code(), Code::kVerificationFailed);
}

}  // namespace
}  // namespace tz::ledger
