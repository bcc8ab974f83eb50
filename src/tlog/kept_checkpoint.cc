// Signing and keeping a log's checkpoints (statelog/kept_checkpoint.h).
#include "statelog/kept_checkpoint.h"

#include <optional>
#include <string>

namespace statelog::tlog {
namespace {

// How often SignAndKeepCheckpoint signs again after another signer kept a checkpoint first.
constexpr int kKeepAttempts = 8;

}  // namespace

std::string DefaultOrigin(const Address& node) { return "statelog/" + node.ToHex(); }

StatusOr<Checkpoint> ParseKeptCheckpoint(const KeptCheckpoint& kept) {
  const std::string which = "kept checkpoint " + std::to_string(kept.number);
  StatusOr<SignedNote> note = ParseNote(kept.note);
  if (!note.ok()) return Status::Corruption(which + ": " + std::string(note.status().message()));
  StatusOr<Checkpoint> c = Checkpoint::ParseText(note->text);
  if (!c.ok()) return Status::Corruption(which + ": " + std::string(c.status().message()));
  if (c->size != kept.size) {
    return Status::Corruption(which + " was kept as of size " + std::to_string(kept.size) +
                              "; its note is of size " + std::to_string(c->size));
  }
  return c;
}

StatusOr<KeptCheckpoint> SignAndKeepCheckpoint(Log& log, std::string_view origin,
                                               std::span<const NoteSigner> signers) {
  const HashReader* tree = log.tree();
  if (tree == nullptr) return Status::NotSupported("this log keeps no Merkle tree");
  if (!log.keeps_checkpoints()) return Status::NotSupported("this log keeps no checkpoints");
  Status last;
  for (int attempt = 0; attempt < kKeepAttempts; ++attempt) {
    STATELOG_ASSIGN_OR_RETURN(ChainHead head, log.Head());
    STATELOG_ASSIGN_OR_RETURN(std::optional<KeptCheckpoint> latest, log.LatestCheckpoint());
    std::optional<Checkpoint> previous;
    if (latest) {
      STATELOG_ASSIGN_OR_RETURN(previous, ParseKeptCheckpoint(*latest));
    }
    STATELOG_ASSIGN_OR_RETURN(Checkpoint next,
                              MakeCheckpoint(origin, head.length, head.chain, *tree));
    STATELOG_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(next, previous, *tree, signers));
    KeptCheckpoint kept{latest ? latest->number + 1 : 0, next.size, std::move(note)};
    last = log.KeepCheckpoint(kept);
    if (last.ok()) return kept;
    if (!last.IsConflict()) return last;
  }
  return last;
}

StatusOr<KeptCheckpoint> RequireLatestCheckpoint(const Log& log) {
  if (!log.keeps_checkpoints()) return Status::NotSupported("this store keeps no checkpoints");
  STATELOG_ASSIGN_OR_RETURN(std::optional<KeptCheckpoint> latest, log.LatestCheckpoint());
  if (!latest) {
    return Status::FailedPrecondition(
        "the store keeps no checkpoint yet: run `statelog checkpoint --key-file FILE` first");
  }
  return *latest;
}

StatusOr<InclusionProofFile> ProveRecord(const Log& log, Offset offset,
                                         const KeptCheckpoint& kept) {
  const HashReader* tree = log.tree();
  if (tree == nullptr) return Status::NotSupported("this log keeps no Merkle tree");
  if (offset >= kept.size) {
    return Status::OutOfRange(
        "offset " + std::to_string(offset) + " is not in the latest kept checkpoint, of " +
        std::to_string(kept.size) + " events: run `statelog checkpoint` to sign a newer one");
  }
  STATELOG_ASSIGN_OR_RETURN(StoredRecord record, log.Read(offset));
  return ProveLeaf(offset, record.record.payload->Encode(), kept.note, *tree);
}

}  // namespace statelog::tlog
