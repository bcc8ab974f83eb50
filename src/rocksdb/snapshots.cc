// The SnapshotStore of the RocksDB backend: 's' + BE64(covers) -> prefix chain + data, in the
// log's own database. Each Put and Delete is one write, synced like appends.
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;

class RocksSnapshotStore final : public SnapshotStore {
 public:
  explicit RocksSnapshotStore(RocksBackend* owner) : owner_(owner) {}

  Status Put(const Snapshot& snapshot) override {
    std::string value;
    fmt::PutFixed(&value, snapshot.prefix_chain);
    value += snapshot.data;
    return Write(snapshot.covers, &value);
  }

  StatusOr<std::optional<Snapshot>> LatestAtOrBefore(uint64_t max_covers) const override {
    const std::string lower(1, fmt::kSnapshotPrefix);
    rocksdb::Slice lower_slice(lower);
    rocksdb::ReadOptions ro;
    ro.iterate_lower_bound = &lower_slice;
    std::unique_ptr<rocksdb::Iterator> it(owner_->db()->NewIterator(ro));
    it->SeekForPrev(fmt::SnapshotKey(max_covers));
    if (!it->Valid()) {
      STATELOG_RETURN_IF_ERROR(FromRocks(
          it->status(), "reading the snapshot at or before " + std::to_string(max_covers)));
      return std::optional<Snapshot>();
    }
    rocksdb::Slice key = it->key();
    if (key.size() != 9 || key[0] != fmt::kSnapshotPrefix) {
      return Status::Corruption("snapshot record with a " + std::to_string(key.size()) +
                                "-byte key");
    }
    const uint64_t covers = fmt::GetBE64(key.data() + 1);
    rocksdb::Slice value = it->value();
    if (value.size() < 32) {
      return Status::Corruption("snapshot covering " + std::to_string(covers) + " has " +
                                std::to_string(value.size()) + " bytes");
    }
    Snapshot s;
    s.covers = covers;
    s.prefix_chain = fmt::GetFixed<32>(value.data());
    s.data.assign(value.data() + 32, value.size() - 32);
    return std::optional<Snapshot>(std::move(s));
  }

  StatusOr<std::vector<uint64_t>> List() const override {
    const std::string prefix(1, fmt::kSnapshotPrefix);
    const std::string upper(1, fmt::kSnapshotPrefix + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(owner_->db()->NewIterator(ro));
    std::vector<uint64_t> out;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      if (it->key().size() != 9) {
        return Status::Corruption("snapshot record with a " + std::to_string(it->key().size()) +
                                  "-byte key");
      }
      out.push_back(fmt::GetBE64(it->key().data() + 1));
    }
    STATELOG_RETURN_IF_ERROR(
        FromRocks(it->status(), "listing snapshots after " + std::to_string(out.size())));
    return out;
  }

  Status Delete(uint64_t covers) override { return Write(covers, nullptr); }

 private:
  // Puts (value != null) or deletes the snapshot record of `covers`.
  Status Write(uint64_t covers, const std::string* value) {
    STATELOG_RETURN_IF_ERROR(owner_->CheckWritable());
    rocksdb::WriteBatch batch;
    if (value) {
      batch.Put(fmt::SnapshotKey(covers), *value);
    } else {
      batch.Delete(fmt::SnapshotKey(covers));
    }
    STATELOG_RETURN_IF_ERROR(owner_->CheckSpace(
        batch.GetDataSize(), "writing the snapshot covering " + std::to_string(covers)));
    rocksdb::Status s = owner_->db()->Write(owner_->write_options(), &batch);
    if (!s.ok()) {
      Status error = FromRocks(s, "writing the snapshot covering " + std::to_string(covers));
      owner_->SetFatal(error);
      return error;
    }
    return Status::OK();
  }

  RocksBackend* const owner_;
};

}  // namespace

std::unique_ptr<SnapshotStore> NewRocksSnapshotStore(RocksBackend* owner) {
  return std::make_unique<RocksSnapshotStore>(owner);
}

}  // namespace statelog::rocksdb_internal
