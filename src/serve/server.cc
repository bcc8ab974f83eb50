#include "serve/server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "base/decimal.h"
#include "serve/api.h"
#include "serve/api_internal.h"
#include "serve/assets.h"
#include "serve/metrics.h"
#include "serve/params.h"
#include "statelog/verify.h"

namespace statelog::serve {

namespace {

using Clock = std::chrono::steady_clock;

// Events sent per write of an event stream.
constexpr uint64_t kStreamBatch = 100;
// An idle event stream sends a comment this often (keeps proxies from closing it, and finds
// closed connections).
constexpr auto kStreamKeepAlive = std::chrono::seconds(15);
// The most client addresses the rate limit tracks; beyond, it starts afresh.
constexpr size_t kMaxClients = 10000;
// Request bodies: every route is a read, so there is nothing to upload.
constexpr size_t kMaxBody = 4096;

// True for a dotted-quad IPv4 literal in 127.0.0.0/8 (not for a name such as 127.0.0.1.example).
bool IsLoopbackIpv4(std::string_view host) {
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

void SetJson(httplib::Response& res, const HttpResponse& r) {
  res.status = r.status;
  res.set_content(r.body, r.content_type.c_str());
}

}  // namespace

struct Server::Impl {
  Impl(DB* d, ServerOptions o)
      : db(d), options(std::move(o)), api(d, {d->description(), options.max_lag}) {}

  DB* db;
  ServerOptions options;
  Api api;
  Metrics metrics;
  httplib::Server http;
  int port = 0;
  uint64_t start_length = 0;
  std::optional<SubscriptionId> subscription;
  std::thread listener, verifier;

  std::mutex mu;
  std::condition_variable cv;  // new events, or stopping
  uint64_t delivered = 0;      // guarded by mu
  bool stopping = false;       // guarded by mu
  std::atomic<int> streams{0};
  std::atomic<bool> listen_done{false};
  bool loopback = false;  // listening on a loopback address only
  std::atomic<uint64_t> verify_runs{0};
  std::atomic<double> verify_seconds{0};

  std::mutex rate_mu;
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  std::map<std::string, Bucket> buckets;  // guarded by rate_mu

  void OnEvent(const StoredEvent& s) {
    const Timestamp now = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    metrics.ObserveEvent(s.event, s.offset >= start_length, now);
    api.SetDelivered(s.offset + 1);
    {
      std::lock_guard<std::mutex> lock(mu);
      delivered = s.offset + 1;
    }
    cv.notify_all();
  }

  void OnState(const SubscriptionState& state) {
    LiveStatus live = api.live();
    live.error = state.error.ToString();
    if (state.kind == SubscriptionState::kUnreachable) {
      live.unreachable_since = state.since;
      ++live.outages;
    } else if (state.kind == SubscriptionState::kReachable) {
      live.unreachable_since.reset();
      live.error.clear();
    } else {
      live.unreachable_since.reset();
      live.stopped = true;
    }
    api.SetLive(std::move(live));
  }

  // On a loopback address, only requests for a localhost name are answered: a web page elsewhere
  // cannot read the API through a DNS name that resolves to 127.0.0.1 (DNS rebinding).
  bool HostAllowed(const httplib::Request& req) const {
    if (!loopback) return true;
    if (!req.has_header("Host")) return true;  // HTTP/1.0: no name to check
    std::string host = req.get_header_value("Host");
    if (!host.empty() && host[0] == '[') {
      host = host.substr(0, host.find(']') + 1);
    } else if (size_t colon = host.find(':'); colon != std::string::npos) {
      host.resize(colon);
    }
    return host == "localhost" || host == "[::1]" || IsLoopbackIpv4(host);
  }

