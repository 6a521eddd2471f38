#include "api/metrics.h"

#include <cstdio>

namespace tz::api {
namespace {

std::string Labels(const std::string& method, const std::string& route) {
  return "method=\"" + method + "\",route=\"" + route + "\"";
}

}  // namespace

void Metrics::Record(const std::string& method, const std::string& route, int status,
                     uint64_t micros) {
  std::string labels = Labels(method, route);
  tz::MutexLock lock(mu_);
  ++requests_[labels + ",status=\"" + std::to_string(status) + "\""];
  Series& s = latency_[labels];
  ++s.count;
  s.sum_micros += micros;
  for (size_t i = 0; i < kBucketsMicros.size(); ++i) {
    if (micros <= kBucketsMicros[i]) ++s.buckets[i];
  }
}

std::string Metrics::Render(const Extra& extra) const {
  std::string out;
  auto gauge = [&](const char* name, const char* type, const char* help, uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(v) + "\n";
  };
  gauge("tz_http_connections_open", "gauge", "Open HTTP connections.",
        static_cast<uint64_t>(connections_open_.load() < 0 ? 0 : connections_open_.load()));
  gauge("tz_http_connections_total", "counter", "Accepted HTTP connections.",
        connections_total_.load());
  gauge("tz_http_connections_rejected_total", "counter",
        "Connections refused because of the connection cap.", connections_rejected_.load());
  gauge("tz_http_timeouts_total", "counter",
        "Connections closed for a header, idle or slow-body timeout.", timeouts_.load());
  gauge("tz_http_request_body_bytes_total", "counter", "Request body bytes received.",
        body_bytes_.load());
  tz::MutexLock lock(mu_);
  out += "# HELP tz_http_requests_total HTTP requests answered.\n";
  out += "# TYPE tz_http_requests_total counter\n";
  for (const auto& [labels, n] : requests_) {
    out += "tz_http_requests_total{" + labels + "} " + std::to_string(n) + "\n";
  }
  out += "# HELP tz_http_request_duration_seconds Time from request head to response.\n";
  out += "# TYPE tz_http_request_duration_seconds histogram\n";
  for (const auto& [labels, s] : latency_) {
    for (size_t i = 0; i < kBucketsMicros.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", static_cast<double>(kBucketsMicros[i]) / 1e6);
      out += "tz_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " +
             std::to_string(s.buckets[i]) + "\n";
    }
    out += "tz_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(s.count) + "\n";
    char sum[32];
    std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(s.sum_micros) / 1e6);
    out += "tz_http_request_duration_seconds_sum{" + labels + "} " + sum + "\n";
    out +=
        "tz_http_request_duration_seconds_count{" + labels + "} " + std::to_string(s.count) + "\n";
  }
  if (extra) extra(&out);
  return out;
}

}  // namespace tz::api
