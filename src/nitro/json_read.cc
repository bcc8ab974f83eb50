// Readers for go-nitro's JSON values (json_read.h).
#include "nitro/json_read.h"

#include <set>

#include "nitro/base64.h"

namespace statelog::nitro::json {
namespace {

// A participant index: decimal digits without leading zeros, at most 2^32-1.
bool ParseIndex(std::string_view key, uint32_t* out) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return false;
  uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > std::numeric_limits<uint32_t>::max()) return false;
  *out = static_cast<uint32_t>(n);
  return true;
}

}  // namespace

std::string Join(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

Status Err(const std::string& path, std::string_view msg) {
  return Status::InvalidArgument((path.empty() ? std::string("JSON") : path) + ": " +
                                 std::string(msg));
}

Status ExpectKind(const Value& v, Kind kind, const std::string& path) {
  if (v.kind == kind) return Status::OK();
  return Err(path, "expected " + std::string(json::KindName(kind)) + ", got " +
                       std::string(json::KindName(v.kind)));
}

Status ObjectReader::Check(std::initializer_list<std::string_view> known) const {
  STATELOG_RETURN_IF_ERROR(ExpectKind(v_, Kind::kObject, path_));
  std::set<std::string_view> seen;
  for (const auto& [key, value] : v_.members) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    if (!ok) return Err(Join(path_, key), "unknown field");
    if (!seen.insert(key).second) return Err(Join(path_, key), "duplicate field");
  }
  return Status::OK();
}

const Value* ObjectReader::Find(std::string_view name) const {
  for (const auto& [key, value] : v_.members) {
    if (key == name) return &value;
  }
  return nullptr;
}

Status ObjectReader::Require(std::string_view name, const Value** out) const {
  *out = Find(name);
  if (*out == nullptr) return Err(Join(path_, name), "missing field");
  return Status::OK();
}

Status ParseUint256(const Value& v, const std::string& path, Uint256* out) {
  STATELOG_RETURN_IF_ERROR(ExpectKind(v, Kind::kNumber, path));
  const std::string& t = v.text;  // already valid JSON number syntax
  if (!t.empty() && t[0] == '-') return Err(path, "number must not be negative");
  if (t.find_first_of(".eE") != std::string::npos) return Err(path, "number must be an integer");
  StatusOr<Uint256> n = Uint256::FromDecimal(t);
  if (!n.ok()) {
    return Err(path, n.status().IsOutOfRange() ? "number exceeds 2^256-1" : n.status().message());
  }
  *out = *n;
  return Status::OK();
}

Status ParseBool(const Value& v, const std::string& path, bool* out) {
  STATELOG_RETURN_IF_ERROR(ExpectKind(v, Kind::kBool, path));
  *out = v.boolean;
  return Status::OK();
}

// AppData and Metadata (Go []byte): base64, "" for empty, null for nil (read as empty).
Status ParseBytes(const Value& v, const std::string& path, Bytes* out) {
  out->clear();
  if (v.kind == Kind::kNull) return Status::OK();
  if (v.kind != Kind::kString) {
    return Err(path,
               "expected a base64 string or null, got " + std::string(json::KindName(v.kind)));
  }
  Status s = DecodeBase64(v.text, out);
  return s.ok() ? s : Err(path, s.message());
}

Status ExpectArray(const Value& v, const std::string& path) {
  if (v.kind == Kind::kNull) return Status::OK();
  return ExpectKind(v, Kind::kArray, path);
}

