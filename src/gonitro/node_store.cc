#include "gonitro/node_store.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "base/decimal.h"
#include "gonitro/buntdb.h"
#include "nitro/base64.h"
#include "nitro/json_read.h"
#include "statelog/keccak.h"

namespace statelog::gonitro {
namespace {

namespace fs = std::filesystem;
using nitro::json::ExpectArray;
using nitro::json::ExpectKind;
using nitro::json::Index;
using nitro::json::Join;
using nitro::json::Kind;
using nitro::json::ObjectReader;
using nitro::json::ParseFixedHex;
using nitro::json::ParseUint;
using nitro::json::ParseUint256;
using nitro::json::Value;

constexpr uint64_t kNoTurn = ~uint64_t{0};  // go-nitro's "no supported state"

bool IsAddressName(const std::string& name) {
  if (name.size() != 42 || name[0] != '0' || name[1] != 'x') return false;
  return std::all_of(name.begin() + 2, name.end(), [](char c) { return std::isxdigit(c) != 0; });
}

// Finds the node directory: `dir` itself when named 0x<address>, else its one such child.
StatusOr<fs::path> NodeDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::NotFound(dir + ": no such directory");
  if (!fs::is_directory(dir, ec)) return Status::InvalidArgument(dir + ": not a directory");
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  if (IsAddressName(p.filename().string())) return p;
  std::vector<fs::path> nodes;
  for (auto it = fs::directory_iterator(p, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->is_directory() && IsAddressName(it->path().filename().string())) {
      nodes.push_back(it->path());
    }
  }
  if (ec) return Status::IOError(dir + ": " + ec.message());
  if (nodes.size() == 1) return nodes[0];
  if (nodes.empty()) {
    return Status::InvalidArgument(dir +
                                   ": not a go-nitro store: it is not named 0x<node address> and "
                                   "holds no such directory");
  }
  return Status::InvalidArgument(dir + ": holds the stores of " + std::to_string(nodes.size()) +
                                 " nodes; name one of them");
}

struct File {
  SourceFile info;
  BuntdbContents contents;
};

// Reads `<name>_<suffix>.db`; nullopt when it does not exist.
StatusOr<std::optional<File>> ReadFile(const fs::path& node_dir, const std::string& name,
                                       const std::string& suffix) {
  File f;
  f.info.name = name + "_" + suffix + ".db";
  const fs::path path = node_dir / f.info.name;
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<File>();
  STATELOG_ASSIGN_OR_RETURN(std::string bytes, ReadFileBytes(path.string()));
  STATELOG_ASSIGN_OR_RETURN(f.contents, ReadBuntdb(bytes, f.info.name));
  f.info.size = bytes.size();
  f.info.whole_bytes = f.contents.whole_bytes;
  f.info.digest = Keccak256(bytes);
  f.info.keys = f.contents.values.size();
  return std::optional<File>(std::move(f));
}

// types.Funds: {"0x<asset>": amount, ...}; null for none.
Status ParseFunds(const Value& v, const std::string& path, std::map<Address, Uint256>* out) {
  out->clear();
  if (v.kind == Kind::kNull) return Status::OK();
  STATELOG_RETURN_IF_ERROR(ExpectKind(v, Kind::kObject, path));
  for (const auto& [key, value] : v.members) {
    const std::string p = Join(path, key);
    auto asset = Address::FromHex(key);
    if (!asset.ok()) return nitro::json::Err(p, "key must be an asset address");
    Uint256 amount;
    STATELOG_RETURN_IF_ERROR(ParseUint256(value, p, &amount));
    if (!out->emplace(*asset, amount).second) return nitro::json::Err(p, "duplicate asset");
  }
  return Status::OK();
}

Status ParseParticipants(const Value& v, const std::string& path, std::vector<Address>* out) {
  STATELOG_RETURN_IF_ERROR(ExpectArray(v, path));
  out->resize(v.items.size());
  for (size_t i = 0; i < v.items.size(); ++i) {
    STATELOG_RETURN_IF_ERROR(ParseFixedHex(v.items[i], Index(path, i), &(*out)[i]));
  }
  return Status::OK();
}

// The fixed part's four fields, from the members of `r`.
Status ParseFixed(const ObjectReader& r, FixedPart* fixed) {
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("Participants", &f));
  STATELOG_RETURN_IF_ERROR(ParseParticipants(*f, r.Path("Participants"), &fixed->participants));
  STATELOG_RETURN_IF_ERROR(r.Require("ChannelNonce", &f));
  STATELOG_RETURN_IF_ERROR(ParseUint(*f, r.Path("ChannelNonce"), "2^64-1", &fixed->channel_nonce));
  STATELOG_RETURN_IF_ERROR(r.Require("AppDefinition", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("AppDefinition"), &fixed->app_definition));
  STATELOG_RETURN_IF_ERROR(r.Require("ChallengeDuration", &f));
  return ParseUint(*f, r.Path("ChallengeDuration"), "2^32-1", &fixed->challenge_duration);
}

