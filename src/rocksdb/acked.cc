#include "rocksdb/acked.h"

#include <fstream>
#include <iterator>
#include <string_view>
#include <utility>

#include "rocksdb/keys.h"
#include "rocksdb/rocksdb_internal.h"
#include "rocksdb/wal_scan.h"

namespace statelog::rocksdb_internal {
namespace {

namespace fmt = rocksdb_format;

constexpr std::string_view kAckedMagic = "STLGACK1";

// The sequence number of a valid record at `p`, or nullopt.
std::optional<uint64_t> ParseRecord(const char* p, ChainHead* head) {
  if (std::string_view(p, kAckedMagic.size()) != kAckedMagic) return std::nullopt;
  const uint32_t stored = static_cast<uint32_t>(static_cast<uint8_t>(p[60])) |
                          static_cast<uint32_t>(static_cast<uint8_t>(p[61])) << 8 |
                          static_cast<uint32_t>(static_cast<uint8_t>(p[62])) << 16 |
                          static_cast<uint32_t>(static_cast<uint8_t>(p[63])) << 24;
  if (stored != MaskedCrc32c(std::string_view(p, 60))) return std::nullopt;
  head->length = fmt::GetBE64(p + 8);
  head->chain = fmt::GetFixed<32>(p + 16);
  return fmt::GetBE64(p + 48);
}

}  // namespace

std::string AckedPath(const std::string& dir) { return dir + "/" + kAckedName; }

std::string AckedRecord(const ChainHead& head, uint64_t sequence) {
  std::string out(kAckedMagic);
  fmt::PutBE64(&out, head.length);
  fmt::PutFixed(&out, head.chain);
  fmt::PutBE64(&out, sequence);
  out.append(4, '\0');
  const uint32_t crc = MaskedCrc32c(out);
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(crc >> shift));
  return out;
}

StatusOr<AckedRead> ReadAcked(const std::string& dir) {
  AckedRead out;
  const std::string path = AckedPath(dir);
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  out.exists = true;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError("cannot read " + path);
  out.size = bytes.size();
  uint64_t best = 0;
  for (size_t at = 0; at + kAckedRecordSize <= bytes.size(); at += kAckedRecordSize) {
    ChainHead head;
    const std::optional<uint64_t> sequence = ParseRecord(bytes.data() + at, &head);
    if (!sequence) {
      ++out.bad;
      continue;
    }
    ++out.valid;
    // Records only grow; the highest sequence is the last one written.
    if (!out.head || *sequence >= best) {
      best = *sequence;
      out.head = head;
    }
  }
  return out;
}

StatusOr<std::unique_ptr<AckedWriter>> AckedWriter::Create(rocksdb::FileSystem* fs,
                                                           const std::string& dir,
                                                           const ChainHead& head) {
  const std::string path = AckedPath(dir), tmp = path + ".tmp";
  const rocksdb::IOOptions io;
  {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = fs->NewWritableFile(tmp, rocksdb::FileOptions(), &file, nullptr);
    if (s.ok()) s = file->Append(AckedRecord(head, 1), io, nullptr);
    if (s.ok()) s = file->Sync(io, nullptr);
    if (s.ok()) s = file->Close(io, nullptr);
    if (!s.ok()) return FromRocks(s, "writing " + tmp);
  }
  rocksdb::IOStatus s = fs->RenameFile(tmp, path, io, nullptr);
  if (!s.ok()) return FromRocks(s, "renaming " + tmp + " to " + path);
  std::unique_ptr<rocksdb::FSDirectory> directory;
  s = fs->NewDirectory(dir, io, &directory, nullptr);
  if (s.ok()) s = directory->Fsync(io, nullptr);
  if (s.ok()) s = directory->Close(io, nullptr);
  if (!s.ok()) return FromRocks(s, "fsyncing directory " + dir);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = fs->ReopenWritableFile(path, rocksdb::FileOptions(), &file, nullptr);
  if (!s.ok()) return FromRocks(s, "opening " + path);
  return std::unique_ptr<AckedWriter>(new AckedWriter(path, std::move(file), 1));
}

AckedWriter::~AckedWriter() { (void)file_->Close(rocksdb::IOOptions(), nullptr); }

Status AckedWriter::Record(const ChainHead& head) {
  const rocksdb::IOOptions io;
  rocksdb::IOStatus s = file_->Append(AckedRecord(head, ++sequence_), io, nullptr);
  if (s.ok()) s = file_->Sync(io, nullptr);
  if (!s.ok()) return FromRocks(s, "recording the acknowledged head in " + path_);
  return Status::OK();
}

}  // namespace statelog::rocksdb_internal
