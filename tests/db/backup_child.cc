// The child of the backup kill test (backup_test.cc): opens the store DATA for writing, appends
// channel lifecycles from a writer thread, takes a backup into DEST and prints "backed up N" (N:
// the backup's length); the test SIGKILLs it at a random moment.
//   db_backup_child DATA DEST NONCE
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "demo/scenario.h"
#include "statelog/db.h"

int main(int argc, char** argv) {
  using namespace statelog;
  if (argc != 4) {
    std::fprintf(stderr, "usage: db_backup_child DATA DEST NONCE\n");
    return 2;
  }
  auto db = DB::Open(std::string("rocksdb:") + argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  const uint64_t nonce = std::strtoull(argv[3], nullptr, 10);
  std::thread writer([&] {
    for (uint64_t i = 0;; ++i) {
      demo::ChannelScript s(demo::Actor::Alice(), demo::Actor::Bob(), nonce + i,
                            1'700'000'000'000'000, Uint256(5));
      for (const Event& e : s.DirectFundingLifecycle(2)) {
        if (!(*db)->Append(e).ok()) return;
      }
    }
  });
  writer.detach();
  auto info = (*db)->Backup(argv[2]);
  if (!info.ok()) {
    std::fprintf(stderr, "%s\n", info.status().ToString().c_str());
    std::fflush(stderr);
    _exit(1);
  }
  std::printf("backed up %llu\n", static_cast<unsigned long long>(info->head.length));
  std::fflush(stdout);
  _exit(0);  // the writer is still appending: no destructors
}
