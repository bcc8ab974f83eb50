// `statelog codec-demo`: encodes, hashes and decodes a few events and prints them.
#include <cstdio>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "statelog/codec.h"

namespace statelog::cli {

void RegisterCodecDemoCommand(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand("codec-demo", "Encode, hash and decode a few sample events");
  cmd->callback([&ctx] {
    ChannelId channel =
        ChannelId::FromHex("0x1111111111111111111111111111111111111111111111111111111111111111")
            .value();
    ObjectiveId objective{ObjectiveKind::kDirectFunding, channel};
    std::vector<Event> sample = {
        Event::Make(1'700'000'000'000'000, events::ObjectiveCreated{objective, {channel}, true}),
        Event::Make(1'700'000'000'000'100,
                    events::DepositDetected{channel, Address{}, Uint256(5), Uint256(5), 17}),
        Event::Make(1'700'000'000'000'200, events::ObjectiveCompleted{objective}),
    };
    for (const Event& e : sample) {
      std::string json = EncodeEvent(e);
      auto back = DecodeEvent(json);
      if (!back.ok() || !(*back == e)) {
        std::fprintf(stderr, "statelog: round trip failed: %s\n", back.status().ToString().c_str());
        ctx.exit_code = kExitFailure;
        return;
      }
      std::printf("%s  id=%s\n  %s\n", std::string(EventTypeName(e.type())).c_str(),
                  e.id.ToHex().c_str(), json.c_str());
    }
    std::printf("%zu events encoded, hashed and decoded back identically\n", sample.size());
  });
}

}  // namespace statelog::cli