namespace {

Status ParseAllocation(const Value& v, const std::string& path, Allocation* a) {
  ObjectReader r(v, path);
  STATELOG_RETURN_IF_ERROR(r.Check({"Destination", "Amount", "AllocationType", "Metadata"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("Destination", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("Destination"), &a->destination));
  STATELOG_RETURN_IF_ERROR(r.Require("Amount", &f));
  STATELOG_RETURN_IF_ERROR(ParseUint256(*f, r.Path("Amount"), &a->amount));
  STATELOG_RETURN_IF_ERROR(r.Require("AllocationType", &f));
  STATELOG_RETURN_IF_ERROR(ParseUint(*f, r.Path("AllocationType"), "255", &a->allocation_type));
  STATELOG_RETURN_IF_ERROR(r.Require("Metadata", &f));
  return ParseBytes(*f, r.Path("Metadata"), &a->metadata);
}

Status ParseSingleAssetExit(const Value& v, const std::string& path, SingleAssetExit* e) {
  ObjectReader r(v, path);
  STATELOG_RETURN_IF_ERROR(r.Check({"Asset", "AssetMetadata", "Allocations"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("Asset", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("Asset"), &e->asset));

  STATELOG_RETURN_IF_ERROR(r.Require("AssetMetadata", &f));
  ObjectReader m(*f, r.Path("AssetMetadata"));
  STATELOG_RETURN_IF_ERROR(m.Check({"AssetType", "Metadata"}));
  const Value* g;
  STATELOG_RETURN_IF_ERROR(m.Require("AssetType", &g));
  STATELOG_RETURN_IF_ERROR(
      ParseUint(*g, m.Path("AssetType"), "255", &e->asset_metadata.asset_type));
  STATELOG_RETURN_IF_ERROR(m.Require("Metadata", &g));
  STATELOG_RETURN_IF_ERROR(ParseBytes(*g, m.Path("Metadata"), &e->asset_metadata.metadata));

  STATELOG_RETURN_IF_ERROR(r.Require("Allocations", &f));
  std::string apath = r.Path("Allocations");
  STATELOG_RETURN_IF_ERROR(ExpectArray(*f, apath));
  e->allocations.resize(f->items.size());
  for (size_t i = 0; i < f->items.size(); ++i) {
    STATELOG_RETURN_IF_ERROR(ParseAllocation(f->items[i], Index(apath, i), &e->allocations[i]));
  }
  return Status::OK();
}

}  // namespace

Status ParseState(const Value& v, const std::string& path, State* s) {
  ObjectReader r(v, path);
  STATELOG_RETURN_IF_ERROR(
      r.Check({"Participants", "ChannelNonce", "AppDefinition", "ChallengeDuration", "AppData",
               "Outcome", "TurnNum", "IsFinal"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("Participants", &f));
  std::string ppath = r.Path("Participants");
  STATELOG_RETURN_IF_ERROR(ExpectArray(*f, ppath));
  s->fixed.participants.resize(f->items.size());
  for (size_t i = 0; i < f->items.size(); ++i) {
    STATELOG_RETURN_IF_ERROR(
        ParseFixedHex(f->items[i], Index(ppath, i), &s->fixed.participants[i]));
  }
  STATELOG_RETURN_IF_ERROR(r.Require("ChannelNonce", &f));
  STATELOG_RETURN_IF_ERROR(
      ParseUint(*f, r.Path("ChannelNonce"), "2^64-1", &s->fixed.channel_nonce));
  STATELOG_RETURN_IF_ERROR(r.Require("AppDefinition", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("AppDefinition"), &s->fixed.app_definition));
  STATELOG_RETURN_IF_ERROR(r.Require("ChallengeDuration", &f));
  STATELOG_RETURN_IF_ERROR(
      ParseUint(*f, r.Path("ChallengeDuration"), "2^32-1", &s->fixed.challenge_duration));
  STATELOG_RETURN_IF_ERROR(r.Require("AppData", &f));
  STATELOG_RETURN_IF_ERROR(ParseBytes(*f, r.Path("AppData"), &s->variable.app_data));

  STATELOG_RETURN_IF_ERROR(r.Require("Outcome", &f));
  std::string opath = r.Path("Outcome");
  STATELOG_RETURN_IF_ERROR(ExpectArray(*f, opath));
  s->variable.outcome.resize(f->items.size());
  for (size_t i = 0; i < f->items.size(); ++i) {
    STATELOG_RETURN_IF_ERROR(
        ParseSingleAssetExit(f->items[i], Index(opath, i), &s->variable.outcome[i]));
  }
  STATELOG_RETURN_IF_ERROR(r.Require("TurnNum", &f));
  STATELOG_RETURN_IF_ERROR(ParseUint(*f, r.Path("TurnNum"), "2^64-1", &s->variable.turn_num));
  STATELOG_RETURN_IF_ERROR(r.Require("IsFinal", &f));
  return ParseBool(*f, r.Path("IsFinal"), &s->variable.is_final);
}

Status ParseSigs(const Value& v, const std::string& sigs_path, size_t participants,
                 std::map<uint32_t, Signature>* sigs) {
  sigs->clear();
  if (v.kind == Kind::kNull) return Status::OK();
  STATELOG_RETURN_IF_ERROR(ExpectKind(v, Kind::kObject, sigs_path));
  for (const auto& [key, value] : v.members) {
    std::string path = Join(sigs_path, key);
    uint32_t index;
    if (!ParseIndex(key, &index)) return Err(path, "key must be a participant index");
    if (index >= participants) {
      return Err(path, "participant index out of range (" + std::to_string(participants) +
                           " participants)");
    }
    Signature sig;
    STATELOG_RETURN_IF_ERROR(ParseFixedHex(value, path, &sig));
    if (!sigs->emplace(index, sig).second) return Err(path, "duplicate field");
  }
  return Status::OK();
}

Status ParseSignedState(const Value& v, const std::string& path, SignedState* out) {
  STATELOG_RETURN_IF_ERROR(ExpectKind(v, Kind::kObject, path));
  ObjectReader r(v, path);
  out->sigs.clear();
  if (r.Find("State") == nullptr && r.Find("Sigs") == nullptr) {
    return ParseState(v, path, &out->state);
  }
  STATELOG_RETURN_IF_ERROR(r.Check({"State", "Sigs"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("State", &f));
  STATELOG_RETURN_IF_ERROR(ParseState(*f, r.Path("State"), &out->state));
  const Value* sigs = r.Find("Sigs");
  if (sigs == nullptr) return Status::OK();
  return ParseSigs(*sigs, r.Path("Sigs"), out->state.fixed.participants.size(), &out->sigs);
}

Status ParseVoucher(const Value& v, const std::string& path, Voucher* out) {
  ObjectReader r(v, path);
  STATELOG_RETURN_IF_ERROR(r.Check({"ChannelId", "Amount", "Signature"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("ChannelId", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("ChannelId"), &out->channel_id));
  STATELOG_RETURN_IF_ERROR(r.Require("Amount", &f));
  STATELOG_RETURN_IF_ERROR(ParseUint256(*f, r.Path("Amount"), &out->amount));
  STATELOG_RETURN_IF_ERROR(r.Require("Signature", &f));
  return ParseFixedHex(*f, r.Path("Signature"), &out->signature);
}

}  // namespace statelog::nitro::json
