// The canonical field list of every event body and nested Nitro type, written once and used by
// both the encoder (canonical order) and the decoder (lookup by name). Internal header.
//
// VisitFields(v, x) calls v("name", member) for each member in canonical order; `x` may be const
// (encoding) or not (decoding).
#ifndef STATELOG_EVENT_FIELDS_H_
#define STATELOG_EVENT_FIELDS_H_

#include <span>
#include <string>
#include <type_traits>

#include "statelog/event.h"
#include "statelog/state.h"

namespace statelog::codec_internal {

// Declares VisitFields for `Type` (const or not). Types of other layers declare theirs in
// namespace statelog (found by argument-dependent lookup) and specialize FieldList.
#define STATELOG_FIELDS(Type)                           \
  template <class V, class T>                           \
  requires std::is_same_v<std::remove_const_t<T>, Type> \
  void VisitFields(V& v, T& x)

STATELOG_FIELDS(Allocation) {
  v("destination", x.destination);
  v("amount", x.amount);
  v("allocation_type", x.allocation_type);
  v("metadata", x.metadata);
}
STATELOG_FIELDS(AssetMetadata) {
  v("asset_type", x.asset_type);
  v("metadata", x.metadata);
}
STATELOG_FIELDS(SingleAssetExit) {
  v("asset", x.asset);
  v("asset_metadata", x.asset_metadata);
  v("allocations", x.allocations);
}
STATELOG_FIELDS(FixedPart) {
  v("participants", x.participants);
  v("channel_nonce", x.channel_nonce);
  v("app_definition", x.app_definition);
  v("challenge_duration", x.challenge_duration);
}
STATELOG_FIELDS(VariablePart) {
  v("app_data", x.app_data);
  v("outcome", x.outcome);
  v("turn_num", x.turn_num);
  v("is_final", x.is_final);
}

STATELOG_FIELDS(events::ObjectiveCreated) {
  v("objective_id", x.objective_id);
  v("channels", x.channels);
  v("approved", x.approved);
}
STATELOG_FIELDS(events::ObjectiveApproved) { v("objective_id", x.objective_id); }
STATELOG_FIELDS(events::ObjectiveRejected) {
  v("objective_id", x.objective_id);
  v("reason", x.reason);
}
STATELOG_FIELDS(events::ObjectiveCompleted) { v("objective_id", x.objective_id); }
STATELOG_FIELDS(events::ObjectiveProgressed) {
  v("objective_id", x.objective_id);
  v("waiting_for", x.waiting_for);
}
STATELOG_FIELDS(events::ChannelCreated) {
  v("channel_id", x.channel_id);
  v("fixed", x.fixed);
}
STATELOG_FIELDS(events::StateSigned) {
  v("channel_id", x.channel_id);
  v("state", x.state);
  v("state_hash", x.state_hash);
  v("signer", x.signer);
  v("signature", x.signature);
}
STATELOG_FIELDS(events::StateReceived) {
  v("channel_id", x.channel_id);
  v("state", x.state);
  v("state_hash", x.state_hash);
  v("signer", x.signer);
  v("signature", x.signature);
}
STATELOG_FIELDS(events::DepositDetected) {
  v("channel_id", x.channel_id);
  v("asset", x.asset);
  v("amount", x.amount);
  v("now_held", x.now_held);
  v("block_number", x.block_number);
}
STATELOG_FIELDS(events::AllocationUpdated) {
  v("channel_id", x.channel_id);
  v("asset", x.asset);
  v("now_held", x.now_held);
  v("block_number", x.block_number);
}
STATELOG_FIELDS(events::ChallengeRegistered) {
  v("channel_id", x.channel_id);
  v("turn_num", x.turn_num);
  v("finalizes_at", x.finalizes_at);
  v("block_number", x.block_number);
}
STATELOG_FIELDS(events::ChallengeCleared) {
  v("channel_id", x.channel_id);
  v("turn_num", x.turn_num);
  v("block_number", x.block_number);
}
STATELOG_FIELDS(events::ChannelConcluded) {
  v("channel_id", x.channel_id);
  v("finalized_at", x.finalized_at);
  v("block_number", x.block_number);
}
STATELOG_FIELDS(events::MessageSent) {
  v("peer", x.peer);
  v("payload", x.payload);
}
STATELOG_FIELDS(events::MessageReceived) {
  v("peer", x.peer);
  v("payload", x.payload);
}
STATELOG_FIELDS(events::VoucherSent) {
  v("channel_id", x.channel_id);
  v("amount", x.amount);
  v("signer", x.signer);
  v("signature", x.signature);
}
STATELOG_FIELDS(events::VoucherReceived) {
  v("channel_id", x.channel_id);
  v("amount", x.amount);
  v("signer", x.signer);
  v("signature", x.signature);
}
STATELOG_FIELDS(events::SnapshotCreated) {
  v("covers", x.covers);
  v("prefix_chain", x.prefix_chain);
  v("snapshot_digest", x.snapshot_digest);
}

STATELOG_FIELDS(events::ImportedFile) {
  v("name", x.name);
  v("size", x.size);
  v("digest", x.digest);
}
STATELOG_FIELDS(events::StoreImported) {
  v("source", x.source);
  v("node", x.node);
  v("files", x.files);
  v("events", x.events);
}

STATELOG_FIELDS(Proposal) {
  v("kind", x.kind);
  v("target", x.target);
  v("amount", x.amount);
  v("left", x.left);
  v("right", x.right);
  v("left_amount", x.left_amount);
}
// proposal_signed and proposal_received: the ledger channel, then the SignedProposal's fields.
template <class V, class T>
void VisitProposalEvent(V& v, T& x) {
  v("channel_id", x.channel_id);
  v("proposal", x.content->proposal);
  v("state", x.content->state);
  v("state_hash", x.content->state_hash);
  v("signer", x.content->signer);
  v("signature", x.content->signature);
}
STATELOG_FIELDS(events::ProposalSigned) { VisitProposalEvent(v, x); }
STATELOG_FIELDS(events::ProposalReceived) { VisitProposalEvent(v, x); }
STATELOG_FIELDS(events::StateSignature) {
  v("signer", x.signer);
  v("signature", x.signature);
}
STATELOG_FIELDS(events::ChallengeRaised) {
  v("channel_id", x.channel_id);
  v("state", x.content->state);
  v("state_hash", x.content->state_hash);
  v("signatures", x.content->signatures);
  v("finalizes_at", x.content->finalizes_at);
  v("block_number", x.content->block_number);
}
STATELOG_FIELDS(events::LogCreated) {
  v("node", x.node);
  v("rules", x.rules);
}

// The nested types that encode as a JSON object with the fields above.
template <class T>
concept NestedStruct = std::is_same_v<T, Allocation> || std::is_same_v<T, AssetMetadata> ||
    std::is_same_v<T, SingleAssetExit> || std::is_same_v<T, FixedPart> ||
    std::is_same_v<T, VariablePart> || std::is_same_v<T, events::ImportedFile> ||
    std::is_same_v<T, Proposal> || std::is_same_v<T, events::StateSignature>;

// Types outside this header opt in to the generic struct encoding by declaring
// `VisitFields(V&, T&)` and specializing this trait.
template <class T>
struct FieldList : std::false_type {};
template <class T>
concept HasFieldList = FieldList<std::remove_const_t<T>>::value;

// One step of the path to a value being decoded, for error messages: a field or an item.
struct PathElem {
  const char* name;  // null for an item's index
  size_t index;
};

// Joins a path as "view.channels[3].states": fields by dots, items by their index in brackets.
inline std::string JoinPath(std::span<const PathElem> path) {
  std::string p;
  for (const PathElem& e : path) {
    if (e.name) {
      if (!p.empty()) p += '.';
      p += e.name;
    } else {
      p += '[' + std::to_string(e.index) + ']';
    }
  }
  return p;
}

}  // namespace statelog::codec_internal

namespace statelog {
// Enums encode as their names: each enum used in JSON provides EnumName and ParseEnum in
// namespace statelog, where argument-dependent lookup finds them.
inline std::string_view EnumName(ObjectiveStep v) { return ObjectiveStepName(v); }
inline std::string_view EnumName(ProposalKind v) { return ProposalKindName(v); }
inline Status ParseEnum(std::string_view s, ProposalKind* out) {
  auto r = ParseProposalKind(s);
  if (!r.ok()) return r.status();
  *out = *r;
  return Status::OK();
}
inline Status ParseEnum(std::string_view s, ObjectiveStep* out) {
  auto r = ParseObjectiveStep(s);
  if (!r.ok()) return r.status();
  *out = *r;
  return Status::OK();
}
}  // namespace statelog

#endif  // STATELOG_EVENT_FIELDS_H_
