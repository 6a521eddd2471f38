// Message framing per RFC 9112 §6, over a raw socket against the real
// binary: every request whose body length cannot be determined is answered
// 400 (501 for a coding the node does not implement) and the connection is
// closed, so bytes after the head can never run as a second request.
#include <gtest/gtest.h>

#include "integration/node_fixture.h"

namespace tz::testing {
namespace {

class HttpFramingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { node_ = new NodeProcess({"--burst", "200", "--rate", "100"}); }
  static void TearDownTestSuite() {
    delete node_;
    node_ = nullptr;
  }
  void SetUp() override { ASSERT_GT(node_->port, 0) << node_->init_output; }

  struct Answer {
    std::string raw;
    bool closed = false;
    int status() const { return raw.size() >= 12 ? std::stoi(raw.substr(9, 3)) : 0; }
    // The error code of the first response (its body ends where the next
    // status line starts).
    std::string code() const {
      size_t body = raw.find("\r\n\r\n");
      if (body == std::string::npos) return "";
      size_t next = raw.find("HTTP/1.1 ", body);
      return ErrorCode(raw.substr(body + 4, next == std::string::npos ? next : next - body - 4));
    }
    // Number of status lines: more than one means the node ran a second
    // request out of the bytes it should have treated as a body.
    size_t responses() const {
      size_t n = 0;
      for (size_t p = raw.find("HTTP/1.1 "); p != std::string::npos;
           p = raw.find("HTTP/1.1 ", p + 1)) {
        if (p + 12 < raw.size() && std::isdigit(static_cast<unsigned char>(raw[p + 9])) &&
            raw[p + 12] == ' ') {
          ++n;
        }
      }
      return n;
    }
  };

  static Answer Exchange(const std::string& bytes) {
    RawConn c(node_->port);
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE(c.Send(bytes));
    Answer a;
    a.raw = c.ReadAll(std::chrono::milliseconds(3000), &a.closed);
    return a;
  }