Status ParseMyIndex(const ObjectReader& r, const FixedPart& fixed, const Address& node,
                    uint32_t* my_index) {
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("MyIndex", &f));
  STATELOG_RETURN_IF_ERROR(ParseUint(*f, r.Path("MyIndex"), "2^32-1", my_index));
  if (*my_index >= fixed.participants.size()) {
    return nitro::json::Err(r.Path("MyIndex"), "participant index out of range (" +
                                                   std::to_string(fixed.participants.size()) +
                                                   " participants)");
  }
  if (fixed.participants[*my_index] != node) {
    return nitro::json::Err(r.Path("MyIndex"), "participant " + std::to_string(*my_index) + " is " +
                                                   fixed.participants[*my_index].ToHex() +
                                                   ", not this node " + node.ToHex());
  }
  return Status::OK();
}

// The key of a channel record: "0x<id>", equal to its Id field.
Status CheckKeyIsId(const std::string& key, const ObjectReader& r, ChannelId* id) {
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("Id", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("Id"), id));
  auto k = ChannelId::FromHex(key);
  if (!k.ok() || *k != *id) {
    return nitro::json::Err(r.Path("Id"), id->ToHex() + " differs from the key");
  }
  return Status::OK();
}

// channels_*.db: {"Id","MyIndex",<fixed part>,"OnChain":{...},"OffChain":{...}}.
Status ParseChannel(const Value& v, const std::string& key, const Address& node, GoChannel* c) {
  ObjectReader r(v, "");
  STATELOG_RETURN_IF_ERROR(r.Check({"Id", "MyIndex", "Participants", "ChannelNonce",
                                    "AppDefinition", "ChallengeDuration", "OnChain", "OffChain"}));
  STATELOG_RETURN_IF_ERROR(CheckKeyIsId(key, r, &c->id));
  STATELOG_RETURN_IF_ERROR(ParseFixed(r, &c->fixed));
  STATELOG_RETURN_IF_ERROR(ParseMyIndex(r, c->fixed, node, &c->my_index));

  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("OnChain", &f));
  ObjectReader on(*f, "OnChain");
  STATELOG_RETURN_IF_ERROR(on.Check({"Holdings", "Outcome", "StateHash"}));
  const Value* g;
  STATELOG_RETURN_IF_ERROR(on.Require("Holdings", &g));
  STATELOG_RETURN_IF_ERROR(ParseFunds(*g, on.Path("Holdings"), &c->holdings));
  STATELOG_RETURN_IF_ERROR(on.Require("Outcome", &g));
  STATELOG_RETURN_IF_ERROR(ExpectArray(*g, on.Path("Outcome")));
  c->on_chain_outcome = !g->items.empty();
  STATELOG_RETURN_IF_ERROR(on.Require("StateHash", &g));
  Hash256 on_chain_hash;
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*g, on.Path("StateHash"), &on_chain_hash));
  c->on_chain_outcome = c->on_chain_outcome || on_chain_hash != Hash256();

  STATELOG_RETURN_IF_ERROR(r.Require("OffChain", &f));
  ObjectReader off(*f, "OffChain");
  STATELOG_RETURN_IF_ERROR(off.Check({"SignedStateForTurnNum", "LatestSupportedStateTurnNum"}));
  STATELOG_RETURN_IF_ERROR(off.Require("LatestSupportedStateTurnNum", &g));
  uint64_t latest = 0;
  STATELOG_RETURN_IF_ERROR(
      ParseUint(*g, off.Path("LatestSupportedStateTurnNum"), "2^64-1", &latest));
  if (latest != kNoTurn) c->latest_supported = latest;
  STATELOG_RETURN_IF_ERROR(off.Require("SignedStateForTurnNum", &g));
  const std::string spath = off.Path("SignedStateForTurnNum");
  if (g->kind != Kind::kNull) STATELOG_RETURN_IF_ERROR(ExpectKind(*g, Kind::kObject, spath));
  for (const auto& [turn_key, signed_state] : g->members) {
    const std::string p = Join(spath, turn_key);
    ObjectReader ss(signed_state, p);
    STATELOG_RETURN_IF_ERROR(ss.Check({"State", "Sigs"}));
    nitro::SignedState s;
    const Value* h;
    STATELOG_RETURN_IF_ERROR(ss.Require("State", &h));
    STATELOG_RETURN_IF_ERROR(nitro::json::ParseState(*h, ss.Path("State"), &s.state));
    if (s.state.fixed != c->fixed) {
      return nitro::json::Err(ss.Path("State"), "the state's fixed part is not the channel's");
    }
    if (std::to_string(s.state.variable.turn_num) != turn_key) {
      return nitro::json::Err(ss.Path("State.TurnNum"),
                              std::to_string(s.state.variable.turn_num) + " differs from the key");
    }
    STATELOG_RETURN_IF_ERROR(ss.Require("Sigs", &h));
    STATELOG_RETURN_IF_ERROR(
        nitro::json::ParseSigs(*h, ss.Path("Sigs"), c->fixed.participants.size(), &s.sigs));
    const uint64_t turn = s.state.variable.turn_num;
    if (!c->states.emplace(turn, std::move(s)).second) {
      return nitro::json::Err(p, "duplicate turn");
    }
    c->state_paths[turn] = p;
  }
  return Status::OK();
}

