#include "http/metrics.h"

#include <fmt/format.h>

namespace opsdesk::http {

void Metrics::Record(std::string_view method, std::string_view route, int status, double seconds) {
  std::lock_guard lock(mu_);
  auto request_key = std::make_tuple(method, route, status);
  auto counter = requests_.find(request_key);
  if (counter == requests_.end()) {
    counter = requests_.emplace(std::make_tuple(std::string(method), std::string(route), status), 0).first;
  }
  counter->second++;
  auto latency_key = std::make_tuple(method, route);
  auto histogram = latency_.find(latency_key);
  if (histogram == latency_.end()) {
    histogram = latency_.emplace(std::make_tuple(std::string(method), std::string(route)), Histogram{}).first;
  }
  Histogram& h = histogram->second;
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) h.buckets[i]++;
  }
  h.count++;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP opsdesk_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE opsdesk_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format("opsdesk_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", method, route,
                       status, count);
  }
  out += "# HELP opsdesk_http_request_duration_seconds Time to handle a request, by route.\n";
  out += "# TYPE opsdesk_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const auto& [method, route] = key;
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      out += fmt::format("opsdesk_http_request_duration_seconds_bucket{{method=\"{}\",route=\"{}\",le=\"{}\"}} {}\n",
                         method, route, kBucketsSeconds[i], h.buckets[i]);
    }
    out += fmt::format("opsdesk_http_request_duration_seconds_bucket{{method=\"{}\",route=\"{}\",le=\"+Inf\"}} {}\n",
                       method, route, h.count);
    out += fmt::format("opsdesk_http_request_duration_seconds_sum{{method=\"{}\",route=\"{}\"}} {}\n", method, route,
                       h.sum);
    out += fmt::format("opsdesk_http_request_duration_seconds_count{{method=\"{}\",route=\"{}\"}} {}\n", method, route,
                       h.count);
  }
  return out;
}

}  // namespace opsdesk::http
