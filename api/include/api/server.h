// The HTTP server: Boost.Beast over Asio with a small thread pool, every
// connection fully asynchronous, so a slow or malicious client holds a
// socket and a few KiB, never a thread.
//
// Limits (docs/api.md "Limits"; flags of `tiezheng node run`):
//   - at most max_connections open connections; the next one gets
//     503 http.too_many_connections and is closed;
//   - the request head (line and headers, at most max_header_bytes) must
//     arrive within header_timeout; an idle keep-alive connection is closed
//     after idle_timeout;
//   - a body must arrive at >= min_body_rate bytes/s averaged over each
//     body_rate_window (and never stall for a whole window), else 408
//     http.timeout and the connection is closed;
//   - each route has its own body limit (413 http.body_too_large, checked
//     against Content-Length before reading and while reading chunked bodies).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/auth.h"
#include "api/ip_limiter.h"
#include "api/router.h"
#include "crypto/status.h"

namespace tz::api {

class Metrics;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 7390;  // 0: pick a free port (see Server::port())
  int threads = 2;
  size_t max_connections = 1024;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds body_rate_window{10'000};
  uint64_t min_body_rate = 1024;  // bytes per second
  std::chrono::milliseconds write_timeout{60'000};
  // Unsigned requests per client address (api/ip_limiter.h):
  // 429 http.rate_limited beyond it.
  IpLimitOptions public_limit;
};

class Server {
 public:
  // router, auth and metrics must outlive the server.
  Server(ServerOptions options, const Router* router, Authenticator* auth, Metrics* metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads. Reasons "server.bind" (address in use,
  // bad address).
  Status Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Stops accepting, closes every connection and joins the threads.
  void Stop();
  // Blocks until Stop() (from another thread or a signal handler thread).
  void Wait();

  struct Impl;  // server.cc only

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tz::api