  bool Admit(const std::string& client) {
    if (options.rate <= 0) return true;
    std::lock_guard<std::mutex> lock(rate_mu);
    const auto now = Clock::now();
    if (buckets.size() >= kMaxClients && !buckets.count(client)) buckets.clear();
    auto [it, fresh] = buckets.try_emplace(client, Bucket{options.burst, now});
    Bucket& b = it->second;
    if (!fresh) {
      const double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(options.burst, b.tokens + elapsed * options.rate);
      b.last = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  void VerifyLoop() {
    uint64_t verified = 0;
    bool first = true;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu);
        if (!first) {
          cv.wait_for(lock, std::chrono::seconds(options.verify_interval_seconds),
                      [&] { return stopping; });
        }
        if (stopping) return;
        if (!first && delivered == verified) continue;
      }
      first = false;
      const auto begin = Clock::now();
      VerifyOptions vo;
      vo.threads = 1;
      VerifyReport report = db->Verify(vo);
      VerifyStatus v;
      v.run = true;
      v.ok = report.status.ok();
      v.events = report.events;
      v.signatures = report.signatures;
      v.head = report.head;
      v.first_bad_offset = report.first_bad_offset;
      if (!v.ok) v.message = report.status.ToString();
      v.finished_at_unix = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
      verified = report.head.length;
      verify_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
      api.SetVerify(std::move(v));
      ++verify_runs;
    }
  }

  void RenderMetrics(const HttpRequest& hr, HttpResponse* out) {
    if (Params p(hr.params); !p.Allow({})) {
      *out = internal::BadParam(*p.error());
      return;
    }
    MetricsInputs in;
    auto head = db->Head();
    if (head.ok()) in.length = head->length;
    in.delivered = api.delivered();
    if (auto usage = db->disk_usage(); usage.ok()) in.disk = *usage;
    in.verify = api.verify();
    in.verify_runs = verify_runs.load();
    in.verify_seconds = verify_seconds.load();
    in.stream_clients = static_cast<uint64_t>(streams.load());
    in.live = api.live();
    in.ready = in.live.reading() && head.ok() &&
               head->length - std::min(head->length, in.delivered) <= options.max_lag;
    out->content_type = "text/plain; version=0.0.4; charset=utf-8";
    out->body = metrics.Render(in);
  }

