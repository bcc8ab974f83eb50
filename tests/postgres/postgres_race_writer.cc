// A writer process for postgres_race_test: opens the PostgreSQL log in SCHEMA with its own Ledger,
// waits until START_US (microseconds since the epoch, so that every writer starts at once), then
// tries writer W's events of the race (tests/testing/race.h) and prints one line per event,
// "<index> <status code>", 0 for OK.
//
//   postgres_race_writer SCHEMA W WRITERS CONTESTS NONCE START_US
// Environment: STATELOG_PG_CONNINFO. Exit status 0 when every outcome is one a writer may get.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "statelog/ledger.h"
#include "statelog/postgres_store.h"
#include "testing/race.h"

int main(int argc, char** argv) {
  using namespace statelog;
  if (argc < 7) {
    std::fprintf(stderr, "usage: postgres_race_writer SCHEMA W WRITERS CONTESTS NONCE START_US\n");
    return 2;
  }
  const char* conninfo = std::getenv("STATELOG_PG_CONNINFO");
  if (conninfo == nullptr) {
    std::fprintf(stderr, "postgres_race_writer: STATELOG_PG_CONNINFO is not set\n");
    return 2;
  }
  PostgresOptions options;
  options.schema = argv[1];
  options.create_if_missing = false;
  const int writer = std::atoi(argv[2]);
  const testing::Race race = testing::MakeRace(std::atoi(argv[3]), std::atoi(argv[4]),
                                               std::strtoull(argv[5], nullptr, 10));
  const auto start = std::chrono::system_clock::time_point(
      std::chrono::microseconds(std::strtoll(argv[6], nullptr, 10)));
  auto store = PostgresEventStore::Open(conninfo, options);
  if (!store.ok()) {
    std::fprintf(stderr, "postgres_race_writer %d: %s\n", writer, store.status().ToString().c_str());
    return 1;
  }
  LedgerOptions ledger_options;
  ledger_options.snapshots.interval = 8;
  auto ledger = Ledger::Open(store->get(), (*store)->snapshots(), ledger_options);
  if (!ledger.ok()) {
    std::fprintf(stderr, "postgres_race_writer %d: %s\n", writer,
                 ledger.status().ToString().c_str());
    return 1;
  }
  std::this_thread::sleep_until(start);
  int bad = 0;
  const auto& mine = race.by_writer.at(writer);
  for (size_t i = 0; i < mine.size(); ++i) {
    Status s = (*ledger)->Append(mine[i]).status();
    std::printf("%zu %d\n", i, static_cast<int>(s.code()));
    if (!s.ok() && !testing::IsLoserError(s)) {
      std::fprintf(stderr, "postgres_race_writer %d: event %zu: %s\n", writer, i,
                   s.ToString().c_str());
      ++bad;
    }
  }
  std::fflush(stdout);
  return bad == 0 ? 0 : 1;
}
