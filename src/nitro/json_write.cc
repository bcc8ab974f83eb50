// Writing go-nitro's JSON for State and SignedState, in go-nitro's field order.
#include <algorithm>
#include <string>
#include <vector>

#include "nitro/base64.h"
#include "statelog/nitro.h"

namespace statelog::nitro {
namespace {

void AppendQuotedHex(std::span<const uint8_t> data, std::string* out) {
  out->push_back('"');
  AppendHex(data, out);
  out->push_back('"');
}

// Non-empty bytes in base64, as Go writes a []byte; empty ones as `empty` (Go writes "" for an
// empty slice, null for a nil one: each field is written the way go-nitro's own states hold it).
void AppendData(const Bytes& data, std::string_view empty, std::string* out) {
  if (data.empty()) {
    out->append(empty);
    return;
  }
  out->push_back('"');
  AppendBase64(data, out);
  out->push_back('"');
}

void AppendState(const State& s, std::string* out) {
  out->append("{\"Participants\":[");
  for (size_t i = 0; i < s.fixed.participants.size(); ++i) {
    if (i) out->push_back(',');
    AppendQuotedHex(s.fixed.participants[i].span(), out);
  }
  out->append("],\"ChannelNonce\":" + std::to_string(s.fixed.channel_nonce));
  out->append(",\"AppDefinition\":");
  AppendQuotedHex(s.fixed.app_definition.span(), out);
  out->append(",\"ChallengeDuration\":" + std::to_string(s.fixed.challenge_duration));
  out->append(",\"AppData\":");
  AppendData(s.variable.app_data, "\"\"", out);
  out->append(",\"Outcome\":[");
  for (size_t i = 0; i < s.variable.outcome.size(); ++i) {
    const SingleAssetExit& e = s.variable.outcome[i];
    if (i) out->push_back(',');
    out->append("{\"Asset\":");
    AppendQuotedHex(e.asset.span(), out);
    out->append(",\"AssetMetadata\":{\"AssetType\":" + std::to_string(e.asset_metadata.asset_type) +
                ",\"Metadata\":");
    AppendData(e.asset_metadata.metadata, "\"\"", out);
    out->append("},\"Allocations\":[");
    for (size_t j = 0; j < e.allocations.size(); ++j) {
      const Allocation& a = e.allocations[j];
      if (j) out->push_back(',');
      out->append("{\"Destination\":");
      AppendQuotedHex(a.destination.span(), out);
      out->append(",\"Amount\":" + a.amount.ToDecimal());
      out->append(",\"AllocationType\":" + std::to_string(a.allocation_type));
      out->append(",\"Metadata\":");
      AppendData(a.metadata, "null", out);
      out->push_back('}');
    }
    out->append("]}");
  }
  out->append("],\"TurnNum\":" + std::to_string(s.variable.turn_num));
  out->append(s.variable.is_final ? ",\"IsFinal\":true}" : ",\"IsFinal\":false}");
}

}  // namespace

std::string ToNitroJson(const State& state) {
  std::string out;
  AppendState(state, &out);
  return out;
}

std::string ToNitroJson(const SignedState& signed_state) {
  std::string out = "{\"State\":";
  AppendState(signed_state.state, &out);
  out.append(",\"Sigs\":{");
  // Go's encoding/json writes map keys sorted as strings ("10" before "2").
  std::vector<std::pair<std::string, const Signature*>> sigs;
  for (const auto& [index, sig] : signed_state.sigs) sigs.emplace_back(std::to_string(index), &sig);
  std::sort(sigs.begin(), sigs.end());
  for (size_t i = 0; i < sigs.size(); ++i) {
    if (i) out.push_back(',');
    out.append("\"" + sigs[i].first + "\":");
    AppendQuotedHex(sigs[i].second->span(), &out);
  }
  out.append("}}");
  return out;
}

std::string ToNitroJson(const Voucher& voucher) {
  std::string out = "{\"ChannelId\":";
  AppendQuotedHex(voucher.channel_id.span(), &out);
  out.append(",\"Amount\":" + voucher.amount.ToDecimal() + ",\"Signature\":");
  AppendQuotedHex(voucher.signature.span(), &out);
  out.push_back('}');
  return out;
}

}  // namespace statelog::nitro
