// Nitro channel data: the fixed part, the variable part (appData, outcome, turnNum, isFinal) and
// the outcome (Exit) types of the Nitro protocol. Plain values; hashing, ABI encoding and
// signatures are in statelog/nitro.h.
#ifndef STATELOG_STATE_H_
#define STATELOG_STATE_H_

#include <cstdint>
#include <vector>

#include "statelog/bytes.h"
#include "statelog/uint256.h"

namespace statelog {

enum class AllocationType : uint8_t { kSimple = 0, kGuarantee = 1 };

struct Allocation {
  Destination destination;
  Uint256 amount;
  uint8_t allocation_type = 0;  // 0 normal, 1 guarantee (metadata = abi.encode(left, right))
  Bytes metadata;
  friend bool operator==(const Allocation&, const Allocation&) = default;
};

struct AssetMetadata {
  uint8_t asset_type = 0;
  Bytes metadata;
  friend bool operator==(const AssetMetadata&, const AssetMetadata&) = default;
};

struct SingleAssetExit {
  Address asset;  // the zero address is the chain's native asset
  AssetMetadata asset_metadata;
  std::vector<Allocation> allocations;
  friend bool operator==(const SingleAssetExit&, const SingleAssetExit&) = default;
};

using Exit = std::vector<SingleAssetExit>;

// The part of a channel that never changes; it determines the channel id.
struct FixedPart {
  std::vector<Address> participants;
  uint64_t channel_nonce = 0;
  Address app_definition;
  uint32_t challenge_duration = 0;  // seconds
  friend bool operator==(const FixedPart&, const FixedPart&) = default;
};

// The part of a state that changes from turn to turn.
struct VariablePart {
  Bytes app_data;
  Exit outcome;
  uint64_t turn_num = 0;
  bool is_final = false;
  friend bool operator==(const VariablePart&, const VariablePart&) = default;
};

// A whole state: what go-nitro calls State.
struct State {
  FixedPart fixed;
  VariablePart variable;
  friend bool operator==(const State&, const State&) = default;
};

// Returns an external destination: `a` left-padded with 12 zero bytes.
Destination ToDestination(const Address& a);

}  // namespace statelog

#endif  // STATELOG_STATE_H_
