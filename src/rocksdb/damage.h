// The checks of a RocksDB store's open that refuse damage instead of absorbing it
// (docs/adr/0019-damage-is-refused.md): the write-ahead logs, read before RocksDB recovers them,
// and the log's head against the acknowledged head kept in ACKED.
#ifndef STATELOG_ROCKSDB_DAMAGE_H_
#define STATELOG_ROCKSDB_DAMAGE_H_

#include <rocksdb/db.h>

#include <string>
#include <vector>

#include "rocksdb/wal_scan.h"
#include "statelog/log.h"
#include "statelog/status.h"

namespace statelog::rocksdb_internal {

// Corruption naming the file and the byte offset when a write-ahead log of `dir` holds damage
// other than a torn tail (`strict`: any damage). Sets *wals to what was read.
Status CheckWals(const std::string& dir, bool strict, std::vector<WalFile>* wals);

// Corruption when `head`, the head of the open database `db`, is shorter than the acknowledged
// head in ACKED, or differs from it at its length, or when the store keeps ACKED (its marker)
// but the file holds no valid record. `wals` (from CheckWals) describe the logs in the message.
Status CheckAcknowledged(rocksdb::DB* db, const std::string& dir, const ChainHead& head,
                         const std::vector<WalFile>& wals);

// Writes the marker that says the store keeps ACKED, synced, unless it is there.
Status MarkAcked(rocksdb::DB* db, const std::string& dir);

// One line per write-ahead log: its name, size, and its first problem if any.
std::string DescribeWals(const std::vector<WalFile>& wals);

}  // namespace statelog::rocksdb_internal

#endif  // STATELOG_ROCKSDB_DAMAGE_H_
