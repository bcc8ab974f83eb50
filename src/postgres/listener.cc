#include "postgres/listener.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

namespace statelog::pg {
namespace {

std::optional<int64_t> HeadLength(PGconn* conn) {
  auto r = Exec(conn, "SELECT length FROM head WHERE id = 1", Params(), true);
  if (!r.ok() || PQntuples(r->get()) != 1) return std::nullopt;
  return GetInt8(r->get(), 0, 0);
}

}  // namespace

Listener::Listener(const ConnectionPool* pool, int poll_interval_ms,
                   std::function<void()> on_append)
    : pool_(pool),
      poll_interval_ms_(poll_interval_ms > 0 ? poll_interval_ms : 1000),
      on_append_(std::move(on_append)) {}

Listener::~Listener() {
  if (thread_.joinable()) {
    const char b = 1;
    while (write(wake_fds_[1], &b, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  for (int fd : wake_fds_) {
    if (fd >= 0) close(fd);
  }
}

Conn Listener::Subscribe() const {
  auto conn = pool_->Connect();
  if (!conn.ok()) return nullptr;
  // The channel is a constant identifier; the payload (the schema) filters in Run().
  if (!Exec(conn->get(), "LISTEN statelog_append").ok()) return nullptr;
  return std::move(conn).value();
}

Status Listener::Start() {
  if (pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::IOError(std::string("listener: pipe2: ") + std::strerror(errno));
  }
  conn_ = Subscribe();
  if (!conn_) {
    auto probe = pool_->Connect();  // for the error message
    return probe.ok() ? Status::IOError("listener: LISTEN statelog_append failed")
                      : probe.status().WithPrefix("listener");
  }
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

void Listener::Run() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::milliseconds(poll_interval_ms_);
  // -1: unknown (the head could not be read).
  int64_t last_length = HeadLength(conn_.get()).value_or(-1);
  auto next_check = Clock::now() + interval;
  for (;;) {
    pollfd fds[2] = {{wake_fds_[0], POLLIN, 0}, {-1, POLLIN, 0}};
    if (conn_) fds[1].fd = PQsocket(conn_.get());
    // Rounded up: a wait rounded down to 0 ms would spin until the check is due.
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_check - Clock::now());
    const int n = poll(fds, 2, static_cast<int>(std::max<int64_t>(0, wait.count())));
    if (n < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) return;  // stop requested
    const bool check_due = Clock::now() >= next_check;
    if (check_due) next_check = Clock::now() + interval;
    bool changed = false;
    if (!conn_) {
      if (!check_due) continue;
      // Reconnect, and wake the subscribers either way: connected, because notifications sent
      // meanwhile are lost and they must re-read; not, because while this thread has no
      // connection nothing else would wake an idle subscription to find the database gone (it
      // may have come back and gone again since this thread lost its connection).
      conn_ = Subscribe();
      on_append_();
      continue;
    }
    if (n > 0 && fds[1].revents != 0 && PQconsumeInput(conn_.get()) == 0) {
      // The server ended the connection (a stop, a restart, a failover): wake the subscribers,
      // whose reads find out whether the log can still be reached (and report it if not).
      conn_.reset();
      on_append_();
      continue;
    }
    // The periodic re-check runs even while notifications (e.g. of other schemas) keep arriving.
    if (check_due) {
      const std::optional<int64_t> length = HeadLength(conn_.get());
      if (!length) {
        // The head cannot be read (the schema is gone, privileges revoked, the server going
        // down): wake the subscribers, whose own read reports the error to their owners.
        changed = true;
        last_length = -1;
        if (PQstatus(conn_.get()) != CONNECTION_OK) conn_.reset();
      } else if (*length != last_length) {
        changed = true;
        last_length = *length;
      }
    }
    // Notifications read by PQconsumeInput or collected during HeadLength's query.
    while (conn_) {
      PGnotify* note = PQnotifies(conn_.get());
      if (note == nullptr) break;
      changed |= pool_->schema() == note->extra;
      PQfreemem(note);
    }
    if (changed) on_append_();
  }
}

}  // namespace statelog::pg
