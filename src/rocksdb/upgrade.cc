// The upgrades of older stores at Open (docs/rocksdb-format.md, "Upgrades"), one format at a time.
//
// 1 to 2. Format 2 replaced the Nitro channel ('c') and objective ('o') indexes by the generic
// stream index ('x'). The upgrade rebuilds the stream index from the records themselves (each
// decoded by the RecordFormat, which assigns its streams), so it does not trust the old indexes.
// Writes:
//   1. batches of stream index entries, the first one preceded by a range deletion of every 'x'
//      key (what an interrupted earlier attempt may have left);
//   2. one synced batch that deletes the 'c' and 'o' ranges and writes the format marker.
// Until write 2 the store is a complete format-1 store (format 1 ignores 'x' keys); after it, a
// complete format-2 store. The batches of step 1 are not synced one by one: the write-ahead log
// is replayed in order, so the synced write 2 is durable only with all of them.
//
// 2 to 3. Format 3 adds the Merkle tree's stored hashes ('h' keys, ADR-0016). The upgrade computes
// them from the records' stored bytes (no record is decoded): a range deletion of every 'h' key
// and batches of hashes, then one synced batch with the format marker. Until then the store is a
// complete format-2 store (format 2 ignores 'h' keys).
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <string>
#include <unordered_map>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"
#include "statelog/tlog.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;

// A batch of stream index entries is written once it holds this many bytes.
constexpr size_t kUpgradeBatchBytes = size_t{4} << 20;

// The key range of one prefix byte: [prefix, prefix + 1).
std::string RangeBegin(char prefix) { return std::string(1, prefix); }
std::string RangeEnd(char prefix) { return std::string(1, static_cast<char>(prefix + 1)); }

Status UpgradeFrom1To2(rocksdb::DB* db, const std::string& dir, const RecordFormat& format,
                       uint64_t length, const TestHooks& hooks) {
  const std::string context = dir + ": upgrading format 1 to 2";
  rocksdb::WriteOptions unsynced;
  rocksdb::WriteOptions synced;
  synced.sync = true;

  rocksdb::WriteBatch batch;
  rocksdb::Status s =
      batch.DeleteRange(RangeBegin(fmt::kStreamPrefix), RangeEnd(fmt::kStreamPrefix));
  STATELOG_RETURN_IF_ERROR(FromRocks(s, context));

  // Step 1: index every record under its streams, versions counted in offset order.
  const std::string upper = fmt::RecordKey(length);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  ro.readahead_size = size_t{2} << 20;
  ro.fill_cache = false;  // one pass over the whole log: keep the cache for what follows
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  std::unordered_map<std::string, uint64_t> versions;
  Record record;
  Offset next = 0;
  std::string key, offset_bytes;
  for (it->Seek(fmt::RecordKey(0)); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    const rocksdb::Slice v = it->value();
    const std::string where = context + ": offset " + std::to_string(next);
    if (k.size() != 9 || k[0] != fmt::kRecordPrefix || fmt::GetBE64(k.data() + 1) != next) {
      return Status::Corruption(where + ": record missing");
    }
    if (v.size() < 32) {
      return Status::Corruption(where + ": record of " + std::to_string(v.size()) + " bytes");
    }
    Status d = format.Decode(std::string_view(v.data() + 32, v.size() - 32), &record);
    if (!d.ok()) return Status::Corruption(where + ": undecodable record: " + d.ToString());
    offset_bytes.clear();
    fmt::PutBE64(&offset_bytes, next);
    for (const std::string& stream : record.streams) {
      if (stream.empty() || stream.size() > kMaxStreamKeySize) {
        return Status::Corruption(where + ": " + format.StreamName(stream) + " has " +
                                  std::to_string(stream.size()) + " bytes");
      }
      key = fmt::StreamPrefix(stream);
      key += offset_bytes;
      s = batch.Put(key, fmt::StreamValue(record.timestamp, ++versions[stream]));
      STATELOG_RETURN_IF_ERROR(FromRocks(s, where));
    }
    ++next;
    if (batch.GetDataSize() >= kUpgradeBatchBytes) {
      STATELOG_RETURN_IF_ERROR(FromRocks(db->Write(unsynced, &batch), where));
      batch.Clear();
    }
  }
  STATELOG_RETURN_IF_ERROR(
      FromRocks(it->status(), context + ": reading offset " + std::to_string(next)));
  if (next != length) {
    return Status::Corruption(context + ": head says " + std::to_string(length) +
                              " records but offset " + std::to_string(next) + " is missing");
  }
  if (hooks.interrupt_upgrade) {
    STATELOG_RETURN_IF_ERROR(FromRocks(db->Write(synced, &batch), context));
    return Status::Aborted(context + ": interrupted before its last write (test hook)");
  }

  // Step 2: drop the format-1 indexes and switch the marker, in one synced batch.
  s = batch.DeleteRange(RangeBegin(fmt::kFormat1ChannelPrefix),
                        RangeEnd(fmt::kFormat1ChannelPrefix));
  if (s.ok()) {
    s = batch.DeleteRange(RangeBegin(fmt::kFormat1ObjectivePrefix),
                          RangeEnd(fmt::kFormat1ObjectivePrefix));
  }
  if (s.ok()) s = batch.Put(fmt::kFormatKey, fmt::FormatValue(2));
  if (s.ok()) s = db->Write(synced, &batch);
  return FromRocks(s, context);
}

