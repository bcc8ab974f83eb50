#include "demo/scenario.h"

#include <stdexcept>

#include "statelog/nitro.h"

namespace statelog::demo {
namespace {

Actor MakeActor(std::string name, std::string_view key_hex) {
  return Actor::FromKey(std::move(name), Bytes32::FromHex(key_hex).value());
}

Signature MustSign(const Hash256& hash, const Actor& who) {
  auto sig = nitro::SignHash(hash, who.key);
  if (!sig.ok()) throw std::runtime_error("signing failed: " + sig.status().ToString());
  return *sig;
}

}  // namespace

Actor Actor::FromKey(std::string name, const Bytes32& key) {
  Actor a;
  a.name = std::move(name);
  a.key = key;
  a.address = nitro::AddressFromPrivateKey(a.key).value();
  return a;
}

Actor Actor::Alice() {
  return MakeActor("Alice", "0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d");
}
Actor Actor::Bob() {
  return MakeActor("Bob", "0x0279651921cd800ac560c21ceea27aab0107b67daf436cdd25ce84cad30159b4");
}
Actor Actor::Irene() {
  return MakeActor("Irene", "0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781");
}
Actor Actor::Ivan() {
  return MakeActor("Ivan", "0x1ea91a2724b40fb8fed6a3648d49e9431996c09744fb841b718377fb0700f3e7");
}

ChannelScript::ChannelScript(Actor me, Actor peer, uint64_t nonce, Timestamp start, Uint256 deposit)
    : me_(std::move(me)), peer_(std::move(peer)), deposit_(deposit), now_(start) {
  fixed_.participants = {me_.address, peer_.address};
  fixed_.channel_nonce = nonce;
  fixed_.challenge_duration = 86400;
  id_ = nitro::ComputeChannelId(fixed_);
  SingleAssetExit native;  // the zero address: the chain's native asset
  native.allocations = {Allocation{ToDestination(me_.address), deposit, 0, {}},
                        Allocation{ToDestination(peer_.address), deposit, 0, {}}};
  outcome_ = {native};
}

VariablePart ChannelScript::Variable(uint64_t turn, bool is_final) const {
  VariablePart v;
  v.outcome = outcome_;
  v.turn_num = turn;
  v.is_final = is_final;
  return v;
}

Event ChannelScript::ChannelCreated() {
  return Event::Make(Tick(), events::ChannelCreated{id_, fixed_});
}
Event ChannelScript::ObjectiveCreated(const ObjectiveId& id, bool approved) {
  return Event::Make(Tick(), events::ObjectiveCreated{id, {id_}, approved});
}
Event ChannelScript::ObjectiveApproved(const ObjectiveId& id) {
  return Event::Make(Tick(), events::ObjectiveApproved{id});
}
Event ChannelScript::ObjectiveProgressed(const ObjectiveId& id, ObjectiveStep step) {
  return Event::Make(Tick(), events::ObjectiveProgressed{id, step});
}
Event ChannelScript::ObjectiveCompleted(const ObjectiveId& id) {
  return Event::Make(Tick(), events::ObjectiveCompleted{id});
}

Event ChannelScript::ObjectiveRejected(const ObjectiveId& id, std::string reason) {
  return Event::Make(Tick(), events::ObjectiveRejected{id, std::move(reason)});
}

Event ChannelScript::Sign(const Actor& signer, uint64_t turn, bool is_final) {
  VariablePart v = Variable(turn, is_final);
  Hash256 hash = nitro::ComputeStateHash(id_, v);
  Signature sig = MustSign(hash, signer);
  if (signer.address == me_.address) {
    return Event::Make(Tick(), events::StateSigned{id_, v, hash, signer.address, sig});
  }
  return Event::Make(Tick(), events::StateReceived{id_, v, hash, signer.address, sig});
}

void ChannelScript::Transfer(const Actor& from, const Uint256& amount) {
  auto& allocs = outcome_[0].allocations;
  size_t a = from.address == me_.address ? 0 : 1;
  Uint256 out;
  if (!Uint256::CheckedSub(allocs[a].amount, amount, &out)) {
    throw std::runtime_error("transfer exceeds the allocation");
  }
  allocs[a].amount = out;
  (void)Uint256::CheckedAdd(allocs[1 - a].amount, amount, &allocs[1 - a].amount);
}

Event ChannelScript::Deposit(const Uint256& amount) {
  (void)Uint256::CheckedAdd(held_, amount, &held_);
  return Event::Make(Tick(), events::DepositDetected{id_, Address{}, amount, held_, ++block_});
}
Event ChannelScript::AllocationUpdated(const Uint256& now_held) {
  held_ = now_held;
  return Event::Make(Tick(), events::AllocationUpdated{id_, Address{}, now_held, ++block_});
}
Event ChannelScript::ChallengeRegistered(uint64_t turn, uint64_t finalizes_at) {
  return Event::Make(Tick(), events::ChallengeRegistered{id_, turn, finalizes_at, ++block_});
}
Event ChannelScript::ChallengeCleared(uint64_t turn) {
  return Event::Make(Tick(), events::ChallengeCleared{id_, turn, ++block_});
}
Event ChannelScript::Concluded(uint64_t finalized_at) {
  return Event::Make(Tick(), events::ChannelConcluded{id_, finalized_at, ++block_});
}

Event ChannelScript::Voucher(const Actor& payer, const Uint256& amount) {
  Signature sig = MustSign(nitro::ComputeVoucherHash(id_, amount), payer);
  if (payer.address == me_.address) {
    return Event::Make(Tick(), events::VoucherSent{id_, amount, payer.address, sig});
  }
  return Event::Make(Tick(), events::VoucherReceived{id_, amount, payer.address, sig});
}

Event ChannelScript::Message(bool sent, std::string_view text) {
  Bytes payload(text.begin(), text.end());
  if (sent) return Event::Make(Tick(), events::MessageSent{peer_.address, payload});
  return Event::Make(Tick(), events::MessageReceived{peer_.address, payload});
}

std::vector<Event> ChannelScript::DirectFundingLifecycle(int payments) {
  using S = ObjectiveStep;
  ObjectiveId fund = funding(), defund = defunding();
  std::vector<Event> out;
  out.push_back(ObjectiveCreated(fund, true));
  out.push_back(ChannelCreated());
  out.push_back(ObjectiveProgressed(fund, S::kCompletePrefund));
  out.push_back(Sign(me_, 0));
  out.push_back(Message(true, "prefund"));
  out.push_back(Sign(peer_, 0));
  out.push_back(ObjectiveProgressed(fund, S::kMyTurnToFund));
  out.push_back(Deposit(deposit_));
  out.push_back(Deposit(deposit_));
  out.push_back(ObjectiveProgressed(fund, S::kCompletePostFund));
  out.push_back(Sign(me_, 1));
  out.push_back(Sign(peer_, 1));
  out.push_back(ObjectiveProgressed(fund, S::kNothing));
  out.push_back(ObjectiveCompleted(fund));
  Uint256 paid;
  for (int i = 0; i < payments; ++i) {
    (void)Uint256::CheckedAdd(paid, Uint256(1), &paid);
    out.push_back(Voucher(me_, paid));
  }
  if (!paid.IsZero()) Transfer(me_, paid);
  out.push_back(ObjectiveCreated(defund, true));
  out.push_back(ObjectiveProgressed(defund, S::kFinalization));
  out.push_back(Sign(me_, 2, true));
  out.push_back(Sign(peer_, 2, true));
  out.push_back(Concluded(1'700'100'000));
  out.push_back(ObjectiveProgressed(defund, S::kWithdraw));
  out.push_back(AllocationUpdated(Uint256(0)));
  out.push_back(ObjectiveProgressed(defund, S::kNothing));
  out.push_back(ObjectiveCompleted(defund));
  return out;
}

}  // namespace statelog::demo
