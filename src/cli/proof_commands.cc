// `statelog checkpoint`, `prove` and `check-proof`: signed checkpoints the store keeps, inclusion
// and consistency proofs against them, and their offline check (docs/tlog-format.md,
// docs/adr/0016-merkle-tree-and-checkpoints.md).
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

// The environment variable naming the node key file when --key-file is not given.
constexpr const char* kKeyFileVariable = "STATELOG_NODE_KEY_FILE";
// Larger key files are refused unread: a key file is one line of 66 characters.
constexpr size_t kMaxKeyFileBytes = 4096;
// Larger proof and checkpoint files are refused: a proof is a few KiB, a bundle of a long
// channel a few MiB.
constexpr size_t kMaxProofFileBytes = size_t{256} << 20;

// Reads all of `path` (at most `limit` bytes). IOError naming the file and the reason.
Status ReadSmallFile(const std::string& path, const std::string& what, size_t limit,
                     std::string* out) {
  const ReadFailure failure = ReadWholeFile(path, limit, out);
  switch (failure.kind) {
    case ReadFailure::kNone:
      return Status::OK();
    case ReadFailure::kDirectory:
      return Status::InvalidArgument(what + ": it is a directory");
    case ReadFailure::kTooLarge:
      return Status::InvalidArgument(what + ": larger than " + std::to_string(limit) + " bytes");
    case ReadFailure::kOpen:
    case ReadFailure::kRead:
      break;
  }
  return Status::IOError(what + ": cannot read it: " + std::strerror(failure.error));
}

// Writes `text` to `path`, or to stdout when `path` is empty.
Status WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty()) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      return Status::IOError("cannot write stdout: " + std::string(std::strerror(errno)));
    }
    return Status::OK();
  }
  std::FILE* f = std::fopen(path.c_str(), "wbe");
  if (f == nullptr) return Status::IOError("--out: cannot create " + path + ": " + strerror(errno));
  const bool wrote = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed) {
    return Status::IOError("--out: cannot write " + path + ": " + strerror(errno));
  }
  return Status::OK();
}

// Overwrites a buffer that held key material.
void Wipe(std::string* s) {
  volatile char* p = s->data();
  for (size_t i = 0; i < s->size(); ++i) p[i] = 0;
  s->clear();
}

// The node key from --key-file, or from the file STATELOG_NODE_KEY_FILE names: one line, 0x and
// 64 hex digits, an optional newline. Errors name the file and what is wrong, never the key.
// *exit_code is set for an error.
StatusOr<Bytes32> ReadNodeKey(const std::string& key_file, int* exit_code) {
  std::string path = key_file;
  std::string what = "--key-file " + path;
  if (path.empty()) {
    const char* env = std::getenv(kKeyFileVariable);
    if (env == nullptr || *env == '\0') {
      *exit_code = kExitUsage;
      return Status::InvalidArgument(
          "no node key: give --key-file FILE or set STATELOG_NODE_KEY_FILE to a file holding "
          "the node's private key (0x and 64 hex digits)");
    }
    path = env;
    what = "key file " + path + " (STATELOG_NODE_KEY_FILE)";
  }
  std::string text;
  Status read = ReadSmallFile(path, what, kMaxKeyFileBytes, &text);
  if (!read.ok()) {
    Wipe(&text);
    *exit_code = read.code() == StatusCode::kIOError ? kExitFailure : kExitBadInput;
    return read;
  }
  // Like ssh with its private keys, say so when others may read the node's key (not refused: a
  // key already exposed is the operator's to rotate).
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    std::fprintf(stderr,
                 "statelog: warning: %s is accessible to other users (mode %04o): make it "
                 "readable by the node's user alone (chmod 600)\n",
                 what.c_str(), static_cast<unsigned>(st.st_mode & 07777));
  }
  *exit_code = kExitBadInput;
  std::string_view line(text);
  if (line.ends_with("\n")) line.remove_suffix(1);
  if (line.ends_with("\r")) line.remove_suffix(1);
  Status bad;
  if (line.empty()) {
    bad = Status::InvalidArgument(what +
                                  ": empty; it must hold the node's private key, 0x and 64 "
                                  "hex digits on one line");
  } else if (line.find('\n') != std::string_view::npos) {
    bad = Status::InvalidArgument(what +
                                  ": more than one line; it must hold only the node's "
                                  "private key, 0x and 64 hex digits");
  } else if (!line.starts_with("0x") ||
             line.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string_view::npos) {
    bad = Status::InvalidArgument(what +
                                  ": not 0x-hex; it must hold the node's private key, 0x "
                                  "and 64 hex digits on one line");
  } else if (line.size() != 66) {
    bad = Status::InvalidArgument(what + ": " + std::to_string(line.size() - 2) +
                                  " hex digits; a secp256k1 private key has 64");
  }
  StatusOr<Bytes32> key = bad.ok() ? Bytes32::FromHex(line) : StatusOr<Bytes32>(bad);
  Wipe(&text);
  if (!key.ok()) {
    if (!bad.ok()) return bad;
    return Status::InvalidArgument(what + ": not a valid secp256k1 private key");
  }
  if (!nitro::AddressFromPrivateKey(*key).ok()) {
    return Status::InvalidArgument(what +
                                   ": not a valid secp256k1 private key (zero or not "
                                   "below the curve order)");
  }
  *exit_code = kExitOk;
  return key;
}

