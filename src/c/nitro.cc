// Nitro for a node in C: statelog_sign_state, statelog_sign_voucher, statelog_state_info and
// statelog_build_event, over statelog/nitro.h. None needs a store.
#include "statelog/nitro.h"

#include <string>
#include <string_view>

#include "c/handle.h"
#include "statelog/codec.h"

namespace statelog::c_api {
namespace {

// Parses go-nitro's State or SignedState JSON, the parameter `json` of `function`; an error
// names both and the field path: "<function>: json: State.TurnNum: ...".
StatusOr<nitro::SignedState> ParseState(std::string_view function, const char* json, size_t len) {
  STATELOG_RETURN_IF_ERROR(NotNull(json, function, "json"));
  StatusOr<nitro::SignedState> parsed = nitro::ParseNitroSignedStateJson({json, len});
  if (!parsed.ok()) return parsed.status().WithPrefix(std::string(function) + ": json");
  return parsed;
}

// Stores `text` in *out and its length in *out_len (when not NULL).
void Output(std::string_view text, char** out, size_t* out_len) {
  *out = CopyOut(text);
  if (out_len != nullptr) *out_len = text.size();
}

Status SignState(const char* json, size_t len, const char* key_hex, char** out, size_t* out_len) {
  constexpr std::string_view kFunction = "statelog_sign_state";
  STATELOG_RETURN_IF_ERROR(NotNull(out, kFunction, "out"));
  STATELOG_ASSIGN_OR_RETURN(nitro::SignedState state, ParseState(kFunction, json, len));
  Bytes32 key;
  STATELOG_RETURN_IF_ERROR(PrivateKey(key_hex, kFunction, &key));
  StatusOr<nitro::SignedState> signed_state = nitro::SignState(std::move(state), key);
  if (!signed_state.ok()) {
    return signed_state.status().WithPrefix(std::string(kFunction) + ": key_hex");
  }
  Output(nitro::ToNitroJson(*signed_state), out, out_len);
  return Status::OK();
}

Status SignVoucher(const char* channel_id, const char* amount, const char* key_hex, char** out) {
  constexpr std::string_view kFunction = "statelog_sign_voucher";
  STATELOG_RETURN_IF_ERROR(NotNull(channel_id, kFunction, "channel_id"));
  STATELOG_RETURN_IF_ERROR(NotNull(amount, kFunction, "amount"));
  STATELOG_RETURN_IF_ERROR(NotNull(out, kFunction, "out"));
  const std::string prefix(kFunction);
  StatusOr<ChannelId> channel = ChannelId::FromHex(channel_id);
  if (!channel.ok()) return channel.status().WithPrefix(prefix + ": channel_id");
  StatusOr<Uint256> value = Uint256::FromDecimal(amount);
  if (!value.ok()) return value.status().WithPrefix(prefix + ": amount");
  Bytes32 key;
  STATELOG_RETURN_IF_ERROR(PrivateKey(key_hex, kFunction, &key));
  StatusOr<nitro::Voucher> voucher = nitro::SignVoucher(*channel, *value, key);
  if (!voucher.ok()) return voucher.status().WithPrefix(prefix + ": key_hex");
  Output(nitro::ToNitroJson(*voucher), out, nullptr);
  return Status::OK();
}

// {"channel_id":"0x...","state_hash":"0x...","signers":{"<index>":"0x<address>",...}}.
Status StateInfo(const char* json, size_t len, char** out) {
  constexpr std::string_view kFunction = "statelog_state_info";
  STATELOG_RETURN_IF_ERROR(NotNull(out, kFunction, "out"));
  STATELOG_ASSIGN_OR_RETURN(nitro::SignedState state, ParseState(kFunction, json, len));
  const Hash256 hash = nitro::ComputeStateHash(state.state);
  std::string text = "{\"channel_id\":\"";
  text.append(nitro::ComputeChannelId(state.state.fixed).ToHex());
  text.append("\",\"state_hash\":\"").append(hash.ToHex()).append("\",\"signers\":{");
  for (const auto& [index, sig] : state.sigs) {
    const std::string key = std::to_string(index);
    StatusOr<Address> signer = nitro::RecoverSigner(hash, sig);
    if (!signer.ok()) {
      return signer.status().WithPrefix(std::string(kFunction) + ": json: Sigs." + key);
    }
    if (text.back() != '{') text.push_back(',');
    text.append("\"").append(key).append("\":\"").append(signer->ToHex()).append("\"");
  }
  text.append("}}");
  Output(text, out, nullptr);
  return Status::OK();
}

Status BuildEvent(const char* parts, size_t len, char** out, size_t* out_len) {
  constexpr std::string_view kFunction = "statelog_build_event";
  STATELOG_RETURN_IF_ERROR(NotNull(parts, kFunction, "parts"));
  STATELOG_RETURN_IF_ERROR(NotNull(out, kFunction, "out"));
  STATELOG_ASSIGN_OR_RETURN(Event event, nitro::BuildEvent({parts, len}));
  Output(EncodeEvent(event), out, out_len);
  return Status::OK();
}

}  // namespace
}  // namespace statelog::c_api

extern "C" {

int statelog_sign_state(const char* json, size_t len, const char* key_hex, char** out,
                        size_t* out_len, char** errptr) {
  return statelog::c_api::Guard("statelog_sign_state", errptr, [&] {
    return statelog::c_api::SignState(json, len, key_hex, out, out_len);
  });
}

int statelog_sign_voucher(const char* channel_id, const char* amount, const char* key_hex,
                          char** out, char** errptr) {
  return statelog::c_api::Guard("statelog_sign_voucher", errptr, [&] {
    return statelog::c_api::SignVoucher(channel_id, amount, key_hex, out);
  });
}

int statelog_state_info(const char* json, size_t len, char** out, char** errptr) {
  return statelog::c_api::Guard("statelog_state_info", errptr,
                                [&] { return statelog::c_api::StateInfo(json, len, out); });
}

int statelog_build_event(const char* parts, size_t len, char** out, size_t* out_len,
                         char** errptr) {
  return statelog::c_api::Guard("statelog_build_event", errptr, [&] {
    return statelog::c_api::BuildEvent(parts, len, out, out_len);
  });
}

}  // extern "C"
