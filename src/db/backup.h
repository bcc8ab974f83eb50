// The backend-independent part of backups (backup.cc; statelog/db.h, docs/adr/0021-online-
// backups.md). Private to the db target.
#ifndef STATELOG_DB_BACKUP_H_
#define STATELOG_DB_BACKUP_H_

#include <functional>
#include <string>

#include "statelog/db.h"

namespace statelog {

// Writes a consistent copy of the live store into the new directory it is given (the backend's
// capability, e.g. RocksDbEventStore::WriteCopy).
using CopyFn = std::function<Status(const std::string& dir)>;

// DB::Backup over `copy`: the temporary directory, the check of the copy, the comparison with
// `live` and the rename (statelog/db.h).
StatusOr<BackupInfo> WriteBackup(const DB& live, const CopyFn& copy, const std::string& dest);

// The chain value `live` has at `length` (the zero hash at 0). OutOfRange when `live` is shorter;
// with `wait`, it first waits up to 10 s for it to grow that long (the copy of a store open for
// appends can be ahead of the head its log has published).
StatusOr<Hash256> ChainAt(const DB& live, uint64_t length, bool wait);

// FailedPrecondition naming both chain values unless `info` is `live`'s history up to its length.
Status CompareWithLive(const DB& live, const BackupInfo& info, bool wait);

}  // namespace statelog

#endif  // STATELOG_DB_BACKUP_H_
