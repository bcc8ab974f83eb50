// `statelog import`, `export`, `log` and `show`.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "base/parallel.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/read_file.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "statelog/codec.h"
#include "statelog/reconstruct.h"
#include "statelog/snapshot.h"

namespace statelog::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
    case StatusCode::kNotFound:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

namespace {

std::atomic<bool> g_interrupted{false};
void OnSignal(int) { g_interrupted = true; }

// Names the input line of the batch event an error is about (Status::index()).
Status WithLine(const Status& st, const std::string& source, const std::vector<size_t>& lines) {
  if (!st.index() || *st.index() >= lines.size()) return st;
  return st.WithPrefix(source + ":" + std::to_string(lines[*st.index()]));
}

// Reads all of `path` ("-": stdin) into *text. Refuses a directory; names the read error (e.g.
// "Input/output error") rather than taking a failed read for the end of the input.
Status ReadInput(const std::string& path, std::string* text) {
  const std::string name = path == "-" ? std::string("stdin") : path;
  const ReadFailure failure = ReadWholeFile(path, text->max_size(), text);
  switch (failure.kind) {
    case ReadFailure::kNone:
      return Status::OK();
    case ReadFailure::kDirectory:
      return Status::InvalidArgument("cannot import " + name +
                                     ": it is a directory, not a file of JSON lines");
    case ReadFailure::kRead:
      return Status::IOError("cannot read " + name + " at byte " + std::to_string(failure.at) +
                             ": " + std::strerror(failure.error));
    case ReadFailure::kOpen:
    case ReadFailure::kTooLarge:
      break;
  }
  return Status::IOError("cannot read " + name + ": " + std::strerror(failure.error));
}

void RunImport(Context& ctx, const StoreFlags& flags, const std::string& path) {
  const std::string source = path == "-" ? std::string("stdin") : path;
  std::string text;
  if (Status st = ReadInput(path, &text); !st.ok()) {
    return Fail(ctx, st.IsInvalidArgument() ? kExitBadInput : kExitFailure, st);
  }
  // Decode everything first, on every core: a bad line appends nothing; the first bad line is
  // reported. Ids are not recomputed here: the Ledger checks the id of every event it takes for a
  // retry and the log core that of every event it appends (one keccak per event instead of two).
  std::vector<std::string_view> texts;
  std::vector<size_t> lines;
  size_t number = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    texts.push_back(line);
    lines.push_back(number);
  }
  std::vector<Event> events(texts.size());
  std::vector<Status> decoded(texts.size());
  ParallelFor(texts.size(), 0, 256, [&](size_t i) {
    thread_local EventDecoder decoder;
    decoded[i] = decoder.Decode(texts[i], &events[i], DecodeOptions{.verify_id = false});
  });
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (!decoded[i].ok()) {
      return Fail(ctx, kExitBadInput,
                  Status::InvalidArgument(source + ":" + std::to_string(lines[i]) + ": " +
                                          std::string(decoded[i].message())));
    }
  }
  if (events.empty()) {
    // An empty input is almost always a mistake (a wrong file, a producer that died): refused.
    return Fail(ctx, kExitBadInput,
                Status::InvalidArgument("nothing imported: " + source + " holds no events"));
  }
  // A node's exported log begins with its own log_created: that event creates the log (the
  // Ledger would write another), and --node must name the same node.
  StoreFlags store_flags = flags;
  if (const auto* created = std::get_if<events::LogCreated>(&events[0].body);
      created && !flags.node.empty()) {
    StatusOr<Address> node = Address::FromHex(flags.node);  // AddNodeFlag checked it
    if (!node.ok() || *node != created->node) {
      return Fail(ctx, kExitUsage,
                  Status::InvalidArgument("--node: " + source + " is the log of node " +
                                          created->node.ToHex() + ", not of " + flags.node));
    }
    store_flags.node.clear();
  }
  auto opened = OpenStore(store_flags, Access::kCreate);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  auto results = db.AppendBatch(events);
  if (!results.ok()) {
    return Fail(ctx, ExitCodeFor(results.status()),
                WithLine(results.status(), source, lines).WithPrefix("nothing imported"));
  }
  size_t fresh = 0;
  std::optional<Offset> first, last;
  for (const auto& r : *results) {
    if (!r.appended) continue;
    ++fresh;
    if (!first) first = r.offset;
    last = r.offset;
  }
  std::printf("imported %zu events (%zu already present)", fresh, events.size() - fresh);
  if (fresh > 0) {
    std::printf(" at offsets %llu..%llu", static_cast<unsigned long long>(*first),
                static_cast<unsigned long long>(*last));
  }
  std::printf("\n");
}

