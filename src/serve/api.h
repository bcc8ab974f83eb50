// The JSON API of `statelog serve` (docs/http-api.md), independent of any HTTP library: a request
// is a method, a decoded path and its query parameters; the answer is a status, a content type
// and a body. The server (server.h) carries these over HTTP.
//
// Besides the JSON routes, /checkpoint (the latest kept signed checkpoint, text), /tile/...
// (tlog-tiles hash tiles, bytes) and /api/v1/events/{id}/proof (a .tlog-proof, text).
//
// Every route is a read. Errors are JSON: {"error":{"code":...,"message":...,"parameter":...}}
// ("parameter" only when one parameter is at fault), with 400 for a bad parameter or id, 404 for
// an unknown route or entity, 405 for a method other than GET or HEAD, 503 when not ready, 500
// when the store fails.
//
// Thread-safe: Handle may be called from many threads at once.
#ifndef STATELOG_SERVE_API_H_
#define STATELOG_SERVE_API_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "statelog/db.h"

namespace statelog::serve {

struct HttpRequest {
  std::string method;                                       // "GET", "HEAD", ...
  std::string path;                                         // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> params;  // decoded, in request order
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string route;  // the route's pattern, e.g. "/api/v1/channels/{id}" (a metrics label)
  // The Cache-Control header; empty: "no-store".
  std::string cache_control;
};

// The outcome of the latest background verification of the whole log (statelog/verify.h).
struct VerifyStatus {
  bool run = false;  // false until the first verification finished
  bool ok = false;
  uint64_t events = 0;      // events checked
  uint64_t signatures = 0;  // signatures recovered
  ChainHead head;           // the head it verified
  std::optional<Offset> first_bad_offset;
  std::string message;           // the first failure, or empty
  int64_t finished_at_unix = 0;  // seconds
};

// The server's live subscription (statelog/log.h, SubscriptionState): whether it reads the store.
struct LiveStatus {
  // Set while the store is unreachable (a database down or failing over): when the outage began,
  // microseconds since the Unix epoch. The subscription keeps reconnecting meanwhile.
  std::optional<Timestamp> unreachable_since;
  bool stopped = false;  // the subscription stopped on an error (it does not come back)
  std::string error;     // the outage's latest failed read, or why the subscription stopped
  uint64_t outages = 0;  // outages that began since the server started

  // True while the subscription reads the store.
  bool reading() const { return !unreachable_since && !stopped; }
};

struct ApiOptions {
  std::string backend;  // e.g. "RocksDB store ./statelog-data"; shown by /api/v1/head
  // /health/ready fails while the server's view of the log trails the head by more events.
  uint64_t max_lag = 1000;
};

class Api {
 public:
  // `db` is only read (never appended to); it must outlive the Api.
  Api(DB* db, ApiOptions options);

  // Answers one request. Never throws; a bad input is a 4xx answer.
  HttpResponse Handle(const HttpRequest& request);

  // Progress of the server's subscription: it has seen the log up to `length` events.
  void SetDelivered(uint64_t length) { delivered_.store(length); }
  uint64_t delivered() const { return delivered_.load(); }
  void SetVerify(VerifyStatus status);
  VerifyStatus verify() const;
  void SetLive(LiveStatus status);
  LiveStatus live() const;

  // An error answer: {"error":{"code":code,"message":message[,"parameter":parameter]}}.
  static HttpResponse Error(int status, std::string_view code, std::string_view message,
                            std::optional<std::string_view> parameter = std::nullopt);

 private:
  HttpResponse Head(const HttpRequest& r);
  HttpResponse Live();
  HttpResponse Ready();
  HttpResponse Channels(const HttpRequest& r);
  HttpResponse Channel(const HttpRequest& r, std::string_view id, std::string_view sub);
  HttpResponse Objectives(const HttpRequest& r);
  HttpResponse Objective(const HttpRequest& r, std::string_view id);
  HttpResponse Log(const HttpRequest& r);
  // The transparency-log routes (api_proofs.cc): /checkpoint, /tile/..., the proof of an event.
  HttpResponse Checkpoint(const HttpRequest& r);
  HttpResponse Tile(const HttpRequest& r);
  HttpResponse EventProof(const HttpRequest& r, std::string_view id);

  DB* db_;
  ApiOptions options_;
  std::atomic<uint64_t> delivered_{0};
  mutable std::mutex mu_;
  VerifyStatus verify_;  // guarded by mu_
  LiveStatus live_;      // guarded by mu_
};

}  // namespace statelog::serve

#endif  // STATELOG_SERVE_API_H_
