// Evidence packages and trusted time against real `tiezheng` processes on
// 127.0.0.1: a node acting as RFC 3161 TSA stamps its checkpoints; documents
// notarized with the CLI are exported through GET /v1/evidence and
// `tiezheng evidence export --node`, verified offline (exit 0; a tampered
// copy exits 1 with the right reason) and their tokens pass
// `openssl ts -verify`; a second node fetches its tokens from the first by
// URL; a third keeps committing while its external TSA (`openssl ts -reply`
// behind a small HTTP server) is down and gets its token once it is up.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <string>
#include <thread>

#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/keyfile.h"
#include "crypto/timestamp.h"
#include "evidence/tar.h"
#include "integration/node_fixture.h"

namespace tz::testing {
namespace {

using namespace std::chrono_literals;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(a.sin_port);
}

class EvidenceApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home_ = new TempDir();
    setenv("TZ_HOME", home_->path().c_str(), 1);
    RunResult pki = tz::testing::Run(
        {"bash", std::string(TZ_SOURCE_DIR) + "/deploy/make-tsa-cert.sh", home_->File("pki")});
    ASSERT_EQ(pki.exit_code, 0) << pki.err;
    tsa_ = new NodeProcess({"--tsa-cert", Pki("tsa.pem"), "--tsa-key", Pki("tsa.key")});
  }
  static void TearDownTestSuite() {
    delete tsa_;
    delete home_;
    tsa_ = nullptr;
    home_ = nullptr;
    unsetenv("TZ_HOME");
  }
  void SetUp() override { ASSERT_GT(tsa_->port, 0) << tsa_->init_output << tsa_->start_output; }

  static std::string Pki(const std::string& f) { return home_->File("pki") + "/" + f; }
  static std::string Url(const NodeProcess& n) {
    return "http://127.0.0.1:" + std::to_string(n.port);
  }
  static std::string KeyFile(const NodeProcess& n, const TestKey& k, const std::string& name) {
    std::string path = home_->File(name + ".key");
    if (!std::filesystem::exists(path)) {
      NamedKeyPair kp{name, KeyPair{k.keys.public_key, k.keys.secret_key.Clone()}};
      EXPECT_TRUE(WriteKeyFile(path, kp).ok());
    }
    (void)n;
    return path;
  }
  // Notarizes a new file with the CLI as the node's builder; returns its digest.
  static std::string Notarize(NodeProcess& n, const std::string& key_name, const std::string& name,
                              const std::string& text, const std::string& house) {
    std::string path = home_->File(name);
    WriteFile(path, text);
    RunResult r = Tz({"notarize", path, "--type", "warranty", "--house", house, "--project", "p1",
                      "--key", KeyFile(n, n.builder, key_name), "--server", Url(n), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return ToHex(Sha256(text));
  }
  static uint64_t HeadSize(NodeProcess& n) {
    auto r = n.Client().Get("/v1/health");
    if (!r || r->status != 200) return 0;
    return ParseJson(r->body)->find("size")->as_uint64();
  }
  // Waits until the head checkpoint has a stored token (of `source`, if given).
  static bool WaitForToken(NodeProcess& n, const std::string& source = "",
                           std::chrono::seconds limit = 20s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string q = "/v1/checkpoints/" + std::to_string(HeadSize(n)) + "/timestamp";
      if (!source.empty()) q += "?source=" + source;
      auto r = n.Client().Get(q);
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  static std::string SaveConsortium(NodeProcess& n, const std::string& file) {
    auto r = n.Client().Get("/v1/consortium");
    EXPECT_TRUE(r && r->status == 200);
    WriteFile(home_->File(file), r ? r->body : "");
    return home_->File(file);
  }
  static Json VerifyJson(const std::string& pkg, const std::vector<std::string>& extra,
                         int* exit_code) {
    std::vector<std::string> args = {"evidence", "verify", pkg, "--json"};
    for (const auto& e : extra) args.push_back(e);
    RunResult r = Tz(args);
    *exit_code = r.exit_code;
    auto j = ParseJson(r.out);
    EXPECT_TRUE(j.ok()) << r.out << r.err;
    return j.ok() ? *j : Json();
  }
  static std::string Str(const Json& j, const char* key) {
    const Json* v = j.find(key);
    return v != nullptr && v->is_string() ? v->as_string() : "";
  }
  // Unpacks a package and runs `openssl ts -verify` on every token in it;
  // returns how many passed (and fails the test for any that did not).
  static int OpensslVerifyTokens(const std::string& pkg, const std::string& dir) {
    std::filesystem::create_directories(dir);
    EXPECT_EQ(tz::testing::Run({"tar", "-xf", pkg, "-C", dir}).exit_code, 0);
    int ok = 0;
    if (!std::filesystem::exists(dir + "/timestamps")) return 0;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/timestamps")) {
      std::string size = e.path().stem().string();
      RunResult r = tz::testing::Run({"openssl", "ts", "-verify", "-data",
                                      dir + "/checkpoints/" + size + ".note", "-in",
                                      e.path().string(), "-token_in", "-CAfile", Pki("ca.pem")});
      EXPECT_EQ(r.exit_code, 0) << size << ": " << r.out << r.err;
      EXPECT_NE(r.out.find("Verification: OK"), std::string::npos) << r.out;
      ok += r.exit_code == 0;
    }
    return ok;
  }

  static TempDir* home_;
  static NodeProcess* tsa_;
};
TempDir* EvidenceApi::home_ = nullptr;
NodeProcess* EvidenceApi::tsa_ = nullptr;

TEST_F(EvidenceApi, ApiExportVerifiesOfflineAndATamperedCopyDoesNot) {
  const std::string text = "质量保修书 5-501: roof 5 years, pipes 2 years\n";
  std::string digest = Notarize(*tsa_, "builder-a", "warranty-5-501.txt", text, "5-501");
  Notarize(*tsa_, "builder-a", "manual-5-501.txt", "使用说明书 5-501\n", "5-501");
  ASSERT_TRUE(WaitForToken(*tsa_));

  auto res = tsa_->Client().Get("/v1/evidence?document=" + digest);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/x-tar");
  EXPECT_EQ(res->get_header_value("Content-Disposition"),
            "attachment; filename=\"tiezheng-evidence-document-" + digest.substr(0, 16) + ".tar\"");
  EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(res->body.size()));
  std::string pkg = home_->File("api.tar");
  WriteFile(pkg, res->body);

  std::string trust = SaveConsortium(*tsa_, "consortium-a.json");
  int code = -1;
  Json v = VerifyJson(pkg, {"--tsa-ca", Pki("ca.pem"), "--trust", trust}, &code);
  EXPECT_EQ(code, 0) << v.Pretty();
  EXPECT_EQ(Str(v, "verdict"), "verified");
  // Time-stamps checked against the TSA's CA: at least the newest checkpoint
  // carries one, every one passes, and openssl agrees.
  int stamped = 0;
  for (const Json& c : v.find("checks")->as_array()) {
    if (Str(c, "check") != "timestamp") continue;
    EXPECT_EQ(Str(c, "status"), "passed") << c.Canonical();
    ++stamped;
  }
  EXPECT_GE(stamped, 1);
  EXPECT_EQ(OpensslVerifyTokens(pkg, home_->File("api-unpacked")), stamped);
  auto manifest = ParseJson(ReadFile(home_->File("api-unpacked") + "/manifest.json"));
  ASSERT_TRUE(manifest.ok());
  EXPECT_TRUE(manifest->find("checkpoints")->as_array().back().find("timestamp")->as_bool());

  // One byte of the document inside the tar.
  std::string tampered = res->body;
  size_t at = tampered.find("5 years");
  ASSERT_NE(at, std::string::npos);
  tampered[at] = '9';
  WriteFile(home_->File("tampered.tar"), tampered);
  v = VerifyJson(home_->File("tampered.tar"), {"--tsa-ca", Pki("ca.pem")}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(Str(v, "verdict"), "not_verified");
  EXPECT_EQ(Str(v, "reason"), "evidence.document_digest_mismatch");

  // A time-stamp for different data: the same TSA's genuine token over
  // other bytes, put in place of a checkpoint's token.
  TimeStampRequestOptions ro;
  auto q = BuildTimeStampRequest(Sha256(std::string("other data")), ro);
  ASSERT_TRUE(q.ok());
  auto answer =
      tsa_->Client().Post("/v1/tsa", std::string(AsString(*q)), "application/timestamp-query");
  ASSERT_TRUE(answer && answer->status == 200);
  auto token = ParseTimeStampResponse(AsBytes(answer->body));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto files = evidence::ReadTar(res->body);
  ASSERT_TRUE(files.ok());
  bool swapped = false;
  for (auto& f : *files) {
    if (f.name.rfind("timestamps/", 0) == 0 && !swapped) {
      f.data = std::string(AsString(*token));
      swapped = true;
    }
  }
  ASSERT_TRUE(swapped);
  WriteFile(home_->File("tampered-token.tar"), evidence::WriteTar(*files, 0).value());
  v = VerifyJson(home_->File("tampered-token.tar"), {"--tsa-ca", Pki("ca.pem")}, &code);
  EXPECT_EQ(code, 1) << v.Pretty();
  EXPECT_EQ(Str(v, "reason"), "tsa.digest_mismatch");
}

TEST_F(EvidenceApi, CliExportFromARunningNode) {
  Notarize(*tsa_, "builder-a", "drawing-6-601.txt", "竣工图 6-601 rev 3\n", "6-601");
  std::string doc2 = Notarize(*tsa_, "builder-a", "pipes-6-601.txt", "管网图 6-601\n", "6-601");
  ASSERT_TRUE(WaitForToken(*tsa_));
  std::string pkg = home_->File("house.tar");
  RunResult r = Tz({"evidence", "export", "--node", Url(*tsa_), "--house", "6-601", "-o", pkg});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(std::filesystem::exists(pkg + ".part"));
  int code = -1;
  Json v = VerifyJson(pkg, {"--tsa-ca", Pki("ca.pem")}, &code);
  EXPECT_EQ(code, 0) << v.Pretty();
  auto files = tz::testing::Run({"tar", "-tf", pkg});
  EXPECT_NE(files.out.find("documents/" + doc2), std::string::npos) << files.out;
  EXPECT_NE(files.out.find("report.html"), std::string::npos);

  // --withhold: digests only.
  std::string held = home_->File("house-withheld.tar");
  r = Tz(
      {"evidence", "export", "--node", Url(*tsa_), "--house", "6-601", "--withhold", "-o", held});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  files = tz::testing::Run({"tar", "-tf", held});
  EXPECT_EQ(files.out.find("documents/"), std::string::npos) << files.out;
  v = VerifyJson(held, {}, &code);
  EXPECT_EQ(code, 0);

  // Unknown subject: the node's error, exit 3, no file left behind.
  std::string none = home_->File("none.tar");
  r = Tz(
      {"evidence", "export", "--node", Url(*tsa_), "--document", std::string(64, 'e'), "-o", none});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("evidence.subject_not_found"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(none));
  EXPECT_FALSE(std::filesystem::exists(none + ".part"));
  // A bad id never reaches the node's ledger: 400 from the node, exit 3.
  r = Tz({"evidence", "export", "--node", Url(*tsa_), "--house", "../etc", "-o", none});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("request.bad_id"), std::string::npos) << r.err;
  // Nobody listening: exit 4.
  r = Tz({"evidence", "export", "--node", "http://127.0.0.1:" + std::to_string(FreePort()),
          "--house", "6-601", "-o", none});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  // --node with --data is a usage error.
  r = Tz({"evidence", "export", "--node", Url(*tsa_), "--data", "/tmp", "--house", "6-601", "-o",
          none});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(EvidenceApi, BadQueriesGiveStableJsonErrors) {
  Notarize(*tsa_, "builder-a", "plan-7.txt", "plan 7\n", "7-701");
  struct Case {
    std::string query;
    int status;
    std::string code;
  };
  const std::string upper(64, 'A');
  const Case cases[] = {
      {"", 400, "request.bad_query"},
      {"document=" + std::string(63, 'a'), 400, "request.bad_digest"},
      {"document=" + upper, 400, "request.bad_digest"},
      {"document=..%2F..%2Fetc%2Fpasswd", 400, "request.bad_digest"},
      {"acceptance=xyz", 400, "request.bad_digest"},
      {"house=..%2F..%2Fetc", 400, "request.bad_id"},
      {"house=a%00b", 400, "request.bad_query"},
      {"house=..", 400, "request.bad_id"},
      {"case=" + std::string(65, 'c'), 400, "request.bad_id"},
      {"house=7-701&case=c1", 400, "request.bad_query"},
      {"house=7-701&house=7-702", 400, "request.bad_query"},
      {"house=7-701&format=zip", 400, "request.bad_query"},
      {"house=7-701&withhold=2", 400, "request.bad_query"},
      {"house=%zz", 400, "request.bad_query"},
      {"house=no-such-house", 404, "evidence.subject_not_found"},
      {"document=" + std::string(64, 'f'), 404, "evidence.subject_not_found"},
      {"acceptance=" + std::string(64, '0'), 404, "evidence.subject_not_found"},
  };
  auto c = tsa_->Client();
  for (const Case& k : cases) {
    auto r = c.Get("/v1/evidence?" + k.query);
    ASSERT_TRUE(r) << k.query;
    EXPECT_EQ(r->status, k.status) << k.query << " " << r->body;
    EXPECT_EQ(ErrorCode(r->body), k.code) << k.query << " " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << k.query;
  }
  // A notarization entry's id is not an acceptance record.
  auto doc = c.Get("/v1/documents/" + ToHex(Sha256(std::string("plan 7\n"))));
  ASSERT_TRUE(doc && doc->status == 200);
  std::string entry = Str(ParseJson(doc->body)->find("entries")->as_array()[0], "id");
  auto r = c.Get("/v1/evidence?acceptance=" + entry);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorCode(r->body), "evidence.bad_subject");
  // Other methods are not routes.
  auto p = c.Post("/v1/evidence?house=7-701", "", "application/json");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 405);
}

