#include "serve/metrics.h"

#include <cstdio>

namespace statelog::serve {

const std::vector<double> kDurationBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                              0.05,   0.1,   0.25,   0.5,   1,    2.5};

const std::vector<double> kDeliveryBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                              0.25,  0.5,    1,     2.5,  5,     10};

namespace {

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

void Sample(std::string& out, const std::string& name, const std::string& labels, double v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += Number(v);
  out += '\n';
}

// Escapes a label value (backslash, double quote and newline).
std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void Metrics::Histogram::Observe(const std::vector<double>& bounds, double v) {
  if (counts.empty()) counts.assign(bounds.size() + 1, 0);
  size_t i = 0;
  while (i < bounds.size() && v > bounds[i]) ++i;
  ++counts[i];
  ++count;
  sum += v;
}

void Metrics::Histogram::Render(std::string& out, const std::string& name,
                                const std::string& labels,
                                const std::vector<double>& bounds) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts.empty() ? 0 : counts[i];
    Sample(out, name + "_bucket", labels + sep + "le=\"" + Number(bounds[i]) + "\"",
           static_cast<double>(cumulative));
  }
  Sample(out, name + "_bucket", labels + sep + "le=\"+Inf\"", static_cast<double>(count));
  Sample(out, name + "_sum", labels, sum);
  Sample(out, name + "_count", labels, static_cast<double>(count));
}

Metrics::Metrics() = default;

void Metrics::ObserveEvent(const Event& event, bool appended, Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t t = event.body.index();
  ++events_[t];
  if (appended) {
    ++appended_[t];
    const Timestamp delay = now > event.timestamp ? now - event.timestamp : 0;
    delivery_.Observe(kDeliveryBuckets, static_cast<double>(delay) / 1e6);
  }
  if (const auto* s = std::get_if<events::SnapshotCreated>(&event.body)) {
    latest_snapshot_covers_ = s->covers;
  }
}

void Metrics::ObserveRequest(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
  durations_[route].Observe(kDurationBuckets, seconds);
}

void Metrics::ObserveRateLimited() {
  std::lock_guard<std::mutex> lock(mu_);
  ++rate_limited_;
}

