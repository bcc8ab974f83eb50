// gonitro_fixture_spec: the records of a go-nitro node's store, for nitrostore/main.go to encode
// with Go's encoding/json and write through the real buntdb. Irene (go-nitro's test hub) is the
// node; every state and voucher is really signed by go-nitro's test actors.
//
//   gonitro_fixture_spec [CHANNELS]      (default 12; at least 6)
//
// Output, one JSON object per line: first {"node":"0x<EIP-55 address>"}, then
// {"file":"<file base name>","key":"<key>","value":<value>} in go-nitro's shapes
// (docs/go-nitro-store.md), or {"file":...,"key":...,"del":true} for a deletion.
// CHANNELS direct channels with Alice, Bob and Ivan in turn, at every stage of funding, with
// vouchers both ways; a ledger channel per peer with guarantees (one with a pending proposal);
// a virtual channel Alice-Irene-Bob with its VirtualFund and VirtualDefund objectives; a
// defunded channel (its objective and voucher kept, the channel deleted, as go-nitro does).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "demo/scenario.h"
#include "nitro/base64.h"
#include "statelog/keccak.h"
#include "statelog/nitro.h"

namespace statelog {
namespace {

using demo::Actor;

std::string Eip55(const Address& a) {
  std::string lower = a.ToHex().substr(2);
  const Hash256 h = Keccak256(lower);
  std::string out = "0x";
  for (size_t i = 0; i < lower.size(); ++i) {
    const uint8_t nibble = (h.bytes[i / 2] >> (i % 2 ? 0 : 4)) & 15;
    char c = lower[i];
    out += (c >= 'a' && nibble >= 8) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

Signature Sign(const Hash256& hash, const Actor& who) {
  auto sig = nitro::SignHash(hash, who.key);
  if (!sig.ok()) std::abort();
  return *sig;
}

std::string Q(const std::string& s) { return "\"" + s + "\""; }

void Put(const std::string& file, const std::string& key, const std::string& value) {
  std::printf("{\"file\":\"%s\",\"key\":%s,\"value\":%s}\n", file.c_str(), Q(key).c_str(),
              value.c_str());
}
void Del(const std::string& file, const std::string& key) {
  std::printf("{\"file\":\"%s\",\"key\":%s,\"del\":true}\n", file.c_str(), Q(key).c_str());
}

std::string Funds(const Uint256& amount) {
  if (amount == Uint256()) return "{}";
  return "{" + Q(Address().ToHex()) + ":" + amount.ToDecimal() + "}";
}

std::string FixedFields(const FixedPart& f) {
  std::string p;
  for (const Address& a : f.participants) {
    if (!p.empty()) p += ',';
    p += Q(a.ToHex());
  }
  return "\"Participants\":[" + p + "],\"ChannelNonce\":" + std::to_string(f.channel_nonce) +
         ",\"AppDefinition\":" + Q(f.app_definition.ToHex()) +
         ",\"ChallengeDuration\":" + std::to_string(f.challenge_duration);
}

Allocation Simple(const Address& who, uint64_t amount) {
  Allocation a;
  a.destination.bytes = {};
  std::copy(who.bytes.begin(), who.bytes.end(), a.destination.bytes.begin() + 12);
  a.amount = Uint256(amount);
  return a;
}

Destination DestinationOf(const Address& who) { return Simple(who, 0).destination; }

// A channel.Channel with the given signed turns (`signers[t]`: who signed turn t).
struct Direct {
  FixedPart fixed;
  ChannelId id;
  std::vector<Actor> actors;
  uint32_t my_index = 0;
};

Direct MakeDirect(std::vector<Actor> actors, uint64_t nonce, const Address& me) {
  Direct d;
  for (const Actor& a : actors) d.fixed.participants.push_back(a.address);
  d.fixed.channel_nonce = nonce;
  d.fixed.challenge_duration = 86400;
  d.id = nitro::ComputeChannelId(d.fixed);
  for (uint32_t i = 0; i < actors.size(); ++i) {
    if (actors[i].address == me) d.my_index = i;
  }
  d.actors = std::move(actors);
  return d;
}

std::string ChannelValue(const Direct& d, const std::vector<std::vector<size_t>>& signers,
                         const std::vector<uint64_t>& amounts, uint64_t paid, const Uint256& held) {
  std::string turns;
  uint64_t latest = ~uint64_t{0};
  for (uint64_t t = 0; t < signers.size(); ++t) {
    nitro::SignedState s;
    s.state.fixed = d.fixed;
    SingleAssetExit exit;
    for (size_t i = 0; i < d.actors.size(); ++i) {
      uint64_t amount = amounts[i];
      if (t >= 2 && i == 0) amount -= paid;
      if (t >= 2 && i + 1 == d.actors.size()) amount += paid;
      exit.allocations.push_back(Simple(d.actors[i].address, amount));
    }
    s.state.variable.outcome.push_back(exit);
    s.state.variable.turn_num = t;
    const Hash256 hash = nitro::ComputeStateHash(s.state);
    for (size_t i : signers[t]) s.sigs[static_cast<uint32_t>(i)] = Sign(hash, d.actors[i]);
    if (s.sigs.size() == d.actors.size()) latest = t;
    if (!turns.empty()) turns += ',';
    turns += Q(std::to_string(t)) + ":" + nitro::ToNitroJson(s);
  }
  return "{\"Id\":" + Q(d.id.ToHex()) + ",\"MyIndex\":" + std::to_string(d.my_index) + "," +
         FixedFields(d.fixed) + ",\"OnChain\":{\"Holdings\":" + Funds(held) +
         ",\"Outcome\":null,\"StateHash\":" + Q(Hash256().ToHex()) +
         "},\"OffChain\":{\"SignedStateForTurnNum\":{" + turns +
         "},\"LatestSupportedStateTurnNum\":" + std::to_string(latest) + "}}";
}

std::string VoucherValue(const ChannelId& id, const Actor& payer, const Actor& payee,
                         uint64_t start, uint64_t amount) {
  const Signature sig = Sign(nitro::ComputeVoucherHash(id, Uint256(amount)), payer);
  return "{\"ChannelPayer\":" + Q(payer.address.ToHex()) +
         ",\"ChannelPayee\":" + Q(payee.address.ToHex()) +
         ",\"StartingBalance\":" + std::to_string(start) +
         ",\"LargestVoucher\":{\"ChannelId\":" + Q(id.ToHex()) +
         ",\"Amount\":" + std::to_string(amount) + ",\"Signature\":" + Q(sig.ToHex()) + "}}";
}

std::string DirectFunding(const ChannelId& id, int status, uint64_t deposit) {
  return "{\"Status\":" + std::to_string(status) + ",\"C\":" + Q(id.ToHex()) +
         ",\"MyDepositSafetyThreshold\":" + Funds(Uint256()) +
         ",\"MyDepositTarget\":" + Funds(Uint256(deposit)) +
         ",\"FullyFundedThreshold\":" + Funds(Uint256(2 * deposit)) +
         ",\"TransactionSumbmitted\":" + (status == 3 ? "true" : "false") + "}";
}

struct Ledger {
  FixedPart fixed;
  ChannelId id;
};

// A consensus channel with `guarantees` (target, amount) and optionally a pending proposal.
Ledger PutLedger(const Actor& leader, const Actor& follower, uint64_t nonce, uint64_t turn,
                 const std::vector<std::pair<ChannelId, uint64_t>>& guarantees, bool proposal,
                 const Address& me) {
  Ledger l;
  l.fixed.participants = {leader.address, follower.address};
  l.fixed.channel_nonce = nonce;
  l.fixed.challenge_duration = 86400;
  l.id = nitro::ComputeChannelId(l.fixed);
  const uint64_t each = 1000000;
  uint64_t locked = 0;
  for (const auto& g : guarantees) locked += g.second;
  SingleAssetExit exit;
  exit.allocations = {Simple(leader.address, each - locked / 2),
                      Simple(follower.address, each - locked + locked / 2)};
  std::vector<std::pair<ChannelId, uint64_t>> sorted = guarantees;
  std::sort(sorted.begin(), sorted.end());
  std::string gjson;
  for (const auto& [target, amount] : sorted) {
    Allocation a;
    a.destination = target;
    a.amount = Uint256(amount);
    a.allocation_type = 1;
    const Destination left = DestinationOf(leader.address);
    const Destination right = DestinationOf(follower.address);
    a.metadata = nitro::EncodeGuaranteeMetadata(left, right);
    exit.allocations.push_back(a);
    if (!gjson.empty()) gjson += ',';
    gjson += Q(target.ToHex()) + ":{\"Amount\":" + std::to_string(amount) +
             ",\"Target\":" + Q(target.ToHex()) + ",\"Left\":" + Q(left.ToHex()) +
             ",\"Right\":" + Q(right.ToHex()) + "}";
  }
  VariablePart v;
  v.outcome = {exit};
  v.turn_num = turn;
  const Hash256 hash = nitro::ComputeStateHash(l.id, v);
  std::string queue;
  if (proposal) {
    queue = "{\"Signature\":" + Q(Sign(Keccak256("proposal"), leader).ToHex()) +
            ",\"Proposal\":{\"LedgerID\":" + Q(l.id.ToHex()) +
            ",\"ToAdd\":{\"Guarantee\":{\"Amount\":10,\"Target\":" + Q(Keccak256("t").ToHex()) +
            ",\"Left\":" + Q(DestinationOf(leader.address).ToHex()) +
            ",\"Right\":" + Q(DestinationOf(follower.address).ToHex()) +
            "},\"LeftDeposit\":5},\"ToRemove\":{\"Target\":" + Q(Hash256().ToHex()) +
            ",\"LeftAmount\":null}},\"TurnNum\":" + std::to_string(turn + 1) + "}";
  }
  const std::string fp = "{" + FixedFields(l.fixed) + "}";
  Put("consensus_channels", l.id.ToHex(),
      "{\"Id\":" + Q(l.id.ToHex()) + ",\"OnChainFunding\":" + Funds(Uint256(2 * each)) +
          ",\"MyIndex\":" + (leader.address == me ? "0" : "1") + ",\"FP\":" + fp +
          ",\"Current\":{\"TurnNum\":" + std::to_string(turn) +
          ",\"Outcome\":{\"AssetAddress\":" + Q(Address().ToHex()) +
          ",\"Leader\":{\"Destination\":" + Q(exit.allocations[0].destination.ToHex()) +
          ",\"Amount\":" + exit.allocations[0].amount.ToDecimal() +
          "},\"Follower\":{\"Destination\":" + Q(exit.allocations[1].destination.ToHex()) +
          ",\"Amount\":" + exit.allocations[1].amount.ToDecimal() + "},\"Guarantees\":{" + gjson +
          "}},\"Signatures\":[" + Q(Sign(hash, leader).ToHex()) + "," +
          Q(Sign(hash, follower).ToHex()) + "]},\"ProposalQueue\":[" + queue + "]}");
  Put("objectives", "DirectFunding-" + l.id.ToHex(), DirectFunding(l.id, 3, each));
  return l;
}

std::string Base64Json(const std::string& json) {
  std::string out;
  nitro::AppendBase64(Bytes(json.begin(), json.end()), &out);
  return Q(out);
}

int Run(int channels) {
  const Actor irene = Actor::Irene();
  const std::vector<Actor> peers = {Actor::Alice(), Actor::Bob(), Actor::Ivan()};
  std::printf("{\"node\":\"%s\"}\n", Eip55(irene.address).c_str());
  const uint64_t deposit = 500;

  for (int i = 0; i < channels; ++i) {
    const Actor& peer = peers[i % 3];
    // Irene leads half of the channels.
    std::vector<Actor> actors = i % 2 ? std::vector<Actor>{peer, irene} : std::vector{irene, peer};
    Direct d = MakeDirect(actors, 100 + i, irene.address);
    const std::string objective = "DirectFunding-" + d.id.ToHex();
    const size_t mine = d.my_index, theirs = 1 - d.my_index;
    const uint64_t paid = 7 * (i + 1);
    switch (i % 4) {
      case 0:  // proposed by the peer, not approved yet
        Put("channels", d.id.ToHex(),
            ChannelValue(d, {{theirs}}, {deposit, deposit}, 0, Uint256()));
        Put("objectives", objective, DirectFunding(d.id, 0, deposit));
        Put("channel_to_objective", d.id.ToHex(), Q(objective));
        break;
      case 1:  // funding: prefund supported, Irene deposited
        Put("channels", d.id.ToHex(),
            ChannelValue(d, {{0, 1}, {mine}}, {deposit, deposit}, 0, Uint256(deposit)));
        Put("objectives", objective, DirectFunding(d.id, 1, deposit));
        Put("channel_to_objective", d.id.ToHex(), Q(objective));
        break;
      default: {  // funded, with payments: turn 2 signed by the payer only
        const bool irene_pays = i % 4 == 2;
        Put("channel_to_objective", d.id.ToHex(), Q(objective));
        Put("channels", d.id.ToHex(),
            ChannelValue(d, {{0, 1}, {0, 1}, {irene_pays ? mine : theirs}}, {deposit, deposit},
                         irene_pays == (mine == 0) ? paid : 0, Uint256(2 * deposit)));
        Put("objectives", objective, DirectFunding(d.id, 3, deposit));
        Del("channel_to_objective", d.id.ToHex());  // released when the objective completed
        Put("vouchers", d.id.ToHex(),
            irene_pays ? VoucherValue(d.id, irene, peer, deposit, paid)
                       : VoucherValue(d.id, peer, irene, deposit, paid));
        break;
      }
    }
  }

  // Ledger channels with every peer; the virtual channel's guarantees sit in two of them.
  Direct v = MakeDirect({peers[0], irene, peers[1]}, 7, irene.address);
  const ChannelId other = Keccak256("another virtual channel");
  Ledger left = PutLedger(peers[0], irene, 1, 5, {{v.id, 100}, {other, 40}}, false, irene.address);
  Ledger right = PutLedger(irene, peers[1], 2, 4, {{v.id, 100}}, true, irene.address);
  PutLedger(irene, peers[2], 3, 1, {}, false, irene.address);

  Put("channels", v.id.ToHex(),
      ChannelValue(v, {{0, 1, 2}, {0, 1, 2}}, {100, 0, 100}, 0, Uint256()));
  auto connection = [&](const Ledger& l, const Actor& a, const Actor& b) {
    return Base64Json("{\"Channel\":" + Q(l.id.ToHex()) +
                      ",\"GuaranteeInfo\":{\"Left\":" + Q(DestinationOf(a.address).ToHex()) +
                      ",\"Right\":" + Q(DestinationOf(b.address).ToHex()) + ",\"LeftAmount\":" +
                      Funds(Uint256(100)) + ",\"RightAmount\":" + Funds(Uint256()) +
                      ",\"GuaranteeDestination\":" + Q(v.id.ToHex()) + "}}");
  };
  Put("objectives", "VirtualFund-" + v.id.ToHex(),
      "{\"Status\":3,\"V\":" + Q(v.id.ToHex()) +
          ",\"ToMyLeft\":" + connection(left, peers[0], irene) +
          ",\"ToMyRight\":" + connection(right, irene, peers[1]) + ",\"N\":1,\"MyRole\":1,\"A0\":" +
          Funds(Uint256(100)) + ",\"B0\":" + Funds(Uint256()) + "}");
  Put("objectives", "VirtualDefund-" + v.id.ToHex(),
      "{\"Status\":1,\"V\":" + Q(v.id.ToHex()) + ",\"ToMyLeft\":" + Q(left.id.ToHex()) +
          ",\"ToMyRight\":" + Q(right.id.ToHex()) + ",\"MinimumPaymentAmount\":null,\"MyRole\":1}");
  Put("channel_to_objective", v.id.ToHex(), Q("VirtualDefund-" + v.id.ToHex()));

  // A defunded channel: go-nitro deleted it and kept its objectives and voucher.
  Direct gone = MakeDirect({irene, peers[1]}, 999, irene.address);
  Put("channels", gone.id.ToHex(),
      ChannelValue(gone, {{0, 1}, {0, 1}}, {deposit, deposit}, 0, Uint256(2 * deposit)));
  Put("objectives", "DirectFunding-" + gone.id.ToHex(), DirectFunding(gone.id, 3, deposit));
  Put("vouchers", gone.id.ToHex(), VoucherValue(gone.id, irene, peers[1], deposit, 3));
  Put("objectives", "DirectDefunding-" + gone.id.ToHex(),
      "{\"Status\":3,\"C\":" + Q(gone.id.ToHex()) +
          ",\"FinalTurnNum\":3,\"TransactionSumbmitted\":true}");
  Del("channels", gone.id.ToHex());
  // A rejected objective for a channel the node never kept.
  Direct rejected = MakeDirect({peers[2], irene}, 1000, irene.address);
  Put("objectives", "DirectFunding-" + rejected.id.ToHex(), DirectFunding(rejected.id, 2, deposit));
  std::printf("{\"file\":\"blocks\",\"key\":\"lastBlockProcessed\",\"value\":\"%d\"}\n",
              1000 + channels);
  return 0;
}

}  // namespace
}  // namespace statelog

int main(int argc, char** argv) {
  int channels = argc > 1 ? std::atoi(argv[1]) : 12;
  if (channels < 6) {
    std::fprintf(stderr, "usage: gonitro_fixture_spec [CHANNELS >= 6]\n");
    return 2;
  }
  return statelog::Run(channels);
}
