#include "bot/http/metrics.h"

#include <prometheus/text_serializer.h>

namespace datamcp::bot {
namespace {

// The method as a label: one of the methods the routes serve, or "other", so a client that
// sends random methods cannot grow the registry (issue #11, finding 5).
const std::string& MethodLabel(const std::string& method) {
  static const std::string kMethods[] = {"GET",   "HEAD",   "POST",    "PUT",
                                         "PATCH", "DELETE", "OPTIONS", "other"};
  for (const std::string& m : kMethods) {
    if (m == method) return m;
  }
  return kMethods[std::size(kMethods) - 1];
}

std::string StatusLabel(int status) {
  return status >= 100 && status <= 599 ? std::to_string(status) : "other";
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("datamcp_http_requests_total")
                    .Help("HTTP requests served, by route, method and status code.")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("datamcp_http_request_duration_seconds")
                   .Help("Time from routing a request to sending its response.")
                   .Register(*registry_)) {}

void Metrics::ObserveRequest(const std::string& route, const std::string& method, int status,
                             double seconds) {
  const std::string& method_label = MethodLabel(method);
  requests_.Add({{"route", route}, {"method", method_label}, {"status", StatusLabel(status)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  latency_.Add({{"route", route}, {"method", method_label}}, kBuckets).Observe(seconds);
}

std::string Metrics::Serialize() const {
  if (before_scrape_) before_scrape_();
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace datamcp::bot
