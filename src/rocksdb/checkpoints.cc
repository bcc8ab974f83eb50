// The kept checkpoints of the RocksDB backend: 'k' + BE64(number) -> BE64(size) + signed note, in
// the log's own database (docs/rocksdb-format.md). Each one is one write, synced like appends.
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <string>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"

namespace statelog::rocksdb_internal {

namespace fmt = rocksdb_format;

StatusOr<std::optional<KeptCheckpoint>> RocksBackend::ReadLatestCheckpoint() const {
  const std::string lower(1, fmt::kCheckpointPrefix);
  const std::string upper(1, fmt::kCheckpointPrefix + 1);
  rocksdb::Slice lower_slice(lower);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  it->SeekToLast();
  if (!it->Valid()) {
    STATELOG_RETURN_IF_ERROR(FromRocks(it->status(), "reading the latest kept checkpoint"));
    return std::optional<KeptCheckpoint>();
  }
  const rocksdb::Slice key = it->key();
  if (key.size() != fmt::kCheckpointKeySize) {
    return Status::Corruption("kept checkpoint record with a " + std::to_string(key.size()) +
                              "-byte key");
  }
  KeptCheckpoint c;
  c.number = fmt::GetBE64(key.data() + 1);
  const rocksdb::Slice value = it->value();
  if (value.size() < 8) {
    return Status::Corruption("kept checkpoint " + std::to_string(c.number) + " has " +
                              std::to_string(value.size()) + " bytes");
  }
  c.size = fmt::GetBE64(value.data());
  c.note.assign(value.data() + 8, value.size() - 8);
  return std::optional<KeptCheckpoint>(std::move(c));
}

Status RocksBackend::KeepCheckpoint(const KeptCheckpoint& checkpoint) {
  STATELOG_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> lock(checkpoints_mu_);
  STATELOG_ASSIGN_OR_RETURN(std::optional<KeptCheckpoint> latest, ReadLatestCheckpoint());
  const uint64_t next = latest ? latest->number + 1 : 0;
  if (checkpoint.number != next) {
    return Status::Conflict("cannot keep checkpoint " + std::to_string(checkpoint.number) + ": " +
                            std::to_string(next) + " checkpoints are kept");
  }
  const std::string what = "keeping checkpoint " + std::to_string(checkpoint.number);
  std::string value;
  fmt::PutBE64(&value, checkpoint.size);
  value += checkpoint.note;
  rocksdb::WriteBatch batch;
  batch.Put(fmt::CheckpointKey(checkpoint.number), value);
  STATELOG_RETURN_IF_ERROR(CheckSpace(batch.GetDataSize(), what));
  rocksdb::Status s = db_->Write(write_options_, &batch);
  if (!s.ok()) {
    Status error = FromRocks(s, what);
    SetFatal(error);
    return error;
  }
  return Status::OK();
}

}  // namespace statelog::rocksdb_internal