// One allocation of a consensus outcome: leader or follower.
Status ParseBalance(const Value& v, const std::string& path, Allocation* a) {
  ObjectReader r(v, path);
  STATELOG_RETURN_IF_ERROR(r.Check({"Destination", "Amount"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("Destination", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("Destination"), &a->destination));
  STATELOG_RETURN_IF_ERROR(r.Require("Amount", &f));
  return ParseUint256(*f, r.Path("Amount"), &a->amount);
}

// Current.Outcome of a ledger channel, as the single-asset exit its signatures sign:
// leader, follower, then one guarantee per target in the order of the target's bytes.
Status ParseLedgerOutcome(const Value& v, const std::string& path, Exit* out) {
  ObjectReader r(v, path);
  STATELOG_RETURN_IF_ERROR(r.Check({"AssetAddress", "Leader", "Follower", "Guarantees"}));
  SingleAssetExit exit;
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("AssetAddress", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("AssetAddress"), &exit.asset));
  exit.allocations.resize(2);
  STATELOG_RETURN_IF_ERROR(r.Require("Leader", &f));
  STATELOG_RETURN_IF_ERROR(ParseBalance(*f, r.Path("Leader"), &exit.allocations[0]));
  STATELOG_RETURN_IF_ERROR(r.Require("Follower", &f));
  STATELOG_RETURN_IF_ERROR(ParseBalance(*f, r.Path("Follower"), &exit.allocations[1]));
  STATELOG_RETURN_IF_ERROR(r.Require("Guarantees", &f));
  const std::string gpath = r.Path("Guarantees");
  if (f->kind != Kind::kNull) STATELOG_RETURN_IF_ERROR(ExpectKind(*f, Kind::kObject, gpath));
  std::map<Destination, Allocation> guarantees;  // sorted by target
  for (const auto& [key, value] : f->members) {
    const std::string p = Join(gpath, key);
    ObjectReader g(value, p);
    STATELOG_RETURN_IF_ERROR(g.Check({"Amount", "Target", "Left", "Right"}));
    Allocation a;
    a.allocation_type = 1;
    Destination left, right;
    const Value* h;
    STATELOG_RETURN_IF_ERROR(g.Require("Amount", &h));
    STATELOG_RETURN_IF_ERROR(ParseUint256(*h, g.Path("Amount"), &a.amount));
    STATELOG_RETURN_IF_ERROR(g.Require("Target", &h));
    STATELOG_RETURN_IF_ERROR(ParseFixedHex(*h, g.Path("Target"), &a.destination));
    STATELOG_RETURN_IF_ERROR(g.Require("Left", &h));
    STATELOG_RETURN_IF_ERROR(ParseFixedHex(*h, g.Path("Left"), &left));
    STATELOG_RETURN_IF_ERROR(g.Require("Right", &h));
    STATELOG_RETURN_IF_ERROR(ParseFixedHex(*h, g.Path("Right"), &right));
    auto k = Destination::FromHex(key);
    if (!k.ok() || *k != a.destination) {
      return nitro::json::Err(g.Path("Target"), a.destination.ToHex() + " differs from the key");
    }
    a.metadata = nitro::EncodeGuaranteeMetadata(left, right);
    guarantees.emplace(a.destination, std::move(a));
  }
  for (auto& [target, a] : guarantees) exit.allocations.push_back(std::move(a));
  out->assign(1, std::move(exit));
  return Status::OK();
}

// consensus_channels_*.db: {"Id","OnChainFunding","MyIndex","FP","Current","ProposalQueue"}.
Status ParseConsensusChannel(const Value& v, const std::string& key, const Address& node,
                             GoChannel* c) {
  c->consensus = true;
  ObjectReader r(v, "");
  STATELOG_RETURN_IF_ERROR(
      r.Check({"Id", "OnChainFunding", "MyIndex", "FP", "Current", "ProposalQueue"}));
  STATELOG_RETURN_IF_ERROR(CheckKeyIsId(key, r, &c->id));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("FP", &f));
  ObjectReader fp(*f, "FP");
  STATELOG_RETURN_IF_ERROR(
      fp.Check({"Participants", "ChannelNonce", "AppDefinition", "ChallengeDuration"}));
  STATELOG_RETURN_IF_ERROR(ParseFixed(fp, &c->fixed));
  if (c->fixed.participants.size() != 2) {
    return nitro::json::Err("FP.Participants", "a ledger channel has two participants, not " +
                                                   std::to_string(c->fixed.participants.size()));
  }
  STATELOG_RETURN_IF_ERROR(ParseMyIndex(r, c->fixed, node, &c->my_index));
  STATELOG_RETURN_IF_ERROR(r.Require("OnChainFunding", &f));
  STATELOG_RETURN_IF_ERROR(ParseFunds(*f, "OnChainFunding", &c->holdings));

  STATELOG_RETURN_IF_ERROR(r.Require("Current", &f));
  ObjectReader cur(*f, "Current");
  STATELOG_RETURN_IF_ERROR(cur.Check({"TurnNum", "Outcome", "Signatures"}));
  nitro::SignedState s;
  s.state.fixed = c->fixed;
  const Value* g;
  STATELOG_RETURN_IF_ERROR(cur.Require("TurnNum", &g));
  STATELOG_RETURN_IF_ERROR(
      ParseUint(*g, cur.Path("TurnNum"), "2^64-1", &s.state.variable.turn_num));
  STATELOG_RETURN_IF_ERROR(cur.Require("Outcome", &g));
  STATELOG_RETURN_IF_ERROR(ParseLedgerOutcome(*g, cur.Path("Outcome"), &s.state.variable.outcome));
  STATELOG_RETURN_IF_ERROR(cur.Require("Signatures", &g));
  const std::string sigs = cur.Path("Signatures");
  STATELOG_RETURN_IF_ERROR(ExpectKind(*g, Kind::kArray, sigs));
  if (g->items.size() != 2) {
    return nitro::json::Err(sigs, "expected 2 signatures, got " + std::to_string(g->items.size()));
  }
  for (uint32_t i = 0; i < 2; ++i) {
    STATELOG_RETURN_IF_ERROR(ParseFixedHex(g->items[i], Index(sigs, i), &s.sigs[i]));
  }
  const uint64_t turn = s.state.variable.turn_num;
  c->latest_supported = turn;
  c->states.emplace(turn, std::move(s));
  c->state_paths[turn] = "Current";

  STATELOG_RETURN_IF_ERROR(r.Require("ProposalQueue", &f));
  STATELOG_RETURN_IF_ERROR(ExpectArray(*f, "ProposalQueue"));
  c->proposals = f->items.size();
  return Status::OK();
}

