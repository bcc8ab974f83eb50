// `statelog check-proof`: a proof file checked offline, with no store: the checkpoint's
// signature, the proof, and for an event its encoding, id, Nitro signatures and stream
// (docs/tlog-format.md).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/proof_files.h"
#include "cli/read_file.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "statelog/checkpoint.h"
#include "statelog/codec.h"
#include "statelog/kept_checkpoint.h"
#include "statelog/nitro.h"
#include "statelog/note.h"
#include "statelog/reconstruct.h"

namespace statelog::cli {
namespace {

// ---- statelog check-proof

struct CheckArgs {
  std::string file;
  std::string key;    // an Ethereum address or a vkey
  std::string older;  // the older checkpoint of a consistency proof
};

// The verifier --key names for a checkpoint of `origin`: a vkey as it is, or the
// eip191-secp256k1 key of an address under the origin's name.
StatusOr<tlog::NoteVerifier> VerifierFor(const std::string& key, const std::string& origin) {
  if (key.find('+') != std::string::npos) return tlog::NoteVerifier::Parse(key);
  STATELOG_ASSIGN_OR_RETURN(Address address, Address::FromHex(key));
  return tlog::NoteVerifier::ForAddress(origin, address);
}

// The origin of a signed checkpoint (its first line), to build a verifier from an address.
StatusOr<std::string> OriginOf(std::string_view signed_checkpoint) {
  STATELOG_ASSIGN_OR_RETURN(tlog::SignedNote note, tlog::ParseNote(signed_checkpoint));
  STATELOG_ASSIGN_OR_RETURN(tlog::Checkpoint c, tlog::Checkpoint::ParseText(note.text));
  return c.origin;
}

// The number of Nitro signatures an event carries (what CheckEventProof recovered).
size_t SignatureCount(const Event& event) {
  const std::string json = EncodeEvent(event);
  size_t count = 0;
  for (size_t at = json.find("\"signature\":"); at != std::string::npos;
       at = json.find("\"signature\":", at + 1)) {
    ++count;
  }
  return count;
}

// Opens a signed checkpoint with the key --key names; Corruption naming that key otherwise.
StatusOr<tlog::Checkpoint> OpenWithKey(std::string_view signed_checkpoint,
                                       const tlog::NoteVerifier& verifier, const std::string& key,
                                       const std::string& what) {
  StatusOr<tlog::Checkpoint> c = tlog::OpenCheckpoint(signed_checkpoint, std::span(&verifier, 1));
  if (!c.ok()) {
    return Status(c.status().code(), what + " is not signed by --key " + key + ": " +
                                         std::string(c.status().message()));
  }
  return c;
}

Status CheckInclusion(const std::string& text, const tlog::NoteVerifier& verifier,
                      const std::string& key) {
  STATELOG_ASSIGN_OR_RETURN(tlog::InclusionProofFile parsed, tlog::InclusionProofFile::Parse(text));
  STATELOG_RETURN_IF_ERROR(
      OpenWithKey(parsed.checkpoint, verifier, key, "the checkpoint").status());
  STATELOG_ASSIGN_OR_RETURN(tlog::CheckedInclusion checked,
                            tlog::CheckInclusionProofFile(text, std::span(&verifier, 1)));
  STATELOG_ASSIGN_OR_RETURN(Event event, CheckEventLeaf(checked.leaf));
  std::printf("checkpoint: %s, %llu events, signed by %s\n", checked.checkpoint.origin.c_str(),
              static_cast<unsigned long long>(checked.checkpoint.size),
              verifier.ToString().c_str());
  std::printf("event: offset %llu, id %s, type %s\n",
              static_cast<unsigned long long>(checked.index), event.id.ToHex().c_str(),
              std::string(EventTypeName(event.type())).c_str());
  std::printf("inclusion proof: OK (%zu hashes)\n", parsed.proof.size());
  std::printf("event id and Nitro signatures: OK (%zu signatures)\n", SignatureCount(event));
  std::printf("check-proof: OK\n");
  return Status::OK();
}

// Checks that `event` belongs to the bundle's stream ("channel <id>" or "objective <id>").
Status CheckInStream(const Event& event, std::string_view stream) {
  if (stream.starts_with("channel ")) {
    auto id = ChannelId::FromHex(stream.substr(8));
    if (!id.ok()) return id.status().WithPrefix("bundle: stream channel id");
    if (event.channel() == nullptr || *event.channel() != *id) {
      return Status::Corruption("the event is not of the " + std::string(stream));
    }
    return Status::OK();
  }
  if (stream.starts_with("objective ")) {
    auto id = ObjectiveId::Parse(stream.substr(10));
    if (!id.ok()) return id.status().WithPrefix("bundle: stream objective id");
    if (event.objective() == nullptr || *event.objective() != *id) {
      return Status::Corruption("the event is not of the " + std::string(stream));
    }
    return Status::OK();
  }
  return Status::InvalidArgument("bundle: unknown stream \"" + std::string(stream) +
                                 "\" (channel <id> or objective <id>)");
}

Status CheckBundle(const std::string& text, const tlog::NoteVerifier& verifier,
                   const std::string& key) {
  STATELOG_ASSIGN_OR_RETURN(tlog::BundleFile parsed, tlog::BundleFile::Parse(text));
  STATELOG_RETURN_IF_ERROR(
      OpenWithKey(parsed.checkpoint, verifier, key, "the checkpoint").status());
  STATELOG_ASSIGN_OR_RETURN(tlog::CheckedBundle checked,
                            tlog::CheckBundleFile(text, std::span(&verifier, 1)));
  std::vector<Event> events;
  size_t signatures = 0;
  for (const tlog::BundleEntry& e : checked.bundle.entries) {
    const std::string which =
        "version " + std::to_string(e.version) + " (offset " + std::to_string(e.index) + ")";
    StatusOr<Event> event = CheckEventLeaf(e.leaf);
    if (!event.ok()) return event.status().WithPrefix(which);
    STATELOG_RETURN_IF_ERROR(CheckInStream(*event, checked.bundle.stream).WithPrefix(which));
    signatures += SignatureCount(*event);
    events.push_back(std::move(*event));
  }
  std::printf("checkpoint: %s, %llu events, signed by %s\n", checked.checkpoint.origin.c_str(),
              static_cast<unsigned long long>(checked.checkpoint.size),
              verifier.ToString().c_str());
  std::printf("stream: %s, versions 1 to %llu\n", checked.bundle.stream.c_str(),
              static_cast<unsigned long long>(checked.bundle.events));
  for (size_t i = 0; i < events.size(); ++i) {
    std::printf("version %llu: offset %llu, id %s, type %s\n",
                static_cast<unsigned long long>(checked.bundle.entries[i].version),
                static_cast<unsigned long long>(checked.bundle.entries[i].index),
                events[i].id.ToHex().c_str(), std::string(EventTypeName(events[i].type())).c_str());
  }
  std::printf("inclusion proofs: OK (%zu events, no version missing)\n", events.size());
  std::printf("events of the stream, ids and Nitro signatures: OK (%zu signatures)\n", signatures);
  std::printf("check-proof: OK\n");
  return Status::OK();
}

Status CheckConsistency(const std::string& text, const tlog::Checkpoint& older,
                        const tlog::NoteVerifier& verifier, const std::string& key) {
  STATELOG_ASSIGN_OR_RETURN(tlog::ConsistencyProofFile parsed,
                            tlog::ConsistencyProofFile::Parse(text));
  STATELOG_RETURN_IF_ERROR(
      OpenWithKey(parsed.checkpoint, verifier, key, "the newer checkpoint").status());
  STATELOG_ASSIGN_OR_RETURN(tlog::Checkpoint newer,
                            tlog::CheckConsistencyProofFile(text, older, std::span(&verifier, 1)));
  std::printf("older checkpoint: %s, %llu events, signed by %s\n", older.origin.c_str(),
              static_cast<unsigned long long>(older.size), verifier.ToString().c_str());
  std::printf("newer checkpoint: %s, %llu events, signed by %s\n", newer.origin.c_str(),
              static_cast<unsigned long long>(newer.size), verifier.ToString().c_str());
  std::printf("consistency proof: OK (%zu hashes; the older tree is a prefix of the newer)\n",
              parsed.proof.size());
  std::printf("check-proof: OK\n");
  return Status::OK();
}

bool IsBundle(std::string_view text) {
  return text.starts_with(std::string(tlog::kBundleHeader) + "\n");
}

// The signed checkpoint a proof file is against (the one whose origin names the key).
StatusOr<std::string> CheckpointOfFile(const std::string& text) {
  if (text.starts_with(std::string(tlog::kTlogProofHeader) + "\n")) {
    STATELOG_ASSIGN_OR_RETURN(tlog::InclusionProofFile f, tlog::InclusionProofFile::Parse(text));
    return f.checkpoint;
  }
  if (text.starts_with("old ")) {
    STATELOG_ASSIGN_OR_RETURN(tlog::ConsistencyProofFile f,
                              tlog::ConsistencyProofFile::Parse(text));
    return f.checkpoint;
  }
  if (IsBundle(text)) {
    STATELOG_ASSIGN_OR_RETURN(tlog::BundleFile f, tlog::BundleFile::Parse(text));
    return f.checkpoint;
  }
  return Status::InvalidArgument(
      "not a proof file: an inclusion proof starts with \"c2sp.org/tlog-proof@v1\", a "
      "consistency proof with \"old <size>\", a stream bundle with \"statelog-bundle@v1\"");
}

void RunCheckProof(Context& ctx, const CheckArgs& a) {
  std::string text;
  if (Status st = ReadSmallFile(a.file, a.file, kMaxProofFileBytes, &text); !st.ok()) {
    return Fail(ctx, st.code() == StatusCode::kIOError ? kExitFailure : kExitBadInput, st);
  }
  const bool consistency = text.starts_with("old ");
  if (consistency && a.older.empty()) {
    return Fail(
        ctx, kExitUsage,
        Status::InvalidArgument(a.file + " is a consistency proof: give --older FILE, the older "
                                         "checkpoint it starts from"));
  }
  if (!consistency && !a.older.empty()) {
    return Fail(
        ctx, kExitUsage,
        Status::InvalidArgument("--older is for consistency proofs; " + a.file + " is not one"));
  }
  const std::string failed = "check-proof " + a.file + " FAILED";
  // The checkpoint whose origin names the key: the older one of a consistency proof.
  std::string older_text;
  if (consistency) {
    Status st = ReadSmallFile(a.older, "--older " + a.older, kMaxProofFileBytes, &older_text);
    if (!st.ok()) {
      return Fail(ctx, st.code() == StatusCode::kIOError ? kExitFailure : kExitBadInput, st);
    }
  }
  StatusOr<std::string> keyed =
      consistency ? StatusOr<std::string>(older_text) : CheckpointOfFile(text);
  if (!keyed.ok()) return Fail(ctx, kExitVerifyFailed, keyed.status().WithPrefix(failed));
  StatusOr<std::string> origin = OriginOf(*keyed);
  if (!origin.ok()) {
    return Fail(ctx, kExitVerifyFailed,
                origin.status().WithPrefix(consistency ? failed + ": --older " + a.older : failed));
  }
  StatusOr<tlog::NoteVerifier> verifier = VerifierFor(a.key, *origin);
  if (!verifier.ok()) return Fail(ctx, kExitUsage, verifier.status().WithPrefix("--key"));
  Status result;
  if (consistency) {
    StatusOr<tlog::Checkpoint> older =
        OpenWithKey(older_text, *verifier, a.key, "the older checkpoint " + a.older);
    result = older.ok() ? CheckConsistency(text, *older, *verifier, a.key) : older.status();
  } else if (IsBundle(text)) {
    result = CheckBundle(text, *verifier, a.key);
  } else {
    result = CheckInclusion(text, *verifier, a.key);
  }
  if (!result.ok()) return Fail(ctx, kExitVerifyFailed, result.WithPrefix(failed));
}
}  // namespace

void RegisterCheckProofCommand(CLI::App& app, Context& ctx) {
  {
    auto a = std::make_shared<CheckArgs>();
    CLI::App* cmd = app.add_subcommand(
        "check-proof",
        "Check a proof file offline (no store): the checkpoint's signature, the proof, the event");
    cmd->add_option("FILE", a->file,
                    "The proof file (.tlog-proof, stream bundle or consistency proof)")
        ->required();
    cmd->add_option("--key", a->key,
                    "The log's key: the node's Ethereum address, or a verifier key (vkey)")
        ->required()
        ->check(NonEmpty())
        ->option_text("ADDRESS|VKEY");
    cmd->add_option("--older", a->older,
                    "For a consistency proof: the older signed checkpoint it starts from")
        ->check(NonEmpty())
        ->option_text("CHECKPOINT_FILE");
    cmd->callback([&ctx, a] { RunCheckProof(ctx, *a); });
  }
}

}  // namespace statelog::cli