TEST_F(EvidenceApi, TsaEndpointAnswersOpensslQueries) {
  std::string data = home_->File("tsa-data.txt");
  WriteFile(data, "stamp me\n");
  std::string query = home_->File("q.tsq"), reply = home_->File("r.tsr");
  ASSERT_EQ(tz::testing::Run(
                {"openssl", "ts", "-query", "-data", data, "-sha256", "-cert", "-out", query})
                .exit_code,
            0);
  auto c = tsa_->Client();
  auto r = c.Post("/v1/tsa", ReadFile(query), "application/timestamp-query");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/timestamp-reply");
  WriteFile(reply, r->body);
  RunResult v = tz::testing::Run(
      {"openssl", "ts", "-verify", "-queryfile", query, "-in", reply, "-CAfile", Pki("ca.pem")});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  // Garbage gets an RFC 3161 rejection, not a token.
  r = c.Post("/v1/tsa", "not a request", "application/timestamp-query");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto st = ParseTimeStampResponseStatus(AsBytes(r->body));
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->granted());
  EXPECT_NE(st->text.find("badDataFormat"), std::string::npos) << st->text;
  // The wrong media type is a JSON error.
  r = c.Post("/v1/tsa", ReadFile(query), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorCode(r->body), "tsa.bad_content_type");
  // A checkpoint that does not exist has no token; a bad source is 400.
  r = c.Get("/v1/checkpoints/999999/timestamp");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = c.Get("/v1/checkpoints/1/timestamp?source=nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(ErrorCode(r->body), "request.bad_query");
}

