// The snapshot encoding of a NodeView: canonical JSON written and read with the event codec's
// field-driven writer and reader (docs/snapshot-format.md).
#include <cstring>

#include "event/json_reader.h"
#include "event/json_writer.h"
#include "statelog/snapshot.h"

namespace statelog {

inline std::string_view EnumName(ObjectiveStatus v) { return ObjectiveStatusName(v); }
inline std::string_view EnumName(ChallengeStatus v) { return ChallengeStatusName(v); }

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
  v("event_count", x.event_count);
  v("first_offset", x.first_offset);
  v("last_offset", x.last_offset);
}
STATELOG_FIELDS(NodeView) {
  v("length", x.length);
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
struct FieldList<SnapshotDoc> : std::true_type {};
}  // namespace codec_internal

std::string EncodeNodeView(const NodeView& view, const Hash256& prefix_chain) {
  // The writer takes the document by reference; copy only the small header, not the view.
  std::string out;
  codec_internal::Writer w(&out);
  out.append("{");
  w("format", uint64_t{1});
  w("prefix_chain", prefix_chain);
  w("view", view);
  out.append("}");
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

StatusOr<NodeView> DecodeNodeView(std::string_view data, Hash256* prefix_chain) {
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
    if (format != 1) {
      return Status::NotSupported("snapshot format " + std::to_string(format) +
                                  " is newer than this statelog (1)");
    }
    doc.rewind();
  }
  sj::value root;
  if (auto err = doc.get_value().get(root)) return reader.JsonError(err).WithPrefix("snapshot");
  SnapshotDoc parsed;
  Status st = reader.Value(root, parsed);
  if (!st.ok()) return st.WithPrefix("snapshot");
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) {
    return Status::InvalidArgument("snapshot: trailing characters");
  }
  if (parsed.format != 1) {
    return Status::NotSupported("snapshot format " + std::to_string(parsed.format) +
                                " is newer than this statelog (1)");
  }
  *prefix_chain = parsed.prefix_chain;
  return std::move(parsed.view);
}

}  // namespace statelog
