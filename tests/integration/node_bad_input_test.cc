// Bad input over HTTP against the real binary: each gets a clear 4xx (or
// is cut off), and the node keeps serving everyone else.
#include <gtest/gtest.h>

#include "integration/node_fixture.h"

namespace tz::testing {
namespace {

class NodeBadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new NodeProcess({"--max-connections", "64", "--burst", "20", "--rate", "10"});
  }
  static void TearDownTestSuite() {
    delete node_;
    node_ = nullptr;
  }
  void SetUp() override { ASSERT_GT(node_->port, 0) << node_->init_output; }

  // Status line and error code of a raw request.
  std::pair<int, std::string> Raw(const std::string& request) {
    RawConn c(node_->port);
    EXPECT_TRUE(c.ok());
    c.Send(request);
    std::string resp = c.ReadAll(std::chrono::milliseconds(3000));
    if (resp.size() < 12) return {0, ""};
    size_t body = resp.find("\r\n\r\n");
    return {std::stoi(resp.substr(9, 3)),
            ErrorCode(body == std::string::npos ? "" : resp.substr(body + 4))};
  }
  static NodeProcess* node_;
};
NodeProcess* NodeBadInputTest::node_ = nullptr;

std::string Code(const httplib::Result& r) {
  return r ? std::to_string(r->status) + " " + ErrorCode(r->body) : "no response";
}

TEST_F(NodeBadInputTest, MalformedJsonAndUnknownFields) {
  auto c = node_->Client();
  auto post = [&](const std::string& body) {
    return Code(c.Post("/v1/uploads",
                       NodeProcess::Signed(node_->builder, "POST", "/v1/uploads", body), body,
                       "application/json"));
  };
  EXPECT_EQ(post("{\"sha256\":"), "400 json.syntax");
  EXPECT_EQ(post("{\"sha256\":\"" + std::string(64, 'a') + "\",\"size\":1,\"extra\":1}"),
            "400 json.unknown_field");
  EXPECT_EQ(post("{\"sha256\":\"" + std::string(64, 'a') + "\",\"size\":1.5}"), "400 json.float");
  EXPECT_EQ(post("{\"sha256\":\"" + std::string(64, 'A') + "\",\"size\":1}"),
            "400 request.bad_digest");
  // Entries: not JSON, not canonical, duplicate keys.
  EXPECT_EQ(Code(c.Post("/v1/entries", "not json", "application/json")), "400 json.syntax");
  EXPECT_EQ(Code(c.Post("/v1/entries", "{\"a\":1,\"a\":2}", "application/json")),
            "400 json.duplicate_key");
  EXPECT_EQ(Code(c.Post("/v1/entries", "{ \"chain\": 1 }", "application/json")),
            "400 envelope.not_canonical");
}

TEST_F(NodeBadInputTest, ExpiredAndFutureEntryTimes) {
  auto c = node_->Client();
  Json body = Json::MakeObject({{"type", Json("doc.notarize")},
                                {"v", Json(1)},
                                {"digest", Json(std::string(64, 'b'))},
                                {"size", Json(1)},
                                {"media_type", Json("application/pdf")},
                                {"title", Json("old")},
                                {"doc_type", Json("photo")},
                                {"project", Json("p")},
                                {"in_archive", Json(false)},
                                {"encrypted", Json(false)}});
  int64_t old = NowMs() - 30LL * 24 * 3600 * 1000;
  EXPECT_EQ(
      Code(c.Post("/v1/entries", node_->Entry(node_->builder, body, old), "application/json")),
      "400 envelope.time_skew");
  int64_t future = NowMs() + 3600LL * 1000;
  EXPECT_EQ(
      Code(c.Post("/v1/entries", node_->Entry(node_->builder, body, future), "application/json")),
      "400 envelope.time_skew");
}

