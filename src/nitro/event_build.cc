// BuildEvent: an event from its parts, with go-nitro's SignedState or Voucher standing for the
// fields the library computes (statelog/nitro.h, docs/c-api.md "Building events"). The computed
// fields are written by the event codec and the whole event is decoded by it: every value and
// error is the codec's, and nothing here formats a field.
#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "nitro/json_read.h"
#include "nitro/json_value.h"
#include "statelog/codec.h"
#include "statelog/nitro.h"

namespace statelog::nitro {
namespace {

using json::Err;
using json::Member;
using json::ObjectReader;
using json::Value;

// What the go-nitro members of the parts stand for.
struct Computed {
  std::vector<Member> fields;              // canonical JSON of the computed fields
  std::vector<std::string_view> consumed;  // members of the parts they replace
};

// The members `names` of the canonical encoding of `body`.
std::vector<Member> CanonicalFields(const EventBody& body,
                                    std::initializer_list<std::string_view> names) {
  std::string text;
  EncodeEventContent(0, body, &text);
  Value encoded = json::Parse(text).value();
  std::vector<Member> out;
  for (Member& m : encoded.members) {
    if (std::find(names.begin(), names.end(), m.key) != names.end()) out.push_back(std::move(m));
  }
  return out;
}

// The signature a signed-state event records: that of "signer" when the parts name one, else the
// state's only signature.
Status PickSignature(const SignedState& ss, const Value* named, Address* signer, Signature* sig) {
  const std::vector<Address>& participants = ss.state.fixed.participants;
  if (named == nullptr) {
    if (ss.sigs.size() != 1) {
      return Err("signed_state.Sigs", "holds " + std::to_string(ss.sigs.size()) +
                                          " signatures; \"signer\" must name the one to record");
    }
    *signer = participants[ss.sigs.begin()->first];
    *sig = ss.sigs.begin()->second;
    return Status::OK();
  }
  STATELOG_RETURN_IF_ERROR(json::ParseFixedHex(*named, "signer", signer));
  const auto it = std::find(participants.begin(), participants.end(), *signer);
  if (it == participants.end()) {
    return Err("signer", signer->ToHex() + " is not a participant of signed_state");
  }
  const auto index = static_cast<uint32_t>(it - participants.begin());
  const auto found = ss.sigs.find(index);
  if (found == ss.sigs.end()) {
    return Err("signed_state.Sigs", "holds no signature of " + signer->ToHex() + " (participant " +
                                        std::to_string(index) + ")");
  }
  *sig = found->second;
  return Status::OK();
}

// The fields "signed_state" stands for in an event of `type` (one of the state-carrying types).
Status FromSignedState(EventType type, const ObjectReader& parts, const Value& v, Computed* out) {
  SignedState ss;
  STATELOG_RETURN_IF_ERROR(json::ParseSignedState(v, "signed_state", &ss));
  const ChannelId channel = ComputeChannelId(ss.state.fixed);
  out->consumed = {"signed_state"};
  if (type == EventType::kChannelCreated) {
    out->fields =
        CanonicalFields(events::ChannelCreated{channel, ss.state.fixed}, {"channel_id", "fixed"});
    return Status::OK();
  }
  const VariablePart& state = ss.state.variable;
  const Hash256 hash = ComputeStateHash(channel, state);
  if (type == EventType::kChallengeRaised) {
    if (ss.sigs.empty())
      return Err("signed_state.Sigs", "holds no signature; a candidate is signed");
    events::ChallengeCandidate candidate{state, hash, {}, 0, 0};
    for (const auto& [index, sig] : ss.sigs) {
      candidate.signatures.push_back({ss.state.fixed.participants[index], sig});
    }
    out->fields = CanonicalFields(events::ChallengeRaised{channel, std::move(candidate)},
                                  {"channel_id", "state", "state_hash", "signatures"});
    return Status::OK();
  }
  Address signer;
  Signature sig;
  STATELOG_RETURN_IF_ERROR(PickSignature(ss, parts.Find("signer"), &signer, &sig));
  out->consumed.push_back("signer");
  EventBody body;
  if (type == EventType::kStateSigned)
    body = events::StateSigned{channel, state, hash, signer, sig};
  if (type == EventType::kStateReceived) {
    body = events::StateReceived{channel, state, hash, signer, sig};
  }
  const events::SignedProposal proposal{{}, state, hash, signer, sig};
  if (type == EventType::kProposalSigned) body = events::ProposalSigned{channel, proposal};
  if (type == EventType::kProposalReceived) body = events::ProposalReceived{channel, proposal};
  out->fields = CanonicalFields(body, {"channel_id", "state", "state_hash", "signer", "signature"});
  return Status::OK();
}

// The fields "voucher" stands for in a voucher_sent or voucher_received event: the signer is the
// address the voucher's signature recovers to.
Status FromVoucher(EventType type, const Value& v, Computed* out) {
  Voucher voucher;
  STATELOG_RETURN_IF_ERROR(json::ParseVoucher(v, "voucher", &voucher));
  StatusOr<Address> signer =
      RecoverSigner(ComputeVoucherHash(voucher.channel_id, voucher.amount), voucher.signature);
  if (!signer.ok()) return Err("voucher.Signature", signer.status().message());
  EventBody body =
      events::VoucherSent{voucher.channel_id, voucher.amount, *signer, voucher.signature};
  if (type == EventType::kVoucherReceived) {
    body = events::VoucherReceived{voucher.channel_id, voucher.amount, *signer, voucher.signature};
  }
  out->consumed = {"voucher"};
  out->fields = CanonicalFields(body, {"channel_id", "amount", "signer", "signature"});
  return Status::OK();
}

// What the parts' go-nitro member, if any, stands for.
Status FromNitro(const ObjectReader& parts, Computed* out) {
  const Value* type_value = parts.Find("type");
  if (type_value == nullptr || type_value->kind != json::Kind::kString) return Status::OK();
  const std::optional<EventType> type = ParseEventType(type_value->text);
  if (!type) return Status::OK();  // the codec names the unknown type
  switch (*type) {
    case EventType::kChannelCreated:
    case EventType::kStateSigned:
    case EventType::kStateReceived:
    case EventType::kProposalSigned:
    case EventType::kProposalReceived:
    case EventType::kChallengeRaised:
      if (const Value* v = parts.Find("signed_state"))
        return FromSignedState(*type, parts, *v, out);
      return Status::OK();
    case EventType::kVoucherSent:
    case EventType::kVoucherReceived:
      if (const Value* v = parts.Find("voucher")) return FromVoucher(*type, *v, out);
      return Status::OK();
    default:
      return Status::OK();  // no go-nitro member: the codec names one as an unknown field
  }
}

}  // namespace

StatusOr<Event> BuildEvent(std::string_view parts) {
  STATELOG_ASSIGN_OR_RETURN(Value root, json::Parse(parts));
  STATELOG_RETURN_IF_ERROR(json::ExpectKind(root, json::Kind::kObject, ""));
  const ObjectReader reader(root, "");
  Computed computed;
  STATELOG_RETURN_IF_ERROR(FromNitro(reader, &computed));
  Value merged;
  merged.kind = json::Kind::kObject;
  for (Member& m : root.members) {
    const auto& consumed = computed.consumed;
    if (std::find(consumed.begin(), consumed.end(), m.key) == consumed.end()) {
      merged.members.push_back(std::move(m));
    } else if (std::count_if(root.members.begin(), root.members.end(),
                             [&](const Member& o) { return o.key == m.key; }) > 1) {
      return Err(m.key, "duplicate field");
    }
  }
  for (Member& m : computed.fields) merged.members.push_back(std::move(m));
  STATELOG_ASSIGN_OR_RETURN(Event event,
                            DecodeEvent(json::Write(merged), DecodeOptions{.complete_id = true}));
  STATELOG_RETURN_IF_ERROR(CheckEventProof(event));
  return event;
}

}  // namespace statelog::nitro
