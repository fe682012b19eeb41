#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>

namespace datamcp::bot {

// The process's Prometheus registry plus the HTTP request metrics every route reports.
// Other parts add their own families to registry(). Thread-safe.
class Metrics {
 public:
  Metrics();

  prometheus::Registry& registry() { return *registry_; }

  // Records one finished request. `route` is the route pattern (never the raw path), a method
  // outside GET/HEAD/POST/PUT/PATCH/DELETE/OPTIONS and a status outside 100..599 are
  // labelled "other": every label takes a fixed set of values.
  void ObserveRequest(const std::string& route, const std::string& method, int status,
                      double seconds);

  // Runs before every scrape, to refresh gauges that mirror state held elsewhere (locks,
  // the apply queue). Set once at start-up, before serving.
  void SetBeforeScrape(std::function<void()> hook) { before_scrape_ = std::move(hook); }

  // Prometheus text exposition format 0.0.4.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  std::function<void()> before_scrape_;
};

}  // namespace datamcp::bot
