#include "rocksdb/damage.h"

#include <rocksdb/write_batch.h>

#include <filesystem>

#include "rocksdb/acked.h"
#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_internal.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;

constexpr const char* kRepairHint =
    "; `statelog repair` keeps the log before the damage and moves the rest aside";

std::string Name(const std::string& path) { return std::filesystem::path(path).filename(); }

}  // namespace

std::string DescribeWals(const std::vector<WalFile>& wals) {
  if (wals.empty()) return "no write-ahead log";
  std::string out;
  for (const WalFile& w : wals) {
    if (!out.empty()) out += "; ";
    out += Name(w.path) + " (" + std::to_string(w.size) + " bytes";
    if (w.bad_offset) {
      out += (w.torn_tail ? ", a torn tail at byte " : ", damaged at byte ") +
             std::to_string(*w.bad_offset) + ": " + w.problem;
    }
    out += ")";
  }
  return out;
}

Status CheckWals(const std::string& dir, bool strict, std::vector<WalFile>* wals) {
  STATELOG_ASSIGN_OR_RETURN(*wals, ScanWals(dir));
  for (const WalFile& w : *wals) {
    if (w.bad_offset && (!w.torn_tail || strict)) {
      return Status::Corruption(dir + ": the write-ahead log is damaged: " + w.Describe() +
                                "; no event past it can be read back" + kRepairHint);
    }
  }
  return Status::OK();
}

Status CheckAcknowledged(rocksdb::DB* db, const std::string& dir, const ChainHead& head,
                         const std::vector<WalFile>& wals) {
  STATELOG_ASSIGN_OR_RETURN(const AckedRead acked, ReadAcked(dir));
  std::string marker;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), fmt::kAckedKey, &marker);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading the ACKED marker of " + dir);
  if (!acked.head) {
    if (s.IsNotFound()) return Status::OK();  // a store from before ACKED: nothing to compare
    return Status::Corruption(
        AckedPath(dir) + ": " +
        (acked.exists ? "no valid record in its " + std::to_string(acked.size) + " bytes"
                      : std::string("missing")) +
        ", although the store keeps its acknowledged head there; the log holds " +
        std::to_string(head.length) + " events" + kRepairHint);
  }
  const ChainHead& want = *acked.head;
  if (head.length < want.length) {
    return Status::Corruption(dir + ": the log holds " + std::to_string(head.length) +
                              " events but " + std::to_string(want.length) +
                              " were acknowledged (" + AckedPath(dir) + "): offsets [" +
                              std::to_string(head.length) + ", " + std::to_string(want.length) +
                              ") are lost; write-ahead logs: " + DescribeWals(wals) + kRepairHint);
  }
  if (want.length == 0) return Status::OK();
  std::string value;
  s = db->Get(rocksdb::ReadOptions(), fmt::RecordKey(want.length - 1), &value);
  if (!s.ok()) {
    return FromRocks(s, dir + ": reading offset " + std::to_string(want.length - 1) +
                            ", the last acknowledged one");
  }
  if (value.size() < 32 || fmt::GetFixed<32>(value.data()) != want.chain) {
    return Status::Corruption(dir + ": the chain value at offset " +
                              std::to_string(want.length - 1) +
                              " differs from the acknowledged head's (" + AckedPath(dir) +
                              "): the log was rewritten" + kRepairHint);
  }
  return Status::OK();
}

Status MarkAcked(rocksdb::DB* db, const std::string& dir) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), fmt::kAckedKey, &value);
  if (s.ok()) return Status::OK();
  if (!s.IsNotFound()) return FromRocks(s, "reading the ACKED marker of " + dir);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db->Put(wo, fmt::kAckedKey, "1"), "writing the ACKED marker of " + dir);
}

}  // namespace statelog::rocksdb_internal
