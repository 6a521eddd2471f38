// The HTTP API against the real binary: submit, verify, blobs, uploads,
// auth, households with access logging, OpenAPI vs routes vs docs/api.md.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "integration/node_fixture.h"
#include "log/checkpoint.h"
#include "log/merkle.h"
#include "log/note.h"

namespace tz::testing {
namespace {

// in_archive: whether the entry claims the node holds the bytes (the node
// refuses the claim unless it does).
Json Notarize(const std::string& content, const std::string& house, const std::string& title,
              bool in_archive = false) {
  return Json::MakeObject({{"type", Json("doc.notarize")},
                           {"v", Json(1)},
                           {"digest", Json(ToHex(Sha256(content)))},
                           {"size", Json(static_cast<int64_t>(content.size()))},
                           {"media_type", Json("application/pdf")},
                           {"title", Json(title)},
                           {"doc_type", Json("as_built_drawings")},
                           {"project", Json("proj-1")},
                           {"house", Json(house)},
                           {"in_archive", Json(in_archive)},
                           {"encrypted", Json(false)}});
}

class NodeApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { node_ = new NodeProcess(); }
  static void TearDownTestSuite() {
    delete node_;
    node_ = nullptr;
  }
  void SetUp() override { ASSERT_GT(node_->port, 0) << node_->init_output << node_->start_output; }
  static NodeProcess* node_;
};
NodeProcess* NodeApiTest::node_ = nullptr;

TEST_F(NodeApiTest, HealthAndConsortium) {
  auto c = node_->Client();
  auto r = c.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto j = ParseJson(r->body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->find("chain")->as_string(), "test-chain");
  r = c.Get("/v1/consortium");
  ASSERT_TRUE(r);
  j = ParseJson(r->body);
  ASSERT_TRUE(j.ok()) << r->body;
  EXPECT_EQ(j->find("quorum")->as_int64(), 1);
  EXPECT_EQ(j->find("members")->size(), 1u);
  r = c.Get("/v1/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("tz_http_requests_total"), std::string::npos);
  EXPECT_NE(r->body.find("tz_ledger_height"), std::string::npos);
}

TEST_F(NodeApiTest, NotarizeThenVerifyProofOffline) {
  auto c = node_->Client();
  std::string content = "as-built drawing, building 3";
  // Claiming the bytes are archived before they are: refused, nothing logged.
  std::string early =
      node_->Entry(node_->builder, Notarize(content, "B3-101", "drawing B3", /*in_archive=*/true));
  auto r = c.Post("/v1/entries", early, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(ErrorCode(r->body), "document.not_in_archive");
  std::string blob = "/v1/blobs/" + ToHex(Sha256(content));
  r = c.Put(blob, NodeProcess::Signed(node_->builder, "PUT", blob, content), content,
            "application/octet-stream");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  // Archived, but the entry states another size: refused.
  Json wrong_size = Notarize(content, "B3-101", "drawing B3", true);
  wrong_size.set("size", Json(static_cast<int64_t>(content.size() + 1)));
  r = c.Post("/v1/entries", node_->Entry(node_->builder, wrong_size), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(ErrorCode(r->body), "document.size_mismatch");
  std::string entry =
      node_->Entry(node_->builder, Notarize(content, "B3-101", "drawing B3", /*in_archive=*/true));
  r = c.Post("/v1/entries", entry, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  auto receipt = ParseJson(r->body);
  std::string id = receipt->find("id")->as_string();

  // Replaying the same entry: the sequence number is spent.
  r = c.Post("/v1/entries", entry, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;  // already_exists
  EXPECT_EQ(ErrorCode(r->body), "envelope.replayed");

  std::string hex = ToHex(Sha256(content));
  r = c.Get("/v1/documents/" + hex);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto doc = ParseJson(r->body);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->find("notarized")->as_bool());
  const Json* proof = doc->find("proof");
  // Verify like a court would: consortium key, checkpoint, inclusion.
  auto cons = ParseJson(c.Get("/v1/consortium")->body);
  auto vkey = log::NoteVerifier::Parse(
      cons->find("members")->as_array()[0].find("verifier_key")->as_string());
  ASSERT_TRUE(vkey.ok());
  std::vector<log::NoteVerifier> keys = {*vkey};
  auto cp = log::OpenCheckpoint(proof->find("checkpoint")->as_string(), keys);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  std::vector<Digest> hashes;
  for (const Json& h : proof->find("hashes")->as_array()) {
    Digest d;
    ASSERT_TRUE(Digest::FromSpan(*Base64Decode(h.as_string()), &d));
    hashes.push_back(d);
  }
  auto e = ParseJson(c.Get("/v1/entries/" + id)->body);
  ASSERT_TRUE(e.ok());
  std::string signed_bytes = e->find("signed")->as_string();
  merkle::LogHasher hasher;
  Status v = merkle::VerifyInclusion(hasher, proof->find("index")->as_uint64(), cp->checkpoint.size,
                                     hasher.HashLeaf(AsBytes(signed_bytes)), hashes,
                                     cp->checkpoint.root_hash);
  EXPECT_TRUE(v.ok()) << v.ToString();
  EXPECT_EQ(e->find("party")->as_string(), "builder-co");

  r = c.Get("/v1/houses/B3-101");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Get("/v1/entries?type=doc.notarize&limit=10");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find(id), std::string::npos);
  // Two index-term filters cannot both select entries.
  r = c.Get("/v1/entries?house=B3-101&acceptance=" + id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorCode(r->body), "request.bad_query");
  // An acceptance filter for a record that has no signatures selects nothing.
  r = c.Get("/v1/entries?acceptance=" + id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.find(id), std::string::npos) << r->body;
  r = c.Get("/v1/entries/" + id + "/proof");
  EXPECT_EQ(r->status, 200);
  r = c.Get("/v1/checkpoints/latest?format=json");
  EXPECT_EQ(r->status, 200);
  auto latest = ParseJson(r->body);
  uint64_t size = latest->find("size")->as_uint64();
  r = c.Get("/v1/checkpoints/" + std::to_string(size));
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Get("/v1/proofs/consistency?from=1&to=" + std::to_string(size));
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Get("/v1/blocks/0");
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Get("/v1/keys/" + ledger::ToHex(node_->builder.id));
  EXPECT_EQ(r->status, 200) << r->body;
}

// GET /v1/documents/{sha256} writes its JSON directly (the hot public
// path) and takes proofs from an in-memory node cache; it must equal, byte
// for byte, what the generic routes give for the same entries and proof.
TEST_F(NodeApiTest, DocumentAnswerEqualsEntryAndProofRoutes) {
  auto c = node_->Client();
  std::vector<std::string> digests;
  // Titles that need escaping (control characters are refused at
  // validation, field.unsafe_text); one block per entry, so the log size
  // moves through sizes with and without incomplete right edges.
  const char* titles[] = {"plain", "quote \" and \\ backslash", "slash / 🏠 𠀀 nbsp\u00a0end",
                          "竣工图 — 第3栋", "}{][,:"};
  for (int i = 0; i < 13; ++i) {
    std::string content = "doc-equality " + std::to_string(i);
    auto r = c.Post("/v1/entries",
                    node_->Entry(node_->builder, Notarize(content, "EQ-1", titles[i % 5])),
                    "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
    digests.push_back(ToHex(Sha256(content)));
  }
  for (const std::string& hex : digests) {
    auto doc = c.Get("/v1/documents/" + hex);
    ASSERT_TRUE(doc);
    ASSERT_EQ(doc->status, 200) << doc->body;
    EXPECT_EQ(doc->get_header_value("Content-Type"), "application/json");
    auto j = ParseJson(doc->body);
    ASSERT_TRUE(j.ok()) << doc->body;
    std::string expect = "{\"entries\":[";
    bool first = true;
    for (const Json& e : j->find("entries")->as_array()) {
      auto one = c.Get("/v1/entries/" + e.find("id")->as_string());
      ASSERT_TRUE(one);
      ASSERT_EQ(one->status, 200);
      if (!first) expect += ",";
      first = false;
      expect += one->body;
    }
    std::string id = j->find("entries")->as_array()[0].find("id")->as_string();
    auto proof = c.Get("/v1/entries/" + id + "/proof");
    ASSERT_TRUE(proof);
    ASSERT_EQ(proof->status, 200);
    expect += "],\"in_archive\":false,\"notarized\":true,\"proof\":" + proof->body +
              ",\"sha256\":\"" + hex + "\"}";
    EXPECT_EQ(doc->body, expect);
  }
  // Unknown digest: still the stable error.
  auto r = c.Get("/v1/documents/" + std::string(64, '0'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(ErrorCode(r->body), "document.not_notarized");
}

TEST_F(NodeApiTest, ConcurrentSubmissions) {
  // One key per thread keeps each key's sequence numbers in order.
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < node_->workers.size(); ++t) {
    threads.emplace_back([&, t] {
      auto c = node_->Client();
      for (int i = 0; i < 25; ++i) {
        std::string content = "concurrent " + std::to_string(t) + "/" + std::to_string(i);
        std::string e = node_->Entry(node_->workers[t], Notarize(content, "H-1", "c"));
        auto r = c.Post("/v1/entries", e, "application/json");
        if (r && r->status == 201) ++created;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 100);
}

TEST_F(NodeApiTest, BlobPutGetRangeHead) {
  auto c = node_->Client();
  std::string data(300000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  std::string hex = ToHex(Sha256(data));
  std::string target = "/v1/blobs/" + hex;
  auto r = c.Put(target, NodeProcess::Signed(node_->builder, "PUT", target, data), data,
                 "application/octet-stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  r = c.Put(target, NodeProcess::Signed(node_->builder, "PUT", target, data), data,
            "application/octet-stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Get(target);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body == data) << "body differs, size " << r->body.size();
  r = c.Get(target, {{"Range", "bytes=10-19"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_TRUE(r->body == data.substr(10, 10)) << r->body.substr(0, 200);
  r = c.Head(target);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Length"), std::to_string(data.size()));
  // Bytes that do not hash to the path: rejected, nothing stored.
  std::string other = "not the same bytes";
  std::string t2 = "/v1/blobs/" + ToHex(Sha256("something else"));
  auto h = NodeProcess::Signed(node_->builder, "PUT", t2, other);
  r = c.Put(t2, h, other, "application/octet-stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(ErrorCode(r->body), "auth.digest_mismatch");
  r = c.Get(t2);
  EXPECT_EQ(r->status, 404);
}

// A blob big enough for the server's big-buffer body reads (several MiB,
// sent as fast as loopback allows) arrives intact.
TEST_F(NodeApiTest, LargeBlobRoundTrip) {
  auto c = node_->Client();
  std::string data(6 * 1024 * 1024 + 12345, '\0');
  uint32_t x = 12345;
  for (char& ch : data) {
    x = x * 1103515245u + 12345u;
    ch = static_cast<char>(x >> 24);
  }
  std::string hex = ToHex(Sha256(data));
  std::string target = "/v1/blobs/" + hex;
  auto r = c.Put(target, NodeProcess::Signed(node_->builder, "PUT", target, data), data,
                 "application/octet-stream");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  r = c.Get(target);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(ToHex(Sha256(r->body)), hex);
  // One byte changed, signed as the path digest: the whole body is read,
  // hashed while stored, and refused.
  std::string bad = data;
  bad[5 * 1024 * 1024] ^= 1;
  std::string other = "/v1/blobs/" + ToHex(Sha256(data + "x"));
  auto h = api::SignRequestWithDigest(node_->builder.id, node_->builder.keys.secret_key, "PUT",
                                      other, api::ContentDigestFromSha256(Sha256(data + "x")));
  ASSERT_TRUE(h.ok());
  r = c.Put(other,
            {{"Content-Digest", h->content_digest},
             {"Signature-Input", h->signature_input},
             {"Signature", h->signature}},
            bad, "application/octet-stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(ErrorCode(r->body), "blob.digest_mismatch");
  EXPECT_EQ(c.Head(other)->status, 404);

  // Range reads of a large blob are verified against its chunk index: a
  // range across chunk boundaries is served; after one stored byte of chunk
  // 3 flips, a range in chunk 3 is refused (the response is cut, never the
  // wrong bytes) while a range in chunk 0 is still served.
  constexpr size_t kMiB = 1 << 20;
  r = c.Get(target,
            {{"Range", "bytes=" + std::to_string(kMiB - 7) + "-" + std::to_string(3 * kMiB + 7)}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 206);
  EXPECT_TRUE(r->body == data.substr(kMiB - 7, 2 * kMiB + 15));
  std::string path = node_->dir.File("data") + "/archive/blobs/" + hex.substr(0, 2) + "/" +
                     hex.substr(2, 2) + "/" + hex;
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << path;
    f.seekp(static_cast<std::streamoff>(3 * kMiB + 100));
    f.put(static_cast<char>(data[3 * kMiB + 100] ^ 1));
  }
  r = c.Get(target, {{"Range",
                      "bytes=" + std::to_string(3 * kMiB) + "-" + std::to_string(3 * kMiB + 999)}});
  // The stored bytes are damaged, so any complete 206 body would be wrong:
  // the server must cut the response instead.
  EXPECT_FALSE(r && r->status == 206 && r->body.size() == 1000)
      << (r ? std::to_string(r->status) + " " + std::to_string(r->body.size()) : "cut");
  r = c.Get(target, {{"Range", "bytes=0-999"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_TRUE(r->body == data.substr(0, 1000));
}

TEST_F(NodeApiTest, ResumableUpload) {
  auto c = node_->Client();
  std::string data(20 << 20, 'q');
  data[12345] = 'z';
  std::string hex = ToHex(Sha256(data));
  Json session = node_->BeginUpload(c, data);
  ASSERT_TRUE(session.is_object());
  std::string id = session.find("upload_id")->as_string();
  uint64_t part = session.find("part_size")->as_uint64();
  uint64_t parts = session.find("parts")->as_uint64();
  ASSERT_EQ(parts, 3u);
  for (int n : {2, 0, 1}) {
    std::string chunk = data.substr(n * part, part);
    std::string t = "/v1/uploads/" + id + "/parts/" + std::to_string(n);
    auto r = c.Put(t, NodeProcess::Signed(node_->builder, "PUT", t, chunk), chunk,
                   "application/octet-stream");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  auto r = c.Get("/v1/uploads/" + id);
  EXPECT_EQ(r->status, 200);
  std::string t = "/v1/uploads/" + id + "/complete";
  r = c.Post(t, NodeProcess::Signed(node_->builder, "POST", t, ""), "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  r = c.Head("/v1/blobs/" + hex);
  EXPECT_EQ(r->status, 200);
}

TEST_F(NodeApiTest, HouseholdReadIsAccessLogged) {
  auto c = node_->Client();
  std::string hh(64, 'a');
  std::string target = "/v1/households/" + hh;
  // The builder's role may not read personal data.
  auto r = c.Get(target, NodeProcess::SignedRead(node_->builder, target, "checking"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(ErrorCode(r->body), "auth.forbidden");
  // No reason: refused.
  r = c.Get(target, NodeProcess::Signed(node_->auditor, "GET", target, ""));
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorCode(r->body), "request.missing_reason");
  // A reason the signature does not cover (added, or rewritten by a
  // proxy): refused before anything is logged.
  auto h = NodeProcess::Signed(node_->auditor, "GET", target, "");
  h.emplace("X-TZ-Reason", "annual audit 2026");
  r = c.Get(target, h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << r->body;
  EXPECT_EQ(ErrorCode(r->body), "auth.uncovered_header");
  for (const auto& [field, rewritten] :
       {std::pair<const char*, const char*>{"X-TZ-Reason", "curiosity"},
        {"X-TZ-Purpose", "lease_management"}}) {
    h = NodeProcess::SignedRead(node_->auditor, target, "annual audit 2026", "audit");
    h.find(field)->second = rewritten;
    r = c.Get(target, h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << field << " " << r->body;
    EXPECT_EQ(ErrorCode(r->body), "auth.bad_signature") << field;
  }
  // Everything in order, but this node has no household vault (--kek): it
  // cannot keep the reason sealed, so it does not answer (the full read path
  // is in household_files_test.cc).
  r = c.Get(target, NodeProcess::SignedRead(node_->auditor, target, "annual audit 2026"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(ErrorCode(r->body), "household.vault_unavailable");
}

TEST_F(NodeApiTest, AuthFailures) {
  auto c = node_->Client();
  std::string body = "{}";
  std::string t = "/v1/uploads";
  auto code = [&](const httplib::Headers& h, const std::string& b = "{}") {
    auto r = c.Post(t, h, b, "application/json");
    return r ? std::to_string(r->status) + " " + ErrorCode(r->body) : std::string("no response");
  };
  EXPECT_EQ(code({}), "401 auth.missing");
  auto h = NodeProcess::Signed(node_->builder, "POST", t, body);
  auto forged = h;
  forged.erase("Signature");
  std::string sig(64, '\x01');
  forged.emplace("Signature", "tz=:" + Base64Encode(AsBytes(sig)) + ":");
  EXPECT_EQ(code(forged), "401 auth.bad_signature");
  // Signed for another path.
  EXPECT_EQ(code(NodeProcess::Signed(node_->builder, "POST", "/v1/other", body)),
            "401 auth.bad_signature");
  int64_t now = NowMs() / 1000;
  EXPECT_EQ(code(NodeProcess::Signed(node_->builder, "POST", t, body, now - 3600)),
            "401 auth.expired");
  EXPECT_EQ(code(NodeProcess::Signed(node_->builder, "POST", t, body, now + 3600)),
            "401 auth.expired");
  TestKey stranger = MakeKey("nobody");
  EXPECT_EQ(code(NodeProcess::Signed(stranger, "POST", t, body)), "401 auth.unknown_key");
  auto bad_input = h;
  bad_input.erase("Signature-Input");
  bad_input.emplace("Signature-Input", "tz=(\"@method\");created=1");
  EXPECT_EQ(code(bad_input), "401 auth.malformed");
  // A body other than the one signed.
  EXPECT_EQ(code(h, "{\"x\":1}"), "400 auth.digest_mismatch");
  // First use passes auth (the body itself is invalid), the replay does not.
  auto fresh = NodeProcess::Signed(node_->builder, "POST", t, body);
  EXPECT_EQ(code(fresh).substr(0, 3), "400");
  EXPECT_EQ(code(fresh), "401 auth.replayed");
}

// Every path in the OpenAPI document is served (no http.not_found and no
// 405), and the document lists exactly the routes of docs/api.md.
TEST_F(NodeApiTest, OpenApiMatchesRoutesAndContract) {
  auto c = node_->Client();
  auto r = c.Get("/v1/openapi.json");
  ASSERT_TRUE(r);
  auto doc = ParseJson(r->body);
  ASSERT_TRUE(doc.ok());
  std::set<std::string> in_doc;
  for (const auto& [path, ops] : doc->find("paths")->as_object()) {
    for (const auto& [method, op] : ops.as_object()) {
      std::string m = method;
      for (char& ch : m) ch = static_cast<char>(std::toupper(ch));
      std::string concrete =
          std::regex_replace(path, std::regex("\\{(sha256|id64)\\}"), std::string(64, '0'));
      concrete =
          std::regex_replace(concrete, std::regex("\\{(keyid|upload)\\}"), std::string(32, '0'));
      concrete = std::regex_replace(concrete, std::regex("\\{n\\}"), "1");
      concrete = std::regex_replace(concrete, std::regex("\\{(name|file)\\}"), "x");
      httplib::Request req;
      auto res = m == "GET"    ? c.Get(concrete)
                 : m == "HEAD" ? c.Head(concrete)
                 : m == "PUT"  ? c.Put(concrete, "", "application/octet-stream")
                               : c.Post(concrete, "", "application/json");
      ASSERT_TRUE(res) << m << " " << concrete;
      EXPECT_NE(res->status, 405) << m << " " << concrete;
      EXPECT_NE(ErrorCode(res->body), "http.not_found") << m << " " << concrete;
      if (path.rfind("/portal", 0) != 0 && path != "/") in_doc.insert(m + " " + path);
    }
  }
  // The contract: every "`METHOD /v1/...`" in docs/api.md.
  std::string api_md = ReadFile(std::string(TZ_SOURCE_DIR) + "/docs/api.md");
  std::set<std::string> in_contract;
  std::regex route("`(GET|PUT|POST|HEAD) (/v1/[^` ?\\[]*)");
  for (auto it = std::sregex_iterator(api_md.begin(), api_md.end(), route);
       it != std::sregex_iterator(); ++it) {
    std::string p = std::regex_replace((*it)[2].str(), std::regex("\\{[a-z0-9_]+\\}"), "{}");
    in_contract.insert((*it)[1].str() + " " + p);
  }
  std::set<std::string> normalized;
  for (const auto& s : in_doc) {
    normalized.insert(std::regex_replace(s, std::regex("\\{[a-z0-9_*]+\\}"), "{}"));
  }
  EXPECT_EQ(normalized, in_contract);
}

}  // namespace
}  // namespace tz::testing