// vouchers_*.db: {"ChannelPayer","ChannelPayee","StartingBalance","LargestVoucher":{...}}.
Status ParseVoucher(const Value& v, const std::string& key, GoVoucher* out) {
  ObjectReader r(v, "");
  STATELOG_RETURN_IF_ERROR(
      r.Check({"ChannelPayer", "ChannelPayee", "StartingBalance", "LargestVoucher"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("ChannelPayer", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, "ChannelPayer", &out->payer));
  STATELOG_RETURN_IF_ERROR(r.Require("ChannelPayee", &f));
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, "ChannelPayee", &out->payee));
  STATELOG_RETURN_IF_ERROR(r.Require("StartingBalance", &f));
  STATELOG_RETURN_IF_ERROR(ParseUint256(*f, "StartingBalance", &out->starting_balance));
  STATELOG_RETURN_IF_ERROR(r.Require("LargestVoucher", &f));
  nitro::Voucher largest;
  STATELOG_RETURN_IF_ERROR(nitro::json::ParseVoucher(*f, "LargestVoucher", &largest));
  out->channel = largest.channel_id;
  out->amount = largest.amount;
  out->signature = largest.signature;
  auto k = ChannelId::FromHex(key);
  if (!k.ok() || *k != out->channel) {
    return nitro::json::Err("LargestVoucher.ChannelId",
                            out->channel.ToHex() + " differs from the key");
  }
  return Status::OK();
}

