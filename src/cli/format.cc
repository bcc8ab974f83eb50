#include "cli/format.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <sstream>

#include "base/overloaded.h"
#include "statelog/nitro.h"
#include "statelog/snapshot.h"

namespace statelog::cli {
namespace {

std::string Sh(const auto& fixed) { return Short(fixed.ToHex()); }

std::string DescribeProposal(const ChannelId& ledger, const events::SignedProposal& p) {
  return Sh(ledger) + " turn " + std::to_string(p.state.turn_num) + " " +
         std::string(ProposalKindName(p.proposal.kind)) + " " + Sh(p.proposal.target) + " by " +
         Sh(p.signer);
}

std::string Outcome(const Exit& exit) {
  std::string out;
  for (const auto& asset : exit) {
    for (const auto& a : asset.allocations) {
      if (!out.empty()) out += ", ";
      out += Short(a.destination.ToHex()) + "=" + a.amount.ToDecimal();
    }
  }
  return out.empty() ? "(empty)" : out;
}

}  // namespace

std::string Short(std::string_view hex) {
  if (hex.size() <= 14) return std::string(hex);
  return std::string(hex.substr(0, 8)) + "…" + std::string(hex.substr(hex.size() - 4));
}

std::string FormatTime(Timestamp micros) {
  std::time_t secs = static_cast<std::time_t>(micros / 1'000'000);
  int millis = static_cast<int>((micros % 1'000'000) / 1000);
  if (micros < 0 && micros % 1'000'000 != 0) {
    secs -= 1;
    millis = static_cast<int>((1'000'000 + micros % 1'000'000) / 1000);
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, millis);
  return out;
}

std::string Summary(const Event& event) {
  return std::visit(
      Overloaded{
          [](const events::ObjectiveCreated& e) {
            return e.objective_id.ToString() + (e.approved ? " (approved)" : " (proposed)");
          },
          [](const events::ObjectiveApproved& e) { return e.objective_id.ToString(); },
          [](const events::ObjectiveRejected& e) {
            return e.objective_id.ToString() + ": " + e.reason;
          },
          [](const events::ObjectiveCompleted& e) { return e.objective_id.ToString(); },
          [](const events::ObjectiveProgressed& e) {
            return e.objective_id.ToString() + " waiting for " +
                   std::string(ObjectiveStepName(e.waiting_for));
          },
          [](const events::ChannelCreated& e) {
            return Sh(e.channel_id) + " participants " +
                   std::to_string(e.fixed.participants.size()) + ", nonce " +
                   std::to_string(e.fixed.channel_nonce);
          },
          [](const events::StateSigned& e) {
            return Sh(e.channel_id) + " turn " + std::to_string(e.state.turn_num) +
                   (e.state.is_final ? " final" : "") + " by " + Sh(e.signer);
          },
          [](const events::StateReceived& e) {
            return Sh(e.channel_id) + " turn " + std::to_string(e.state.turn_num) +
                   (e.state.is_final ? " final" : "") + " from " + Sh(e.signer);
          },
          [](const events::DepositDetected& e) {
            return Sh(e.channel_id) + " +" + e.amount.ToDecimal() + " now " +
                   e.now_held.ToDecimal();
          },
          [](const events::AllocationUpdated& e) {
            return Sh(e.channel_id) + " now " + e.now_held.ToDecimal();
          },
          [](const events::ChallengeRegistered& e) {
            return Sh(e.channel_id) + " turn " + std::to_string(e.turn_num) + " finalizes at " +
                   std::to_string(e.finalizes_at);
          },
          [](const events::ChallengeCleared& e) {
            return Sh(e.channel_id) + " by turn " + std::to_string(e.turn_num);
          },
          [](const events::ChannelConcluded& e) { return Sh(e.channel_id); },
          [](const events::MessageSent& e) {
            return "to " + Sh(e.peer) + ", " + std::to_string(e.payload.size()) + " bytes";
          },
          [](const events::MessageReceived& e) {
            return "from " + Sh(e.peer) + ", " + std::to_string(e.payload.size()) + " bytes";
          },
          [](const events::VoucherSent& e) {
            return Sh(e.channel_id) + " paid " + e.amount.ToDecimal();
          },
          [](const events::VoucherReceived& e) {
            return Sh(e.channel_id) + " received " + e.amount.ToDecimal();
          },
          [](const events::SnapshotCreated& e) {
            return "covers " + std::to_string(e.covers) + " events";
          },
          [](const events::StoreImported& e) {
            return std::to_string(e.events) + " events from a " + e.source + " store of " +
                   Sh(e.node) + ", " + std::to_string(e.files.size()) + " files";
          },
          [](const events::ProposalSigned& e) {
            return DescribeProposal(e.channel_id, *e.content);
          },
          [](const events::ProposalReceived& e) {
            return DescribeProposal(e.channel_id, *e.content);
          },
          [](const events::ChallengeRaised& e) {
            return Sh(e.channel_id) + " challenged with turn " +
                   std::to_string(e.content->state.turn_num) + " (" +
                   std::to_string(e.content->signatures.size()) + " signatures), finalizes at " +
                   std::to_string(e.content->finalizes_at);
          },
          [](const events::LogCreated& e) {
            return "the log of node " + Sh(e.node) + ", rule set " + std::to_string(e.rules);
          },
      },
      event.body);
}

std::string Describe(const LogIdentity& identity) {
  std::string out(RuleSetName(identity.rules));
  if (identity.node) return out + ", node " + identity.node->ToHex();
  return out + " (no node: a log written before rule sets)";
}

std::string IdentityJsonMembers(const LogIdentity& identity) {
  const std::string object = EncodeLogIdentity(identity);
  return object.substr(1, object.size() - 2);  // without its braces
}

std::string GoNitroSignedStates(const ChannelState& c) {
  std::string out;
  for (const nitro::SignedState& ss : SignedStates(c)) {
    out += nitro::ToNitroJson(ss);
    out += '\n';
  }
  return out;
}

std::string Describe(const ChannelState& c) {
  std::ostringstream out;
  out << "channel " << c.id.ToHex() << "\n";
  out << "  participants:  ";
  for (size_t i = 0; i < c.fixed.participants.size(); ++i) {
    out << (i ? ", " : "") << c.fixed.participants[i].ToHex();
  }
  out << "\n  supported:     ";
  if (const KnownState* s = c.LatestSupported()) {
    out << "turn " << s->state.turn_num << (s->state.is_final ? " (final)" : "") << ", outcome "
        << Outcome(s->state.outcome);
  } else {
    out << "none yet";
  }
  out << "\n  states:        " << c.states.size() << " (turns";
  for (const auto& [turn, s] : c.states) out << " " << turn << ":" << s.signatures.size() << "sig";
  out << ")\n  holdings:      ";
  if (c.holdings.empty()) out << "none";
  bool first = true;
  for (const auto& [asset, amount] : c.holdings) {
    out << (first ? "" : ", ") << (asset.IsZero() ? std::string("native") : Sh(asset)) << " "
        << amount.ToDecimal();
    first = false;
  }
  out << "\n  vouchers:      paid " << c.paid.ToDecimal() << ", received "
      << c.received.ToDecimal();
  out << "\n  challenge:     " << ChallengeStatusName(c.challenge);
  if (c.challenge != ChallengeStatus::kNone) out << " (turn " << c.challenge_turn << ")";
  out << "\n  concluded:     " << (c.concluded ? "yes" : "no");
  out << "\n  events:        " << c.event_count << " (offsets " << c.first_offset << ".."
      << c.last_offset << ")\n";
  return out.str();
}

std::string Describe(const ObjectiveState& o) {
  std::ostringstream out;
  out << "objective " << o.id.ToString() << "\n";
  out << "  status:        " << ObjectiveStatusName(o.status);
  if (o.status == ObjectiveStatus::kRejected) out << " (" << o.rejection_reason << ")";
  out << "\n  waiting for:   "
      << (o.waiting_for ? std::string(ObjectiveStepName(*o.waiting_for)) : std::string("-"));
  out << "\n  channels:      " << o.channels.size();
  out << "\n  events:        " << o.event_count << " (offsets " << o.first_offset << ".."
      << o.last_offset << ")\n";
  return out.str();
}

Progress::Progress(std::string what) : what_(std::move(what)), enabled_(isatty(2) == 1) {}

Progress::~Progress() { Done(); }

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (open_ && now - last_ < std::chrono::milliseconds(100) && done != total) return;
  last_ = now;
  open_ = true;
  double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  std::fprintf(stderr, "\r%s: %llu/%llu (%.0f%%)", what_.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), pct);
}

void Progress::Done() {
  if (open_) std::fprintf(stderr, "\n");
  open_ = false;
}

}  // namespace statelog::cli