  // Opens an event stream (server-sent events) from ?from= (default: the head) or after the
  // Last-Event-ID the client sends when it reconnects.
  bool Stream(const httplib::Request& req, httplib::Response& res, const HttpRequest& hr,
              HttpResponse* out) {
    Params p(hr.params);
    if (!p.Allow({"from"})) {
      *out = internal::BadParam(*p.error());
      return false;
    }
    std::optional<uint64_t> from = p.Offset("from");
    if (!from && req.has_header("Last-Event-ID")) {
      auto last = ParseOffset(req.get_header_value("Last-Event-ID"));
      if (last.ok() && *last == UINT64_MAX) {
        last = Status::InvalidArgument("no event follows offset 2^64-1");
      }
      if (!last.ok()) {
        *out = Api::Error(400, "bad_parameter",
                          "header 'Last-Event-ID': " + std::string(last.status().message()),
                          "Last-Event-ID");
        return false;
      }
      from = *last + 1;
    }
    if (!p.ok()) {
      *out = internal::BadParam(*p.error());
      return false;
    }
    auto length = db->events().Length();
    if (!length.ok()) {
      *out = internal::StatusError(length.status());
      return false;
    }
    if (from && *from > *length) {
      p.Refuse("from", "offset " + std::to_string(*from) + " is past the end of the log (length " +
                           std::to_string(*length) + ")");
      *out = internal::BadParam(*p.error());
      return false;
    }
    if (streams.fetch_add(1) >= options.max_streams) {
      --streams;
      *out = Api::Error(
          503, "too_many_streams",
          "too many open event streams (at most " + std::to_string(options.max_streams) + ")");
      return false;
    }
    auto next = std::make_shared<uint64_t>(from.value_or(*length));
    auto greeted = std::make_shared<bool>(false);
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, next, greeted](size_t, httplib::DataSink& sink) -> bool {
          if (!*greeted) {
            *greeted = true;
            const std::string hello = "retry: 2000\n: statelog event stream from offset " +
                                      std::to_string(*next) + "\n\n";
            return sink.write(hello.data(), hello.size());
          }
          uint64_t available = 0;
          {
            std::unique_lock<std::mutex> lock(mu);
            cv.wait_for(lock, kStreamKeepAlive, [&] { return stopping || delivered > *next; });
            if (stopping) {
              sink.done();
              return true;
            }
            available = delivered;
          }
          if (available <= *next) {
            static constexpr char kPing[] = ": keep-alive\n\n";
            return sink.write(kPing, sizeof kPing - 1);
          }
          std::vector<StoredEvent> batch;
          const uint64_t end = std::min(available, *next + kStreamBatch);
          if (!db->events().ReadRange(*next, end, &batch).ok()) return false;
          std::string text;
          for (const StoredEvent& s : batch) {
            JsonOut j;
            internal::WriteStoredEvent(j, s);
            text +=
                "id: " + std::to_string(s.offset) + "\nevent: append\ndata: " + j.str() + "\n\n";
          }
          *next = end;
          return sink.write(text.data(), text.size());
        },
        [this](bool) { --streams; });
    res.status = 200;
    out->route = "/api/v1/events/stream";
    return true;
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    const auto begin = Clock::now();
    HttpRequest hr;
    hr.method = req.method;
    hr.path = req.path;
    for (const auto& [k, v] : req.params) hr.params.emplace_back(k, v);
    HttpResponse out;
    res.set_header("X-Content-Type-Options", "nosniff");
    if (hr.path == "/metrics") {
      out.route = "/metrics";
      RenderMetrics(hr, &out);
      SetJson(res, out);
    } else if (hr.path == "/api/v1/events/stream") {
      out.route = "/api/v1/events/stream";
      if (!Stream(req, res, hr, &out)) SetJson(res, out);
    } else if (hr.path.rfind("/api/", 0) == 0 || hr.path.rfind("/health/", 0) == 0 ||
               hr.path == "/checkpoint" || hr.path.rfind("/tile/", 0) == 0) {
      out = api.Handle(hr);
      const bool cached = out.status == 200 && !out.cache_control.empty();
      res.set_header("Cache-Control", cached ? out.cache_control : "no-store");
      SetJson(res, out);
    } else if (const Asset* a = FindAsset(hr.path)) {
      out.route = "/";
      Params p(hr.params);
      if (hr.path != "/" && !p.Allow({})) {
        out = internal::BadParam(*p.error());
        out.route = "/";
        SetJson(res, out);
      } else {
        res.set_header("Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                       "frame-ancestors 'none'");
        res.status = 200;
        res.set_content(a->data, a->size, a->content_type);
      }
    } else {
      out = Api::Error(404, "not_found", "no such route: " + Quote(hr.path));
      out.route = "unknown";
      SetJson(res, out);
    }
    metrics.ObserveRequest(out.route.empty() ? "unknown" : out.route, res.status,
                           std::chrono::duration<double>(Clock::now() - begin).count());
  }
};

Status ParseListen(std::string_view text, std::string* host, int* port) {
  std::string_view h = text, p;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("--listen: no ']' after an IPv6 address: " + Quote(text));
    }
    h = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return Status::InvalidArgument("--listen: expected ':PORT' after ']'");
      p = rest.substr(1);
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) {
      return Status::InvalidArgument("--listen: write an IPv6 address as [ADDRESS]:PORT");
    }
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (p.empty()) return Status::InvalidArgument("--listen: no port after ':'");
  }
  *host = h.empty() ? std::string("127.0.0.1") : std::string(h);
  *port = kDefaultPort;
  if (!p.empty()) {
    auto v = ParseDecimal64(p);
    if (!v.ok() || *v > 65535) {
      return Status::InvalidArgument("--listen: not a port from 0 to 65535: " + Quote(p));
    }
    *port = static_cast<int>(*v);
  }
  return Status::OK();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

int Server::port() const { return impl_->port; }

