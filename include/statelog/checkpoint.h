// Checkpoints (C2SP tlog-checkpoint: origin, tree size, root hash, and statelog's
// "keccak256-chain" extension line) and the proof files built on them: .tlog-proof inclusion
// proofs with the leaf in their extra line, and consistency proofs in tlog-witness's
// add-checkpoint form. docs/tlog-format.md defines each byte; statelog/note.h signs and opens the
// notes, statelog/tlog.h computes the tree.
//
// Errors: malformed text is InvalidArgument naming the line; a signature or proof that does not
// verify is Corruption; a checkpoint the log must not sign is FailedPrecondition.
//
// Thread safety: every function is thread-safe.
#ifndef STATELOG_CHECKPOINT_H_
#define STATELOG_CHECKPOINT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "statelog/bytes.h"
#include "statelog/note.h"
#include "statelog/status.h"
#include "statelog/tlog.h"

namespace statelog::tlog {

// The extension line's keyword, followed by a space and the chain head's 0x-hex form.
inline constexpr std::string_view kChainExtension = "keccak256-chain";

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root;
  // The keccak256 hash chain's value after the last of the `size` records (the
  // keccak256-chain line), when the checkpoint has one. statelog writes it on every checkpoint.
  std::optional<Hash256> chain;
  // Other extension lines, in order, without their newlines.
  std::vector<std::string> extensions;

  // The note text: one line each for the origin, size and root, then the chain line, then the
  // other extension lines.
  std::string Text() const;
  // Parses a note text (every line non-empty and ending with a newline, at least three).
  // InvalidArgument naming the line otherwise.
  static StatusOr<Checkpoint> ParseText(std::string_view text);
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// Opens a signed checkpoint: the note must carry a verified signature of one of `known` whose key
// name is the checkpoint's origin (OpenNote's rules for the others).
StatusOr<Checkpoint> OpenCheckpoint(std::string_view signed_checkpoint,
                                    std::span<const NoteVerifier> known);

// The checkpoint of the first `size` leaves of the tree `reader` reads: its root from the stored
// hashes, never from a caller. InvalidArgument when `origin` is not a valid key name.
StatusOr<Checkpoint> MakeCheckpoint(std::string_view origin, uint64_t size, const Hash256& chain,
                                    const HashReader& reader);

// Signs `next` with `signers` if the log may: `next` must be the tree `reader` reads at its size,
// and extend `previous`, the last checkpoint this log signed (none before the first): the same
// origin, a size not below it, and a consistency proof from it, made from `reader`, that
// verifies (at the same size, the same root and chain). A log never signs two inconsistent
// checkpoints: FailedPrecondition naming the difference otherwise. Returns the signed note.
StatusOr<std::string> SignCheckpoint(const Checkpoint& next,
                                     const std::optional<Checkpoint>& previous,
                                     const HashReader& reader, std::span<const NoteSigner> signers);

// The header line of a .tlog-proof file.
inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";

// A C2SP tlog-proof@v1 file: an inclusion proof of one leaf with the checkpoint it is against.
struct InclusionProofFile {
  // The leaf's bytes (statelog writes the record payload here, so the file is self-contained).
  std::optional<std::string> extra;
  uint64_t index = 0;
  std::vector<Hash> proof;
  std::string checkpoint;  // the signed checkpoint, verbatim

  std::string Encode() const;
  static StatusOr<InclusionProofFile> Parse(std::string_view file);
};

// Returns the proof file of leaf `index`, whose bytes are `leaf`, against `checkpoint` (signed,
// as SignCheckpoint returned it). InvalidArgument when index is not below its size; Corruption
// when `leaf` is not the tree's leaf `index` there.
StatusOr<InclusionProofFile> ProveLeaf(uint64_t index, std::string leaf,
                                       std::string_view signed_checkpoint,
                                       const HashReader& reader);

struct CheckedInclusion {
  Checkpoint checkpoint;
  uint64_t index = 0;
  std::string leaf;
};
// Checks a .tlog-proof file offline: the checkpoint is opened with `known` (OpenCheckpoint), the
// leaf hash is computed from the extra line (required), and the inclusion proof must lead from it
// to the checkpoint's root.
StatusOr<CheckedInclusion> CheckInclusionProofFile(std::string_view file,
                                                   std::span<const NoteVerifier> known);

// A consistency proof as tlog-witness's add-checkpoint body: "old <size>", the proof, a blank
// line, the newer signed checkpoint.
struct ConsistencyProofFile {
  uint64_t old_size = 0;
  std::vector<Hash> proof;
  std::string checkpoint;  // the newer signed checkpoint, verbatim

