// Nitro protocol encodings, as go-nitro and the adjudicator compute them: Solidity ABI encoding,
// channel ids, state hashes, voucher hashes, Ethereum-style secp256k1 signatures and go-nitro's
// JSON for states.
//
// Every value computed here is byte-identical to what go-nitro and the Nitro adjudicator compute.
// Thread safety: every function is thread-safe; the signing context is created once, on first use.
#ifndef STATELOG_NITRO_H_
#define STATELOG_NITRO_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "statelog/bytes.h"
#include "statelog/event.h"
#include "statelog/state.h"
#include "statelog/status.h"
#include "statelog/uint256.h"

namespace statelog::nitro {

// ---- ABI encoding and hashes ----

// Returns abi.encode(outcome) with the Exit type of the spec: a head word 0x20, then the array.
Bytes EncodeOutcome(const Exit& outcome);
// Returns abi.encode(address[] participants, uint256 channelNonce, address appDefinition,
// uint256 challengeDuration).
Bytes EncodeFixedPart(const FixedPart& fixed);
// Returns abi.encode(bytes32 channelId, bytes appData, Exit outcome, uint256 turnNum,
// bool isFinal).
Bytes EncodeState(const ChannelId& channel_id, const VariablePart& variable);
// Returns abi.encode(bytes32 left, bytes32 right): the metadata of a guarantee allocation.
Bytes EncodeGuaranteeMetadata(const Destination& left, const Destination& right);

// Returns keccak256(EncodeFixedPart(fixed)).
ChannelId ComputeChannelId(const FixedPart& fixed);
// Returns keccak256(EncodeState(channel_id, variable)).
Hash256 ComputeStateHash(const ChannelId& channel_id, const VariablePart& variable);
// Returns ComputeStateHash(ComputeChannelId(state.fixed), state.variable).
Hash256 ComputeStateHash(const State& state);
// Returns keccak256(abi.encode(bytes32 channelId, uint256 amount)): what a payment voucher signs.
Hash256 ComputeVoucherHash(const ChannelId& channel_id, const Uint256& amount);

// ---- Signatures (secp256k1, Ethereum signed-message prefix) ----

// Returns keccak256("\x19Ethereum Signed Message:\n32" ++ hash): the digest that is signed.
Hash256 EthereumMessageDigest(const Hash256& hash);

// Signs EthereumMessageDigest(hash) with RFC 6979 nonces and low S. Returns r(32) || s(32) || v
// with v = 27 + recovery id. InvalidArgument when `private_key` is zero or not below the curve
// order.
StatusOr<Signature> SignHash(const Hash256& hash, const Bytes32& private_key);

// Returns the address whose key produced `sig` over EthereumMessageDigest(hash).
// Accepts only the canonical form SignHash produces: v is 27 or 28 (0 and 1 are rejected, so that
// one signature has one byte string), 0 < r < n and 0 < s <= n/2 (high S is rejected as
// malleable). InvalidArgument, naming the bad part, otherwise or when no key recovers.
StatusOr<Address> RecoverSigner(const Hash256& hash, const Signature& sig);

// EIP-191 personal_sign of a message of any length (what an Ethereum wallet signs when asked to
// sign text; signed notes, docs/tlog-format.md). For a 32-byte message this is
// EthereumMessageDigest of it.
// Returns keccak256("\x19Ethereum Signed Message:\n" ++ decimal(message.size()) ++ message).
Hash256 PersonalMessageDigest(std::string_view message);
// Signs PersonalMessageDigest(message) as SignHash signs: RFC 6979, low S, v = 27 or 28.
StatusOr<Signature> SignMessage(std::string_view message, const Bytes32& private_key);
// Returns the address whose key produced `sig` over PersonalMessageDigest(message), with
// RecoverSigner's rules for the signature's form.
StatusOr<Address> RecoverMessageSigner(std::string_view message, const Signature& sig);

// Returns the Ethereum address of `private_key`: the last 20 bytes of keccak256 of the
// uncompressed public key without its 0x04 prefix. InvalidArgument for an invalid key.
StatusOr<Address> AddressFromPrivateKey(const Bytes32& private_key);

// ---- go-nitro JSON ----

// A state with the signatures collected for it, by participant index (go-nitro's SignedState).
struct SignedState {
  State state;
  std::map<uint32_t, Signature> sigs;
  friend bool operator==(const SignedState&, const SignedState&) = default;
};

// Parses go-nitro's JSON for a State: {"Participants":[...],"ChannelNonce":n,...,"IsFinal":b}.
// Also accepts a SignedState object ({"State":{...},"Sigs":{...}}) and returns its State.
// Amounts are JSON numbers of any size up to 2^256-1; addresses and hashes hex in either case;
// AppData and every Metadata are base64 as Go writes a []byte (standard alphabet, padded, unused
// bits zero), "" or null for empty: never hex, whatever a value looks like. Every field is
// required, unknown and duplicate fields are rejected. Errors are InvalidArgument and start with
// the field path, e.g. "State.Outcome[0].Allocations[1].Amount: number exceeds 2^256-1".
StatusOr<State> ParseNitroStateJson(std::string_view json);

// Parses go-nitro's JSON for a SignedState: {"State":{...},"Sigs":{"0":"0x<130 hex>",...}}.
// Sigs may be missing or null (no signatures); each key is a participant index below the number
// of participants. A bare State object is accepted too and gives no signatures.
StatusOr<SignedState> ParseNitroSignedStateJson(std::string_view json);

// Returns compact JSON in go-nitro's field order and form, byte for byte what Go's encoding/json
// writes for go-nitro's types: lowercase hex addresses, hashes and signatures, amounts as bare
// numbers, byte fields in base64, empty AppData and AssetMetadata.Metadata as "", empty
// Allocation Metadata as null (as go-nitro's states hold them).
// ParseNitroStateJson(ToNitroJson(s)) == s.
std::string ToNitroJson(const State& state);
// As above, {"State":...,"Sigs":{...}} with Sigs keys in Go's order (sorted as strings).
std::string ToNitroJson(const SignedState& signed_state);

// A payment voucher (go-nitro's payments.Voucher): the cumulative `amount` paid in a channel,
// signed by the payer over ComputeVoucherHash(channel_id, amount).
struct Voucher {
  ChannelId channel_id;
  Uint256 amount;
  Signature signature;
  friend bool operator==(const Voucher&, const Voucher&) = default;
};
// Returns go-nitro's JSON for a voucher: {"ChannelId":"0x...","Amount":n,"Signature":"0x..."}.
std::string ToNitroJson(const Voucher& voucher);

// ---- Signing for a node ----

// Returns `signed_state` with the signature of `private_key` added at the index of the key's
// address among the participants (replacing one already there). InvalidArgument for an invalid
// key, or "the key's address 0x... is not a participant of the state". No message holds the key.
StatusOr<SignedState> SignState(SignedState signed_state, const Bytes32& private_key);
// Returns the voucher for (channel_id, amount) signed with `private_key`. InvalidArgument for an
// invalid key (the message does not hold it).
StatusOr<Voucher> SignVoucher(const ChannelId& channel_id, const Uint256& amount,
                              const Bytes32& private_key);

// ---- Events from go-nitro values ----

// Builds an event from its parts (docs/c-api.md, "Building events"): a JSON object with the
// event's "type", "ts" and body fields as statelog's event format has them (statelog/codec.h), no
// "id" needed, where go-nitro values may stand for the fields the library computes:
// "signed_state" (go-nitro's SignedState or State JSON) for channel_id, fixed, state, state_hash,
// signer, signature and signatures in channel_created, state_signed, state_received,
// proposal_signed, proposal_received and challenge_raised; "voucher" (go-nitro's Voucher JSON) for
// channel_id, amount, signer and signature in voucher_sent and voucher_received. In the signed
// types, "signer" names which of the state's signatures to record (optional when it holds one).
// Returns the event with its id, after CheckEventProof. InvalidArgument naming the field path
// otherwise (e.g. "signed_state.State.TurnNum: number exceeds 2^64-1").
StatusOr<Event> BuildEvent(std::string_view parts);

}  // namespace statelog::nitro

namespace statelog {

// Checks the Nitro content of one event, independent of any state: a channel_created id is the
// Nitro id of its fixed part; a signed state's hash is the recomputed StateHash and its signature
// recovers to `signer`; a voucher's signature recovers to `signer`. InvalidArgument naming the
// field otherwise. Objective, on-chain, message and snapshot events carry no proof. Costs one
// signature recovery for signed events. Every event type is listed: a new one does not compile
// until its rule is written here.
Status CheckEventProof(const Event& event);

// Checks a leaf of the log's Merkle tree as a proof file carries it (docs/tlog-format.md): the
// canonical JSON of a Nitro event (statelog/codec.h) whose id is the hash of its content, with
// valid Nitro proofs (CheckEventProof). Returns the event. InvalidArgument naming what is wrong
// otherwise ("the proven event ...").
StatusOr<Event> CheckEventLeaf(std::string_view leaf);

}  // namespace statelog

#endif  // STATELOG_NITRO_H_
