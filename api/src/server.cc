// The Beast server. This is the only translation unit that includes Boost
// (it compiles slowly); everything else sees api/http.h.
#include "api/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include "api/metrics.h"
#include "archive/blob_store.h"
#include "crypto/hash.h"
#include "crypto/thread_annotations.h"

namespace tz::api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kChunk = 256 * 1024;  // streamed downloads and chunked request bodies
// Content-Length bodies are read straight from the socket: first into a
// small buffer, and into a big one only once a read fills the small one (a
// fast sender), so slow or idle clients never hold a big buffer.
constexpr size_t kSmallBody = 64 * 1024;
constexpr size_t kBigBody = 2 * 1024 * 1024;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The framing rules of RFC 9112 §6 that Beast's parser leaves to the
// server. Beast frames a request as chunked only when chunked is the last
// transfer coding and otherwise falls back to Content-Length or to no body,
// so without these checks a `Transfer-Encoding: identity` body would be read
// as the next request (request smuggling behind a proxy that honours the
// coding). Every failure answers and closes the connection, since the
// message boundary is unknown.
//   - Transfer-Encoding in an HTTP/1.0 request: faulty framing (§6.1).
//   - Transfer-Encoding together with Content-Length: rejected (§6.1, §6.3).
//   - a coding list that does not end in chunked, or names chunked twice:
//     the length cannot be determined (§6.3 item 4, §7).
//   - any other coding before chunked (gzip, ...): 501, not supported (§6.1).
// Content-Length syntax (digits only, one value) is checked by Beast.
std::optional<Response> FramingError(const http::request_header<>& h) {
  auto bad = [](std::string msg) {
    Response r = HttpError(400, "http.bad_framing", std::move(msg));
    r.close = true;
    return r;
  };
  std::vector<std::string> codings;
  bool present = false;
  for (const auto& f : h) {
    if (f.name() != http::field::transfer_encoding) continue;
    present = true;
    std::string_view v(f.value().data(), f.value().size());
    while (!v.empty()) {
      size_t comma = v.find(',');
      std::string_view item = v.substr(0, comma);
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
      size_t semi = item.find(';');  // transfer parameters
      std::string_view name = item.substr(0, semi);
      while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
      if (name.empty()) {
        if (semi != std::string_view::npos) return bad("empty transfer coding");
        continue;  // an empty list element (RFC 9110 §5.6.1)
      }
      codings.push_back(Lower(name));
    }
  }
  if (!present) return std::nullopt;
  if (h.version() < 11) return bad("Transfer-Encoding in an HTTP/1.0 request");
  if (h.find(http::field::content_length) != h.end()) {
    return bad("both Transfer-Encoding and Content-Length");
  }
  if (codings.empty() || codings.back() != "chunked") {
    return bad("Transfer-Encoding must end in chunked");
  }
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    if (codings[i] == "chunked") return bad("chunked applied more than once");
  }
  if (codings.size() > 1) {
    Response r = HttpError(501, "http.unsupported_transfer_encoding",
                           "transfer coding '" + codings.front() + "' is not supported");
    r.close = true;
    return r;
  }
  return std::nullopt;
}

}  // namespace

struct Server::Impl {
  ServerOptions opt;
  const Router* router;
  Authenticator* auth;
  Metrics* metrics;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<size_t> connections{0};
  tz::Mutex mu;
  std::condition_variable_any cv;
  bool stopped TZ_GUARDED_BY(mu) = false;
  uint16_t port = 0;

  IpLimiter public_limiter;

