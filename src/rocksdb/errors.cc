// The one mapping of RocksDB statuses onto statelog's: every rocksdb::Status the backend sees goes
// through FromRocks, so a kind of failure has the same code on every path.
#include <string>

#include "rocksdb/rocksdb_internal.h"

namespace statelog::rocksdb_internal {

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string message(context);
  message += ": ";
  message += s.ToString();
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return Status::NotFound(message);
    case rocksdb::Status::kCorruption:
      return Status::Corruption(message);
    case rocksdb::Status::kNotSupported:
      return Status::NotSupported(message);
    case rocksdb::Status::kInvalidArgument:
      return Status::InvalidArgument(message);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kTimedOut:
      return Status::Busy(message);
    case rocksdb::Status::kShutdownInProgress:
    case rocksdb::Status::kAborted:
    case rocksdb::Status::kColumnFamilyDropped:
      return Status::Aborted(message);
    case rocksdb::Status::kIOError:
      if (s.IsNoSpace()) return Status::NoSpace(message);
      return Status::IOError(message);
    default:  // Incomplete, ...
      return Status::IOError(message);
  }
}

}  // namespace statelog::rocksdb_internal