TEST_F(NodeBadInputTest, HugeBodies) {
  auto c = node_->Client();
  std::string big(100 * 1024, 'x');
  EXPECT_EQ(Code(c.Post("/v1/entries", big, "application/json")), "413 http.body_too_large");
  // Declared too large: refused before reading.
  auto r = Raw("POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n");
  EXPECT_EQ(r.first, 413);
  EXPECT_EQ(r.second, "http.body_too_large");
  // Chunked, growing past the limit.
  std::string chunked =
      "POST /v1/entries HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  r = Raw(chunked);
  EXPECT_EQ(r.first, 413);
  // A body where none is allowed.
  r = Raw("GET /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(r.first, 413);
}

TEST_F(NodeBadInputTest, WrongContentLength) {
  auto r = Raw("POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}");
  EXPECT_EQ(r.first, 400);
  EXPECT_EQ(r.second, "http.bad_content_length");
  r = Raw(
      "POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
  EXPECT_EQ(r.first, 400);
  // Shorter body than declared: the node waits, then cuts the connection
  // (slow-body window) without answering garbage.
  RawConn c(node_->port);
  c.Send("POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}");
  bool closed = false;
  std::string resp = c.ReadAll(std::chrono::milliseconds(4000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(resp.find("201"), std::string::npos);
}

TEST_F(NodeBadInputTest, PathTricksInIds) {
  auto c = node_->Client();
  for (std::string p : std::vector<std::string>{
           "/v1/documents/..", "/v1/documents/..%2f..%2fetc%2fpasswd", "/v1/documents/%2e%2e",
           "/v1/blobs/" + std::string(63, 'a') + "%00", "/v1/blobs/" + std::string(64, 'A'),
           "/v1/blobs/" + std::string(63, 'a'), "/v1/blobs/" + std::string(65, 'a'),
           "/v1/entries/" + std::string(64, 'g'),
           "/v1/documents/" + std::string(62, 'a') + "%2f"}) {
    EXPECT_EQ(Code(c.Get(p)), "400 request.bad_digest") << p;
  }
  EXPECT_EQ(Code(c.Get("/v1/houses/..")), "400 request.bad_id");
  EXPECT_EQ(Code(c.Get("/v1/houses/a%2fb")), "400 request.bad_id");
  EXPECT_EQ(Code(c.Get("/v1/keys/zz")), "400 request.bad_key_id");
  EXPECT_EQ(Code(c.Get("/v1/blocks/01")), "400 request.bad_number");
  EXPECT_EQ(Code(c.Get("/v1/nothing")), "404 http.not_found");
  EXPECT_EQ(Code(c.Delete("/v1/health")), "405 http.method_not_allowed");
  EXPECT_EQ(Code(c.Get("/portal/../../etc/passwd")), "404 portal.not_found");
  EXPECT_EQ(Code(c.Get("/portal/.hidden")), "404 portal.not_found");
  // A raw NUL byte in the target.
  auto r = Raw(std::string("GET /v1/blobs/a\0b HTTP/1.1\r\nHost: x\r\n\r\n", 36));
  EXPECT_EQ(r.first, 400);
}

TEST_F(NodeBadInputTest, RateLimitPerKey) {
  auto c = node_->Client();
  int limited = 0;
  for (int i = 0; i < 40; ++i) {
    std::string t = "/v1/uploads";
    auto r =
        c.Post(t, NodeProcess::Signed(node_->auditor, "POST", t, "{}"), "{}", "application/json");
    if (r && r->status == 429) {
      EXPECT_EQ(ErrorCode(r->body), "http.rate_limited");
      ++limited;
    }
  }
  EXPECT_GT(limited, 0);
}

// A client that sends one byte per second is cut off, while another client
// is served promptly the whole time.
TEST_F(NodeBadInputTest, SlowClientsAreCutOffOthersServed) {
  RawConn slow_body(node_->port), slow_head(node_->port);
  ASSERT_TRUE(slow_body.ok() && slow_head.ok());
  slow_body.Send("POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
  slow_head.Send("GET /v1/hea");
  std::atomic<bool> done{false};
  std::atomic<int> served{0}, slow_answers{0};
  std::thread other([&] {
    auto c = node_->Client();
    while (!done) {
      auto t0 = std::chrono::steady_clock::now();
      auto r = c.Get("/v1/health");
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
      if (r && r->status == 200) ++served;
      if (ms > 500) ++slow_answers;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  auto start = std::chrono::steady_clock::now();
  bool body_cut = false, head_cut = false;
  for (int i = 0; i < 6 && !(body_cut && head_cut); ++i) {
    if (!body_cut) body_cut = !slow_body.Send("x");
    if (!head_cut) head_cut = !slow_head.Send("l");
    bool closed = false;
    std::string got = slow_body.ReadAll(std::chrono::milliseconds(500), &closed);
    if (closed || got.find("408") != std::string::npos) body_cut = true;
    got = slow_head.ReadAll(std::chrono::milliseconds(500), &closed);
    if (closed) head_cut = true;
  }
  done = true;
  other.join();
  auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_TRUE(body_cut) << "slow body not cut off after " << secs << " s";
  EXPECT_TRUE(head_cut) << "slow head not cut off after " << secs << " s";
  EXPECT_GT(served.load(), 20);
  EXPECT_EQ(slow_answers.load(), 0);
}

// A signed PUT /v1/blobs head for `data` (Content-Length framing).
std::string BlobPutHead(const TestKey& k, const std::string& data) {
  std::string target = "/v1/blobs/" + ToHex(Sha256(data));
  std::string head = "PUT " + target +
                     " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(data.size()) +
                     "\r\n";
  for (const auto& [name, value] : NodeProcess::Signed(k, "PUT", target, data)) {
    head += name + ": " + value + "\r\n";
  }
  return head + "\r\n";
}

// Content-Length bodies are read with a once-per-window rate watchdog
// instead of a per-read timer: a body that keeps above --min-body-rate is
// never cut, however many windows it spans, and the bytes after it on the
// same connection are the next request.
TEST_F(NodeBadInputTest, SlowButSufficientBodyIsAcceptedAndPipeliningWorks) {
  std::string data(12 * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  RawConn c(node_->port);
  ASSERT_TRUE(c.ok());
  // The head and the first bytes of the body in one packet.
  ASSERT_TRUE(c.Send(BlobPutHead(node_->workers[0], data) + data.substr(0, 100)));
  auto t0 = std::chrono::steady_clock::now();
  size_t sent = 100;
  while (sent < data.size()) {  // ~7.5 KiB/s for ~1.6 s: spans two 1 s windows
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    size_t n = std::min<size_t>(1536, data.size() - sent);
    std::string piece = data.substr(sent, n);
    sent += n;
    if (sent == data.size()) piece += "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_TRUE(c.Send(piece)) << "cut off after " << sent << " bytes";
  }
  EXPECT_GT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1200));
  std::string got = c.ReadAll(std::chrono::milliseconds(2000));
  ASSERT_EQ(got.substr(0, 12), "HTTP/1.1 201") << got;
  EXPECT_NE(got.find(ToHex(Sha256(data))), std::string::npos) << got;
  size_t second = got.find("HTTP/1.1 200");
  ASSERT_NE(second, std::string::npos) << got;
  EXPECT_NE(got.find("\"status\":\"ok\"", second), std::string::npos) << got;
  auto client = node_->Client();
  auto r = client.Get("/v1/blobs/" + ToHex(Sha256(data)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), data.size());
  EXPECT_TRUE(r->body == data);
}

// A body that trickles in below --min-body-rate (here ~800 B/s against
// 1024 B/s) without ever stalling is answered 408 and closed.
TEST_F(NodeBadInputTest, TrickleBelowMinimumRateGets408) {
  std::string data(100 * 1024, 'z');
  RawConn c(node_->port);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send(BlobPutHead(node_->workers[1], data)));
  std::string got;
  bool closed = false;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t sent = 0; sent < data.size() && !closed && got.empty();) {
    if (!c.Send(data.substr(sent, 200))) break;
    sent += 200;
    got = c.ReadAll(std::chrono::milliseconds(250), &closed);
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(6)) << "not cut off";
  }
  if (!closed) got += c.ReadAll(std::chrono::milliseconds(1000), &closed);
  EXPECT_EQ(got.substr(0, 12), "HTTP/1.1 408") << got;
  EXPECT_NE(got.find("http.timeout"), std::string::npos) << got;
  EXPECT_TRUE(closed);
}

TEST_F(NodeBadInputTest, ConnectionCap) {
  std::vector<std::unique_ptr<RawConn>> conns;
  for (int i = 0; i < 70; ++i) conns.push_back(std::make_unique<RawConn>(node_->port));
  // The 65th and later connections are answered 503 and closed.
  bool saw_503 = false;
  for (size_t i = 60; i < conns.size(); ++i) {
    std::string got = conns[i]->ReadAll(std::chrono::milliseconds(200));
    if (got.find(" 503 ") != std::string::npos &&
        got.find("http.too_many_connections") != std::string::npos) {
      saw_503 = true;
    }
  }
  EXPECT_TRUE(saw_503);
  conns.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto c = node_->Client();
  auto r = c.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(NodeBadInputTest, GracefulShutdownOnSigterm) {
  // Use a separate node so the shared one keeps running.
  NodeProcess n;
  ASSERT_GT(n.port, 0);
  auto c = n.Client();
  ASSERT_TRUE(c.Get("/v1/health"));
  EXPECT_EQ(n.Stop(), 0);
}

}  // namespace
}  // namespace tz::testing
