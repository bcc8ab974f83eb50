#include "testing/race.h"

#include <map>
#include <set>

#include "demo/scenario.h"

namespace statelog::testing {

using demo::Actor;
using demo::ChannelScript;

namespace {
constexpr Timestamp kStart = 1'700'000'000'000'000;
constexpr uint64_t kContestedTurn = 2;
}  // namespace

Race MakeRace(int writers, int contests, uint64_t nonce_base) {
  Race race;
  race.by_writer.resize(writers);
  for (int c = 0; c < contests; ++c) {
    ChannelScript base(Actor::Alice(), Actor::Bob(), nonce_base + c, kStart, Uint256(100));
    race.setup.push_back(base.ChannelCreated());
    race.setup.push_back(base.ObjectiveCreated(base.funding(), /*approved=*/false));
    race.setup.push_back(base.Sign(Actor::Alice(), 0));
    race.setup.push_back(base.Sign(Actor::Bob(), 0));
    for (int w = 0; w < writers; ++w) {
      ChannelScript s = base;  // same channel, same clock
      std::vector<Event>& mine = race.by_writer[w];
      mine.push_back(w % 2 == 0 ? s.ObjectiveApproved(s.funding())
                                : s.ObjectiveRejected(s.funding(), "writer " + std::to_string(w)));
      s.Transfer(Actor::Alice(), Uint256(static_cast<uint64_t>(w + 1)));
      mine.push_back(s.Sign(Actor::Alice(), kContestedTurn));
      mine.push_back(s.Voucher(Actor::Alice(), Uint256(static_cast<uint64_t>(10 * (w + 1)))));
    }
  }
  return race;
}

std::vector<std::string> CheckRaceOutcome(const EventStore& store, const Race& race) {
  std::vector<std::string> problems;
  std::map<ObjectiveId, int> decisions;
  std::map<ChannelId, std::set<Hash256>> contested;
  std::map<ChannelId, Uint256> last_voucher;
  std::set<EventId> ids;
  for (auto c = store.NewCursor(0); c->Valid(); c->Next()) {
    const Event& e = c->event().event;
    ids.insert(e.id);
    std::visit(
        [&](const auto& b) {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, events::ObjectiveApproved> ||
                        std::is_same_v<T, events::ObjectiveRejected>) {
            ++decisions[b.objective_id];
          } else if constexpr (std::is_same_v<T, events::StateSigned>) {
            if (b.state.turn_num == kContestedTurn) contested[b.channel_id].insert(b.state_hash);
          } else if constexpr (std::is_same_v<T, events::VoucherSent>) {
            auto it = last_voucher.find(b.channel_id);
            if (it != last_voucher.end() && b.amount < it->second) {
              problems.push_back("offset " + std::to_string(c->event().offset) +
                                 ": a voucher below the previous one");
            }
            last_voucher[b.channel_id] = b.amount;
          }
        },
        e.body);
  }
  for (const Event& e : race.setup) {
    if (!ids.contains(e.id)) problems.push_back("setup event " + e.id.ToHex() + " is missing");
    if (const auto* created = std::get_if<events::ObjectiveCreated>(&e.body)) {
      const int n = decisions[created->objective_id];
      if (n != 1) {
        problems.push_back("objective " + created->objective_id.ToString() + " was decided " +
                           std::to_string(n) + " times");
      }
    }
    if (const auto* created = std::get_if<events::ChannelCreated>(&e.body)) {
      const size_t n = contested[created->channel_id].size();
      if (n != 1) {
        problems.push_back("channel " + created->channel_id.ToHex() + " has " + std::to_string(n) +
                           " states for turn 2");
      }
    }
  }
  return problems;
}

}  // namespace statelog::testing
