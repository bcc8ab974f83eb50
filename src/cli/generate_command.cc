// `statelog generate`: realistic signed histories of any size (demo/generator.h), as JSON lines
// or appended through the checked domain API into a store, to size a node.
#include <cerrno>
#include <cstring>
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "demo/generator.h"
#include "demo/scenario.h"
#include "statelog/codec.h"

namespace statelog::cli {
namespace {

struct GenerateArgs {
  StoreFlags flags;
  demo::GeneratorOptions options;
  std::string out;        // --out FILE ("-": stdout)
  uint64_t batch = 1000;  // events per checked append into a store
  CLI::Option* data = nullptr;
  CLI::Option* store = nullptr;
  std::string node;  // --node ADDRESS: the hub's or a client's
};

// Sets options->client from --node: the hub (Irene) or one of the clients.
Status ChooseNode(const std::string& node, demo::GeneratorOptions* options) {
  if (node.empty()) return Status::OK();
  STATELOG_ASSIGN_OR_RETURN(Address a, Address::FromHex(node));
  if (a == demo::Actor::Irene().address) {
    options->client.reset();
    return Status::OK();
  }
  for (uint64_t k = 0; k < options->channels; ++k) {
    if (demo::Client(*options, k).address == a) {
      options->client = k;
      return Status::OK();
    }
  }
  return Status::InvalidArgument(
      node + " is neither the hub (" + demo::Actor::Irene().address.ToHex() + ") nor one of the " +
      std::to_string(options->channels) + " clients of seed " + std::to_string(options->seed));
}

// Writes the history as JSON lines to `path` ("-": stdout).
Status WriteJsonLines(demo::Generator& generator, const std::string& path) {
  const bool to_stdout = path == "-";
  std::FILE* f = to_stdout ? stdout : std::fopen(path.c_str(), "wbe");
  if (f == nullptr) return Status::IOError("--out: cannot create " + path + ": " + strerror(errno));
  std::vector<Event> events;
  std::string line;
  Status result;
  Progress progress("channels");
  const uint64_t channels = generator.options().channels;
  while (result.ok() && generator.Next(1000, &events)) {
    for (const Event& e : events) {
      line.clear();
      EncodeEvent(e, &line);
      line.push_back('\n');
      if (std::fwrite(line.data(), 1, line.size(), f) != line.size()) {
        result = Status::IOError("--out: cannot write " + (to_stdout ? "stdout" : path) + ": " +
                                 strerror(errno));
        break;
      }
    }
    events.clear();
    progress.Update(generator.channels_done(), channels);
  }
  progress.Done();
  if (std::fflush(f) != 0 && result.ok()) {
    result = Status::IOError("--out: cannot write " + path + ": " + strerror(errno));
  }
  if (!to_stdout && std::fclose(f) != 0 && result.ok()) {
    result = Status::IOError("--out: cannot close " + path + ": " + strerror(errno));
  }
  return result;
}

void RunGenerate(Context& ctx, GenerateArgs& a) {
  const bool to_store = a.data->count() > 0 || a.store->count() > 0;
  if (to_store && !a.out.empty()) {
    return Fail(ctx, kExitUsage,
                Status::InvalidArgument("--out: give either --out (JSON lines) or --data/--store "
                                        "(append to a store), not both"));
  }
  if (Status st = ChooseNode(a.node, &a.options); !st.ok()) {
    return Fail(ctx, kExitUsage, st.WithPrefix("--node"));
  }
  if (a.options.client && *a.options.client >= a.options.channels) {
    return Fail(ctx, kExitUsage,
                Status::InvalidArgument("--client: client " + std::to_string(*a.options.client) +
                                        " of " + std::to_string(a.options.channels)));
  }
  demo::Generator generator(a.options);
  if (!to_store) {
    Status st = WriteJsonLines(generator, a.out.empty() ? "-" : a.out);
    if (!st.ok()) return Fail(ctx, kExitFailure, st);
    std::fprintf(stderr, "generated %llu events (%llu signatures, %llu channels)\n",
                 static_cast<unsigned long long>(generator.events()),
                 static_cast<unsigned long long>(generator.signatures()),
                 static_cast<unsigned long long>(a.options.channels));
    return;
  }
  auto opened = OpenStore(a.flags, Access::kCreate);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  std::vector<Event> events;
  uint64_t appended = 0, present = 0;
  Progress progress("channels");
  const uint64_t channels = a.options.channels;
  while (generator.Next(a.batch, &events)) {
    auto results = db.AppendBatch(events);
    if (!results.ok()) {
      progress.Done();
      return Fail(ctx, ExitCodeFor(results.status()),
                  results.status().WithPrefix("after " + std::to_string(appended + present) +
                                              " generated events"));
    }
    for (const AppendResult& r : *results) ++(r.appended ? appended : present);
    events.clear();
    progress.Update(generator.channels_done(), channels);
  }
  progress.Done();
  std::printf(
      "generated %llu events (%llu signatures, %llu channels) into the %s: %llu appended, "
      "%llu already present\n",
      static_cast<unsigned long long>(generator.events()),
      static_cast<unsigned long long>(generator.signatures()),
      static_cast<unsigned long long>(a.options.channels), db.description().c_str(),
      static_cast<unsigned long long>(appended), static_cast<unsigned long long>(present));
}

}  // namespace

void RegisterGenerateCommand(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Generate a realistic signed history of any size under go-nitro's rules (ledger channels, "
      "virtual channels with vouchers, challenges, defunding) as the hub's or a client's log: "
      "JSON lines to stdout or --out, or appended to --data/--store");
  demo::GeneratorOptions& o = a->options;
  cmd->add_option("--channels", o.channels,
                  "Ledger channels the hub opens, one per client; clients pair up over virtual "
                  "channels (at least 1)")
      ->check(Decimal())
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--payments", o.payments,
                  "Mean vouchers per virtual channel (each draws from 0 to twice this)")
      ->check(Decimal())
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 32))
      ->capture_default_str();
  cmd->add_option("--challenges", o.challenge_percent,
                  "Percent of the pairs whose payer's ledger is challenged (and cleared), 0 to 100")
      ->check(Decimal())
      ->check(CLI::Range(0u, 100u))
      ->capture_default_str();
  cmd->add_option("--open", o.open_percent, "Percent of the pairs left open at the end, 0 to 100")
      ->check(Decimal())
      ->check(CLI::Range(0u, 100u))
      ->capture_default_str();
  cmd->add_option("--concurrency", o.concurrency,
                  "Pairs in progress at once, whose events interleave (at least 1)")
      ->check(Decimal())
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed: the same options and seed give the same history")
      ->check(Decimal())
      ->capture_default_str();
  cmd->add_option("--start", o.start,
                  "Timestamp of the first event (microseconds since the Unix epoch)")
      ->check(Decimal())
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 60))
      ->capture_default_str();
  cmd->add_option("--client", o.client,
                  "Client K's log instead of the hub's (0 to --channels minus 1)")
      ->check(Decimal());
  cmd->add_option("--node", a->node,
                  "The node whose log to write: the hub's address (the default) or a client's")
      ->option_text("ADDRESS")
      ->excludes("--client");
  cmd->add_option("--out", a->out, "Write JSON lines to FILE instead of stdout")
      ->check(NonEmpty())
      ->option_text("FILE");
  cmd->add_option("--batch", a->batch,
                  "With --data/--store: events per checked append (all or nothing), 1 to 100000")
      ->check(Decimal())
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000}))
      ->capture_default_str();
  AddStoreFlags(cmd, &a->flags);
  a->data = cmd->get_option("--data");
  a->store = cmd->get_option("--store");
  cmd->callback([&ctx, a] { RunGenerate(ctx, *a); });
}

}  // namespace statelog::cli