// The latest kept checkpoint, or FailedPrecondition saying how to make one.
StatusOr<KeptCheckpoint> LatestKept(const EventStore& store) {
  return tlog::RequireLatestCheckpoint(store.log());
}

// ---- statelog checkpoint

struct CheckpointArgs {
  StoreFlags flags;
  std::string key_file;
  std::string origin;
  bool latest = false;
};

void RunCheckpoint(Context& ctx, const CheckpointArgs& a) {
  if (a.latest) {
    auto opened = OpenStore(a.flags, Access::kRead);
    if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
    auto latest = LatestKept((*opened)->events());
    if (!latest.ok()) return Fail(ctx, ExitCodeFor(latest.status()), latest.status());
    if (Status st = WriteOutput("", latest->note); !st.ok()) return Fail(ctx, kExitFailure, st);
    return;
  }
  int code = kExitOk;
  auto key = ReadNodeKey(a.key_file, &code);
  if (!key.ok()) return Fail(ctx, code, key.status());
  auto opened = OpenStore(a.flags, Access::kWrite);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  if (!a.origin.empty()) {
    if (Status st = tlog::CheckKeyName(a.origin); !st.ok()) {
      return Fail(ctx, kExitUsage, st.WithPrefix("--origin"));
    }
  }
  auto kept = db.SignCheckpointAsNode(*key, a.origin);
  if (!kept.ok()) return Fail(ctx, ExitCodeFor(kept.status()), kept.status());
  if (Status st = WriteOutput("", kept->note); !st.ok()) return Fail(ctx, kExitFailure, st);
  auto kept_checkpoint = tlog::ParseKeptCheckpoint(*kept);
  if (!kept_checkpoint.ok()) return Fail(ctx, kExitFailure, kept_checkpoint.status());
  std::fprintf(stderr, "kept checkpoint %llu of %s: %llu events\n",
               static_cast<unsigned long long>(kept->number), kept_checkpoint->origin.c_str(),
               static_cast<unsigned long long>(kept->size));
}

// ---- statelog prove

struct ProveArgs {
  StoreFlags flags;
  std::string out;
  std::string offset;  // prove event OFFSET
  std::string id;      // prove event --id ID
  std::string older;   // prove consistency OLD_CHECKPOINT_FILE
  std::string stream;  // prove channel ID / prove objective ID
};