TEST_F(EvidenceApi, SecondNodeFetchesItsTokensFromTheFirstByUrl) {
  NodeProcess b({"--tsa-url", Url(*tsa_) + "/v1/tsa", "--tsa-ca", Pki("ca.pem")});
  ASSERT_GT(b.port, 0) << b.init_output << b.start_output;
  // b is no TSA itself.
  auto r = b.Client().Post("/v1/tsa", "x", "application/timestamp-query");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(ErrorCode(r->body), "tsa.not_configured");

  std::string digest = Notarize(b, "builder-b", "b-warranty.txt", "B: 保修 3 years\n", "8-801");
  ASSERT_TRUE(WaitForToken(b, "external")) << b.start_output;
  r = b.Client().Get("/v1/checkpoints/" + std::to_string(HeadSize(b)) + "/timestamp");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("X-TZ-TSA-Source"), "external");
  // The token stamps exactly b's checkpoint note, signed by a's TSA.
  auto note = b.Client().Get("/v1/checkpoints/" + std::to_string(HeadSize(b)));
  ASSERT_TRUE(note && note->status == 200);
  auto info = VerifyTimeStampToken(AsBytes(r->body), Sha256(note->body), ReadFile(Pki("ca.pem")));
  EXPECT_TRUE(info.ok()) << info.status().ToString();

  std::string pkg = home_->File("b.tar");
  RunResult e = Tz({"evidence", "export", "--node", Url(b), "--document", digest, "-o", pkg});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  int code = -1;
  Json v =
      VerifyJson(pkg, {"--tsa-ca", Pki("ca.pem"), "--trust", SaveConsortium(b, "cb.json")}, &code);
  EXPECT_EQ(code, 0) << v.Pretty();
  EXPECT_GE(OpensslVerifyTokens(pkg, home_->File("b-unpacked")), 1);
  // a's consortium is not b's.
  v = VerifyJson(pkg, {"--trust", SaveConsortium(*tsa_, "ca-json.json")}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(Str(v, "reason"), "evidence.untrusted_consortium");
}