// A connection of a VirtualFund objective: base64 of JSON, {"Channel":"0x<ledger id>",...} or
// null. Adds the ledger channel to `channels`.
Status ParseConnection(const Value& v, const std::string& path, std::vector<ChannelId>* channels) {
  STATELOG_RETURN_IF_ERROR(ExpectKind(v, Kind::kString, path));
  Bytes json;
  Status st = nitro::DecodeBase64(v.text, &json);
  if (!st.ok()) return nitro::json::Err(path, st.message());
  auto inner =
      nitro::json::Parse(std::string_view(reinterpret_cast<const char*>(json.data()), json.size()));
  if (!inner.ok()) return inner.status().WithPrefix(path + " (base64 of JSON)");
  if (inner->kind == Kind::kNull) return Status::OK();
  ObjectReader r(*inner, path);
  STATELOG_RETURN_IF_ERROR(r.Check({"Channel", "GuaranteeInfo"}));
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("Channel", &f));
  ChannelId ledger;
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, r.Path("Channel"), &ledger));
  channels->push_back(ledger);
  return Status::OK();
}

// A ledger id of a VirtualDefund objective, zero for none.
Status ParseLedgerRef(const Value& v, const std::string& path, std::vector<ChannelId>* channels) {
  ChannelId ledger;
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(v, path, &ledger));
  if (ledger != ChannelId()) channels->push_back(ledger);
  return Status::OK();
}

