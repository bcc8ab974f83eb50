// CheckEventProof: the Nitro proofs events carry (statelog/nitro.h).
#include <string>

#include "base/overloaded.h"
#include "statelog/codec.h"
#include "statelog/nitro.h"

namespace statelog {
namespace {

Status CheckSigner(const Hash256& hash, const Signature& sig, const Address& signer,
                   std::string_view what) {
  auto recovered = nitro::RecoverSigner(hash, sig);
  if (!recovered.ok()) {
    return Status::InvalidArgument(
        std::string(what) + " signature is invalid: " + std::string(recovered.status().message()));
  }
  if (*recovered != signer) {
    return Status::InvalidArgument(std::string(what) + " signature recovers to " +
                                   recovered->ToHex() + ", not to the signer " + signer.ToHex());
  }
  return Status::OK();
}

// Returns the StateHash of `state` in `channel` after checking the hash an event records for it.
StatusOr<Hash256> CheckStateHash(const ChannelId& channel, const VariablePart& state,
                                 const Hash256& recorded) {
  Hash256 hash = nitro::ComputeStateHash(channel, state);
  if (hash != recorded) {
    return Status::InvalidArgument("state_hash " + recorded.ToHex() +
                                   " is not the hash of the state (" + hash.ToHex() + ")");
  }
  return hash;
}

template <class E>
Status CheckSignedState(const E& e) {
  STATELOG_ASSIGN_OR_RETURN(Hash256 hash, CheckStateHash(e.channel_id, e.state, e.state_hash));
  return CheckSigner(hash, e.signature, e.signer, "state");
}

Status CheckSignedProposal(const ChannelId& ledger, const events::SignedProposal& p) {
  STATELOG_ASSIGN_OR_RETURN(Hash256 hash, CheckStateHash(ledger, p.state, p.state_hash));
  return CheckSigner(hash, p.signature, p.signer, "proposal");
}

Status CheckChallengeCandidate(const ChannelId& channel, const events::ChallengeCandidate& c) {
  STATELOG_ASSIGN_OR_RETURN(Hash256 hash, CheckStateHash(channel, c.state, c.state_hash));
  if (c.signatures.empty()) return Status::InvalidArgument("signatures: a candidate is signed");
  for (size_t i = 0; i < c.signatures.size(); ++i) {
    Status st = CheckSigner(hash, c.signatures[i].signature, c.signatures[i].signer, "candidate");
    if (!st.ok()) return st.WithPrefix("signatures[" + std::to_string(i) + "]");
  }
  return Status::OK();
}

template <class E>
Status CheckVoucher(const E& e) {
  return CheckSigner(nitro::ComputeVoucherHash(e.channel_id, e.amount), e.signature, e.signer,
                     "voucher");
}

Status NoProof() { return Status::OK(); }

}  // namespace

Status CheckEventProof(const Event& event) {
  return std::visit(Overloaded{
                        [](const events::ChannelCreated& e) {
                          ChannelId id = nitro::ComputeChannelId(e.fixed);
                          if (id != e.channel_id) {
                            return Status::InvalidArgument("channel_id " + e.channel_id.ToHex() +
                                                           " is not the id of the fixed part (" +
                                                           id.ToHex() + ")");
                          }
                          return Status::OK();
                        },
                        [](const events::StateSigned& e) { return CheckSignedState(e); },
                        [](const events::StateReceived& e) { return CheckSignedState(e); },
                        [](const events::ProposalSigned& e) {
                          return CheckSignedProposal(e.channel_id, *e.content);
                        },
                        [](const events::ProposalReceived& e) {
                          return CheckSignedProposal(e.channel_id, *e.content);
                        },
                        [](const events::VoucherSent& e) { return CheckVoucher(e); },
                        [](const events::VoucherReceived& e) { return CheckVoucher(e); },
                        // Recorded decisions and observations: nothing signed to check.
                        [](const events::ObjectiveCreated&) { return NoProof(); },
                        [](const events::ObjectiveApproved&) { return NoProof(); },
                        [](const events::ObjectiveRejected&) { return NoProof(); },
                        [](const events::ObjectiveCompleted&) { return NoProof(); },
                        [](const events::ObjectiveProgressed&) { return NoProof(); },
                        [](const events::DepositDetected&) { return NoProof(); },
                        [](const events::AllocationUpdated&) { return NoProof(); },
                        [](const events::ChallengeRegistered&) { return NoProof(); },
                        [](const events::ChallengeCleared&) { return NoProof(); },
                        [](const events::ChannelConcluded&) { return NoProof(); },
                        [](const events::MessageSent&) { return NoProof(); },
                        [](const events::MessageReceived&) { return NoProof(); },
                        [](const events::SnapshotCreated&) { return NoProof(); },
                        [](const events::StoreImported&) { return NoProof(); },
                        [](const events::LogCreated&) { return NoProof(); },
                        [](const events::ChallengeRaised& e) {
                          return CheckChallengeCandidate(e.channel_id, *e.content);
                        },
                    },
                    event.body);
}

StatusOr<Event> CheckEventLeaf(std::string_view leaf) {
  StatusOr<Event> event = DecodeEvent(leaf);
  if (!event.ok()) return event.status().WithPrefix("the proven event");
  if (EncodeEvent(*event) != leaf) {
    return Status::InvalidArgument("the proven event is not in its canonical encoding");
  }
  if (Status st = CheckEventProof(*event); !st.ok()) {
    return st.WithPrefix("the proven event " + event->id.ToHex());
  }
  return event;
}

}  // namespace statelog
