// statelog_head, statelog_read, statelog_channel, statelog_objective and statelog_verify.
#include <cstring>
#include <limits>
#include <string>

#include "c/handle.h"
#include "statelog/codec.h"
#include "statelog/snapshot.h"
#include "statelog/verify.h"

namespace statelog::c_api {
namespace {

// Writes `hash` as "0x" + 64 hex digits and a NUL to `out` (STATELOG_HASH_HEX_SIZE bytes).
void HashOut(const Hash256& hash, char* out) {
  const std::string hex = hash.ToHex();
  std::memcpy(out, hex.c_str(), hex.size() + 1);
}

// The events at [begin, end) as canonical JSON lines.
Status ReadLines(const EventStore& store, uint64_t begin, uint64_t end, std::string* out) {
  STATELOG_ASSIGN_OR_RETURN(uint64_t length, store.Length());
  if (end == std::numeric_limits<uint64_t>::max()) end = length;
  if (end > length || begin > end) {
    return Status::OutOfRange("statelog_read: range [" + std::to_string(begin) + ", " +
                              std::to_string(end) + ") is not within the log's " +
                              std::to_string(length) + " events");
  }
  auto cursor = store.NewCursor(begin, end);
  for (; cursor->Valid(); cursor->Next()) {
    EncodeEvent(cursor->event().event, out);
    out->push_back('\n');
  }
  return cursor->status();
}

// The state of one entity as JSON: `read` is the DB call, `parse` the id parser.
template <typename Parse, typename Read>
Status Entity(std::string_view function, statelog_t* db, const char* id, int64_t as_of, char** out,
              Parse parse, Read read) {
  STATELOG_RETURN_IF_ERROR(NotNull(db, function, "db"));
  STATELOG_RETURN_IF_ERROR(NotNull(id, function, "id"));
  STATELOG_RETURN_IF_ERROR(NotNull(out, function, "out"));
  ReadOptions options;
  STATELOG_RETURN_IF_ERROR(OptionalOffset(as_of, function, "as_of", &options.as_of));
  auto parsed = parse(id);
  if (!parsed.ok()) return parsed.status().WithPrefix(std::string(function) + ": id");
  STATELOG_ASSIGN_OR_RETURN(auto state, read(*db->open, *parsed, options));
  *out = CopyOut(state);
  return Status::OK();
}

}  // namespace
}  // namespace statelog::c_api

using namespace statelog;
using namespace statelog::c_api;

extern "C" {

int statelog_head(statelog_t* db, uint64_t* length, char* chain_hex, char** errptr) {
  return Guard("statelog_head", errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(db, "statelog_head", "db"));
    STATELOG_ASSIGN_OR_RETURN(ChainHead head, db->open->Head());
    if (length != nullptr) *length = head.length;
    if (chain_hex != nullptr) HashOut(head.chain, chain_hex);
    return Status::OK();
  });
}

int statelog_read(statelog_t* db, uint64_t begin, uint64_t end, char** out, size_t* out_len,
                  char** errptr) {
  return Guard("statelog_read", errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(db, "statelog_read", "db"));
    STATELOG_RETURN_IF_ERROR(NotNull(out, "statelog_read", "out"));
    std::string lines;
    STATELOG_RETURN_IF_ERROR(ReadLines(db->open->events(), begin, end, &lines));
    *out = CopyOut(lines);
    if (out_len != nullptr) *out_len = lines.size();
    return Status::OK();
  });
}

int statelog_channel(statelog_t* db, const char* channel_id, int64_t as_of, char** out,
                     char** errptr) {
  constexpr std::string_view kFunction = "statelog_channel";
  return Guard(kFunction, errptr, [&] {
    return Entity(
        kFunction, db, channel_id, as_of, out,
        [](const char* id) { return ChannelId::FromHex(id); },
        [](DB& opened, const ChannelId& id, const ReadOptions& options) -> StatusOr<std::string> {
          STATELOG_ASSIGN_OR_RETURN(ChannelState state, opened.Channel(id, options));
          return EncodeChannelState(state);
        });
  });
}

int statelog_objective(statelog_t* db, const char* objective_id, int64_t as_of, char** out,
                       char** errptr) {
  constexpr std::string_view kFunction = "statelog_objective";
  return Guard(kFunction, errptr, [&] {
    return Entity(
        kFunction, db, objective_id, as_of, out,
        [](const char* id) { return ObjectiveId::Parse(id); },
        [](DB& opened, const ObjectiveId& id, const ReadOptions& options) -> StatusOr<std::string> {
          STATELOG_ASSIGN_OR_RETURN(ObjectiveState state, opened.Objective(id, options));
          return EncodeObjectiveState(state);
        });
  });
}

int statelog_checkpoint(statelog_t* db, const char* key_hex, const char* origin, char** note,
                        char** errptr) {
  constexpr std::string_view kFunction = "statelog_checkpoint";
  return Guard(kFunction, errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(db, kFunction, "db"));
    STATELOG_RETURN_IF_ERROR(NotNull(note, kFunction, "note"));
    Bytes32 key;
    STATELOG_RETURN_IF_ERROR(PrivateKey(key_hex, kFunction, &key));
    STATELOG_ASSIGN_OR_RETURN(KeptCheckpoint kept,
                              db->open->SignCheckpointAsNode(key, origin ? origin : ""));
    *note = CopyOut(kept.note);
    return Status::OK();
  });
}

int statelog_latest_checkpoint(statelog_t* db, char** note, char** errptr) {
  constexpr std::string_view kFunction = "statelog_latest_checkpoint";
  return Guard(kFunction, errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(db, kFunction, "db"));
    STATELOG_RETURN_IF_ERROR(NotNull(note, kFunction, "note"));
    STATELOG_ASSIGN_OR_RETURN(std::optional<KeptCheckpoint> latest, db->open->LatestCheckpoint());
    if (!latest) return Status::NotFound("the store keeps no checkpoint yet");
    *note = CopyOut(latest->note);
    return Status::OK();
  });
}

int statelog_identity(statelog_t* db, char** out, char** errptr) {
  return Guard("statelog_identity", errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(db, "statelog_identity", "db"));
    STATELOG_RETURN_IF_ERROR(NotNull(out, "statelog_identity", "out"));
    STATELOG_ASSIGN_OR_RETURN(LogIdentity identity, db->open->Identity());
    const std::string json = EncodeLogIdentity(identity);
    *out = CopyOut(json);
    return Status::OK();
  });
}

int statelog_verify(statelog_t* db, statelog_verify_report* report, char** errptr) {
  return Guard("statelog_verify", errptr, [&]() -> Status {
    STATELOG_RETURN_IF_ERROR(NotNull(db, "statelog_verify", "db"));
    VerifyOptions options;
    VerifyReport result = db->open->Verify(options);
    if (report != nullptr) {
      report->events = result.events;
      report->signatures = result.signatures;
      report->snapshots = result.snapshots;
      report->length = result.head.length;
      HashOut(result.head.chain, report->chain_hex);
      report->first_bad_offset =
          result.first_bad_offset ? static_cast<int64_t>(*result.first_bad_offset) : STATELOG_NONE;
    }
    return result.status;
  });
}

}  // extern "C"