std::string Metrics::Render(const MetricsInputs& in) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  if (in.length) {
    Header(out, "statelog_log_events", "gauge", "Events in the log (the head's length).");
    Sample(out, "statelog_log_events", "", static_cast<double>(*in.length));
  }
  Header(out, "statelog_events", "gauge", "Events in the log seen by this server, by type.");
  for (size_t t = 0; t < kEventTypeCount; ++t) {
    Sample(out, "statelog_events",
           "type=\"" + std::string(EventTypeName(static_cast<EventType>(t))) + "\"",
           static_cast<double>(events_[t]));
  }
  Header(out, "statelog_appends_total", "counter",
         "Events appended to the log while this server ran, by type.");
  for (size_t t = 0; t < kEventTypeCount; ++t) {
    Sample(out, "statelog_appends_total",
           "type=\"" + std::string(EventTypeName(static_cast<EventType>(t))) + "\"",
           static_cast<double>(appended_[t]));
  }
  const uint64_t lag = in.length && *in.length > in.delivered ? *in.length - in.delivered : 0;
  Header(out, "statelog_append_delivery_seconds", "histogram",
         "Delay from the timestamp of an event appended while this server ran to its delivery "
         "here: the writer's append and commit, and the subscription's delivery.");
  delivery_.Render(out, "statelog_append_delivery_seconds", "", kDeliveryBuckets);
  Header(out, "statelog_subscriber_lag_events", "gauge",
         "Events in the log the server's subscription has not delivered yet.");
  Sample(out, "statelog_subscriber_lag_events", "", static_cast<double>(lag));
  Header(out, "statelog_snapshots", "gauge", "Snapshots recorded in the log.");
  Sample(out, "statelog_snapshots", "",
         static_cast<double>(events_[static_cast<size_t>(EventType::kSnapshotCreated)]));
  Header(out, "statelog_snapshot_covers_events", "gauge",
         "Events covered by the latest snapshot (0 without one).");
  Sample(out, "statelog_snapshot_covers_events", "", static_cast<double>(latest_snapshot_covers_));
  if (in.disk) {
    const DiskUsage& d = *in.disk;
    Header(out, "statelog_store_size_bytes", "gauge", "Size of the store on disk.");
    Sample(out, "statelog_store_size_bytes", "", static_cast<double>(d.total));
    Header(out, "statelog_store_part_bytes", "gauge",
           "Bytes of each part of the store (statelog stats: disk).");
    for (const auto& [part, bytes] : d.Parts()) {
      Sample(out, "statelog_store_part_bytes", std::string("part=\"") + part + "\"",
             static_cast<double>(bytes));
    }
  }
  Header(out, "statelog_verify_runs_total", "counter",
         "Verifications of the whole log this server finished.");
  Sample(out, "statelog_verify_runs_total", "", static_cast<double>(in.verify_runs));
  if (in.verify.run) {
    Header(out, "statelog_verify_ok", "gauge",
           "1 if the latest verification of the log passed, 0 if it failed.");
    Sample(out, "statelog_verify_ok", "", in.verify.ok ? 1 : 0);
    Header(out, "statelog_verify_verified_events", "gauge",
           "Events the latest verification checked.");
    Sample(out, "statelog_verify_verified_events", "", static_cast<double>(in.verify.events));
    Header(out, "statelog_verify_duration_seconds", "gauge",
           "How long the latest verification took.");
    Sample(out, "statelog_verify_duration_seconds", "", in.verify_seconds);
    Header(out, "statelog_verify_last_run_timestamp_seconds", "gauge",
           "When the latest verification finished (Unix time).");
    Sample(out, "statelog_verify_last_run_timestamp_seconds", "",
           static_cast<double>(in.verify.finished_at_unix));
  }
  Header(out, "statelog_store_reachable", "gauge",
         "1 while the server's subscription reads the store; 0 while the store is unreachable "
         "(the server keeps reconnecting) or after the subscription stopped on an error.");
  Sample(out, "statelog_store_reachable", "", in.live.reading() ? 1 : 0);
  Header(out, "statelog_store_unreachable_since_timestamp_seconds", "gauge",
         "When the current outage of the store began (Unix time); 0 while it is reachable.");
  Sample(out, "statelog_store_unreachable_since_timestamp_seconds", "",
         in.live.unreachable_since ? static_cast<double>(*in.live.unreachable_since) / 1e6 : 0);
  Header(out, "statelog_store_outages_total", "counter",
         "Outages of the store (the subscription found it unreachable) since the server started.");
  Sample(out, "statelog_store_outages_total", "", static_cast<double>(in.live.outages));
  Header(out, "statelog_ready", "gauge", "1 while /health/ready answers 200.");
  Sample(out, "statelog_ready", "", in.ready ? 1 : 0);
  Header(out, "statelog_http_stream_clients", "gauge", "Open event streams (server-sent events).");
  Sample(out, "statelog_http_stream_clients", "", static_cast<double>(in.stream_clients));
  Header(out, "statelog_http_rate_limited_total", "counter",
         "Requests refused with 429 by the rate limit.");
  Sample(out, "statelog_http_rate_limited_total", "", static_cast<double>(rate_limited_));
  Header(out, "statelog_http_requests_total", "counter", "HTTP requests, by route and status.");
  for (const auto& [key, n] : requests_) {
    Sample(out, "statelog_http_requests_total",
           "route=\"" + LabelValue(key.first) + "\",code=\"" + std::to_string(key.second) + "\"",
           static_cast<double>(n));
  }
  Header(out, "statelog_http_request_duration_seconds", "histogram",
         "Time to answer an HTTP request, by route.");
  for (const auto& [route, h] : durations_) {
    h.Render(out, "statelog_http_request_duration_seconds", "route=\"" + LabelValue(route) + "\"",
             kDurationBuckets);
  }
  return out;
}

}  // namespace statelog::serve
