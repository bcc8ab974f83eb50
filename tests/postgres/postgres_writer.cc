// A writer process for postgres_multiwriter_test: appends `count` events of its own channel to
// the log in `schema` and prints one line per acknowledged event, "<offset> <appended> <id hex>",
// written with write(2) right after the append returned OK, so that a SIGKILL loses no printed
// acknowledgement.
//
//   postgres_writer SCHEMA WRITER COUNT [BATCH]
// Environment: STATELOG_PG_CONNINFO; STATELOG_WRITER_RETRY_SECONDS (optional, for the failover
// test): keep retrying an open or an append that failed with an I/O error (the server went away)
// for up to that long, the same events each time, reporting each retry on stderr;
// STATELOG_WRITER_SIGNED=1: instead of the test channel's events, whole signed direct-funding
// lifecycles of channels no other writer uses (events `statelog verify` accepts). Exit status 0
// when every append succeeded.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "demo/scenario.h"
#include "statelog/postgres_store.h"
#include "store/test_events.h"

namespace {

void WriteAll(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(STDOUT_FILENO, s.data() + done, s.size() - done);
    if (n <= 0) std::_Exit(3);
    done += static_cast<size_t>(n);
  }
}

// The first `count` events of signed channel lifecycles between Irene and Alice, one channel
// after another, none of them equal to another writer's.
std::vector<statelog::Event> SignedEvents(uint64_t writer, size_t count) {
  using namespace statelog;
  std::vector<Event> out;
  for (uint64_t k = 0; out.size() < count; ++k) {
    // Messages name no channel: distinct timestamps keep them distinct events.
    const Timestamp start = static_cast<Timestamp>((writer * 1000000 + k) * 1000000);
    demo::ChannelScript channel(demo::Actor::Irene(), demo::Actor::Alice(), writer * 1000000 + k,
                                start, Uint256(1000));
    for (Event& e : channel.DirectFundingLifecycle(5)) {
      if (out.size() < count) out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace statelog;
  if (argc < 4) {
    std::fprintf(stderr, "usage: postgres_writer SCHEMA WRITER COUNT [BATCH]\n");
    return 2;
  }
  const char* conninfo = std::getenv("STATELOG_PG_CONNINFO");
  if (conninfo == nullptr) {
    std::fprintf(stderr, "postgres_writer: STATELOG_PG_CONNINFO is not set\n");
    return 2;
  }
  PostgresOptions options;
  options.schema = argv[1];
  const uint64_t writer = std::strtoull(argv[2], nullptr, 10);
  const size_t count = std::strtoull(argv[3], nullptr, 10);
  const size_t batch = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1;
  const char* retry_env = std::getenv("STATELOG_WRITER_RETRY_SECONDS");
  const auto retry_until =
      std::chrono::steady_clock::now() + std::chrono::seconds(retry_env ? std::atoi(retry_env) : 0);
  // True (after a pause) when a failed call may be retried.
  auto may_retry = [&](const Status& s, const char* what) {
    if (s.code() != StatusCode::kIOError || std::chrono::steady_clock::now() >= retry_until) {
      return false;
    }
    std::fprintf(stderr, "postgres_writer %s: retrying %s after: %s\n", argv[2], what,
                 s.ToString().c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return true;
  };
  auto store = PostgresEventStore::Open(conninfo, options);
  while (!store.ok() && may_retry(store.status(), "open")) {
    store = PostgresEventStore::Open(conninfo, options);
  }
  if (!store.ok()) {
    std::fprintf(stderr, "postgres_writer: %s\n", store.status().ToString().c_str());
    return 1;
  }
  // Channel 1000 + writer (or nonces writer * 10^6 + k): the writers' channels never overlap.
  const char* signed_env = std::getenv("STATELOG_WRITER_SIGNED");
  const std::vector<Event> events = signed_env != nullptr && std::string(signed_env) == "1"
                                        ? SignedEvents(writer, count)
                                        : test::ChannelEvents(1000 + writer, count, 1);
  for (size_t i = 0; i < events.size(); i += batch) {
    const size_t n = std::min(batch, events.size() - i);
    auto r = (*store)->AppendBatch(std::span<const Event>(events.data() + i, n));
    while (!r.ok() && may_retry(r.status(), "an append")) {
      r = (*store)->AppendBatch(std::span<const Event>(events.data() + i, n));
    }
    if (!r.ok()) {
      std::fprintf(stderr, "postgres_writer %llu: event %zu: %s\n",
                   static_cast<unsigned long long>(writer), i, r.status().ToString().c_str());
      return 1;
    }
    std::string lines;
    for (size_t j = 0; j < n; ++j) {
      lines += std::to_string((*r)[j].offset) + " " + ((*r)[j].appended ? "1 " : "0 ") +
               events[i + j].id.ToHex() + "\n";
    }
    WriteAll(lines);
  }
  return 0;
}