  static NodeProcess* node_;
};
NodeProcess* HttpFramingTest::node_ = nullptr;

// What a smuggler sends: a second request hidden where a front proxy that
// honours the coding would see body bytes.
const char kHidden[] = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";

std::string PostWith(const std::string& framing_headers, const std::string& body) {
  return "POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
         framing_headers + "\r\n" + body;
}

TEST_F(HttpFramingTest, TransferEncodingNotEndingInChunkedIs400AndCloses) {
  for (const std::string te : {"identity", "chunked, identity", "xchunked", "chunked;q=1, gzip",
                               "gzip", ",", "chunked , , identity", "chunkedx"}) {
    SCOPED_TRACE(te);
    std::string body = std::string("5\r\nhello\r\n0\r\n\r\n") + kHidden;
    Answer a = Exchange(PostWith("Transfer-Encoding: " + te + "\r\n", body));
    EXPECT_EQ(a.status(), 400) << a.raw;
    EXPECT_EQ(a.code(), "http.bad_framing") << a.raw;
    EXPECT_TRUE(a.closed) << a.raw;
    EXPECT_EQ(a.responses(), 1u) << a.raw;
  }
}

TEST_F(HttpFramingTest, SplitTransferEncodingFieldsAreOneList) {
  // Two field lines form the list "chunked, identity": it does not end in
  // chunked even though the first line alone would.
  Answer a = Exchange(PostWith("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                               std::string("0\r\n\r\n") + kHidden));
  EXPECT_EQ(a.status(), 400) << a.raw;
  EXPECT_EQ(a.code(), "http.bad_framing");
  EXPECT_TRUE(a.closed);
  EXPECT_EQ(a.responses(), 1u) << a.raw;
}

TEST_F(HttpFramingTest, ChunkedTwiceIs400) {
  Answer a = Exchange(PostWith("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"));
  EXPECT_EQ(a.status(), 400) << a.raw;
  EXPECT_EQ(a.code(), "http.bad_framing");
  EXPECT_TRUE(a.closed);
}

TEST_F(HttpFramingTest, UnsupportedCodingBeforeChunkedIs501AndCloses) {
  Answer a = Exchange(
      PostWith("Transfer-Encoding: gzip, chunked\r\n", std::string("0\r\n\r\n") + kHidden));
  EXPECT_EQ(a.status(), 501) << a.raw;
  EXPECT_EQ(a.code(), "http.unsupported_transfer_encoding");
  EXPECT_TRUE(a.closed);
  EXPECT_EQ(a.responses(), 1u) << a.raw;
}

TEST_F(HttpFramingTest, TransferEncodingWithContentLengthIs400AndCloses) {
  // The classic CL.TE / TE.CL desync: whichever the node picked, one of the
  // two readings leaves the hidden request in the stream.
  std::string chunked = "0\r\n\r\n";
  Answer a = Exchange(PostWith(
      "Content-Length: " + std::to_string(chunked.size()) + "\r\nTransfer-Encoding: chunked\r\n",
      chunked + kHidden));
  EXPECT_EQ(a.status(), 400) << a.raw;
  EXPECT_EQ(a.code(), "http.bad_framing");
  EXPECT_TRUE(a.closed);
  EXPECT_EQ(a.responses(), 1u) << a.raw;
}

TEST_F(HttpFramingTest, TransferEncodingInHttp10Is400AndCloses) {
  Answer a = Exchange(
      "POST /v1/entries HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
      std::string(kHidden));
  EXPECT_EQ(a.status(), 400) << a.raw;
  EXPECT_EQ(a.code(), "http.bad_framing");
  EXPECT_TRUE(a.closed);
  EXPECT_EQ(a.responses(), 1u) << a.raw;
}

TEST_F(HttpFramingTest, WellFormedChunkedBodyIsReadAndConnectionKept) {
  // A chunked body with an extension, in a case the RFC says is
  // case-insensitive: the node reads it (and rejects the JSON inside for
  // what it is), then serves the pipelined next request.
  std::string body = "2;ext=1\r\n{x\r\n0\r\n\r\n";
  Answer a =
      Exchange(PostWith("Transfer-Encoding: Chunked\r\n", body) + kHidden + std::string(kHidden));
  ASSERT_GE(a.raw.size(), 12u) << a.raw;
  EXPECT_EQ(a.raw.substr(0, 12), "HTTP/1.1 400") << a.raw;
  EXPECT_EQ(a.code(), "json.syntax") << a.raw;
  EXPECT_EQ(a.responses(), 3u) << a.raw;
  EXPECT_NE(a.raw.find("\"status\":\"ok\""), std::string::npos) << a.raw;
}

TEST_F(HttpFramingTest, MalformedChunksAre400AndClose) {
  for (const std::string body : {"zz\r\nhello\r\n0\r\n\r\n", "fffffffffffffffffffff\r\nx\r\n",
                                 "5\r\nhelloXX0\r\n\r\n", "-1\r\nx\r\n0\r\n\r\n"}) {
    SCOPED_TRACE(body);
    Answer a = Exchange(PostWith("Transfer-Encoding: chunked\r\n", body + kHidden));
    EXPECT_EQ(a.status(), 400) << a.raw;
    EXPECT_TRUE(a.closed) << a.raw;
    EXPECT_EQ(a.responses(), 1u) << a.raw;
  }
}

TEST_F(HttpFramingTest, ContentLengthRulesOfSection63) {
  // Item 5: differing or invalid values are unrecoverable errors.
  for (const std::string cl :
       {"Content-Length: 2\r\nContent-Length: 3\r\n", "Content-Length: 2, 3\r\n",
        "Content-Length: +2\r\n", "Content-Length: 0x2\r\n", "Content-Length: -1\r\n",
        "Content-Length: 99999999999999999999999\r\n"}) {
    SCOPED_TRACE(cl);
    Answer a = Exchange(PostWith(cl, std::string("{}") + kHidden));
    EXPECT_EQ(a.status(), 400) << a.raw;
    EXPECT_TRUE(a.closed) << a.raw;
    EXPECT_EQ(a.responses(), 1u) << a.raw;
  }
  // Item 6: a request with neither field has no body; what follows is the
  // next request.
  Answer a = Exchange("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(kHidden));
  EXPECT_EQ(a.responses(), 2u) << a.raw;
}

TEST_F(HttpFramingTest, ContentLengthThenTransferEncodingIs400AndCloses) {
  // The other order of the two fields: Beast's parser refuses it itself.
  Answer a = Exchange(PostWith("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                               std::string("0\r\n\r\n") + kHidden));
  EXPECT_EQ(a.status(), 400) << a.raw;
  EXPECT_TRUE(a.closed);
  EXPECT_EQ(a.responses(), 1u) << a.raw;
}

TEST_F(HttpFramingTest, WhitespaceBeforeColonAndFoldedFramingAre400) {
  // RFC 9112 §5.1: whitespace between name and colon must be rejected.
  // §5.2 lets a server replace an obs-fold by a space instead of rejecting
  // it (Beast does); a folded Content-Length then is no number and fails.
  for (const std::string head :
       {"POST /v1/entries HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n",
        "POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n\r\n",
        "POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\tX: y\r\n\r\n",
        "POST /v1/entries HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n chunked\r\n\r\n"}) {
    SCOPED_TRACE(head);
    Answer a = Exchange(head + "{}" + kHidden);
    EXPECT_EQ(a.status(), 400) << a.raw;
    EXPECT_TRUE(a.closed) << a.raw;
    EXPECT_EQ(a.responses(), 1u) << a.raw;
  }
}

}  // namespace
}  // namespace tz::testing