void RunProveEvent(Context& ctx, const ProveArgs& a) {
  if (a.offset.empty() == a.id.empty()) {
    return Fail(ctx, kExitUsage,
                Status::InvalidArgument("prove event: give either an OFFSET or --id EVENT_ID"));
  }
  uint64_t offset = 0;
  if (!a.offset.empty()) {
    std::string text = a.offset;
    if (std::string error = Decimal()(text); !error.empty()) {
      return Fail(ctx, kExitUsage, Status::InvalidArgument("OFFSET " + error));
    }
    offset = std::stoull(a.offset);
  }
  std::optional<EventId> id;
  if (!a.id.empty()) {
    auto parsed = EventId::FromHex(a.id);
    if (!parsed.ok()) return Fail(ctx, kExitUsage, parsed.status().WithPrefix("--id"));
    id = *parsed;
  }
  auto opened = OpenStore(a.flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  const EventStore& store = (*opened)->events();
  auto latest = LatestKept(store);
  if (!latest.ok()) return Fail(ctx, ExitCodeFor(latest.status()), latest.status());
  if (id) {
    auto found = store.Find(*id);
    if (!found.ok()) return Fail(ctx, kExitFailure, found.status());
    if (!*found) {
      return Fail(ctx, kExitBadInput,
                  Status::NotFound("no event with id " + id->ToHex() + " in the log"));
    }
    offset = **found;
  }
  auto file = tlog::ProveRecord(store.log(), offset, *latest);
  if (file.status().IsOutOfRange()) return Fail(ctx, kExitBadInput, file.status());
  if (!file.ok()) return Fail(ctx, kExitFailure, file.status());
  if (Status st = WriteOutput(a.out, file->Encode()); !st.ok()) {
    return Fail(ctx, kExitFailure, st);
  }
}

// Parses a signed checkpoint file without checking its signature (the prover's input: the
// checker checks it).
StatusOr<tlog::Checkpoint> ReadCheckpointFile(const std::string& path) {
  std::string text;
  STATELOG_RETURN_IF_ERROR(ReadSmallFile(path, path, kMaxProofFileBytes, &text));
  StatusOr<tlog::SignedNote> note = tlog::ParseNote(text);
  if (!note.ok()) return note.status().WithPrefix(path);
  StatusOr<tlog::Checkpoint> c = tlog::Checkpoint::ParseText(note->text);
  if (!c.ok()) return c.status().WithPrefix(path);
  return c;
}

void RunProveConsistency(Context& ctx, const ProveArgs& a) {
  auto older = ReadCheckpointFile(a.older);
  if (!older.ok()) return Fail(ctx, ExitCodeFor(older.status()), older.status());
  auto opened = OpenStore(a.flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  const EventStore& store = (*opened)->events();
  auto latest = LatestKept(store);
  if (!latest.ok()) return Fail(ctx, ExitCodeFor(latest.status()), latest.status());
  auto file = tlog::ProveExtension(*older, latest->note, *store.log().tree());
  if (!file.ok()) {
    return Fail(ctx, ExitCodeFor(file.status()),
                file.status().WithPrefix("no consistency proof from " + a.older));
  }
  if (Status st = WriteOutput(a.out, file->Encode()); !st.ok()) {
    return Fail(ctx, kExitFailure, st);
  }
}

// The bundle of a channel's (`objective` false) or an objective's events at the latest kept
// checkpoint.
void RunProveStream(Context& ctx, const ProveArgs& a, bool objective) {
  std::string stream;
  std::optional<ChannelId> channel;
  std::optional<ObjectiveId> objective_id;
  if (objective) {
    auto id = ObjectiveId::Parse(a.stream);
    if (!id.ok()) return Fail(ctx, kExitUsage, id.status().WithPrefix("objective id"));
    objective_id = *id;
    stream = "objective " + id->ToString();
  } else {
    auto id = ChannelId::FromHex(a.stream);
    if (!id.ok()) return Fail(ctx, kExitUsage, id.status().WithPrefix("channel id"));
    channel = *id;
    stream = "channel " + id->ToHex();
  }
  auto opened = OpenStore(a.flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  const EventStore& store = (*opened)->events();
  auto latest = LatestKept(store);
  if (!latest.ok()) return Fail(ctx, ExitCodeFor(latest.status()), latest.status());
  auto offsets = channel ? store.ChannelOffsets(*channel, latest->size)
                         : store.ObjectiveOffsets(*objective_id, latest->size);
  if (!offsets.ok()) return Fail(ctx, kExitFailure, offsets.status());
  if (offsets->empty()) {
    return Fail(
        ctx, kExitBadInput,
        Status::NotFound("the " + stream + " has no event in the latest kept checkpoint, of " +
                         std::to_string(latest->size) + " events"));
  }
  std::vector<std::string> leaves;
  for (Offset o : *offsets) {
    auto record = store.log().Read(o);
    if (!record.ok()) return Fail(ctx, kExitFailure, record.status());
    leaves.push_back(record->record.payload->Encode());
  }
  auto bundle =
      tlog::ProveStream(stream, *offsets, std::move(leaves), latest->note, *store.log().tree());
  if (!bundle.ok()) return Fail(ctx, kExitFailure, bundle.status());
  if (Status st = WriteOutput(a.out, bundle->Encode()); !st.ok()) {
    return Fail(ctx, kExitFailure, st);
  }
}

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

void RegisterProofCommands(CLI::App& app, Context& ctx) {
  {
    auto a = std::make_shared<CheckpointArgs>();
    CLI::App* cmd = app.add_subcommand(
        "checkpoint",
        "Sign a checkpoint of the log with the node's key and keep it; --latest prints the latest "
        "kept one");
    CLI::Option* latest = cmd->add_flag(
        "--latest", a->latest, "Print the latest kept checkpoint instead (signs nothing, no key)");
    cmd->add_option("--key-file", a->key_file,
                    "File holding the node's secp256k1 private key, 0x and 64 hex digits on one "
                    "line (default: the file STATELOG_NODE_KEY_FILE names)")
        ->check(NonEmpty())
        ->excludes(latest)
        ->option_text("FILE");
    cmd->add_option("--origin", a->origin,
                    "The checkpoint's origin (the log's name; default: the one the log signed "
                    "under before, else statelog/<node address>)")
        ->check(NonEmpty())
        ->excludes(latest)
        ->option_text("ORIGIN");
    AddStoreFlags(cmd, &a->flags, /*writes=*/false);
    cmd->callback([&ctx, a] { RunCheckpoint(ctx, *a); });
  }
  {
    auto a = std::make_shared<ProveArgs>();
    CLI::App* prove = app.add_subcommand(
        "prove",
        "Write a proof against the latest kept checkpoint: of an event, a channel's or an "
        "objective's events (a bundle), or consistency");
    prove->require_subcommand(1);
    prove->fallthrough();
    AddStoreFlags(prove, &a->flags, /*writes=*/false);
    prove->add_option("--out", a->out, "Write the proof to FILE instead of stdout")
        ->check(NonEmpty())
        ->option_text("FILE");
    CLI::App* event = prove->add_subcommand(
        "event", "The .tlog-proof of one event, by OFFSET or by --id, with the event in it");
    event->add_option("OFFSET", a->offset, "The event's offset in the log");
    event->add_option("--id", a->id, "The event's id (0x and 64 hex digits) instead of OFFSET")
        ->option_text("EVENT_ID");
    event->callback([&ctx, a] { RunProveEvent(ctx, *a); });
    CLI::App* consistency = prove->add_subcommand(
        "consistency",
        "The consistency proof from an older checkpoint of this log to the latest kept one");
    consistency->add_option("OLD_CHECKPOINT", a->older, "The older signed checkpoint's file")
        ->required();
    consistency->callback([&ctx, a] { RunProveConsistency(ctx, *a); });
    CLI::App* channel = prove->add_subcommand(
        "channel",
        "A channel's events as a bundle of inclusion proofs, with its versions, against one "
        "checkpoint");
    channel->add_option("CHANNEL_ID", a->stream, "The channel id (0x and 64 hex digits)")
        ->required();
    channel->callback([&ctx, a] { RunProveStream(ctx, *a, /*objective=*/false); });
    CLI::App* objective = prove->add_subcommand(
        "objective",
        "An objective's events as a bundle of inclusion proofs, with its versions, against one "
        "checkpoint");
    objective->add_option("OBJECTIVE_ID", a->stream, "The objective id (e.g. DirectFunding-0x...)")
        ->required();
    objective->callback([&ctx, a] { RunProveStream(ctx, *a, /*objective=*/true); });
  }
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