void RunExport(Context& ctx, const StoreFlags& flags, uint64_t from, std::optional<uint64_t> to) {
  auto opened = OpenStore(flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  auto length = db.events().Length();
  if (!length.ok()) return Fail(ctx, kExitFailure, length.status());
  uint64_t end = to.value_or(*length);
  if (end > *length || from > end) {
    return Fail(
        ctx, kExitBadInput,
        Status::OutOfRange("range [" + std::to_string(from) + ", " + std::to_string(end) +
                           ") is not within the log's " + std::to_string(*length) + " events"));
  }
  Progress progress("exporting");
  std::string out;
  auto cursor = db.events().NewCursor(from, end);
  for (; cursor->Valid(); cursor->Next()) {
    out.clear();
    EncodeEvent(cursor->event().event, &out);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stdout);
    progress.Update(cursor->event().offset + 1 - from, end - from);
  }
  progress.Done();
  if (!cursor->status().ok()) return Fail(ctx, kExitFailure, cursor->status());
}

struct LogFilter {
  std::string type, channel, objective;
  std::optional<EventType> parsed_type;
  std::optional<ChannelId> parsed_channel;
  std::optional<ObjectiveId> parsed_objective;

  Status Parse() {
    if (!type.empty()) {
      parsed_type = ParseEventType(type);
      if (!parsed_type) return Status::InvalidArgument("--type: unknown event type '" + type + "'");
    }
    if (!channel.empty()) {
      auto c = ChannelId::FromHex(channel);
      if (!c.ok()) return c.status().WithPrefix("--channel");
      parsed_channel = *c;
    }
    if (!objective.empty()) {
      auto o = ObjectiveId::Parse(objective);
      if (!o.ok()) return o.status().WithPrefix("--objective");
      parsed_objective = *o;
    }
    return Status::OK();
  }
  bool Matches(const Event& e) const {
    if (parsed_type && e.type() != *parsed_type) return false;
    if (parsed_channel && (!e.channel() || *e.channel() != *parsed_channel)) return false;
    if (parsed_objective && (!e.objective() || *e.objective() != *parsed_objective)) return false;
    return true;
  }
};

void PrintEvent(const StoredEvent& s, bool json) {
  if (json) {
    std::printf("{\"offset\":%llu,\"chain\":\"%s\",\"event\":%s}\n",
                static_cast<unsigned long long>(s.offset), s.chain.ToHex().c_str(),
                EncodeEvent(s.event).c_str());
  } else {
    std::printf("%8llu  %s  %-20s  %s\n", static_cast<unsigned long long>(s.offset),
                FormatTime(s.event.timestamp).c_str(),
                std::string(EventTypeName(s.event.type())).c_str(), Summary(s.event).c_str());
  }
  std::fflush(stdout);
}

struct LogArgs {
  StoreFlags flags;
  LogFilter filter;
  uint64_t from = 0;
  uint64_t limit = 0;
  bool follow = false;
  bool json = false;
  uint64_t reconnect_timeout = 60;  // seconds
};