  Impl(ServerOptions o, const Router* r, Authenticator* a, Metrics* m)
      : opt(std::move(o)),
        router(r),
        auth(a),
        metrics(m),
        ioc(opt.threads),
        acceptor(ioc),
        public_limiter(opt.public_limit) {}
  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl* srv, tcp::socket socket)
      : srv_(srv), stream_(std::move(socket)), body_timer_(stream_.get_executor()) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec).address();
    if (!ec && peer.is_v4()) {
      auto b = peer.to_v4().to_bytes();
      client_ = srv_->public_limiter.ClientKey(b.data(), nullptr);
    } else if (!ec) {
      auto b = peer.to_v6().to_bytes();
      client_ = srv_->public_limiter.ClientKey(nullptr, b.data());
    }
    ++srv_->connections;
    srv_->metrics->ConnectionOpened();
  }
  ~Session() {
    --srv_->connections;
    srv_->metrics->ConnectionClosed();
  }

  void Start() { ReadHeader(); }

  // Over the connection cap: answer 503 and close.
  void Reject() {
    srv_->metrics->ConnectionRejected();
    keep_alive_ = false;
    Send(HttpError(503, "http.too_many_connections", "too many connections; retry later"));
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(srv_->opt.max_header_bytes));
    // Our own per-route limits apply; boost::none trips a comparison bug in
    // Boost 1.74 (len > none is always true).
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    req_ = Request();
    route_ = nullptr;
    consumer_.reset();
    body_left_ = 0;
    body_cut_ = false;
    if (first_ || buffer_.size() > 0) {
      ReadHeaderNow();
      return;
    }
    // Keep-alive: wait up to idle_timeout for the next request's first byte,
    // then give its head header_timeout.
    stream_.expires_after(srv_->opt.idle_timeout);
    auto self = shared_from_this();
    stream_.async_read_some(buffer_.prepare(4096), [self](beast::error_code ec, size_t n) {
      if (ec) return self->OnClosed(ec);
      self->buffer_.commit(n);
      self->ReadHeaderNow();
    });
  }

  void ReadHeaderNow() {
    first_ = false;
    stream_.expires_after(srv_->opt.header_timeout);
    auto self = shared_from_this();
    http::async_read_header(stream_, buffer_, *parser_,
                            [self](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnClosed(beast::error_code ec) {
    if (ec == beast::error::timeout) srv_->metrics->Timeout();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  // Errors reading a head that only mean the peer went away or idled out:
  // the connection closes without an answer.
  static bool IsDisconnect(beast::error_code ec) {
    return ec == http::error::end_of_stream || ec == beast::error::timeout ||
           ec == net::error::operation_aborted || ec == net::error::connection_reset ||
           ec == net::error::eof;
  }

  // The answer to a head the parser rejected.
  static Response HeadError(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return HttpError(431, "http.header_too_large", "request head too large");
    }
    if (ec == http::error::bad_content_length) {
      return HttpError(400, "http.bad_content_length", "bad Content-Length");
    }
    if (ec == http::error::bad_transfer_encoding) {  // TE after CL, or TE after chunked
      return HttpError(400, "http.bad_framing", "conflicting Transfer-Encoding");
    }
    return HttpError(400, "http.bad_request", "malformed request: " + ec.message());
  }

  void OnHeader(beast::error_code ec) {
    start_ = Clock::now();
    if (IsDisconnect(ec)) return OnClosed(ec);
    keep_alive_ = false;
    if (ec) return Send(HeadError(ec));
    if (auto bad = FramingError(parser_->get())) return Send(std::move(*bad));
    TakeHead();
    if (req_.path.empty() || req_.path.front() != '/') {
      return Fail(HttpError(400, "http.bad_request", "request target must be an absolute path"));
    }
    if (!FindRoute()) return;
    bool has_body = !parser_->is_done();
    if (!Admit(has_body)) return;
    if (!has_body) return Dispatch();
    ExpectBody();
  }

  // Copies the parsed head into req_ (method; target, path and query;
  // headers with lower-case names) and its keep-alive wish into keep_alive_.
  void TakeHead() {
    auto& h = parser_->get();
    keep_alive_ = h.keep_alive();
    req_.method = std::string(h.method_string().data(), h.method_string().size());
    req_.target = std::string(h.target().data(), h.target().size());
    size_t q = req_.target.find('?');
    req_.path = req_.target.substr(0, q);
    if (q != std::string::npos) req_.query = req_.target.substr(q + 1);
    for (const auto& f : h) {
      req_.headers.emplace_back(
          Lower(std::string_view(f.name_string().data(), f.name_string().size())),
          std::string(f.value()));
    }
  }

  // Sets route_ (and req_.params) from the router; an unsigned request, or
  // one no route matches, first spends the peer's public rate allowance.
  // False if it answered instead (429, 404, 405, or 400 for a bad parameter).
  bool FindRoute() {
    Router::Match m = srv_->router->Find(req_.method, req_.path);
    if ((m.route == nullptr || !m.route->signed_request) &&
        !srv_->public_limiter.Allow(client_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 Clock::now().time_since_epoch())
                                                 .count())) {
      route_label_ = m.route != nullptr ? m.route->pattern : "unmatched";
      Response r = HttpError(429, "http.rate_limited",
                             "too many unsigned requests from this address; slow down");
      r.headers.emplace_back("Retry-After", "1");
      Fail(std::move(r));
      return false;
    }
    if (m.route == nullptr) {
      Response r = ErrorResponse(m.error);
      if (m.error.reason() == "http.method_not_allowed") {
        r = HttpError(405, "http.method_not_allowed", m.error.message());
        r.headers.emplace_back("Allow", m.allow);
      }
      route_label_ = "unmatched";
      Fail(std::move(r));
      return false;
    }
    route_ = m.route;
    route_label_ = route_->pattern;
    req_.params = std::move(m.params);
    return true;
  }

  // What route_ decides before any body byte: the declared body size, the
  // signature and roles (setting req_.caller), and the consumer (which may
  // refuse the request). False if it answered instead.
  bool Admit(bool has_body) {
    auto len = parser_->content_length();
    if (has_body && (route_->max_body == 0 || (len && *len > route_->max_body))) {
      Fail(BodyTooLarge());
      return false;
    }
    if (route_->signed_request) {
      auto caller = srv_->auth->Verify(req_, route_->roles, NowSeconds());
      if (!caller.ok()) {
        Fail(ErrorResponse(caller.status()));
        return false;
      }
      req_.caller = std::move(caller).value();
    }
    if (route_->consumer) {
      auto c = route_->consumer(req_);
      if (!c.ok()) {
        Fail(ErrorResponse(c.status()));
        return false;
      }
      consumer_ = std::move(c).value();
    }
    return true;
  }

  // Resets the body accounting and starts reading the body, after a "100
  // Continue" if the client waits for one.
  void ExpectBody() {
    if (route_->signed_request && !route_->consumer) body_hasher_.emplace();
    body_received_ = 0;
    window_start_ = Clock::now();
    window_bytes_ = 0;
    const std::string* expect = req_.header("expect");
    if (expect != nullptr && Lower(*expect) == "100-continue") {
      static const char k100[] = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(srv_->opt.write_timeout);
      auto self = shared_from_this();
      net::async_write(stream_, net::buffer(k100, sizeof k100 - 1),
                       [self](beast::error_code wec, size_t) {
                         if (wec) return self->OnClosed(wec);
                         self->StartBody();
                       });
      return;
    }
    StartBody();
  }

  // A body with a Content-Length is read with plain socket reads into
  // large buffers, with no timer armed per read: a watchdog checks the rate
  // once per window. Chunked bodies go through Beast's parser (ReadBody).
  void StartBody() {
    auto len = parser_->content_length();
    if (!len || parser_->chunked()) {
      if (!chunk_) chunk_ = std::make_unique<char[]>(kChunk);
      return ReadBody();
    }
    body_left_ = *len;
    body_cut_ = false;
    // Bytes of the body that arrived with the head.
    size_t early = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), body_left_));
    if (early > 0) {
      auto data = buffer_.data();
      if (!TakeBody(static_cast<const char*>(data.data()), early)) return;
      buffer_.consume(early);
    }
    stream_.expires_never();
    ArmBodyWatchdog();
    ReadRaw();
  }

  void ArmBodyWatchdog() {
    body_timer_.expires_after(srv_->opt.body_rate_window);
    auto self = shared_from_this();
    body_timer_.async_wait([self](beast::error_code ec) { self->OnBodyWindow(ec); });
  }

  // Once per window while a Content-Length body is read: too few bytes in
  // the window (a stall, or a trickle below min_body_rate) cuts the client
  // off with 408 and closes; the pending read then ends with an error.
  void OnBodyWindow(beast::error_code ec) {
    if (ec || body_cut_ || body_left_ == 0) return;
    if (WindowTooSlow()) {
      body_cut_ = true;
      srv_->metrics->Timeout();
      keep_alive_ = false;
      return Send(TooSlow());
    }
    window_bytes_ = 0;
    ArmBodyWatchdog();
  }

  void ReadRaw() {
    if (body_left_ == 0) {
      body_timer_.cancel();
      return Dispatch();
    }
    size_t cap = big_body_ ? kBigBody : kSmallBody;
    if (!body_buf_) body_buf_ = std::make_unique<char[]>(cap);
    size_t want = static_cast<size_t>(std::min<uint64_t>(cap, body_left_));
    auto self = shared_from_this();
    stream_.socket().async_read_some(
        net::buffer(body_buf_.get(), want), [self, want](beast::error_code ec, size_t n) {
          if (self->body_cut_) return;  // answered 408 already; the socket is closing
          if (ec) {
            self->body_timer_.cancel();
            return self->OnClosed(ec);  // eof or reset before the whole body
          }
          if (!self->TakeBody(self->body_buf_.get(), n)) return;
          if (n == want && !self->big_body_ && self->body_left_ > kSmallBody) {
            self->big_body_ = true;  // a fast sender: read in big pieces from now on
            self->body_buf_.reset();
          }
          self->ReadRaw();
        });
  }

  // Accounts for and hands on `n` body bytes; false if the request was
  // answered instead (consumer error, body too large).
  bool TakeBody(const char* p, size_t n) {
    body_left_ -= n;
    if (!CountBody(n)) {
      CutBody(BodyTooLarge());
      return false;
    }
    if (Status st = Deliver(p, n); !st.ok()) {
      CutBody(ErrorResponse(st));
      return false;
    }
    return true;
  }

  // Answers `r` while a Content-Length body is still arriving: stops its
  // watchdog, and the connection closes after the answer.
  void CutBody(Response r) {
    body_cut_ = true;
    body_timer_.cancel();
    keep_alive_ = false;
    Send(std::move(r));
  }

  // Counts `n` more body bytes; false if the body is now over the route's
  // limit.
  bool CountBody(size_t n) {
    body_received_ += n;
    window_bytes_ += n;
    srv_->metrics->AddBodyBytes(n);
    return body_received_ <= route_->max_body;
  }

  // Hands body bytes to the consumer, or else appends them to req_.body
  // (hashed when the signature covers it); the consumer's error, if any.
  Status Deliver(const char* p, size_t n) {
    ByteSpan data(reinterpret_cast<const uint8_t*>(p), n);
    if (consumer_) return consumer_->Write(data);
    req_.body.append(p, n);
    if (body_hasher_) body_hasher_->Update(data);
    return Status::Ok();
  }

  // Whether the current window brought fewer bytes than min_body_rate asks.
  bool WindowTooSlow() const {
    double secs = std::chrono::duration<double>(srv_->opt.body_rate_window).count();
    return static_cast<double>(window_bytes_) < secs * static_cast<double>(srv_->opt.min_body_rate);
  }

  Response BodyTooLarge() const {
    return HttpError(413, "http.body_too_large",
                     "body larger than " + std::to_string(route_->max_body) + " bytes");
  }

  static Response TooSlow() {
    return HttpError(408, "http.timeout", "request body arrived too slowly");
  }

  void ReadBody() {
    parser_->get().body().data = chunk_.get();
    parser_->get().body().size = kChunk;
    // A stall of a whole window closes the connection; the average rate is
    // checked when a read completes after the window ends (OnBody). (An
    // expiry at the window's end would cut off a fast client whose next
    // chunk merely straddles the boundary.)
    stream_.expires_after(srv_->opt.body_rate_window);
    auto self = shared_from_this();
    http::async_read_some(stream_, buffer_, *parser_,
                          [self](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return OnBodyError(ec);
    size_t got = kChunk - parser_->get().body().size;
    if (!CountBody(got)) return Fail(BodyTooLarge());
    if (got > 0) {
      if (Status s = Deliver(chunk_.get(), got); !s.ok()) return Fail(ErrorResponse(s));
    }
    auto now = Clock::now();
    if (now >= window_start_ + srv_->opt.body_rate_window) {
      if (WindowTooSlow() && !parser_->is_done()) {
        srv_->metrics->Timeout();
        return Fail(TooSlow());
      }
      window_start_ = now;
      window_bytes_ = 0;
    }
    if (parser_->is_done()) return Dispatch();
    ReadBody();
  }

  // A chunked body read failed: a stall or a vanished peer closes the
  // connection; a malformed body is answered with 400.
  void OnBodyError(beast::error_code ec) {
    if (ec == beast::error::timeout) {
      srv_->metrics->Timeout();
      return OnClosed(ec);  // the socket is closed already; nobody to answer
    }
    if (ec == http::error::partial_message || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      return OnClosed(ec);
    }
    keep_alive_ = false;
    Send(HttpError(400, "http.bad_request", "malformed body: " + ec.message()));
  }

  void Dispatch() {
    stream_.expires_never();
    body_buf_.reset();
    big_body_ = false;
    if (body_hasher_) {
      Status s = Authenticator::CheckBody(req_, body_hasher_->Finish());
      body_hasher_.reset();
      if (!s.ok()) return Send(ErrorResponse(s));
    } else if (route_->signed_request && !route_->consumer && req_.body.empty()) {
      Status s = Authenticator::CheckBody(req_, Sha256(std::string_view()));
      if (!s.ok()) return Send(ErrorResponse(s));
    }
    auto self = shared_from_this();
    Respond respond = [self](Response r) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->Send(std::move(r)); });
    };
    if (consumer_) {
      consumer_->Finish(std::move(respond));
    } else {
      route_->handler(req_, std::move(respond));
    }
  }

  // An answer before the body was read: the connection cannot be reused.
  void Fail(Response r) {
    if ((parser_ && !parser_->is_done()) || body_left_ > 0) keep_alive_ = false;
    Send(std::move(r));
  }

  void Send(Response r) {
    consumer_.reset();
    uint64_t micros = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count());
    srv_->metrics->Record(req_.method.empty() ? "-" : req_.method,
                          route_label_.empty() ? "unmatched" : route_label_, r.status, micros);
    if (r.close) keep_alive_ = false;
    stream_.expires_after(srv_->opt.write_timeout);
    if (r.source && !r.head_only) return SendStream(std::move(r));
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(static_cast<unsigned>(r.status));
    res->version(11);
    res->set(http::field::server, "tiezheng");
    res->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(keep_alive_);
    if (r.head_only) {
      res->content_length(r.source ? r.length : r.body.size());
    } else {
      res->body() = std::move(r.body);
      res->prepare_payload();
    }
    auto self = shared_from_this();
    if (r.head_only) {
      auto sr = std::make_shared<http::response_serializer<http::string_body>>(*res);
      http::async_write_header(
          stream_, *sr, [self, res, sr](beast::error_code ec, size_t) { self->AfterWrite(ec); });
      return;
    }
    http::async_write(stream_, *res,
                      [self, res](beast::error_code ec, size_t) { self->AfterWrite(ec); });
  }

  struct Streamed {
    http::response<http::buffer_body> res;
    std::optional<http::response_serializer<http::buffer_body>> sr;
    std::shared_ptr<archive::ByteSource> source;
    uint64_t remaining = 0;
    bool chunked = false;
  };

  void SendStream(Response r) {
    auto st = std::make_shared<Streamed>();
    st->res.result(static_cast<unsigned>(r.status));
    st->res.version(11);
    st->res.set(http::field::server, "tiezheng");
    st->res.set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) st->res.set(k, v);
    st->res.keep_alive(keep_alive_);
    if (r.chunked) {
      st->res.chunked(true);
    } else {
      st->res.content_length(r.length);
    }
    st->res.body().data = nullptr;
    st->res.body().more = true;
    st->source = std::move(r.source);
    st->remaining = r.chunked ? UINT64_MAX : r.length;
    st->chunked = r.chunked;
    st->sr.emplace(st->res);
    if (!chunk_) chunk_ = std::make_unique<char[]>(kChunk);
    auto self = shared_from_this();
    http::async_write_header(stream_, *st->sr, [self, st](beast::error_code ec, size_t) {
      if (ec) return self->OnClosed(ec);
      self->StreamMore(st);
    });
  }

  void StreamMore(std::shared_ptr<Streamed> st) {
    if (st->remaining == 0) {
      st->res.body().data = nullptr;
      st->res.body().size = 0;
      st->res.body().more = false;
    } else {
      size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, st->remaining));
      auto n = st->source->Read(reinterpret_cast<uint8_t*>(chunk_.get()), want);
      if (st->chunked && n.ok() && *n == 0) {  // the end: the last (empty) chunk
        st->remaining = 0;
        return StreamMore(st);
      }
      if (!n.ok() || *n == 0) {
        // Headers are out: the only honest signal left is a cut connection.
        std::fprintf(stderr, "tiezheng: stream aborted: %s\n",
                     n.ok() ? "short blob" : n.status().ToString().c_str());
        return OnClosed({});
      }
      if (!st->chunked) st->remaining -= *n;
      st->res.body().data = chunk_.get();
      st->res.body().size = *n;
      st->res.body().more = st->chunked || st->remaining > 0;
    }
    stream_.expires_after(srv_->opt.write_timeout);
    auto self = shared_from_this();
    http::async_write(stream_, *st->sr, [self, st](beast::error_code ec, size_t) {
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return self->OnClosed(ec);
      if (st->sr->is_done()) return self->AfterWrite({});
      self->StreamMore(st);
    });
  }

  void AfterWrite(beast::error_code ec) {
    if (ec || !keep_alive_) return OnClosed(ec);
    ReadHeader();
  }

  Server::Impl* srv_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // unbounded: the parser enforces head and body limits
  std::optional<http::request_parser<http::buffer_body>> parser_;
  Request req_;
  const Route* route_ = nullptr;
  std::string route_label_;
  std::unique_ptr<BodyConsumer> consumer_;
  std::optional<Hasher> body_hasher_;
  std::unique_ptr<char[]> chunk_;
  net::steady_timer body_timer_;      // the rate watchdog of Content-Length bodies
  std::unique_ptr<char[]> body_buf_;  // their read buffer, only while reading one
  bool big_body_ = false;
  bool body_cut_ = false;  // answered before the body ended
  uint64_t body_left_ = 0;
  std::string client_;  // IpLimiter key of the peer ("" = exempt)
  bool first_ = true;
  bool keep_alive_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point window_start_;
  uint64_t window_bytes_ = 0;
  uint64_t body_received_ = 0;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted) return;
      // EMFILE and friends: back off briefly rather than spin.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return Accept();
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto s = std::make_shared<Session>(this, std::move(socket));
    if (connections > opt.max_connections) {
      s->Reject();
    } else {
      s->Start();
    }
    Accept();
  });
}

Server::Server(ServerOptions options, const Router* router, Authenticator* auth, Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, auth, metrics)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  beast::error_code ec;
  auto addr = net::ip::make_address(impl_->opt.address, ec);
  if (ec) return Status::Invalid("server.bind", "bad listen address: " + impl_->opt.address);
  tcp::endpoint ep(addr, impl_->opt.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(Code::kUnavailable, "server.bind",
                  "cannot listen on " + impl_->opt.address + ":" + std::to_string(impl_->opt.port) +
                      ": " + ec.message());
  }
  impl_->port = a.local_endpoint().port();
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->opt.threads); ++i) {
    impl_->threads.emplace_back([this] {
      for (;;) {
        try {
          impl_->ioc.run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "tiezheng: handler exception: %s\n", e.what());
        }
      }
    });
  }
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port; }

void Server::Stop() {
  if (!impl_) return;
  {
    tz::MutexLock lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  net::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->cv.notify_all();
}

void Server::Wait() {
  tz::MutexLock lock(impl_->mu);
  impl_->cv.wait(lock, [this]() TZ_REQUIRES(impl_->mu) { return impl_->stopped; });
}

}  // namespace tz::api
