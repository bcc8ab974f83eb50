// SignState and SignVoucher: what a node signs, in go-nitro's types (statelog/nitro.h).
#include <algorithm>
#include <string>

#include "statelog/nitro.h"

namespace statelog::nitro {

StatusOr<SignedState> SignState(SignedState signed_state, const Bytes32& private_key) {
  STATELOG_ASSIGN_OR_RETURN(Address signer, AddressFromPrivateKey(private_key));
  const std::vector<Address>& participants = signed_state.state.fixed.participants;
  const auto it = std::find(participants.begin(), participants.end(), signer);
  if (it == participants.end()) {
    return Status::InvalidArgument("the key's address " + signer.ToHex() +
                                   " is not a participant of the state");
  }
  STATELOG_ASSIGN_OR_RETURN(Signature sig,
                            SignHash(ComputeStateHash(signed_state.state), private_key));
  signed_state.sigs[static_cast<uint32_t>(it - participants.begin())] = sig;
  return signed_state;
}

StatusOr<Voucher> SignVoucher(const ChannelId& channel_id, const Uint256& amount,
                              const Bytes32& private_key) {
  STATELOG_ASSIGN_OR_RETURN(Signature sig,
                            SignHash(ComputeVoucherHash(channel_id, amount), private_key));
  return Voucher{channel_id, amount, sig};
}

}  // namespace statelog::nitro