TEST_F(EvidenceApi, ExternalTsaDownDoesNotBlockCommitsAndIsRetried) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  NodeProcess c({"--tsa-url", "http://127.0.0.1:" + std::to_string(port) + "/tsr", "--tsa-ca",
                 Pki("ca.pem"), "--tsa-retry-max-ms", "200", "--tsa-timeout-ms", "2000"});
  ASSERT_GT(c.port, 0) << c.init_output << c.start_output;
  auto t0 = std::chrono::steady_clock::now();
  std::string digest = Notarize(c, "builder-c", "c-doc.txt", "C: acceptance report\n", "9-901");
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 10s);  // the notarization does not wait for the TSA
  // Failures are counted while nobody answers.
  auto failures = [&] {
    auto m = c.Client().Get("/v1/metrics");
    std::smatch sm;
    std::string body = m ? m->body : "";
    if (std::regex_search(body, sm,
                          std::regex("tz_tsa_failures_total\\{source=\"external\"\\} (\\d+)"))) {
      return std::stoi(sm[1]);
    }
    return -1;
  };
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (failures() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(failures(), 2);
  EXPECT_FALSE(WaitForToken(c, "external", 0s));

  // Now the TSA comes up: `openssl ts -reply` behind a tiny HTTP server.
  httplib::Server server;
  std::mutex mu;
  std::atomic<int> served{0};
  server.Post("/tsr", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(req.get_header_value("Content-Type"), "application/timestamp-query");
    std::string q = home_->File("srv.tsq"), out = home_->File("srv.tsr");
    WriteFile(q, req.body);
    RunResult r = tz::testing::Run(
        {"openssl", "ts", "-reply", "-config", Pki("tsa.cnf"), "-queryfile", q, "-out", out});
    if (r.exit_code != 0) {
      res.status = 500;
      return;
    }
    ++served;
    res.set_content(ReadFile(out), "application/timestamp-reply");
  });
  ASSERT_TRUE(server.bind_to_port("127.0.0.1", port));
  std::thread th([&] { server.listen_after_bind(); });
  bool got = WaitForToken(c, "external");
  server.stop();
  th.join();
  ASSERT_TRUE(got);
  EXPECT_GE(served.load(), 1);

  // The package carries openssl's token and verifies.
  std::string pkg = home_->File("c.tar");
  RunResult e = Tz({"evidence", "export", "--node", Url(c), "--document", digest, "-o", pkg});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  int code = -1;
  Json v = VerifyJson(pkg, {"--tsa-ca", Pki("ca.pem")}, &code);
  EXPECT_EQ(code, 0) << v.Pretty();
  EXPECT_GE(OpensslVerifyTokens(pkg, home_->File("c-unpacked")), 1);
}

}  // namespace
}  // namespace tz::testing
