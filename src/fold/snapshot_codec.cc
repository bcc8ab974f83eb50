// The snapshot encoding of a NodeView (docs/snapshot-format.md): format 2, the field-driven
// binary encoding of fold/binary_codec.h with a CRC-32C; format 1, canonical JSON, is still read.
// Entities print as canonical JSON (statelog show --json).
#include <cstdio>
#include <cstring>

#include "crypto/crc32c.h"
#include "event/json_reader.h"
#include "event/json_writer.h"
#include "fold/binary_codec.h"
#include "statelog/snapshot.h"

namespace statelog {

inline std::string_view EnumName(ObjectiveStatus v) { return ObjectiveStatusName(v); }
inline std::string_view EnumName(ChallengeStatus v) { return ChallengeStatusName(v); }
inline std::string_view EnumName(RuleSet v) { return RuleSetName(v); }

template <class E, size_t N>
Status ParseEnumByName(std::string_view s, E* out, std::string_view (*name)(E)) {
  for (size_t i = 0; i < N; ++i) {
    if (name(static_cast<E>(i)) == s) {
      *out = static_cast<E>(i);
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown name '" + std::string(s) + "'");
}
inline Status ParseEnum(std::string_view s, ObjectiveStatus* out) {
  return ParseEnumByName<ObjectiveStatus, 4>(s, out, ObjectiveStatusName);
}
inline Status ParseEnum(std::string_view s, ChallengeStatus* out) {
  return ParseEnumByName<ChallengeStatus, 3>(s, out, ChallengeStatusName);
}
inline Status ParseEnum(std::string_view s, RuleSet* out) {
  for (RuleSet r : {RuleSet::kStatelog1, RuleSet::kNitro2}) {
    if (RuleSetName(r) == s) {
      *out = r;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown rule set '" + std::string(s) + "'");
}

// A field added by format 3: format 2 binary snapshots and format 1 JSON ones do not carry it (a
// view read from them keeps its default, which is what logs of rule set statelog-1, the only
// ones such snapshots were taken of, fold to).
// True on a thread while it decodes a format 1 (JSON) snapshot: the JSON reader visits the field
// lists through visitors of its own, which cannot carry the format.
thread_local bool decoding_format1 = false;

template <class V, class T>
void Since3(V& v, const char* name, T& field) {
  if (decoding_format1) return;
  if constexpr (std::is_same_v<V, codec_internal::BinaryReader>) {
    if (v.format() < 3) return;
  }
  v(name, field);
}

// The whole document: a format version, the chain value of the prefix, and the view. (In
// namespace statelog, not an anonymous one, so that argument-dependent lookup finds its fields.)
struct SnapshotDoc {
  uint64_t format = 1;
  Hash256 prefix_chain;
  NodeView view;
};

STATELOG_FIELDS(ObjectiveState) {
  v("id", x.id);
  v("status", x.status);
  v("waiting_for", x.waiting_for);
  v("channels", x.channels);
  v("rejection_reason", x.rejection_reason);
  v("event_count", x.event_count);
  v("first_offset", x.first_offset);
  v("last_offset", x.last_offset);
}
STATELOG_FIELDS(KnownState) {
  v("state", x.state);
  v("state_hash", x.state_hash);
  v("signatures", x.signatures);
}
STATELOG_FIELDS(ChannelState) {
  v("id", x.id);
  v("fixed", x.fixed);
  v("states", x.states);
  v("latest_supported", x.latest_supported);
  v("holdings", x.holdings);
  v("challenge", x.challenge);
  v("challenge_turn", x.challenge_turn);
  v("challenge_finalizes_at", x.challenge_finalizes_at);
  v("concluded", x.concluded);
  v("finalized_at", x.finalized_at);
  v("paid", x.paid);
  v("received", x.received);
  Since3(v, "prefund_outcome", x.prefund_outcome);
  Since3(v, "last_block", x.last_block);
  v("event_count", x.event_count);
  v("first_offset", x.first_offset);
  v("last_offset", x.last_offset);
}
STATELOG_FIELDS(LogIdentity) {
  v("rules", x.rules);
  v("node", x.node);
}
STATELOG_FIELDS(NodeView) {
  v("length", x.length);
  Since3(v, "identity", x.identity);
  v("objectives", x.objectives);
  v("channels", x.channels);
}
STATELOG_FIELDS(SnapshotDoc) {
  v("format", x.format);
  v("prefix_chain", x.prefix_chain);
  v("view", x.view);
}

namespace codec_internal {
template <>
struct FieldList<ObjectiveState> : std::true_type {};
template <>
struct FieldList<KnownState> : std::true_type {};
template <>
struct FieldList<ChannelState> : std::true_type {};
template <>
struct FieldList<NodeView> : std::true_type {};
template <>
struct FieldList<LogIdentity> : std::true_type {};
template <>
struct FieldList<SnapshotDoc> : std::true_type {};
}  // namespace codec_internal

namespace {

constexpr uint64_t kFormat = 3;
// Format 2 (binary, without the fields of rule set 2) is still read.
constexpr uint64_t kOldestBinaryFormat = 2;
// Formats 2 and 3 begin with these 8 bytes: not JSON (format 1 begins with '{'), not text.
constexpr std::string_view kMagic("\x89SLSNAP\n", 8);
constexpr size_t kChecksumSize = 4;

// A format number this encoding does not carry: NotSupported when it is newer than this build.
Status OtherFormat(uint64_t format, std::string_view encoding, uint64_t expected) {
  if (format > kFormat) {
    return Status::NotSupported("snapshot format " + std::to_string(format) +
                                " is newer than this statelog (" + std::to_string(kFormat) + ")");
  }
  return Status::InvalidArgument("snapshot: " + std::string(encoding) + " snapshots are format " +
                                 std::to_string(expected) + ", this one says " +
                                 std::to_string(format));
}

// Format 1 kept every signed turn; the view now keeps the latest supported turn and the turns
// after it (statelog/fold.h), which is what the fold of the same events gives.
void DropSupersededTurns(NodeView* view) {
  for (auto& [id, c] : view->channels) {
    if (c.latest_supported) c.states.erase(c.states.begin(), c.states.find(*c.latest_supported));
  }
}

StatusOr<NodeView> DecodeBinary(std::string_view data, Hash256* prefix_chain) {
  using codec_internal::BinaryReader;
  BinaryReader header(data.substr(kMagic.size()), kMagic.size());
  uint64_t format = 0;
  Status st = header.Varint(&format);
  if (!st.ok()) return st.WithPrefix("snapshot");
  if (format < kOldestBinaryFormat || format > kFormat) {
    return OtherFormat(format, "binary", kFormat);
  }
  size_t body = kMagic.size() + header.position();
  if (data.size() < body + kChecksumSize) {
    return Status::InvalidArgument("snapshot: " + std::to_string(data.size()) +
                                   " bytes, too short for a binary snapshot");
  }
  size_t end = data.size() - kChecksumSize;
  uint32_t stored = 0;
  for (size_t i = 0; i < kChecksumSize; ++i) {
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(data[end + i])) << (8 * i);
  }
  uint32_t computed = Crc32c(data.substr(0, end));
  if (stored != computed) {
    char buf[80];
    std::snprintf(buf, sizeof(buf), "snapshot: checksum 0x%08x, the data's is 0x%08x", stored,
                  computed);
    return Status::InvalidArgument(buf);
  }
  BinaryReader reader(data.substr(body, end - body), body);
  reader.set_format(format);
  Hash256 chain;
  NodeView view;
  reader("prefix_chain", chain);
  reader("view", view);
  if (!reader.status().ok()) return reader.status().WithPrefix("snapshot");
  if (!reader.at_end()) return reader.Error("trailing bytes").WithPrefix("snapshot");
  *prefix_chain = chain;
  return view;
}

}  // namespace

std::string EncodeNodeView(const NodeView& view, const Hash256& prefix_chain) {
  std::string out(kMagic);
  codec_internal::BinaryWriter w(&out);
  w.Varint(kFormat);
  w("prefix_chain", prefix_chain);
  w("view", view);
  uint32_t crc = Crc32c(out);
  for (size_t i = 0; i < kChecksumSize; ++i) out.push_back(static_cast<char>(crc >> (8 * i)));
  return out;
}

std::string EncodeObjectiveState(const ObjectiveState& state) {
  std::string out;
  codec_internal::Writer(&out).Value(state);
  return out;
}

std::string EncodeChannelState(const ChannelState& state) {
  std::string out;
  codec_internal::Writer(&out).Value(state);
  return out;
}

std::string EncodeLogIdentity(const LogIdentity& identity) {
  std::string out;
  codec_internal::Writer(&out).Value(identity);
  return out;
}

namespace {

// Format 1: canonical JSON, every signed turn.
StatusOr<NodeView> DecodeJson(std::string_view data, Hash256* prefix_chain) {
  namespace sj = simdjson::ondemand;
  std::string buf(data.size() + simdjson::SIMDJSON_PADDING, '\0');
  std::memcpy(buf.data(), data.data(), data.size());
  sj::parser parser;
  sj::document doc;
  codec_internal::Reader reader;
  if (auto err = parser.iterate(buf.data(), data.size(), buf.size()).get(doc)) {
    return reader.JsonError(err).WithPrefix("snapshot");
  }
  reader.Attach(&doc, buf.data());
  {
    // The version decides how to read the rest: look at it before anything else.
    uint64_t format = 0;
    sj::value fv;
    if (doc.find_field_unordered("format").get(fv) || fv.get_uint64().get(format)) {
      return Status::InvalidArgument("snapshot: missing or malformed \"format\"");
    }
    if (format != 1) return OtherFormat(format, "JSON", 1);
    doc.rewind();
  }
  sj::value root;
  if (auto err = doc.get_value().get(root)) return reader.JsonError(err).WithPrefix("snapshot");
  SnapshotDoc parsed;
  decoding_format1 = true;
  Status st = reader.Value(root, parsed);
  decoding_format1 = false;
  if (!st.ok()) return st.WithPrefix("snapshot");
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) {
    return Status::InvalidArgument("snapshot: trailing characters");
  }
  if (parsed.format != 1) return OtherFormat(parsed.format, "JSON", 1);
  *prefix_chain = parsed.prefix_chain;
  DropSupersededTurns(&parsed.view);
  return std::move(parsed.view);
}

}  // namespace

StatusOr<NodeView> DecodeNodeView(std::string_view data, Hash256* prefix_chain) {
  if (data.starts_with(kMagic)) return DecodeBinary(data, prefix_chain);
  if (data.starts_with('{')) return DecodeJson(data, prefix_chain);
  return Status::InvalidArgument(
      "snapshot: neither binary (formats 2 and 3, begin with 0x89 \"SLSNAP\") nor format 1 (JSON)");
}

}  // namespace statelog
