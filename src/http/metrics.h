// Request counters and latency histograms, rendered in Prometheus text format.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace opsdesk::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBucketsSeconds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                             0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // `route` is the route pattern ("/api/v1/tickets/{id}"), never the raw path, so
  // the number of series stays bounded.
  void Record(std::string_view method, std::string_view route, int status, double seconds);
  // The request metrics in Prometheus text exposition format.
  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBucketsSeconds.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  // std::less<> finds a series by views of its names: a request allocates
  // nothing here unless its series is new.
  std::map<std::tuple<std::string, std::string, int>, uint64_t, std::less<>> requests_;  // GUARDED_BY(mu_)
  std::map<std::tuple<std::string, std::string>, Histogram, std::less<>> latency_;  // GUARDED_BY(mu_)
};

}  // namespace opsdesk::http
