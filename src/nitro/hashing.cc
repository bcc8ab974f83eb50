// Channel ids, state hashes, voucher hashes and the encodings behind them
// (docs/nitro-encoding.md, "Hashes").
#include "nitro/abi.h"
#include "statelog/keccak.h"
#include "statelog/nitro.h"

namespace statelog::nitro {

Bytes EncodeOutcome(const Exit& outcome) {
  abi::TupleEncoder t;
  t.AddDynamic(abi::EncodeExitArray(outcome));
  return t.Finish();
}

Bytes EncodeFixedPart(const FixedPart& fixed) {
  std::vector<abi::Word> participants;
  participants.reserve(fixed.participants.size());
  for (const Address& p : fixed.participants) participants.push_back(abi::AddressWord(p));
  abi::TupleEncoder t;
  t.AddDynamic(abi::EncodeStaticArray(participants));
  t.AddStatic(abi::UintWord(fixed.channel_nonce));
  t.AddStatic(abi::AddressWord(fixed.app_definition));
  t.AddStatic(abi::UintWord(fixed.challenge_duration));
  return t.Finish();
}

Bytes EncodeState(const ChannelId& channel_id, const VariablePart& variable) {
  abi::TupleEncoder t;
  t.AddStatic(abi::Bytes32Word(channel_id));
  t.AddDynamic(abi::EncodeBytes(variable.app_data));
  t.AddDynamic(abi::EncodeExitArray(variable.outcome));
  t.AddStatic(abi::UintWord(variable.turn_num));
  t.AddStatic(abi::BoolWord(variable.is_final));
  return t.Finish();
}

Bytes EncodeGuaranteeMetadata(const Destination& left, const Destination& right) {
  abi::TupleEncoder t;
  t.AddStatic(abi::Bytes32Word(left));
  t.AddStatic(abi::Bytes32Word(right));
  return t.Finish();
}

ChannelId ComputeChannelId(const FixedPart& fixed) { return Keccak256(EncodeFixedPart(fixed)); }

Hash256 ComputeStateHash(const ChannelId& channel_id, const VariablePart& variable) {
  return Keccak256(EncodeState(channel_id, variable));
}

Hash256 ComputeStateHash(const State& state) {
  return ComputeStateHash(ComputeChannelId(state.fixed), state.variable);
}

Hash256 ComputeVoucherHash(const ChannelId& channel_id, const Uint256& amount) {
  abi::TupleEncoder t;
  t.AddStatic(abi::Bytes32Word(channel_id));
  t.AddStatic(abi::Uint256Word(amount));
  return Keccak256(t.Finish());
}

}  // namespace statelog::nitro