void RunLog(Context& ctx, LogArgs& a) {
  Status st = a.filter.Parse();
  if (!st.ok()) return Fail(ctx, kExitUsage, st);
  auto opened = OpenStore(a.flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  const EventStore& store = db.events();
  uint64_t printed = 0;
  auto done = [&] { return a.limit != 0 && printed >= a.limit; };
  if (a.follow) {
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    std::mutex mu;
    std::condition_variable cv;
    // An unreachable store (a database server down or failing over) is reported on standard
    // error, with the time the outage began; the subscription keeps reconnecting until it is
    // back (and goes on where it was) or --reconnect-timeout passes (then it stops, below).
    SubscribeOptions options;
    options.reconnect_timeout = std::chrono::seconds(a.reconnect_timeout);
    options.on_state = [&](const SubscriptionState& state) {
      std::lock_guard<std::mutex> lock(mu);
      if (state.kind == SubscriptionState::kUnreachable) {
        std::fprintf(stderr,
                     "statelog: log --follow: the store is unreachable since %s; reconnecting "
                     "(for at most %llu s, --reconnect-timeout): %s\n",
                     FormatTime(state.since).c_str(),
                     static_cast<unsigned long long>(a.reconnect_timeout),
                     state.error.ToString().c_str());
      } else if (state.kind == SubscriptionState::kReachable) {
        std::fprintf(stderr,
                     "statelog: log --follow: reconnected (the store was unreachable since %s); "
                     "going on from offset %llu\n",
                     FormatTime(state.since).c_str(), static_cast<unsigned long long>(state.next));
      }
      cv.notify_all();
    };
    SubscriptionId id = db.SubscribeFrom(
        a.from,
        [&](const StoredEvent& s) {
          std::lock_guard<std::mutex> lock(mu);
          if (done() || !a.filter.Matches(s.event)) return;
          PrintEvent(s, a.json);
          ++printed;
          cv.notify_all();
        },
        std::move(options));
    std::unique_lock<std::mutex> lock(mu);
    // A subscription that stopped on an error (a read error, a lost database) ends the command
    // with that error: following silently forever would hide it.
    Status stopped;
    while (!done() && !g_interrupted) {
      cv.wait_for(lock, std::chrono::milliseconds(100));
      stopped = db.SubscriptionError(id);
      if (!stopped.ok()) break;
    }
    lock.unlock();
    (void)db.Unsubscribe(id);
    if (!stopped.ok()) return Fail(ctx, kExitFailure, stopped.WithPrefix("log --follow stopped"));
    return;
  }
  auto length = store.Length();
  if (!length.ok()) return Fail(ctx, kExitFailure, length.status());
  if (a.from > *length) {
    return Fail(ctx, kExitBadInput, Status::OutOfRange("--from is past the end of the log"));
  }
  StatusOr<std::vector<Offset>> offsets = std::vector<Offset>();
  bool indexed = a.filter.parsed_channel || a.filter.parsed_objective;
  if (a.filter.parsed_channel) {
    offsets = store.ChannelOffsets(*a.filter.parsed_channel, *length);
  } else if (a.filter.parsed_objective) {
    offsets = store.ObjectiveOffsets(*a.filter.parsed_objective, *length);
  }
  if (!offsets.ok()) return Fail(ctx, kExitFailure, offsets.status());
  if (indexed) {
    for (Offset off : *offsets) {
      if (off < a.from || done()) continue;
      auto s = store.Read(off);
      if (!s.ok()) return Fail(ctx, kExitFailure, s.status());
      if (a.filter.Matches(s->event)) {
        PrintEvent(*s, a.json);
        ++printed;
      }
    }
    return;
  }
  auto cursor = store.NewCursor(a.from);
  for (; cursor->Valid() && !done(); cursor->Next()) {
    if (!a.filter.Matches(cursor->event().event)) continue;
    PrintEvent(cursor->event(), a.json);
    ++printed;
  }
  if (!cursor->status().ok()) Fail(ctx, kExitFailure, cursor->status());
}

struct ShowArgs {
  StoreFlags flags;
  std::string id;
  std::optional<uint64_t> at;
  bool json = false;
  bool go_nitro = false;
};

// "provenance: N of M events imported from ..." when some of an entity's events (at `offsets`)
// were imported from another system's store; nothing for native history.
Status PrintProvenance(const EventStore& store, const std::vector<Offset>& offsets) {
  if (offsets.empty()) return Status::OK();
  STATELOG_ASSIGN_OR_RETURN(std::vector<ImportedRange> imports, store.Imports(offsets.back() + 1));
  for (const ImportedRange& m : imports) {
    size_t n = 0;
    for (Offset o : offsets) n += m.Contains(o) ? 1 : 0;
    if (n == 0) continue;
    std::printf(
        "  provenance:    %zu of %zu events imported from the %s store of node %s "
        "(store_imported at offset %llu)\n",
        n, offsets.size(), m.source.c_str(), m.node.ToHex().c_str(),
        static_cast<unsigned long long>(m.offset));
  }
  return Status::OK();
}

// Prints an entity's description, the provenance of its events (at `offsets`) and a blank line.
Status PrintDescribed(const EventStore& store, const std::string& description,
                      const StatusOr<std::vector<Offset>>& offsets) {
  std::fputs(description.c_str(), stdout);
  if (!offsets.ok()) return offsets.status();
  STATELOG_RETURN_IF_ERROR(PrintProvenance(store, *offsets));
  std::printf("\n");
  return Status::OK();
}

void RunShow(Context& ctx, const ShowArgs& a, bool channel) {
  auto opened = OpenStore(a.flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  Reconstructor r(&db.events());
  if (channel) {
    auto id = ChannelId::FromHex(a.id);
    if (!id.ok()) return Fail(ctx, kExitUsage, id.status().WithPrefix("channel id"));
    // go-nitro keeps every signed turn of a channel; the node view only the current ones.
    auto state = r.Channel(*id, a.at, a.go_nitro ? TurnRetention::kAll : TurnRetention::kCurrent);
    if (!state.ok()) return Fail(ctx, ExitCodeFor(state.status()), state.status());
    if (a.go_nitro) {
      std::fputs(GoNitroSignedStates(*state).c_str(), stdout);
    } else if (a.json) {
      std::printf("%s\n", EncodeChannelState(*state).c_str());
    } else {
      Status st = PrintDescribed(db.events(), Describe(*state),
                                 db.events().ChannelOffsets(*id, state->last_offset + 1));
      if (!st.ok()) return Fail(ctx, kExitFailure, st);
    }
  } else {
    auto id = ObjectiveId::Parse(a.id);
    if (!id.ok()) return Fail(ctx, kExitUsage, id.status().WithPrefix("objective id"));
    auto state = r.Objective(*id, a.at);
    if (!state.ok()) return Fail(ctx, ExitCodeFor(state.status()), state.status());
    if (a.json) {
      std::printf("%s\n", EncodeObjectiveState(*state).c_str());
    } else {
      Status st = PrintDescribed(db.events(), Describe(*state),
                                 db.events().ObjectiveOffsets(*id, state->last_offset + 1));
      if (!st.ok()) return Fail(ctx, kExitFailure, st);
    }
  }
}

}  // namespace

void RegisterDataCommands(CLI::App& app, Context& ctx) {
  {
    auto flags = std::make_shared<StoreFlags>();
    auto path = std::make_shared<std::string>("-");
    CLI::App* cmd = app.add_subcommand(
        "import",
        "Append events from JSON lines (a file is all or nothing; checked like any append)");
    cmd->add_option("file", *path, "File of JSON lines, or - for stdin")->capture_default_str();
    AddStoreFlags(cmd, flags.get());
    AddNodeFlag(cmd, flags.get());
    cmd->callback([&ctx, flags, path] { RunImport(ctx, *flags, *path); });
  }
  {
    auto flags = std::make_shared<StoreFlags>();
    auto from = std::make_shared<uint64_t>(0);
    auto to = std::make_shared<std::optional<uint64_t>>();
    CLI::App* cmd = app.add_subcommand("export", "Write events as JSON lines to stdout");
    cmd->add_option("--from", *from, "First offset")->check(Decimal())->capture_default_str();
    cmd->add_option("--to", *to, "Stop before this offset (default: the end of the log)")
        ->check(Decimal());
    AddStoreFlags(cmd, flags.get(), /*writes=*/false);
    cmd->callback([&ctx, flags, from, to] { RunExport(ctx, *flags, *from, *to); });
  }
  {
    auto a = std::make_shared<LogArgs>();
    CLI::App* cmd = app.add_subcommand("log", "List the log, or follow it (--follow)");
    cmd->add_option("--from", a->from, "First offset")->check(Decimal())->capture_default_str();
    cmd->add_option("--limit", a->limit, "Stop after this many events (0: no limit)")
        ->check(Decimal())
        ->capture_default_str();
    cmd->add_option("--type", a->filter.type, "Only events of this type, e.g. state_signed")
        ->check(NonEmpty());
    cmd->add_option("--channel", a->filter.channel, "Only this channel's events (0x... id)")
        ->check(NonEmpty());
    cmd->add_option("--objective", a->filter.objective,
                    "Only this objective's events (e.g. DirectFunding-0x...)")
        ->check(NonEmpty());
    cmd->add_flag("--follow,-f", a->follow,
                  "After the history, wait for new events (with --store, appends of every "
                  "process; the embedded store admits one process at a time)");
    cmd->add_option("--reconnect-timeout", a->reconnect_timeout,
                    "With --follow: seconds to keep reconnecting to an unreachable store (a "
                    "database down or failing over) before exiting 1; 0: exit at once")
        ->check(Decimal())
        ->check(CLI::Range(uint64_t{0}, uint64_t{86400}))
        ->capture_default_str();
    cmd->add_flag("--json", a->json, "One JSON object per line: offset, chain, event");
    AddStoreFlags(cmd, &a->flags, /*writes=*/false);
    cmd->callback([&ctx, a] { RunLog(ctx, *a); });
  }
  {
    CLI::App* show = app.add_subcommand("show", "Show a channel's or an objective's state");
    show->require_subcommand(1);
    for (bool channel : {true, false}) {
      auto a = std::make_shared<ShowArgs>();
      CLI::App* cmd = channel
                          ? show->add_subcommand("channel", "A channel's reconstructed state")
                          : show->add_subcommand("objective", "An objective's reconstructed state");
      cmd->add_option(
             "id", a->id,
             channel ? "Channel id (0x + 64 hex digits)" : "Objective id, e.g. DirectFunding-0x...")
          ->required();
      cmd->add_option("--at", a->at, "Time travel: the state after the event at this offset")
          ->check(Decimal());
      auto* json = cmd->add_flag("--json", a->json, "Print the state as JSON");
      if (channel) {
        cmd->add_flag("--go-nitro", a->go_nitro,
                      "Print the channel's states as go-nitro SignedState JSON, one per line "
                      "and turn, superseded turns included")
            ->excludes(json);
      }
      AddStoreFlags(cmd, &a->flags, /*writes=*/false);
      cmd->callback([&ctx, a, channel] { RunShow(ctx, *a, channel); });
    }
  }
}

}  // namespace statelog::cli
