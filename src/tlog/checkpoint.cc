// Checkpoints: the note text, opening, making and signing (docs/tlog-format.md, "Checkpoints").
#include "statelog/checkpoint.h"

#include "tlog/text.h"

namespace statelog::tlog {

std::string Checkpoint::Text() const {
  std::string out = origin + "\n" + std::to_string(size) + "\n" + HashToBase64(root) + "\n";
  if (chain) out += std::string(kChainExtension) + " " + chain->ToHex() + "\n";
  for (const std::string& line : extensions) out += line + "\n";
  return out;
}

StatusOr<Checkpoint> Checkpoint::ParseText(std::string_view text) {
  LineReader lines(text);
  std::string_view line;
  Checkpoint c;
  int count = 0;
  while (lines.Next(&line)) {
    ++count;
    const std::string where = "checkpoint " + lines.Where();
    if (line.empty()) return Status::InvalidArgument(where + "empty line");
    if (count == 1) {
      c.origin = std::string(line);
    } else if (count == 2) {
      STATELOG_ASSIGN_OR_RETURN(c.size, ParseDecimal(line, where + "tree size"));
    } else if (count == 3) {
      StatusOr<Hash> root = HashFromBase64(line);
      if (!root.ok()) return root.status().WithPrefix(where + "root hash");
      c.root = *root;
    } else if (line.starts_with(kChainExtension) && line.size() > kChainExtension.size() &&
               line[kChainExtension.size()] == ' ') {
      if (c.chain) return Status::InvalidArgument(where + "a second keccak256-chain line");
      StatusOr<Hash256> chain = Hash256::FromHex(line.substr(kChainExtension.size() + 1));
      if (!chain.ok()) return chain.status().WithPrefix(where + "keccak256-chain");
      c.chain = *chain;
    } else {
      c.extensions.emplace_back(line);
    }
  }
  if (lines.incomplete()) {
    return Status::InvalidArgument("checkpoint line " + std::to_string(count + 1) +
                                   ": no newline at the end");
  }
  if (count < 3) {
    return Status::InvalidArgument("checkpoint: " + std::to_string(count) +
                                   " lines; origin, size and root hash are required");
  }
  return c;
}

StatusOr<Checkpoint> OpenCheckpoint(std::string_view signed_checkpoint,
                                    std::span<const NoteVerifier> known) {
  STATELOG_ASSIGN_OR_RETURN(OpenedNote note, OpenNote(signed_checkpoint, known));
  STATELOG_ASSIGN_OR_RETURN(Checkpoint c, Checkpoint::ParseText(note.note.text));
  for (size_t k : note.verified) {
    if (known[k].name() == c.origin) return c;
  }
  return Status::Corruption("checkpoint of " + c.origin +
                            ": no verified signature by a key named after its origin");
}

StatusOr<Checkpoint> MakeCheckpoint(std::string_view origin, uint64_t size, const Hash256& chain,
                                    const HashReader& reader) {
  STATELOG_RETURN_IF_ERROR(CheckKeyName(origin).WithPrefix("origin"));
  Checkpoint c;
  c.origin = std::string(origin);
  c.size = size;
  STATELOG_ASSIGN_OR_RETURN(c.root, TreeHash(size, reader));
  c.chain = chain;
  return c;
}

StatusOr<std::string> SignCheckpoint(const Checkpoint& next,
                                     const std::optional<Checkpoint>& previous,
                                     const HashReader& reader,
                                     std::span<const NoteSigner> signers) {
  const std::string refused =
      "refusing to sign the checkpoint of size " + std::to_string(next.size) + ": ";
  STATELOG_RETURN_IF_ERROR(CheckKeyName(next.origin).WithPrefix("origin"));
  STATELOG_ASSIGN_OR_RETURN(Hash root, TreeHash(next.size, reader));
  if (root != next.root) {
    return Status::FailedPrecondition(refused + "its root " + HashToBase64(next.root) +
                                      " is not the log's, " + HashToBase64(root));
  }
  if (previous) {
    if (previous->origin != next.origin) {
      return Status::FailedPrecondition(refused + "the last checkpoint signed is of " +
                                        previous->origin + ", not " + next.origin);
    }
    if (previous->size > next.size) {
      return Status::FailedPrecondition(refused + "a checkpoint of size " +
                                        std::to_string(previous->size) + " was signed before");
    }
    if (previous->size == next.size && previous->chain != next.chain) {
      return Status::FailedPrecondition(refused + "the checkpoint signed at this size has " +
                                        "another keccak256 chain head");
    }
    STATELOG_ASSIGN_OR_RETURN(std::vector<Hash> proof,
                              ProveConsistency(previous->size, next.size, reader));
    Status consistent =
        VerifyConsistency(previous->size, next.size, previous->root, next.root, proof);
    if (!consistent.ok()) {
      return Status::FailedPrecondition(refused +
                                        "it is not consistent with the checkpoint of "
                                        "size " +
                                        std::to_string(previous->size) +
                                        " signed before: " + std::string(consistent.message()));
    }
  }
  return SignNote(next.Text(), signers);
}

}  // namespace statelog::tlog
