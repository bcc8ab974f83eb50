#include "gonitro/migrate.h"

#include <algorithm>

namespace statelog::gonitro {
namespace {

class Builder {
 public:
  explicit Builder(Timestamp start) : next_(start) {}

  void Add(EventBody body, std::string source) {
    plan_.events.push_back(Event::Make(next_++, std::move(body)));
    plan_.sources.push_back(std::move(source));
  }
  MigrationPlan& plan() { return plan_; }

 private:
  Timestamp next_;
  MigrationPlan plan_;
};

void AddChannel(const GoChannel& c, Builder* b) {
  b->Add(events::ChannelCreated{c.id, c.fixed}, c.where + ": Id");
  const std::string funds = c.consensus ? "OnChainFunding" : "OnChain.Holdings";
  for (const auto& [asset, held] : c.holdings) {
    b->Add(events::DepositDetected{c.id, asset, held, held, 0},
           c.where + ": " + funds + "." + asset.ToHex());
  }
  for (const auto& [turn, s] : c.states) {
    const Hash256 hash = nitro::ComputeStateHash(c.id, s.state.variable);
    const std::string& path = c.state_paths.at(turn);
    for (const auto& [index, sig] : s.sigs) {
      const Address& signer = c.fixed.participants[index];
      std::string source = c.where + ": " + path +
                           (c.consensus ? ".Signatures[" + std::to_string(index) + "]"
                                        : ".Sigs." + std::to_string(index));
      if (index == c.my_index) {
        b->Add(events::StateSigned{c.id, s.state.variable, hash, signer, sig}, std::move(source));
      } else {
        b->Add(events::StateReceived{c.id, s.state.variable, hash, signer, sig}, std::move(source));
      }
    }
  }
}

void AddObjective(const GoObjective& o, Builder* b) {
  const bool approved = o.status == 1 || o.status == 3;
  b->Add(events::ObjectiveCreated{o.id, o.channels, approved}, o.where);
  if (o.status == 2) b->Add(events::ObjectiveRejected{o.id, ""}, o.where + ": Status");
  if (o.status == 3) b->Add(events::ObjectiveCompleted{o.id}, o.where + ": Status");
}

void NoteMissing(const GoNitroStore& store, std::vector<std::string>* missing) {
  for (const SourceFile& f : store.files) {
    if (f.whole_bytes < f.size) {
      missing->push_back(f.name + ": a torn last command (" +
                         std::to_string(f.size - f.whole_bytes) + " bytes from offset " +
                         std::to_string(f.whole_bytes) + ") is dropped, as buntdb drops it");
    }
  }
  missing->push_back(
      "defunded channels: go-nitro deletes a channel when it is defunded; their history is not "
      "in the store");
  size_t ledgers = 0;
  for (const auto& [id, c] : store.channels) {
    if (c.consensus) {
      ++ledgers;
      if (c.proposals > 0) {
        missing->push_back(c.where + ": ProposalQueue: " + std::to_string(c.proposals) +
                           " unsettled proposals are not imported (only signed states are)");
      }
    } else if (c.on_chain_outcome) {
      missing->push_back(c.where +
                         ": OnChain.Outcome and OnChain.StateHash (the last outcome seen on "
                         "chain) are not imported");
    }
  }
  if (ledgers > 0) {
    missing->push_back(
        "ledger channels: go-nitro keeps only the current turn of each ledger "
        "channel; earlier turns of the " +
        std::to_string(ledgers) + " ledger channels are not in the store");
  }
  for (const auto& [id, v] : store.vouchers) {
    if (store.channels.count(id) == 0) {
      missing->push_back(v.where +
                         ": the channel is not in the store (defunded); its voucher "
                         "is not imported");
    }
  }
  if (!store.vouchers.empty()) {
    missing->push_back(
        "vouchers: StartingBalance is not imported (it is the payer's balance in "
        "the channel's states)");
  }
  if (!store.objectives.empty()) {
    missing->push_back(
        "objectives: their id, status and channels are imported; go-nitro's working fields "
        "(deposit targets, roles, TransactionSumbmitted) are not");
  }
  if (store.last_block) {
    missing->push_back("blocks: the last block processed (" + std::to_string(*store.last_block) +
                       ") is not imported; on-chain events are imported as holdings");
  }
}

std::string TurnText(const std::optional<uint64_t>& t) {
  return t ? std::to_string(*t) : std::string("none");
}

void CompareChannel(const GoChannel& c, const ChannelState& s, std::vector<std::string>* diffs) {
  auto diff = [&](const std::string& what) { diffs->push_back(c.where + ": " + what); };
  if (s.fixed != c.fixed) diff("the fixed part differs");
  std::map<uint64_t, nitro::SignedState> logged;
  for (nitro::SignedState& ss : SignedStates(s)) {
    logged.emplace(ss.state.variable.turn_num, std::move(ss));
  }
  for (const auto& [turn, signed_state] : c.states) {
    auto it = logged.find(turn);
    if (it == logged.end()) {
      diff("turn " + std::to_string(turn) + " is missing from the log");
      continue;
    }
    if (it->second.state.variable != signed_state.state.variable) {
      diff("turn " + std::to_string(turn) + ": the state differs");
    }
    if (it->second.sigs != signed_state.sigs) {
      diff("turn " + std::to_string(turn) + ": the signatures differ");
    }
  }
  for (const auto& [turn, known] : s.states) {
    if (c.states.count(turn) == 0) diff("the log has turn " + std::to_string(turn));
  }
  if (s.latest_supported != c.latest_supported) {
    diff("latest supported turn " + TurnText(c.latest_supported) + ", the log's " +
         TurnText(s.latest_supported));
  }
  if (s.holdings != c.holdings) diff("the holdings differ");
}

}  // namespace

StatusOr<MigrationPlan> PlanMigration(const GoNitroStore& store, Timestamp start) {
  Builder b(start);
  events::StoreImported imported{"go-nitro", store.node, {}, 0};
  for (const SourceFile& f : store.files) imported.files.push_back({f.name, f.size, f.digest});
  b.Add(imported, store.dir);
  for (const auto& [id, c] : store.channels) AddChannel(c, &b);
  for (const auto& [id, v] : store.vouchers) {
    if (store.channels.count(id) == 0) continue;  // reported as missing
    std::string source = v.where + ": LargestVoucher.Signature";
    if (v.payer == store.node) {
      b.Add(events::VoucherSent{id, v.amount, v.payer, v.signature}, std::move(source));
    } else {
      b.Add(events::VoucherReceived{id, v.amount, v.payer, v.signature}, std::move(source));
    }
  }
  for (const auto& [id, o] : store.objectives) AddObjective(o, &b);

  MigrationPlan& plan = b.plan();
  std::get<events::StoreImported>(plan.events[0].body).events = plan.events.size() - 1;
  plan.events[0] = Event::Make(plan.events[0].timestamp, plan.events[0].body);  // its id again
  NoteMissing(store, &plan.missing);
  return std::move(plan);
}

std::vector<std::string> Compare(const GoNitroStore& store, const NodeView& view) {
  std::vector<std::string> diffs;
  for (const auto& [id, c] : store.channels) {
    auto it = view.channels.find(id);
    if (it == view.channels.end()) {
      diffs.push_back(c.where + ": the channel is missing from the log");
      continue;
    }
    CompareChannel(c, it->second, &diffs);
    Uint256 paid, received;
    if (auto v = store.vouchers.find(id); v != store.vouchers.end()) {
      (v->second.payer == store.node ? paid : received) = v->second.amount;
    }
    if (it->second.paid != paid || it->second.received != received) {
      diffs.push_back(c.where + ": vouchers: the store has paid " + paid.ToDecimal() +
                      ", received " + received.ToDecimal() + "; the log " +
                      it->second.paid.ToDecimal() + ", " + it->second.received.ToDecimal());
    }
  }
  for (const auto& [id, s] : view.channels) {
    if (store.channels.count(id) == 0) {
      diffs.push_back("the log has channel " + id.ToHex() + ", the store does not");
    }
  }
  for (const auto& [id, o] : store.objectives) {
    auto it = view.objectives.find(id);
    if (it == view.objectives.end()) {
      diffs.push_back(o.where + ": the objective is missing from the log");
      continue;
    }
    if (static_cast<uint8_t>(it->second.status) != o.status) {
      diffs.push_back(o.where + ": status " + std::to_string(o.status) + ", the log's " +
                      std::string(ObjectiveStatusName(it->second.status)));
    }
    if (it->second.channels != o.channels) diffs.push_back(o.where + ": the channels differ");
  }
  for (const auto& [id, o] : view.objectives) {
    if (store.objectives.count(id) == 0) {
      diffs.push_back("the log has objective " + id.ToString() + ", the store does not");
    }
  }
  for (const auto& [channel, objective] : store.channel_to_objective) {
    auto it = view.objectives.find(objective);
    if (it == view.objectives.end() ||
        std::find(it->second.channels.begin(), it->second.channels.end(), channel) ==
            it->second.channels.end()) {
      diffs.push_back("channel_to_objective: channel " + channel.ToHex() + " belongs to " +
                      objective.ToString() + ", which does not own it in the log");
    }
  }
  return diffs;
}

}  // namespace statelog::gonitro
