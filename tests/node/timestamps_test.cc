// Trusted time in the node: the token store, the background stamper with a
// local TSA and with an external one (retry, back-off, refused replies), and
// exports that carry the stored tokens, accepted by `openssl ts -verify`.
#include "node/timestamps.h"

#include <fstream>
#include <sstream>
#include <thread>

#include "node/evidence_test_util.h"

namespace tz::node::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ledger::testing::HexDigestOf;

class TimestampsTest : public TsaPkiFixture {
 protected:
  static void SetUpTestSuite() { MakePkis("node-tsa"); }

  std::unique_ptr<TimestampStore> Store() {
    auto s = TimestampStore::Open(dir_ + "/timestamps");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string HeadNote() { return c_.ledger->GetCheckpoint(c_.ledger->head().height).value(); }
  // Waits until the stamper has stamped the head (or 20 s pass).
  static bool WaitStamped(const CheckpointStamper& s, uint64_t size) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (s.stats().newest_stamped >= size) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
};

TEST_F(TimestampsTest, StoreKeepsTokensPerSourceAndMatchesThemToTheNote) {
  auto store = Store();
  TimeStampAuthority tsa = Tsa("pki");
  std::string note = HeadNote();
  uint64_t size = c_.ledger->head().log_size;
  EXPECT_FALSE(store->Get(kTsaSourceLocal, size).value());
  EXPECT_EQ(store->Newest(kTsaSourceLocal), 0u);

  Bytes local = tsa.Stamp(Sha256(note)).value().token_der;
  ASSERT_TRUE(store->Put(kTsaSourceLocal, size, local).ok());
  EXPECT_EQ(*store->Get(kTsaSourceLocal, size).value(), std::string(AsString(local)));
  EXPECT_EQ(store->Newest(kTsaSourceLocal), size);
  std::string used;
  EXPECT_EQ(*store->GetForNote(size, note, &used).value(), std::string(AsString(local)));
  EXPECT_EQ(used, kTsaSourceLocal);

  // An external token is preferred; a token over other bytes (an older
  // version of the note) is never served for this note.
  Bytes external = Tsa("other").Stamp(Sha256(note)).value().token_der;
  ASSERT_TRUE(store->Put(kTsaSourceExternal, size, external).ok());
  EXPECT_EQ(*store->GetForNote(size, note, &used).value(), std::string(AsString(external)));
  EXPECT_EQ(used, kTsaSourceExternal);
  Bytes stale = tsa.Stamp(Sha256(note + "x")).value().token_der;
  ASSERT_TRUE(store->Put(kTsaSourceExternal, size, stale).ok());
  ASSERT_TRUE(store->Put(kTsaSourceLocal, size, stale).ok());
  EXPECT_FALSE(store->GetForNote(size, note).value());

  EXPECT_EQ(store->Put("../x", 1, local).reason(), "tsa_store.bad_source");
  EXPECT_EQ(store->Get("x", 1).status().reason(), "tsa_store.bad_source");
}

TEST_F(TimestampsTest, LocalStamperStampsEveryNewCheckpoint) {
  auto store = Store();
  TimeStampAuthority tsa = Tsa("pki");
  StamperOptions o;
  o.local = &tsa;
  o.poll = 10ms;
  CheckpointStamper stamper(kTsaSourceLocal, c_.ledger.get(), store.get(), o);
  ASSERT_TRUE(WaitStamped(stamper, c_.ledger->head().log_size));
  std::vector<ledger::Head> heads = {c_.ledger->head()};
  for (int i = 0; i < 3; ++i) {
    std::string doc = "repair record " + std::to_string(i);
    Put(doc);
    ASSERT_TRUE(c_.AppendOne(c_.c("builder").Sign(c_.Notarize(doc))).ok());
    stamper.Notify();
    ASSERT_TRUE(WaitStamped(stamper, c_.ledger->head().log_size));
    heads.push_back(c_.ledger->head());
  }
  // One block at a time, so every checkpoint got its own token.
  for (const ledger::Head& h : heads) {
    std::string note = c_.ledger->GetCheckpoint(h.height).value();
    auto token = store->Get(kTsaSourceLocal, h.log_size).value();
    ASSERT_TRUE(token) << h.log_size;
    auto info = VerifyTimeStampToken(AsBytes(*token), Sha256(note), Ca("pki"));
    EXPECT_TRUE(info.ok()) << h.log_size << " " << info.status().ToString();
  }
  EXPECT_EQ(stamper.stats().stamped, heads.size());
  EXPECT_EQ(stamper.stats().failures, 0u);
}

TEST_F(TimestampsTest, ExternalStamperRetriesWithBackoffThenStores) {
  auto store = Store();
  TimeStampAuthority tsa = Tsa("pki");
  std::atomic<int> calls{0};
  std::vector<std::chrono::steady_clock::time_point> times;
  std::mutex mu;
  StamperOptions o;
  o.url = "http://tsa.invalid/tsr";
  o.ca_pem = Ca("pki");
  o.poll = 10ms;
  o.retry_min = 20ms;
  o.retry_max = 80ms;
  // The TSA is down for four attempts, then answers (through the real
  // RFC 3161 responder, as POST /v1/tsa would).
  o.post = [&](const std::string& url, const std::string& body,
               std::chrono::milliseconds) -> Result<std::string> {
    EXPECT_EQ(url, "http://tsa.invalid/tsr");
    {
      std::lock_guard<std::mutex> lock(mu);
      times.push_back(std::chrono::steady_clock::now());
    }
    if (++calls <= 4) return Status(Code::kUnavailable, "tsa.unreachable", "connection refused");
    TZ_ASSIGN_OR_RETURN(Bytes resp, tsa.CreateResponse(AsBytes(body)));
    return std::string(AsString(resp));
  };
  CheckpointStamper stamper(kTsaSourceExternal, c_.ledger.get(), store.get(), o);
  ASSERT_TRUE(WaitStamped(stamper, c_.ledger->head().log_size));
  StamperStats st = stamper.stats();
  EXPECT_EQ(st.failures, 4u);
  EXPECT_EQ(st.stamped, 1u);
  EXPECT_TRUE(st.last_error.empty());
  // Back-off doubles from 20 ms to the 80 ms cap: gaps >= 20, 40, 80, 80 ms.
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(times.size(), 5u);
  const int64_t want[] = {20, 40, 80, 80};
  for (size_t i = 0; i < 4; ++i) {
    auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(times[i + 1] - times[i]);
    EXPECT_GE(gap.count(), want[i] - 2) << "retry " << i;
  }
  auto token = store->Get(kTsaSourceExternal, c_.ledger->head().log_size).value();
  ASSERT_TRUE(token);
  EXPECT_TRUE(VerifyTimeStampToken(AsBytes(*token), Sha256(HeadNote()), Ca("pki")).ok());
}

TEST_F(TimestampsTest, ExternalRepliesAreCheckedBeforeTheyAreKept) {
  TimeStampAuthority tsa = Tsa("pki");
  TimeStampAuthority other = Tsa("other");
  const std::string note = HeadNote();
  StamperOptions o;
  o.url = "http://tsa.invalid/tsr";
  o.ca_pem = Ca("pki");
  auto answer_with = [&](std::function<Result<Bytes>(const std::string&)> f) {
    o.post = [f](const std::string&, const std::string& body,
                 std::chrono::milliseconds) -> Result<std::string> {
      TZ_ASSIGN_OR_RETURN(Bytes b, f(body));
      return std::string(AsString(b));
    };
    return CheckpointStamper::StampNote(o, note);
  };
  // An honest reply.
  auto ok = answer_with([&](const std::string& q) { return tsa.CreateResponse(AsBytes(q)); });
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(VerifyTimeStampToken(*ok, Sha256(note), Ca("pki")).ok());
  // A reply for other data.
  auto wrong_data = answer_with([&](const std::string&) -> Result<Bytes> {
    TZ_ASSIGN_OR_RETURN(TimeStamp ts, tsa.Stamp(Sha256(note + "other")));
    return ts.response_der;
  });
  EXPECT_EQ(wrong_data.status().reason(), "tsa.digest_mismatch");
  // A replayed reply: right data, but made for another request (nonce).
  auto replay = answer_with([&](const std::string&) -> Result<Bytes> {
    TimeStampRequestOptions r;
    r.nonce = GenerateTimeStampNonce();
    TZ_ASSIGN_OR_RETURN(Bytes q, BuildTimeStampRequest(Sha256(note), r));
    return tsa.CreateResponse(q);
  });
  EXPECT_EQ(replay.status().reason(), "tsa.nonce_mismatch");
  // A TSA that does not chain to the configured CA.
  auto untrusted =
      answer_with([&](const std::string& q) { return other.CreateResponse(AsBytes(q)); });
  EXPECT_EQ(untrusted.status().reason(), "tsa.untrusted");
  // A rejection (here: our request with the body mangled).
  auto rejected = answer_with(
      [&](const std::string& q) { return tsa.CreateResponse(AsBytes(q.substr(0, q.size() - 1))); });
  EXPECT_EQ(rejected.status().reason(), "tsa.rejected");
  // Not RFC 3161 at all.
  auto junk = answer_with([&](const std::string&) -> Result<Bytes> { return Bytes{'<', 'h'}; });
  EXPECT_FALSE(junk.ok());

  // The stamper keeps none of the bad ones and keeps retrying.
  auto store = Store();
  o.poll = 10ms;
  o.retry_min = 5ms;
  o.retry_max = 10ms;
  o.post = [&](const std::string&, const std::string& body,
               std::chrono::milliseconds) -> Result<std::string> {
    TZ_ASSIGN_OR_RETURN(Bytes b, other.CreateResponse(AsBytes(body)));
    return std::string(AsString(b));
  };
  {
    CheckpointStamper stamper(kTsaSourceExternal, c_.ledger.get(), store.get(), o);
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (stamper.stats().failures < 3 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    EXPECT_GE(stamper.stats().failures, 3u);
    EXPECT_NE(stamper.stats().last_error.find("tsa.untrusted"), std::string::npos)
        << stamper.stats().last_error;
  }
  EXPECT_EQ(store->Newest(kTsaSourceExternal), 0u);
}

TEST_F(TimestampsTest, ExportCarriesStoredTokensThatOpensslAccepts) {
  auto store = Store();
  TimeStampAuthority tsa = Tsa("pki");
  // Stamp every block's checkpoint, as a node's stamper does.
  for (uint64_t h = 0; h <= c_.ledger->head().height; ++h) {
    std::string note = c_.ledger->GetCheckpoint(h).value();
    auto cp = log::Checkpoint::Parse(log::ParseNote(note).value().text).value();
    ASSERT_TRUE(
        store->Put(kTsaSourceLocal, cp.size, tsa.Stamp(Sha256(note)).value().token_der).ok());
  }
  // An older block's document: two checkpoints in the package.
  EvidenceExportOptions o = OptionsFor("document", HexDigestOf(docs_[0]));
  o.timestamps = store.get();
  auto files = BuildEvidencePackage(*c_.ledger, blobs_.get(), o);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  Json m = ManifestOf(*files);
  auto& cps = ManifestArray(m, "checkpoints");
  ASSERT_EQ(cps.size(), 2u);
  for (const Json& cp : cps) EXPECT_TRUE(cp.find("timestamp")->as_bool());

  ev::VerifyOptions vo;
  vo.tsa_ca_pem = Ca("pki");
  ev::VerifyReport r = ev::VerifyPackageFiles(*files, vo);
  EXPECT_TRUE(r.verified) << r.reason;
  size_t passed = 0;
  for (const auto& c : r.checks)
    passed +=
        c.check == evidence::CheckKind::kTimestamp && c.status == evidence::CheckStatus::kPassed;
  EXPECT_EQ(passed, 2u);

  // openssl ts -verify, file by file, on the unpacked package.
  std::string out = dir_ + "/pkg";
  fs::create_directories(out + "/checkpoints");
  fs::create_directories(out + "/timestamps");
  for (const auto& f : *files) {
    if (f.name.rfind("checkpoints/", 0) == 0 || f.name.rfind("timestamps/", 0) == 0) {
      std::ofstream(out + "/" + f.name, std::ios::binary) << f.data;
    }
  }
  for (const Json& cp : cps) {
    std::string s = std::to_string(cp.find("size")->as_uint64());
    EXPECT_EQ(Shell("openssl ts -verify -data '" + out + "/checkpoints/" + s + ".note' -in '" +
                    out + "/timestamps/" + s + ".tsr' -token_in -CAfile '" + *pki_ +
                    "/pki/ca.pem' >/dev/null 2>&1"),
              0)
        << s;
    // ... and refuses the other demo CA.
    EXPECT_NE(Shell("openssl ts -verify -data '" + out + "/checkpoints/" + s + ".note' -in '" +
                    out + "/timestamps/" + s + ".tsr' -token_in -CAfile '" + *pki_ +
                    "/other/ca.pem' >/dev/null 2>&1"),
              0)
        << s;
  }

  // A stored token over other bytes is left out rather than shipped broken.
  for (const Json& cp : cps) {
    ASSERT_TRUE(store
                    ->Put(kTsaSourceLocal, cp.find("size")->as_uint64(),
                          tsa.Stamp(Sha256(std::string("not the note"))).value().token_der)
                    .ok());
  }
  auto again = BuildEvidencePackage(*c_.ledger, blobs_.get(), o);
  ASSERT_TRUE(again.ok());
  Json m2 = ManifestOf(*again);
  for (const Json& cp : ManifestArray(m2, "checkpoints")) {
    EXPECT_FALSE(cp.find("timestamp")->as_bool());
  }
}

}  // namespace
}  // namespace tz::node::testing
