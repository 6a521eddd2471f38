// A blocking Beast HTTP client for one RFC 3161 exchange (api/tsa_client.h).
#include "api/tsa_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tz::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr size_t kMaxReply = 1 << 20;

struct Url {
  std::string host, port = "80", target = "/";
};

Result<Url> ParseUrl(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return Status::Invalid("tsa.bad_url", "TSA URL '" + url + "': " + why);
  };
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return bad("only http:// is supported");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url u;
  if (slash != std::string::npos) u.target = rest.substr(slash);
  if (authority.empty()) return bad("no host");
  size_t colon = std::string::npos;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return bad("unterminated [");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("junk after ]");
      colon = close + 1;
    }
  } else {
    colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
  }
  if (colon != std::string::npos) {
    u.port = authority.substr(colon + 1);
    if (u.port.empty() || u.port.size() > 5 ||
        u.port.find_first_not_of("0123456789") != std::string::npos || std::stoul(u.port) == 0 ||
        std::stoul(u.port) > 65535) {
      return bad("bad port");
    }
  }
  if (u.host.empty()) return bad("no host");
  for (char c : u.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("bad character in path");
  }
  return u;
}

Status Unreachable(const std::string& url, const beast::error_code& ec) {
  return Status(Code::kUnavailable, "tsa.unreachable", url + ": " + ec.message());
}

}  // namespace

Result<std::string> PostTimeStampQuery(const std::string& url, const std::string& body,
                                       std::chrono::milliseconds timeout) {
  TZ_ASSIGN_OR_RETURN(Url u, ParseUrl(url));
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(u.host, u.port, ec);
  if (ec) return Unreachable(url, ec);
  // One deadline for the whole exchange, enforced by the async operations
  // of tcp_stream (the synchronous ones ignore expires_after).
  stream.expires_after(timeout);
  http::request<http::string_body> req{http::verb::post, u.target, 11};
  req.set(http::field::host, u.host);
  req.set(http::field::user_agent, "tiezheng");
  req.set(http::field::content_type, "application/timestamp-query");
  req.set(http::field::accept, "application/timestamp-reply");
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxReply);
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    if (e) {
      ec = e;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code we, size_t) {
      if (we) {
        ec = we;
        return;
      }
      http::async_read(stream, buffer, parser, [&](beast::error_code re, size_t) { ec = re; });
    });
  });
  ioc.run();
  if (ec == http::error::body_limit) {
    return Status(Code::kUnavailable, "tsa.reply_too_large", url + ": reply over 1 MiB");
  }
  if (ec) return Unreachable(url, ec);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  const auto& res = parser.get();
  if (res.result_int() != 200) {
    return Status(Code::kUnavailable, "tsa.http_status",
                  url + " answered HTTP " + std::to_string(res.result_int()));
  }
  return res.body();
}

}  // namespace tz::api
