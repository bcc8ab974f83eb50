// The cross-process wake-up of the PostgreSQL backend: a thread with its own connection that
// LISTENs on statelog_append and calls `on_append` when any process commits an append to this
// schema. It also re-reads the head every poll interval and calls `on_append` when the length
// changed, so a lost notification (or a dropped connection) only delays subscribers. When its
// connection breaks, and after each attempt to connect again (every poll interval), it calls
// `on_append` too: subscribers then read, and learn that the database is out of reach (or back)
// without waiting for an append.
#ifndef STATELOG_POSTGRES_LISTENER_H_
#define STATELOG_POSTGRES_LISTENER_H_

#include <functional>
#include <thread>

#include "postgres/pg_conn.h"
#include "statelog/status.h"

namespace statelog::pg {

class Listener {
 public:
  // `pool` (for Connect()) must outlive the listener.
  Listener(const ConnectionPool* pool, int poll_interval_ms, std::function<void()> on_append);
  // Stops and joins the thread.
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Connects, LISTENs and starts the thread. Errors if the first connection fails.
  Status Start();

 private:
  void Run();
  // Opens the connection and LISTENs; null on failure.
  Conn Subscribe() const;

  const ConnectionPool* const pool_;
  const int poll_interval_ms_;
  const std::function<void()> on_append_;
  int wake_fds_[2] = {-1, -1};  // a self-pipe: writing wake_fds_[1] stops the thread
  Conn conn_;                   // owned by the thread once started
  std::thread thread_;
};

}  // namespace statelog::pg

#endif  // STATELOG_POSTGRES_LISTENER_H_
