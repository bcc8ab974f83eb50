// A writer process for postgres_multiwriter_test: appends `count` events of its own channel to
// the log in `schema` and prints one line per acknowledged event, "<offset> <appended> <id hex>",
// written with write(2) right after the append returned OK, so that a SIGKILL loses no printed
// acknowledgement.
//
//   postgres_writer SCHEMA WRITER COUNT [BATCH]
// Environment: STATELOG_PG_CONNINFO. Exit status 0 when every append succeeded.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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
  auto store = PostgresEventStore::Open(conninfo, options);
  if (!store.ok()) {
    std::fprintf(stderr, "postgres_writer: %s\n", store.status().ToString().c_str());
    return 1;
  }
  // Channel 1000 + writer: the writers' channels never overlap.
  const std::vector<Event> events = test::ChannelEvents(1000 + writer, count, 1);
  for (size_t i = 0; i < events.size(); i += batch) {
    const size_t n = std::min(batch, events.size() - i);
    auto r = (*store)->AppendBatch(std::span<const Event>(events.data() + i, n));
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