  std::string Encode() const;
  static StatusOr<ConsistencyProofFile> Parse(std::string_view file);
};

// Returns the consistency proof from `older` (a checkpoint of the same log) to the signed
// checkpoint `signed_newer`, from the stored hashes `reader` reads. FailedPrecondition when
// `older` is of another origin, larger than the newer one, or not of the tree `reader` reads (its
// root is not the tree's at its size: a rewritten log or another log's checkpoint).
StatusOr<ConsistencyProofFile> ProveExtension(const Checkpoint& older,
                                              std::string_view signed_newer,
                                              const HashReader& reader);

// Checks a consistency proof offline against `older`, a checkpoint the caller trusts (opened
// before): the newer checkpoint is opened with `known`, must have the same origin, and the proof
// must show that `older`'s tree is a prefix of it. Returns the newer checkpoint.
StatusOr<Checkpoint> CheckConsistencyProofFile(std::string_view file, const Checkpoint& older,
                                               std::span<const NoteVerifier> known);

// The header line of a stream bundle (docs/tlog-format.md, "Stream bundles").
inline constexpr std::string_view kBundleHeader = "statelog-bundle@v1";

// One event of a stream bundle: the stream's version after it, its offset, the leaf (the event's
// bytes) and its inclusion proof.
struct BundleEntry {
  uint64_t version = 0;
  uint64_t index = 0;
  std::string leaf;
  std::vector<Hash> proof;
  friend bool operator==(const BundleEntry&, const BundleEntry&) = default;
};

// A stream bundle: every event of one stream (a channel's, an objective's) as inclusion proofs
// against one signed checkpoint, with the stream's version numbers so that a gap is visible.
struct BundleFile {
  std::string stream;   // the stream line after "stream ": "<kind> <id>"
  uint64_t events = 0;  // the stream's version at the checkpoint
  std::vector<BundleEntry> entries;
  std::string checkpoint;  // the signed checkpoint, verbatim

  std::string Encode() const;
  // Parses the layout only (no check of versions, offsets or proofs: CheckBundleFile).
  // InvalidArgument naming the line otherwise.
  static StatusOr<BundleFile> Parse(std::string_view file);
  friend bool operator==(const BundleFile&, const BundleFile&) = default;
};

// Returns the bundle of `stream` whose events (versions 1, 2, ...) are the leaves `leaves` at
// `offsets`, against `signed_checkpoint`, with proofs from `reader`. InvalidArgument when the
// stream has no event, the sizes differ, an offset is not increasing or not below the
// checkpoint's size; Corruption when a leaf is not the tree's leaf at its offset.
StatusOr<BundleFile> ProveStream(std::string stream, std::span<const uint64_t> offsets,
                                 std::vector<std::string> leaves,
                                 std::string_view signed_checkpoint, const HashReader& reader);

struct CheckedBundle {
  Checkpoint checkpoint;
  BundleFile bundle;
};
// Checks a stream bundle offline: the checkpoint opened with `known` (OpenCheckpoint); the
// entries' versions exactly 1 to `events`, in order (Corruption naming the first missing,
// repeated or reordered version); offsets increasing and below the checkpoint's size; every
// inclusion proof leading to the checkpoint's root (the error names the version and offset).
// What the leaves are is the caller's to check.
StatusOr<CheckedBundle> CheckBundleFile(std::string_view file, std::span<const NoteVerifier> known);

}  // namespace statelog::tlog

#endif  // STATELOG_CHECKPOINT_H_
