#include "demo/network.h"

#include <stdexcept>

#include "statelog/fold.h"
#include "statelog/nitro.h"

namespace statelog::demo {
namespace {

using S = ObjectiveStep;

Signature MustSign(const Hash256& hash, const Actor& who) {
  auto sig = nitro::SignHash(hash, who.key);
  if (!sig.ok()) throw std::runtime_error("signing failed: " + sig.status().ToString());
  return *sig;
}

Uint256 MustAdd(const Uint256& a, const Uint256& b) {
  Uint256 out;
  if (!Uint256::CheckedAdd(a, b, &out)) throw std::runtime_error("amount overflows");
  return out;
}
Uint256 MustSub(const Uint256& a, const Uint256& b) {
  Uint256 out;
  if (!Uint256::CheckedSub(a, b, &out)) throw std::runtime_error("amount below zero");
  return out;
}

// One asset (the chain's native one) allocated to `who` in order.
Exit Outcome(const std::vector<std::pair<Address, Uint256>>& who) {
  SingleAssetExit native;
  for (const auto& [a, amount] : who) {
    native.allocations.push_back(Allocation{ToDestination(a), amount, 0, {}});
  }
  return {native};
}

FixedPart Fixed(const std::vector<Actor>& actors, uint64_t nonce) {
  FixedPart f;
  for (const Actor& a : actors) f.participants.push_back(a.address);
  f.channel_nonce = nonce;
  f.challenge_duration = 86400;
  return f;
}

}  // namespace

Network::Network(Timestamp start, std::set<Address> record)
    : now_(start), record_(std::move(record)) {}

Network::~Network() = default;

bool Network::Records(const Address& node) const {
  return record_.empty() || record_.contains(node);
}

const std::vector<Event>& Network::Log(const Address& node) const {
  static const std::vector<Event> kNone;
  auto it = logs_.find(node);
  return it == logs_.end() ? kNone : it->second;
}

std::vector<Event> Network::TakeLog(const Address& node) {
  auto it = logs_.find(node);
  if (it == logs_.end()) return {};
  return std::exchange(it->second, {});
}

template <class Make>
void Network::ForEach(const std::vector<Actor>& nodes, Make make) {
  const Timestamp at = Tick();
  for (const Actor& n : nodes) {
    if (Records(n.address)) logs_[n.address].push_back(Event::Make(at, make(n)));
  }
}

void Network::SignState(const std::vector<Actor>& signers, const std::vector<Actor>& recorders,
                        const ChannelId& id, const VariablePart& state) {
  bool any = false;
  for (const Actor& r : recorders) any = any || Records(r.address);
  if (!any) return;
  const Hash256 hash = nitro::ComputeStateHash(id, state);
  for (const Actor& signer : signers) {
    const Signature sig = MustSign(hash, signer);
    ForEach(recorders, [&](const Actor& node) -> EventBody {
      if (node.address == signer.address) {
        return events::StateSigned{id, state, hash, signer.address, sig};
      }
      return events::StateReceived{id, state, hash, signer.address, sig};
    });
  }
}

void Network::SignProposal(const Actor& signer, LedgerChannel& l, const Proposal& p,
                           const VariablePart& state) {
  if (!Records(l.leader.address) && !Records(l.follower.address)) return;
  const Hash256 hash = nitro::ComputeStateHash(l.id, state);
  const Signature sig = MustSign(hash, signer);
  ForEach({l.leader, l.follower}, [&](const Actor& node) -> EventBody {
    if (node.address == signer.address) {
      return events::ProposalSigned{l.id,
                                    events::SignedProposal{p, state, hash, signer.address, sig}};
    }
    return events::ProposalReceived{l.id,
                                    events::SignedProposal{p, state, hash, signer.address, sig}};
  });
}

void Network::Propose(LedgerChannel& l, const Proposal& p) {
  StatusOr<VariablePart> next = ApplyLedgerProposal(l.consensus, p);
  if (!next.ok()) throw std::runtime_error("proposal: " + next.status().ToString());
  SignProposal(l.leader, l, p, *next);
  SignProposal(l.follower, l, p, *next);
  l.consensus = *next;
}

void Network::CreateObjective(const std::vector<Actor>& nodes, const Actor& starter,
                              const ObjectiveId& id,
                              const std::map<Address, std::vector<ChannelId>>& channels) {
  ForEach(nodes, [&](const Actor& n) -> EventBody {
    return events::ObjectiveCreated{id, channels.at(n.address), n.address == starter.address};
  });
  std::vector<Actor> others;
  for (const Actor& n : nodes) {
    if (n.address != starter.address) others.push_back(n);
  }
  ForEach(others, [&](const Actor&) -> EventBody { return events::ObjectiveApproved{id}; });
}

void Network::Progress(const std::vector<Actor>& nodes, const ObjectiveId& id, ObjectiveStep step) {
  ForEach(nodes, [&](const Actor&) -> EventBody { return events::ObjectiveProgressed{id, step}; });
}

void Network::Complete(const std::vector<Actor>& nodes, const ObjectiveId& id) {
  ForEach(nodes, [&](const Actor&) -> EventBody { return events::ObjectiveCompleted{id}; });
}

void Network::Chain(const std::vector<Actor>& nodes, const EventBody& body) {
  ForEach(nodes, [&](const Actor&) { return body; });
}

LedgerChannel& Network::FundLedger(const Actor& leader, const Actor& follower, uint64_t nonce,
                                   const Uint256& leader_deposit, const Uint256& follower_deposit) {
  auto l = std::make_unique<LedgerChannel>();
  l->leader = leader;
  l->follower = follower;
  l->fixed = Fixed({leader, follower}, nonce);
  l->id = nitro::ComputeChannelId(l->fixed);
  const std::vector<Actor> both = {leader, follower};
  const ObjectiveId fund{ObjectiveKind::kDirectFunding, l->id};
  CreateObjective(both, leader, fund, {{leader.address, {l->id}}, {follower.address, {l->id}}});
  ForEach(both, [&](const Actor&) -> EventBody { return events::ChannelCreated{l->id, l->fixed}; });
  Progress(both, fund, S::kCompletePrefund);
  VariablePart state;
  state.outcome = Outcome({{leader.address, leader_deposit}, {follower.address, follower_deposit}});
  SignState(both, both, l->id, state);
  Progress(both, fund, S::kMyTurnToFund);
  for (const Uint256& deposit : {leader_deposit, follower_deposit}) {
    if (deposit.IsZero()) continue;
    l->held = MustAdd(l->held, deposit);
    Chain(both, events::DepositDetected{l->id, Address{}, deposit, l->held, ++block_});
  }
  Progress(both, fund, S::kCompletePostFund);
  state.turn_num = 1;
  SignState(both, both, l->id, state);
  Progress(both, fund, S::kNothing);
  Complete(both, fund);
  l->consensus = state;
  ledgers_.push_back(std::move(l));
  return *ledgers_.back();
}

void Network::RejectLedger(const Actor& proposer, const Actor& peer, uint64_t nonce) {
  const ChannelId id = nitro::ComputeChannelId(Fixed({proposer, peer}, nonce));
  const ObjectiveId fund{ObjectiveKind::kDirectFunding, id};
  ForEach({proposer}, [&](const Actor&) -> EventBody {
    return events::ObjectiveCreated{fund, {id}, true};
  });
  ForEach({peer}, [&](const Actor&) -> EventBody {
    return events::ObjectiveCreated{fund, {id}, false};
  });
  ForEach({peer}, [&](const Actor&) -> EventBody {
    return events::ObjectiveRejected{fund, "not accepted by this node's policy"};
  });
  ForEach({proposer}, [&](const Actor&) -> EventBody {
    return events::ObjectiveRejected{fund, "rejected by the peer"};
  });
}

VirtualChannel& Network::FundVirtual(const std::vector<Actor>& path,
                                     const std::vector<LedgerChannel*>& ledgers, uint64_t nonce,
                                     const Uint256& payer_balance) {
  if (path.size() < 2 || ledgers.size() + 1 != path.size()) {
    throw std::runtime_error("a virtual channel's path needs one ledger between each neighbours");
  }
  auto v = std::make_unique<VirtualChannel>();
  v->path = path;
  v->ledgers = ledgers;
  v->fixed = Fixed(path, nonce);
  v->id = nitro::ComputeChannelId(v->fixed);
  v->payer_balance = payer_balance;
  std::map<Address, std::vector<ChannelId>> owned;
  for (size_t i = 0; i < path.size(); ++i) {
    std::vector<ChannelId>& c = owned[path[i].address];
    c.push_back(v->id);
    if (i > 0) c.push_back(ledgers[i - 1]->id);
    if (i + 1 < path.size()) c.push_back(ledgers[i]->id);
  }
  const ObjectiveId fund{ObjectiveKind::kVirtualFund, v->id};
  CreateObjective(path, path.front(), fund, owned);
  ForEach(path, [&](const Actor&) -> EventBody { return events::ChannelCreated{v->id, v->fixed}; });
  Progress(path, fund, S::kCompletePrefund);
  VariablePart state;
  state.outcome =
      Outcome({{path.front().address, payer_balance}, {path.back().address, v->payee_balance}});
  SignState(path, path, v->id, state);
  Progress(path, fund, S::kCompleteFunding);
  for (size_t i = 0; i < ledgers.size(); ++i) {
    Proposal add{ProposalKind::kAdd,
                 v->id,
                 MustAdd(payer_balance, v->payee_balance),
                 ToDestination(path[i].address),
                 ToDestination(path[i + 1].address),
                 payer_balance};
    Propose(*ledgers[i], add);
  }
  Progress(path, fund, S::kCompletePostFund);
  state.turn_num = 1;
  SignState(path, path, v->id, state);
  Progress(path, fund, S::kNothing);
  Complete(path, fund);
  virtuals_.push_back(std::move(v));
  return *virtuals_.back();
}

void Network::Pay(VirtualChannel& v, const Uint256& amount) {
  v.paid = MustAdd(v.paid, amount);
  const Actor& payer = v.path.front();
  const Actor& payee = v.path.back();
  if (!Records(payer.address) && !Records(payee.address)) return;
  const Signature sig = MustSign(nitro::ComputeVoucherHash(v.id, v.paid), payer);
  ForEach({payer}, [&](const Actor&) -> EventBody {
    return events::VoucherSent{v.id, v.paid, payer.address, sig};
  });
  ForEach({payee}, [&](const Actor&) -> EventBody {
    return events::VoucherReceived{v.id, v.paid, payer.address, sig};
  });
}

void Network::DefundVirtual(VirtualChannel& v) {
  const std::vector<Actor>& path = v.path;
  std::map<Address, std::vector<ChannelId>> owned;
  for (size_t i = 0; i < path.size(); ++i) {
    std::vector<ChannelId>& c = owned[path[i].address];
    c.push_back(v.id);
    if (i > 0) c.push_back(v.ledgers[i - 1]->id);
    if (i + 1 < path.size()) c.push_back(v.ledgers[i]->id);
  }
  const ObjectiveId defund{ObjectiveKind::kVirtualDefund, v.id};
  CreateObjective(path, path.front(), defund, owned);
  Progress(path, defund, S::kSupportedFinalState);
  VariablePart final_state;
  const Uint256 payer_final = MustSub(v.payer_balance, v.paid);
  final_state.outcome = Outcome({{path.front().address, payer_final},
                                 {path.back().address, MustAdd(v.payee_balance, v.paid)}});
  final_state.turn_num = 2;
  final_state.is_final = true;
  SignState(path, path, v.id, final_state);
  Progress(path, defund, S::kDefundingOnMyLeft);
  for (LedgerChannel* l : v.ledgers) {
    Propose(*l, Proposal{ProposalKind::kRemove, v.id, Uint256(), Destination{}, Destination{},
                         payer_final});
  }
  Progress(path, defund, S::kNothing);
  Complete(path, defund);
}

void Network::RegisterChallenge(LedgerChannel& l, uint64_t finalizes_at) {
  // The candidate is the consensus state with both signatures (RFC 6979: the signatures the
  // channel already holds).
  events::ChallengeCandidate c;
  c.state = l.consensus;
  c.state_hash = nitro::ComputeStateHash(l.id, l.consensus);
  for (const Actor& a : {l.leader, l.follower}) {
    c.signatures.push_back({a.address, MustSign(c.state_hash, a)});
  }
  c.finalizes_at = finalizes_at;
  c.block_number = ++block_;
  Chain({l.leader, l.follower}, events::ChallengeRaised{l.id, std::move(c)});
}

void Network::ClearChallenge(LedgerChannel& l) {
  Chain({l.leader, l.follower}, events::ChallengeCleared{l.id, l.consensus.turn_num, ++block_});
}

void Network::DefundLedger(LedgerChannel& l, uint64_t finalized_at) {
  const std::vector<Actor> both = {l.leader, l.follower};
  const ObjectiveId defund{ObjectiveKind::kDirectDefunding, l.id};
  CreateObjective(both, l.leader, defund,
                  {{l.leader.address, {l.id}}, {l.follower.address, {l.id}}});
  Progress(both, defund, S::kFinalization);
  VariablePart final_state = l.consensus;
  final_state.turn_num += 1;
  final_state.is_final = true;
  SignState(both, both, l.id, final_state);
  l.consensus = final_state;
  Chain(both, events::ChannelConcluded{l.id, finalized_at, ++block_});
  Progress(both, defund, S::kWithdraw);
  // Each side withdraws its balance (the outcome's first two allocations).
  for (size_t side = 0; side < 2; ++side) {
    const Uint256& out = final_state.outcome[0].allocations[side].amount;
    if (out.IsZero()) continue;
    l.held = MustSub(l.held, out);
    Chain(both, events::AllocationUpdated{l.id, Address{}, l.held, ++block_});
  }
  Progress(both, defund, S::kNothing);
  Complete(both, defund);
}

void Network::Message(const Actor& from, const Actor& to, std::string_view text) {
  const Bytes payload(text.begin(), text.end());
  ForEach({from}, [&](const Actor&) -> EventBody {
    return events::MessageSent{to.address, payload};
  });
  ForEach({to}, [&](const Actor&) -> EventBody {
    return events::MessageReceived{from.address, payload};
  });
}

}  // namespace statelog::demo
