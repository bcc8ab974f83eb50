// `statelog checkpoint` and `prove`: signed checkpoints the store keeps, and inclusion and
// consistency proofs against them (docs/tlog-format.md,
// docs/adr/0016-merkle-tree-and-checkpoints.md). Their offline check is check_proof_command.cc.
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

// The environment variable naming the node key file when --key-file is not given.
constexpr const char* kKeyFileVariable = "STATELOG_NODE_KEY_FILE";
// Larger key files are refused unread: a key file is one line of 66 characters.
constexpr size_t kMaxKeyFileBytes = 4096;

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
}

}  // namespace statelog::cli
