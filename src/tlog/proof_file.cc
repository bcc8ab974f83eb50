// Proof files: c2sp.org/tlog-proof@v1 inclusion proofs and add-checkpoint consistency proofs
// (docs/tlog-format.md).
#include "base/base64.h"
#include "statelog/checkpoint.h"
#include "tlog/text.h"

namespace statelog::tlog {
namespace {

// More proof lines than any tree of 2^63 leaves needs.
constexpr size_t kMaxProofLines = 64;

void AppendHashLines(std::span<const Hash> proof, std::string* out) {
  for (const Hash& h : proof) *out += HashToBase64(h) + "\n";
}

// Reads base64 hash lines up to the first empty line; what follows it is the checkpoint.
Status ReadHashLines(LineReader* lines, std::string_view what, std::vector<Hash>* proof,
                     std::string* checkpoint) {
  std::string_view line;
  while (lines->Next(&line)) {
    if (line.empty()) {
      *checkpoint = std::string(lines->rest());
      if (checkpoint->empty()) {
        return Status::InvalidArgument(std::string(what) + ": no checkpoint after " +
                                       lines->Where() + "the blank line");
      }
      return Status::OK();
    }
    if (proof->size() == kMaxProofLines) {
      return Status::InvalidArgument(std::string(what) + " " + lines->Where() + "more than " +
                                     std::to_string(kMaxProofLines) + " proof hashes");
    }
    StatusOr<Hash> h = HashFromBase64(line);
    if (!h.ok())
      return h.status().WithPrefix(std::string(what) + " " + lines->Where() + "proof hash");
    proof->push_back(*h);
  }
  return Status::InvalidArgument(std::string(what) +
                                 ": no blank line and checkpoint after the proof hashes");
}

}  // namespace

std::string InclusionProofFile::Encode() const {
  std::string out = std::string(kTlogProofHeader) + "\n";
  if (extra) {
    out += "extra ";
    AppendBase64(std::span(reinterpret_cast<const uint8_t*>(extra->data()), extra->size()), &out);
    out += "\n";
  }
  out += "index " + std::to_string(index) + "\n";
  AppendHashLines(proof, &out);
  out += "\n" + checkpoint;
  return out;
}

StatusOr<InclusionProofFile> InclusionProofFile::Parse(std::string_view file) {
  constexpr std::string_view kWhat = "tlog-proof";
  LineReader lines(file);
  std::string_view line;
  if (!lines.Next(&line) || line != kTlogProofHeader) {
    return Status::InvalidArgument("tlog-proof line 1: expected \"" +
                                   std::string(kTlogProofHeader) + "\"");
  }
  InclusionProofFile out;
  if (!lines.Next(&line)) {
    return Status::InvalidArgument("tlog-proof line 2: expected \"extra\" or \"index\"");
  }
  if (line.starts_with("extra ")) {
    Bytes extra;
    STATELOG_RETURN_IF_ERROR(
        DecodeBase64(line.substr(6), &extra).WithPrefix("tlog-proof " + lines.Where() + "extra"));
    out.extra = std::string(extra.begin(), extra.end());
    if (!lines.Next(&line)) {
      return Status::InvalidArgument("tlog-proof line 3: expected \"index <n>\"");
    }
  }
  if (!line.starts_with("index ")) {
    return Status::InvalidArgument("tlog-proof " + lines.Where() + "expected \"index <n>\"");
  }
  STATELOG_ASSIGN_OR_RETURN(out.index,
                            ParseDecimal(line.substr(6), "tlog-proof " + lines.Where() + "index"));
  STATELOG_RETURN_IF_ERROR(ReadHashLines(&lines, kWhat, &out.proof, &out.checkpoint));
  return out;
}

StatusOr<InclusionProofFile> ProveLeaf(uint64_t index, std::string leaf,
                                       std::string_view signed_checkpoint,
                                       const HashReader& reader) {
  STATELOG_ASSIGN_OR_RETURN(SignedNote note, ParseNote(signed_checkpoint));
  STATELOG_ASSIGN_OR_RETURN(Checkpoint c, Checkpoint::ParseText(note.text));
  InclusionProofFile out;
  STATELOG_ASSIGN_OR_RETURN(out.proof, ProveInclusion(index, c.size, reader));
  // A proof of other bytes than the tree's leaf would never verify: say so now.
  STATELOG_RETURN_IF_ERROR(VerifyInclusion(index, c.size, LeafHash(leaf), out.proof, c.root)
                               .WithPrefix("leaf " + std::to_string(index)));
  out.extra = std::move(leaf);
  out.index = index;
  out.checkpoint = std::string(signed_checkpoint);
  return out;
}

StatusOr<CheckedInclusion> CheckInclusionProofFile(std::string_view file,
                                                   std::span<const NoteVerifier> known) {
  STATELOG_ASSIGN_OR_RETURN(InclusionProofFile f, InclusionProofFile::Parse(file));
  STATELOG_ASSIGN_OR_RETURN(Checkpoint c, OpenCheckpoint(f.checkpoint, known));
  if (!f.extra) {
    return Status::InvalidArgument(
        "tlog-proof: no extra line; statelog's proofs carry the event there");
  }
  STATELOG_RETURN_IF_ERROR(VerifyInclusion(f.index, c.size, LeafHash(*f.extra), f.proof, c.root));
  return CheckedInclusion{std::move(c), f.index, std::move(*f.extra)};
}

std::string ConsistencyProofFile::Encode() const {
  std::string out = "old " + std::to_string(old_size) + "\n";
  AppendHashLines(proof, &out);
  out += "\n" + checkpoint;
  return out;
}

StatusOr<ConsistencyProofFile> ConsistencyProofFile::Parse(std::string_view file) {
  LineReader lines(file);
  std::string_view line;
  if (!lines.Next(&line) || !line.starts_with("old ")) {
    return Status::InvalidArgument("consistency proof line 1: expected \"old <size>\"");
  }
  ConsistencyProofFile out;
  STATELOG_ASSIGN_OR_RETURN(out.old_size,
                            ParseDecimal(line.substr(4), "consistency proof line 1: old size"));
  STATELOG_RETURN_IF_ERROR(ReadHashLines(&lines, "consistency proof", &out.proof, &out.checkpoint));
  return out;
}

StatusOr<ConsistencyProofFile> ProveExtension(const Checkpoint& older,
                                              std::string_view signed_newer,
                                              const HashReader& reader) {
  STATELOG_ASSIGN_OR_RETURN(SignedNote note, ParseNote(signed_newer));
  STATELOG_ASSIGN_OR_RETURN(Checkpoint newer, Checkpoint::ParseText(note.text));
  if (older.origin != newer.origin) {
    return Status::FailedPrecondition("the older checkpoint is of " + older.origin +
                                      ", the newer of " + newer.origin);
  }
  if (older.size > newer.size) {
    return Status::FailedPrecondition("the older checkpoint's size " + std::to_string(older.size) +
                                      " is beyond the newer checkpoint's " +
                                      std::to_string(newer.size));
  }
  // A proof from a tree the log does not extend would never verify: say so now.
  STATELOG_ASSIGN_OR_RETURN(Hash root, TreeHash(older.size, reader));
  if (root != older.root) {
    return Status::FailedPrecondition(
        "the older checkpoint of size " + std::to_string(older.size) + " has root " +
        HashToBase64(older.root) + "; the log's tree at that size has root " + HashToBase64(root) +
        ": it is not a checkpoint of this history");
  }
  ConsistencyProofFile out;
  out.old_size = older.size;
  STATELOG_ASSIGN_OR_RETURN(out.proof, ProveConsistency(older.size, newer.size, reader));
  out.checkpoint = std::string(signed_newer);
  return out;
}

StatusOr<Checkpoint> CheckConsistencyProofFile(std::string_view file, const Checkpoint& older,
                                               std::span<const NoteVerifier> known) {
  STATELOG_ASSIGN_OR_RETURN(ConsistencyProofFile f, ConsistencyProofFile::Parse(file));
  STATELOG_ASSIGN_OR_RETURN(Checkpoint newer, OpenCheckpoint(f.checkpoint, known));
  if (newer.origin != older.origin) {
    return Status::InvalidArgument("consistency proof: the newer checkpoint is of " + newer.origin +
                                   ", the older of " + older.origin);
  }
  if (f.old_size != older.size) {
    return Status::InvalidArgument("consistency proof: it starts at size " +
                                   std::to_string(f.old_size) + ", the older checkpoint has " +
                                   std::to_string(older.size));
  }
  STATELOG_RETURN_IF_ERROR(
      VerifyConsistency(older.size, newer.size, older.root, newer.root, f.proof));
  if (older.size == newer.size && older.chain && newer.chain && older.chain != newer.chain) {
    return Status::Corruption("two checkpoints of size " + std::to_string(older.size) +
                              " with different keccak256 chain heads");
  }
  return newer;
}

}  // namespace statelog::tlog