Status UpgradeFrom2To3(rocksdb::DB* db, const std::string& dir, uint64_t length,
                       const TestHooks& hooks) {
  const std::string context = dir + ": upgrading format 2 to 3";
  rocksdb::WriteOptions unsynced;
  rocksdb::WriteOptions synced;
  synced.sync = true;
  rocksdb::WriteBatch batch;
  STATELOG_RETURN_IF_ERROR(FromRocks(
      batch.DeleteRange(RangeBegin(fmt::kTreePrefix), RangeEnd(fmt::kTreePrefix)), context));

  const std::string upper = fmt::RecordKey(length);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  ro.readahead_size = size_t{2} << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  tlog::RightEdge edge;
  std::vector<tlog::StoredHash> added;
  Offset next = 0;
  for (it->Seek(fmt::RecordKey(0)); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    const rocksdb::Slice v = it->value();
    const std::string where = context + ": offset " + std::to_string(next);
    if (k.size() != 9 || k[0] != fmt::kRecordPrefix || fmt::GetBE64(k.data() + 1) != next) {
      return Status::Corruption(where + ": record missing");
    }
    if (v.size() < 32) {
      return Status::Corruption(where + ": record of " + std::to_string(v.size()) + " bytes");
    }
    // The leaf is the payload as stored, after the chain value.
    added.clear();
    edge.Append(tlog::LeafHash(std::string_view(v.data() + 32, v.size() - 32)), &added);
    for (const tlog::StoredHash& h : added) {
      STATELOG_RETURN_IF_ERROR(FromRocks(
          batch.Put(fmt::TreeKey(h.id.level, h.id.n),
                    rocksdb::Slice(reinterpret_cast<const char*>(h.hash.data()), h.hash.size())),
          where));
    }
    ++next;
    if (batch.GetDataSize() >= kUpgradeBatchBytes) {
      STATELOG_RETURN_IF_ERROR(FromRocks(db->Write(unsynced, &batch), where));
      batch.Clear();
    }
  }
  STATELOG_RETURN_IF_ERROR(
      FromRocks(it->status(), context + ": reading offset " + std::to_string(next)));
  if (next != length) {
    return Status::Corruption(context + ": head says " + std::to_string(length) +
                              " records but offset " + std::to_string(next) + " is missing");
  }
  if (hooks.interrupt_upgrade) {
    STATELOG_RETURN_IF_ERROR(FromRocks(db->Write(synced, &batch), context));
    return Status::Aborted(context + ": interrupted before its last write (test hook)");
  }
  rocksdb::Status s = batch.Put(fmt::kFormatKey, fmt::FormatValue(3));
  if (s.ok()) s = db->Write(synced, &batch);
  return FromRocks(s, context);
}

}  // namespace

Status UpgradeFormat(rocksdb::DB* db, const std::string& dir, const RecordFormat& format,
                     uint32_t version, uint64_t length, const TestHooks& hooks) {
  static_assert(fmt::kFormatVersion == 3, "add the upgrade to the new format here");
  if (version == 1) {
    STATELOG_RETURN_IF_ERROR(UpgradeFrom1To2(db, dir, format, length, hooks));
    version = 2;
  }
  if (version == 2) STATELOG_RETURN_IF_ERROR(UpgradeFrom2To3(db, dir, length, hooks));
  return Status::OK();
}

}  // namespace statelog::rocksdb_internal