StatusOr<std::unique_ptr<Server>> Server::Start(DB* db, ServerOptions options) {
  if (options.threads < 2 || options.max_streams < 0 || options.max_streams >= options.threads) {
    return Status::InvalidArgument("threads must be at least 2 and more than max_streams");
  }
  if (options.rate < 0 || (options.rate > 0 && options.burst < 1) ||
      options.read_timeout_seconds < 1 || options.verify_interval_seconds < 1) {
    return Status::InvalidArgument("bad rate, burst, read timeout or verify interval");
  }
  auto impl = std::make_unique<Impl>(db, std::move(options));
  Impl* s = impl.get();
  const std::string& host = s->options.host;
  s->loopback = host == "localhost" || host == "::1" || IsLoopbackIpv4(host);
  httplib::Server& http = s->http;
  const int threads = s->options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_read_timeout(s->options.read_timeout_seconds, 0);
  http.set_write_timeout(5, 0);
  http.set_keep_alive_timeout(std::min(5, s->options.read_timeout_seconds));
  http.set_keep_alive_max_count(100);
  http.set_payload_max_length(kMaxBody);
  // Runs before any body is read: the rate limit, then 405 for every method but GET and HEAD.
  http.set_pre_routing_handler([s](const httplib::Request& req, httplib::Response& res) {
    if (!s->Admit(req.remote_addr)) {
      s->metrics.ObserveRateLimited();
      res.set_header("Retry-After", "1");
      SetJson(res, Api::Error(429, "too_many_requests",
                              "too many requests from this address: retry later"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!s->HostAllowed(req)) {
      SetJson(res, Api::Error(403, "forbidden_host",
                              "host " + Quote(req.get_header_value("Host")) +
                                  " is not this server's: a server listening on a loopback "
                                  "address answers only localhost names"));
      s->metrics.ObserveRequest("other", 403, 0);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method == "GET" || req.method == "HEAD") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    HttpResponse out = s->api.Handle(HttpRequest{req.method, req.path, {}});
    res.set_header("Allow", "GET, HEAD");
    SetJson(res, out);
    s->metrics.ObserveRequest("other", out.status, 0);
    return httplib::Server::HandlerResponse::Handled;
  });
  http.Get(".*",
           [s](const httplib::Request& req, httplib::Response& res) { s->Dispatch(req, res); });
  // Answers httplib's own refusals (malformed request, URI or body too long) in JSON too.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* code = res.status == 413   ? "payload_too_large"
                       : res.status == 414 ? "uri_too_long"
                       : res.status == 404 ? "not_found"
                       : res.status == 405 ? "method_not_allowed"
                                           : "bad_request";
    SetJson(res, Api::Error(res.status, code,
                            "the request was refused (HTTP " + std::to_string(res.status) + ")"));
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SetJson(res, Api::Error(500, "internal", "internal error"));
      });

  auto length = db->events().Length();
  if (!length.ok()) return length.status();
  s->start_length = *length;
  if (s->options.port == 0) {
    s->port = http.bind_to_any_port(s->options.host);
    if (s->port <= 0) {
      return Status::IOError("cannot listen on " + s->options.host + " (any port)");
    }
  } else {
    if (!http.bind_to_port(s->options.host, s->options.port)) {
      return Status::IOError("cannot listen on " + s->options.host + ":" +
                             std::to_string(s->options.port) +
                             " (address in use, or not an address of this machine)");
    }
    s->port = s->options.port;
  }
  // The server rides through any outage of the store, however long, and reports it
  // (/health/ready, /metrics); it goes on where it was once the store is back.
  SubscribeOptions live;
  live.reconnect_timeout = std::nullopt;
  live.on_state = [s](const SubscriptionState& state) { s->OnState(state); };
  s->subscription = db->SubscribeFrom(
      0, [s](const StoredEvent& e) { s->OnEvent(e); }, std::move(live));
  s->listener = std::thread([s] {
    s->http.listen_after_bind();
    s->listen_done = true;
  });
  // Stop() before the listener runs would not stop it: wait until it does (or gave up).
  while (!http.is_running() && !s->listen_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  s->verifier = std::thread([s] { s->VerifyLoop(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::Stop() {
  Impl* s = impl_.get();
  {
    std::lock_guard<std::mutex> lock(s->mu);
    if (s->stopping) return;
    s->stopping = true;
  }
  s->cv.notify_all();
  s->http.stop();
  if (s->listener.joinable()) s->listener.join();
  if (s->verifier.joinable()) s->verifier.join();
  if (s->subscription) (void)s->db->Unsubscribe(*s->subscription);
}

}  // namespace statelog::serve
