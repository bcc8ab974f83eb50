// RocksBackend's way for large appends: the plan's entries written to table files on every core,
// then taken into the database with one atomic, synced ingestion (docs/rocksdb-format.md,
// "Large appends: table files and an ingestion").
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/parallel.h"
#include "rocksdb/append_plan.h"
#include "rocksdb/rocksdb_backend.h"
#include "rocksdb/rocksdb_internal.h"

namespace statelog::rocksdb_internal {
namespace {

// Records are split into files of at least this size: many small files would only make work
// for compactions.
constexpr size_t kMinRecordFileBytes = size_t{2} << 20;

// One table file of the append: records [begin, end), or the id entries, or the head and the
// stream entries, or the Merkle tree's stored hashes. The files' key ranges are disjoint, as an
// ingestion of several files needs.
struct BulkFile {
  enum class Part { kRecords, kIds, kHeadAndStreams, kTree };
  Part part;
  size_t begin = 0;
  size_t end = 0;
  std::string path;
  rocksdb::Status status;
};

// Writes `file` from `plan` with the database's table options.
rocksdb::Status WriteBulkFile(const AppendPlan& plan, const rocksdb::Options& options,
                              rocksdb::ColumnFamilyHandle* family, const BulkFile& file) {
  // Keep what was written in the page cache: a bulk append is usually read soon after.
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options, family,
                                /*invalidate_page_cache=*/false);
  rocksdb::Status s = writer.Open(file.path);
  if (!s.ok()) return s;
  auto put = [&writer](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    return writer.Put(key, value);
  };
  switch (file.part) {
    case BulkFile::Part::kRecords:
      s = plan.PutRecords(file.begin, file.end, put);
      break;
    case BulkFile::Part::kIds:
      s = plan.PutIds(put);
      break;
    case BulkFile::Part::kHeadAndStreams:
      s = plan.PutHeadAndStreams(put);
      break;
    case BulkFile::Part::kTree:
      s = plan.PutTree(put);
      break;
  }
  // Finish syncs the file.
  return s.ok() ? writer.Finish() : s;
}

}  // namespace

Status RocksBackend::AppendByIngestion(const AppendPlan& plan, const std::string& what) {
  STATELOG_RETURN_IF_ERROR(CheckSpace(plan.total_bytes(), what));
  rocksdb::Env* env = db_->GetEnv();
  const std::string bulk = BulkDir(dir_);
  rocksdb::Status s = env->CreateDirIfMissing(bulk);
  if (!s.ok()) return FromRocks(s, what + ": creating " + bulk);

  // The records in one file per core, each of at least kMinRecordFileBytes (and one record),
  // then the two index files and the tree's.
  const size_t record_files =
      std::clamp<size_t>(plan.encoded_bytes() / kMinRecordFileBytes, 1,
                         std::min<size_t>(ThreadsOrCores(0), plan.record_count()));
  std::vector<BulkFile> files;
  const std::string stem = bulk + "/" + std::to_string(plan.head().length - plan.record_count());
  for (size_t i = 0; i < record_files; ++i) {
    files.push_back({BulkFile::Part::kRecords,
                     plan.record_count() * i / record_files,
                     plan.record_count() * (i + 1) / record_files,
                     {},
                     {}});
  }
  files.push_back({BulkFile::Part::kIds, 0, 0, {}, {}});
  files.push_back({BulkFile::Part::kHeadAndStreams, 0, 0, {}, {}});
  files.push_back({BulkFile::Part::kTree, 0, 0, {}, {}});
  for (size_t i = 0; i < files.size(); ++i) files[i].path = stem + "-" + std::to_string(i) + ".sst";

  const rocksdb::Options options = db_->GetOptions();
  rocksdb::ColumnFamilyHandle* family = db_->DefaultColumnFamily();
  ParallelFor(files.size(), 0, 1,
              [&](size_t i) { files[i].status = WriteBulkFile(plan, options, family, files[i]); });
  auto remove_files = [&] {
    // Best effort: what is left is removed at the next open.
    for (const BulkFile& f : files) (void)env->DeleteFile(f.path);
  };
  for (const BulkFile& f : files) {
    if (!f.status.ok()) {
      // Nothing reached the database: the store stays usable.
      remove_files();
      return FromRocks(f.status, what + ": writing " + f.path);
    }
  }

  std::vector<std::string> paths;
  for (const BulkFile& f : files) paths.push_back(f.path);
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;            // hard links, synced by RocksDB with their directory
  ingest.write_global_seqno = false;   // the sequence number lives in the MANIFEST only
  ingest.allow_blocking_flush = true;  // a memtable holding overlapping keys is flushed first
  s = db_->IngestExternalFile(paths, ingest);
  remove_files();
  if (!s.ok()) {
    // Fatal, like a failed write: what the database holds is known again only after a reopen.
    Status error = FromRocks(s, what);
    SetFatal(error);
    return error;
  }
  return Status::OK();
}

Status RemoveBulkLeftovers(rocksdb::Env* env, const std::string& dir) {
  const std::string bulk = RocksBackend::BulkDir(dir);
  std::vector<std::string> children;
  rocksdb::Status s = env->GetChildren(bulk, &children);
  if (s.IsNotFound()) return Status::OK();
  for (const std::string& name : children) {
    if (!s.ok()) break;
    if (name == "." || name == "..") continue;
    s = env->DeleteFile(bulk + "/" + name);
  }
  return s.ok() ? Status::OK()
                : FromRocks(s, "removing what an interrupted append left in " + bulk);
}

}  // namespace statelog::rocksdb_internal
