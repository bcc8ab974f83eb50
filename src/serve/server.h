// The HTTP server of `statelog serve`: the JSON API (api.h), the web explorer (assets.h),
// /metrics (metrics.h), health checks and a stream of new events (server-sent events), all
// read-only, from one process (docs/http-api.md; the choices in docs/adr/0013-http-server.md).
//
// Threading: a fixed pool of `threads` workers answers requests; each open event stream holds
// one of them, so at most `max_streams` streams are open at once. One subscription to the log
// feeds the metrics, the readiness check and every stream; one background thread re-verifies
// the log when it grew.
#ifndef STATELOG_SERVE_SERVER_H_
#define STATELOG_SERVE_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "statelog/db.h"

namespace statelog::serve {

// The port `statelog serve` listens on by default.
inline constexpr int kDefaultPort = 7447;

struct ServerOptions {
  // The address to listen on; the default admits local clients only.
  std::string host = "127.0.0.1";
  // The port; 0 picks a free one (Server::port() tells which).
  int port = kDefaultPort;
  // Worker threads answering requests (at least 2).
  int threads = 16;
  // Event streams open at once (at most threads - 1: the rest answer other requests).
  int max_streams = 8;
  // Requests per second admitted from one client address, on average and in a burst; more are
  // refused with 429. 0: no limit.
  double rate = 100;
  double burst = 200;
  // A connection that sends nothing for this long is closed (request line, headers, body).
  int read_timeout_seconds = 5;
  // /health/ready fails while the server's view trails the head by more events.
  uint64_t max_lag = 1000;
  // The log is verified when the server starts, and again at most this often when it grew.
  int verify_interval_seconds = 30;
};

class Server {
 public:
  // Binds, then serves `db` from background threads until Stop() or destruction. `db` must
  // outlive the Server and is never appended to; /api/v1/head names it (DB::description).
  // Errors: InvalidArgument for bad options, IOError when the address cannot be bound.
  static StatusOr<std::unique_ptr<Server>> Start(DB* db, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port it listens on.
  int port() const;
  // Stops listening, ends the event streams and waits for the workers. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parses --listen: "HOST:PORT", "HOST" (the default port), ":PORT" (127.0.0.1) or
// "[IPV6]:PORT". InvalidArgument names what is wrong.
Status ParseListen(std::string_view text, std::string* host, int* port);

}  // namespace statelog::serve

#endif  // STATELOG_SERVE_SERVER_H_