// objectives_*.db: key "<Kind>-0x<channel id>"; the fields depend on the kind.
Status ParseObjective(const Value& v, const std::string& key, GoObjective* o) {
  auto id = ObjectiveId::Parse(key);
  if (!id.ok()) return id.status().WithPrefix("key");
  o->id = *id;
  ObjectReader r(v, "");
  const bool direct =
      o->id.kind == ObjectiveKind::kDirectFunding || o->id.kind == ObjectiveKind::kDirectDefunding;
  switch (o->id.kind) {
    case ObjectiveKind::kDirectFunding:
      STATELOG_RETURN_IF_ERROR(
          r.Check({"Status", "C", "MyDepositSafetyThreshold", "MyDepositTarget",
                   "FullyFundedThreshold", "TransactionSumbmitted"}));
      break;
    case ObjectiveKind::kDirectDefunding:
      STATELOG_RETURN_IF_ERROR(r.Check({"Status", "C", "FinalTurnNum", "TransactionSumbmitted"}));
      break;
    case ObjectiveKind::kVirtualFund:
      STATELOG_RETURN_IF_ERROR(
          r.Check({"Status", "V", "ToMyLeft", "ToMyRight", "N", "MyRole", "A0", "B0"}));
      break;
    case ObjectiveKind::kVirtualDefund:
      STATELOG_RETURN_IF_ERROR(
          r.Check({"Status", "V", "ToMyLeft", "ToMyRight", "MinimumPaymentAmount", "MyRole"}));
      break;
  }
  const Value* f;
  STATELOG_RETURN_IF_ERROR(r.Require("Status", &f));
  STATELOG_RETURN_IF_ERROR(ParseUint(*f, "Status", "255", &o->status));
  if (o->status > 3) return nitro::json::Err("Status", "unknown status " + f->text);
  const char* channel_field = direct ? "C" : "V";
  STATELOG_RETURN_IF_ERROR(r.Require(channel_field, &f));
  ChannelId channel;
  STATELOG_RETURN_IF_ERROR(ParseFixedHex(*f, channel_field, &channel));
  if (channel != o->id.channel) {
    return nitro::json::Err(channel_field, channel.ToHex() + " is not the channel of the key");
  }
  o->channels.push_back(channel);
  std::map<Address, Uint256> funds;
  for (const char* name :
       {"MyDepositSafetyThreshold", "MyDepositTarget", "FullyFundedThreshold", "A0", "B0"}) {
    if (const Value* g = r.Find(name)) STATELOG_RETURN_IF_ERROR(ParseFunds(*g, name, &funds));
  }
  for (const char* name : {"FinalTurnNum", "N", "MyRole"}) {
    uint64_t n;
    if (const Value* g = r.Find(name)) STATELOG_RETURN_IF_ERROR(ParseUint(*g, name, "2^64-1", &n));
  }
  if (const Value* g = r.Find("TransactionSumbmitted")) {
    bool b;
    STATELOG_RETURN_IF_ERROR(nitro::json::ParseBool(*g, "TransactionSumbmitted", &b));
  }
  if (const Value* g = r.Find("MinimumPaymentAmount"); g && g->kind != Kind::kNull) {
    Uint256 n;
    STATELOG_RETURN_IF_ERROR(ParseUint256(*g, "MinimumPaymentAmount", &n));
  }
  for (const char* side : {"ToMyLeft", "ToMyRight"}) {
    const Value* g = r.Find(side);
    if (g == nullptr) continue;
    STATELOG_RETURN_IF_ERROR(o->id.kind == ObjectiveKind::kVirtualFund
                                 ? ParseConnection(*g, side, &o->channels)
                                 : ParseLedgerRef(*g, side, &o->channels));
  }
  return Status::OK();
}

}  // namespace

