// The server's metrics in the Prometheus text exposition format (version 0.0.4). Names follow
// Prometheus' conventions: statelog_ prefix, base units in the name, counters end in _total,
// latencies are histograms, label values come from small fixed sets (event type, route, code).
// Thread-safe.
#ifndef STATELOG_SERVE_METRICS_H_
#define STATELOG_SERVE_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "serve/api.h"
#include "statelog/event.h"
#include "statelog/store.h"

namespace statelog::serve {

// Values the server reads when it renders the metrics (not kept between scrapes).
struct MetricsInputs {
  std::optional<uint64_t> length;  // the log's length; nullopt if the head cannot be read
  uint64_t delivered = 0;          // events the server's subscription has seen
  std::optional<DiskUsage> disk;   // where the store's bytes are (not the memory store)
  VerifyStatus verify;
  uint64_t verify_runs = 0;
  double verify_seconds = 0;  // duration of the last verification
  uint64_t stream_clients = 0;
  bool ready = false;
  LiveStatus live;  // the server's subscription: reading, unreachable or stopped
};

class Metrics {
 public:
  Metrics();

  // An event the subscription delivered at `now` (microseconds since the epoch); `appended` when
  // it was appended after the server started (the others were already in the log). An appended
  // event's delay from its timestamp to `now` is recorded: the writer's append and commit plus
  // the delivery to this server.
  void ObserveEvent(const Event& event, bool appended, Timestamp now);
  // A finished request: its route label, status code and duration.
  void ObserveRequest(const std::string& route, int status, double seconds);
  void ObserveRateLimited();

  std::string Render(const MetricsInputs& in) const;

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket (not cumulative), +Inf last
    uint64_t count = 0;
    double sum = 0;
    void Observe(const std::vector<double>& bounds, double v);
    // Appends the _bucket, _sum and _count samples of `name` with `labels` (may be empty).
    void Render(std::string& out, const std::string& name, const std::string& labels,
                const std::vector<double>& bounds) const;
  };

  mutable std::mutex mu_;
  std::array<uint64_t, kEventTypeCount> events_{};            // guarded by mu_
  std::array<uint64_t, kEventTypeCount> appended_{};          // guarded by mu_
  uint64_t latest_snapshot_covers_ = 0;                       // guarded by mu_
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // guarded by mu_
  std::map<std::string, Histogram> durations_;                // guarded by mu_
  uint64_t rate_limited_ = 0;                                 // guarded by mu_
  Histogram delivery_;                                        // guarded by mu_
};

// The upper bounds of the histograms' buckets, in seconds: request durations, and the delay
// from an appended event's timestamp to its delivery.
extern const std::vector<double> kDurationBuckets;
extern const std::vector<double> kDeliveryBuckets;

}  // namespace statelog::serve

#endif  // STATELOG_SERVE_METRICS_H_
