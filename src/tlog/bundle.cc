// Stream bundles: one inclusion proof per event of a stream, with its versions, against one
// checkpoint (docs/tlog-format.md, "Stream bundles").
#include "base/base64.h"
#include "statelog/checkpoint.h"
#include "tlog/text.h"

namespace statelog::tlog {
namespace {

// More proof lines than any tree of 2^63 leaves needs.
constexpr size_t kMaxProofLines = 64;

std::string ToText(uint64_t v) { return std::to_string(v); }

// Parses "version <v> index <i>".
Status ParseEntryLine(std::string_view line, const std::string& where, BundleEntry* out) {
  constexpr std::string_view kVersion = "version ";
  constexpr std::string_view kIndex = " index ";
  const size_t at = line.find(kIndex);
  if (!line.starts_with(kVersion) || at == std::string_view::npos) {
    return Status::InvalidArgument("bundle " + where + "expected \"version <v> index <offset>\"");
  }
  STATELOG_ASSIGN_OR_RETURN(out->version,
                            ParseDecimal(line.substr(kVersion.size(), at - kVersion.size()),
                                         "bundle " + where + "version"));
  STATELOG_ASSIGN_OR_RETURN(
      out->index, ParseDecimal(line.substr(at + kIndex.size()), "bundle " + where + "index"));
  return Status::OK();
}

}  // namespace

std::string BundleFile::Encode() const {
  std::string out = std::string(kBundleHeader) + "\n";
  out += "stream " + stream + "\n";
  out += "events " + ToText(events) + "\n";
  for (const BundleEntry& e : entries) {
    out += "version " + ToText(e.version) + " index " + ToText(e.index) + "\n";
    out += "extra ";
    AppendBase64(std::span(reinterpret_cast<const uint8_t*>(e.leaf.data()), e.leaf.size()), &out);
    out += "\n";
    for (const Hash& h : e.proof) out += HashToBase64(h) + "\n";
  }
  out += "\n" + checkpoint;
  return out;
}

StatusOr<BundleFile> BundleFile::Parse(std::string_view file) {
  LineReader lines(file);
  std::string_view line;
  if (!lines.Next(&line) || line != kBundleHeader) {
    return Status::InvalidArgument("bundle line 1: expected \"" + std::string(kBundleHeader) +
                                   "\"");
  }
  BundleFile out;
  if (!lines.Next(&line) || !line.starts_with("stream ") || line.size() == 7) {
    return Status::InvalidArgument("bundle line 2: expected \"stream <kind> <id>\"");
  }
  out.stream = std::string(line.substr(7));
  if (!lines.Next(&line) || !line.starts_with("events ")) {
    return Status::InvalidArgument("bundle line 3: expected \"events <n>\"");
  }
  STATELOG_ASSIGN_OR_RETURN(out.events, ParseDecimal(line.substr(7), "bundle line 3: events"));
  while (true) {
    if (!lines.Next(&line)) {
      return Status::InvalidArgument("bundle: no blank line and checkpoint after the entries");
    }
    if (line.empty()) break;
    if (line.starts_with("version ")) {
      BundleEntry entry;
      STATELOG_RETURN_IF_ERROR(ParseEntryLine(line, lines.Where(), &entry));
      if (!lines.Next(&line) || !line.starts_with("extra ")) {
        return Status::InvalidArgument("bundle " + lines.Where() + "expected \"extra <base64>\"");
      }
      Bytes leaf;
      STATELOG_RETURN_IF_ERROR(
          DecodeBase64(line.substr(6), &leaf).WithPrefix("bundle " + lines.Where() + "extra"));
      entry.leaf = std::string(leaf.begin(), leaf.end());
      out.entries.push_back(std::move(entry));
      continue;
    }
    if (out.entries.empty()) {
      return Status::InvalidArgument("bundle " + lines.Where() +
                                     "expected \"version <v> index <offset>\"");
    }
    std::vector<Hash>& proof = out.entries.back().proof;
    if (proof.size() == kMaxProofLines) {
      return Status::InvalidArgument("bundle " + lines.Where() + "more than " +
                                     std::to_string(kMaxProofLines) + " proof hashes");
    }
    StatusOr<Hash> h = HashFromBase64(line);
    if (!h.ok()) return h.status().WithPrefix("bundle " + lines.Where() + "proof hash");
    proof.push_back(*h);
  }
  out.checkpoint = std::string(lines.rest());
  if (out.checkpoint.empty()) {
    return Status::InvalidArgument("bundle: no checkpoint after " + lines.Where() +
                                   "the blank line");
  }
  return out;
}

StatusOr<BundleFile> ProveStream(std::string stream, std::span<const uint64_t> offsets,
                                 std::vector<std::string> leaves,
                                 std::string_view signed_checkpoint, const HashReader& reader) {
  if (offsets.empty()) {
    return Status::InvalidArgument("stream " + stream + " has no event in the checkpoint");
  }
  if (offsets.size() != leaves.size()) {
    return Status::InvalidArgument("ProveStream: " + ToText(offsets.size()) + " offsets, " +
                                   ToText(leaves.size()) + " leaves");
  }
  BundleFile out;
  out.stream = std::move(stream);
  out.events = offsets.size();
  out.checkpoint = std::string(signed_checkpoint);
  for (size_t i = 0; i < offsets.size(); ++i) {
    if (i > 0 && offsets[i] <= offsets[i - 1]) {
      return Status::InvalidArgument("ProveStream: offset " + ToText(offsets[i]) +
                                     " does not follow " + ToText(offsets[i - 1]));
    }
    STATELOG_ASSIGN_OR_RETURN(InclusionProofFile one, ProveLeaf(offsets[i], std::move(leaves[i]),
                                                                signed_checkpoint, reader));
    out.entries.push_back(
        BundleEntry{i + 1, offsets[i], std::move(*one.extra), std::move(one.proof)});
  }
  return out;
}

StatusOr<CheckedBundle> CheckBundleFile(std::string_view file,
                                        std::span<const NoteVerifier> known) {
  STATELOG_ASSIGN_OR_RETURN(BundleFile b, BundleFile::Parse(file));
  STATELOG_ASSIGN_OR_RETURN(Checkpoint c, OpenCheckpoint(b.checkpoint, known));
  if (b.events == 0) return Status::InvalidArgument("bundle: a stream bundle has at least 1 event");
  for (size_t i = 0; i < b.entries.size(); ++i) {
    const BundleEntry& e = b.entries[i];
    const uint64_t want = i + 1;
    if (e.version != want) {
      return Status::Corruption(
          "bundle of " + b.stream + ": version " + ToText(want) + " is missing: entry " +
          ToText(want) + " is version " + ToText(e.version) +
          (i == 0 ? std::string() : " after version " + ToText(b.entries[i - 1].version)));
    }
    if (i > 0 && e.index <= b.entries[i - 1].index) {
      return Status::Corruption("bundle of " + b.stream + ": version " + ToText(e.version) +
                                " is at offset " + ToText(e.index) + ", not after version " +
                                ToText(e.version - 1) + "'s offset " +
                                ToText(b.entries[i - 1].index));
    }
    Status included = VerifyInclusion(e.index, c.size, LeafHash(e.leaf), e.proof, c.root);
    if (!included.ok()) {
      return included.WithPrefix("bundle of " + b.stream + ", version " + ToText(e.version) +
                                 " (offset " + ToText(e.index) + ")");
    }
  }
  if (b.entries.size() != b.events) {
    return Status::Corruption("bundle of " + b.stream + ": " + ToText(b.entries.size()) +
                              " events of the " + ToText(b.events) + " it names: version " +
                              ToText(b.entries.size() + 1) + " is missing");
  }
  return CheckedBundle{std::move(c), std::move(b)};
}

}  // namespace statelog::tlog