Status AddStoreValue(StoreFile file, const std::string& key, const std::string& value,
                     const std::string& where, GoNitroStore* store) {
  if (file == StoreFile::kChannelToObjective) {
    auto channel = ChannelId::FromHex(key);
    if (!channel.ok()) return channel.status().WithPrefix("key");
    auto objective = ObjectiveId::Parse(value);
    if (!objective.ok()) return objective.status().WithPrefix("value");
    store->channel_to_objective[*channel] = *objective;
    return Status::OK();
  }
  if (file == StoreFile::kBlocks) {
    if (key != "lastBlockProcessed" && key != "lastBlockNumSeen") {
      return Status::InvalidArgument("unknown key");
    }
    StatusOr<uint64_t> n = ParseDecimal64(value);
    if (!n.ok()) return Status::InvalidArgument("not a block number: '" + value + "'");
    store->last_block = *n;
    return Status::OK();
  }
  STATELOG_ASSIGN_OR_RETURN(Value v, nitro::json::Parse(value));
  switch (file) {
    case StoreFile::kChannels:
    case StoreFile::kConsensusChannels: {
      GoChannel c;
      c.where = where;
      STATELOG_RETURN_IF_ERROR(file == StoreFile::kChannels
                                   ? ParseChannel(v, key, store->node, &c)
                                   : ParseConsensusChannel(v, key, store->node, &c));
      if (auto it = store->channels.find(c.id); it != store->channels.end()) {
        return Status::InvalidArgument("the channel is also in " + it->second.where);
      }
      store->channels.emplace(c.id, std::move(c));
      return Status::OK();
    }
    case StoreFile::kVouchers: {
      GoVoucher g;
      g.where = where;
      STATELOG_RETURN_IF_ERROR(ParseVoucher(v, key, &g));
      store->vouchers[g.channel] = std::move(g);
      return Status::OK();
    }
    case StoreFile::kObjectives: {
      GoObjective o;
      o.where = where;
      STATELOG_RETURN_IF_ERROR(ParseObjective(v, key, &o));
      store->objectives[o.id] = std::move(o);
      return Status::OK();
    }
    case StoreFile::kChannelToObjective:
    case StoreFile::kBlocks:
      break;
  }
  return Status::OK();
}

StatusOr<GoNitroStore> ReadGoNitroStore(const std::string& dir) {
  STATELOG_ASSIGN_OR_RETURN(fs::path node_dir, NodeDirectory(dir));
  GoNitroStore store;
  store.dir = node_dir.string();
  const std::string name = node_dir.filename().string();
  STATELOG_ASSIGN_OR_RETURN(store.node, Address::FromHex(name));
  const std::string suffix = name.substr(2, 5);

  // The files in the order their values are parsed (channels before what refers to them).
  struct Kind {
    const char* base;
    StoreFile file;
    bool required;
  };
  static constexpr Kind kFiles[] = {
      {"channels", StoreFile::kChannels, true},
      {"consensus_channels", StoreFile::kConsensusChannels, true},
      {"vouchers", StoreFile::kVouchers, true},
      {"objectives", StoreFile::kObjectives, true},
      {"channel_to_objective", StoreFile::kChannelToObjective, true},
      {"blocks", StoreFile::kBlocks, false},
      {"lastBlockNumSeen", StoreFile::kBlocks, false},
  };
  std::vector<std::pair<StoreFile, File>> files;
  for (const Kind& k : kFiles) {
    STATELOG_ASSIGN_OR_RETURN(std::optional<File> f, ReadFile(node_dir, k.base, suffix));
    if (!f && k.required) {
      return Status::InvalidArgument(store.dir + ": not a go-nitro store: " + k.base + "_" +
                                     suffix + ".db is missing");
    }
    if (f) files.emplace_back(k.file, std::move(*f));
  }
  for (const auto& [kind, f] : files) {
    store.files.push_back(f.info);
    for (const auto& [key, text] : f.contents.values) {
      const std::string where = f.info.name + ": key " + key;
      Status st = AddStoreValue(kind, key, text, where, &store);
      if (!st.ok()) return st.WithPrefix(where);
    }
  }
  return store;
}

}  // namespace statelog::gonitro
