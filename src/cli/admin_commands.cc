// `statelog snapshot`, `verify` and `stats`.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "event/json_writer.h"
#include "statelog/snapshot.h"
#include "statelog/verify.h"

namespace statelog::cli {
namespace {

// The most --threads `verify` accepts: more threads than this only cost memory.
constexpr unsigned kMaxVerifyThreads = 256;

Timestamp NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void RunSnapshot(Context& ctx, const StoreFlags& flags) {
  auto opened = OpenStore(flags, Access::kWrite);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  auto offset = db.TakeSnapshot(NowMicros());
  if (!offset.ok()) return Fail(ctx, kExitFailure, offset.status());
  auto recorded = db.events().Read(*offset);
  if (!recorded.ok()) return Fail(ctx, kExitFailure, recorded.status());
  const auto& created = std::get<events::SnapshotCreated>(recorded->event.body);
  auto view = db.View(
      {.as_of = created.covers == 0 ? std::nullopt : std::optional<Offset>(created.covers - 1)});
  if (!view.ok()) return Fail(ctx, kExitFailure, view.status());
  std::printf("snapshot of %llu events (%zu objectives, %zu channels) recorded at offset %llu\n",
              static_cast<unsigned long long>(created.covers), view->objectives.size(),
              view->channels.size(), static_cast<unsigned long long>(*offset));
}

struct VerifyArgs {
  StoreFlags flags;
  unsigned threads = 0;
  std::string head;  // LENGTH:0xCHAIN
  bool json = false;
};

Status ParseHead(const std::string& text, ChainHead* out) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--head must be LENGTH:0xCHAIN");
  const std::string length = text.substr(0, colon);
  StatusOr<uint64_t> parsed = ParseDecimal64(length);
  if (!parsed.ok()) {
    return Status::InvalidArgument("--head: bad length '" + length +
                                   "' (a decimal number of events)");
  }
  out->length = *parsed;
  auto chain = Hash256::FromHex(text.substr(colon + 1));
  if (!chain.ok()) return chain.status().WithPrefix("--head chain");
  out->chain = *chain;
  return Status::OK();
}

void RunVerify(Context& ctx, const VerifyArgs& a) {
  VerifyOptions options;
  if (!a.head.empty()) {
    ChainHead head;
    Status st = ParseHead(a.head, &head);
    if (!st.ok()) return Fail(ctx, kExitUsage, st);
    options.trusted_head = head;
  }
  auto opened = OpenStore(a.flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  Progress progress("verifying");
  options.threads = a.threads;
  options.snapshots = &db.snapshots();
  options.progress = [&progress](uint64_t done, uint64_t total) { progress.Update(done, total); };
  auto start = std::chrono::steady_clock::now();
  VerifyReport r = db.Verify(options);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.Done();
  if (a.json) {
    std::printf(
        "{\"ok\":%s,\"events\":%llu,\"signatures\":%llu,\"snapshots\":%llu,\"length\":%llu,"
        "\"head\":\"%s\",\"seconds\":%.3f",
        r.status.ok() ? "true" : "false", static_cast<unsigned long long>(r.events),
        static_cast<unsigned long long>(r.signatures), static_cast<unsigned long long>(r.snapshots),
        static_cast<unsigned long long>(r.head.length), r.head.chain.ToHex().c_str(), secs);
    std::printf(",%s", IdentityJsonMembers(r.identity).c_str());
    if (r.first_bad_offset) {
      std::printf(",\"first_bad_offset\":%llu",
                  static_cast<unsigned long long>(*r.first_bad_offset));
    }
    std::printf(",\"imports\":[");
    for (size_t i = 0; i < r.imports.size(); ++i) {
      const ImportedRange& m = r.imports[i];
      std::string source;
      codec_internal::Writer(&source).Value(m.source);  // the log's text, escaped
      std::printf("%s{\"offset\":%llu,\"events\":%llu,\"source\":%s,\"node\":\"%s\"}", i ? "," : "",
                  static_cast<unsigned long long>(m.offset),
                  static_cast<unsigned long long>(m.events), source.c_str(),
                  m.node.ToHex().c_str());
    }
    std::printf("]}\n");
  } else {
    std::printf("%s: %llu events, %llu signatures, %llu snapshots checked in %.2f s\n",
                db.description().c_str(), static_cast<unsigned long long>(r.events),
                static_cast<unsigned long long>(r.signatures),
                static_cast<unsigned long long>(r.snapshots), secs);
    std::printf("head: %llu events, chain %s\n", static_cast<unsigned long long>(r.head.length),
                r.head.chain.ToHex().c_str());
    std::printf("rules: %s\n", Describe(r.identity).c_str());
    for (const ImportedRange& m : r.imports) {
      std::printf(
          "imported: offsets %llu-%llu from the %s store of node %s (%zu files; "
          "provenance at offset %llu)\n",
          static_cast<unsigned long long>(m.offset + 1),
          static_cast<unsigned long long>(m.offset + m.events), m.source.c_str(),
          m.node.ToHex().c_str(), m.files, static_cast<unsigned long long>(m.offset));
    }
    std::printf("%s\n", r.status.ok() ? "verify: OK" : "verify: FAILED");
  }
  if (!r.status.ok()) {
    // The status already begins with "offset N: ".
    std::fprintf(stderr, "statelog: verify failed: %s\n", std::string(r.status.message()).c_str());
    ctx.exit_code = kExitVerifyFailed;
  }
}

// The parts of DiskUsage in the order `stats` prints them, with their names.
std::vector<std::pair<const char*, uint64_t>> DiskParts(const DiskUsage& d) {
  std::vector<std::pair<const char*, uint64_t>> parts = d.Parts();
  uint64_t known = 0;
  for (const auto& part : parts) known += part.second;
  parts.emplace_back("other", d.total > known ? d.total - known : 0);
  return parts;
}

void RunStats(Context& ctx, const StoreFlags& flags, bool json) {
  auto opened = OpenStore(flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status());
  DB& db = **opened;
  const EventStore& store = db.events();
  std::map<std::string_view, uint64_t> by_type;
  Progress progress("reading");
  auto length = store.Length();
  if (!length.ok()) return Fail(ctx, kExitFailure, length.status());
  const uint64_t n = *length;
  auto cursor = store.NewCursor(0, n);
  for (; cursor->Valid(); cursor->Next()) {
    by_type[EventTypeName(cursor->event().event.type())]++;
    progress.Update(cursor->event().offset + 1, n);
  }
  progress.Done();
  if (!cursor->status().ok()) return Fail(ctx, kExitFailure, cursor->status());
  auto view = db.View();
  if (!view.ok()) return Fail(ctx, kExitFailure, view.status());
  auto head_or = store.Head();
  if (!head_or.ok()) return Fail(ctx, kExitFailure, head_or.status());
  const ChainHead head = *head_or;
  auto listed = db.snapshots().List();
  if (!listed.ok()) return Fail(ctx, kExitFailure, listed.status());
  const std::vector<uint64_t>& snaps = *listed;
  // The memory store has no disk use; every other error is one.
  StatusOr<DiskUsage> usage = db.disk_usage();
  if (!usage.ok() && usage.status().code() != StatusCode::kNotSupported) {
    return Fail(ctx, kExitFailure, usage.status());
  }
  const DiskUsage disk = usage.ok() ? *usage : DiskUsage{};
  if (json) {
    std::string parts;
    for (const auto& [name, bytes] : DiskParts(disk)) {
      parts += "\"" + std::string(name) + "\":" + std::to_string(bytes) + ",";
    }
    std::printf(
        "{\"length\":%llu,\"head\":\"%s\",\"objectives\":%zu,\"channels\":%zu,"
        "\"snapshots\":%zu,\"bytes\":%llu,\"disk\":{%s\"total\":%llu},%s,\"types\":{",
        static_cast<unsigned long long>(head.length), head.chain.ToHex().c_str(),
        view->objectives.size(), view->channels.size(), snaps.size(),
        static_cast<unsigned long long>(disk.total), parts.c_str(),
        static_cast<unsigned long long>(disk.total), IdentityJsonMembers(view->identity).c_str());
    bool first = true;
    for (const auto& [type, count] : by_type) {
      std::printf("%s\"%s\":%llu", first ? "" : ",", std::string(type).c_str(),
                  static_cast<unsigned long long>(count));
      first = false;
    }
    std::printf("}}\n");
    return;
  }
  std::printf("%s\n", db.description().c_str());
  std::printf("  events:      %llu\n", static_cast<unsigned long long>(head.length));
  std::printf("  head chain:  %s\n", head.chain.ToHex().c_str());
  std::printf("  rules:       %s\n", Describe(view->identity).c_str());
  std::printf("  objectives:  %zu\n  channels:    %zu\n", view->objectives.size(),
              view->channels.size());
  std::printf(
      "  snapshots:   %zu%s\n", snaps.size(),
      snaps.empty() ? "" : (" (latest covers " + std::to_string(snaps.back()) + ")").c_str());
  if (usage.ok()) {
    std::printf("  disk:        %.1f KiB", static_cast<double>(disk.total) / 1024.0);
    if (head.length > 0) {
      std::printf(", %.0f B/event", static_cast<double>(disk.total) / head.length);
    }
    std::printf("\n");
    for (const auto& [name, bytes] : DiskParts(disk)) {
      std::printf("    %-12s %10.1f KiB\n", name, static_cast<double>(bytes) / 1024.0);
    }
  } else {
    std::printf("  disk:        none (%s)\n", std::string(usage.status().message()).c_str());
  }
  for (const auto& [type, count] : by_type) {
    std::printf("  %-22s %llu\n", std::string(type).c_str(),
                static_cast<unsigned long long>(count));
  }
}

}  // namespace

void RegisterAdminCommands(CLI::App& app, Context& ctx) {
  {
    auto flags = std::make_shared<StoreFlags>();
    CLI::App* cmd = app.add_subcommand("snapshot", "Take a snapshot of the node view now");
    AddStoreFlags(cmd, flags.get());
    cmd->callback([&ctx, flags] { RunSnapshot(ctx, *flags); });
  }
  {
    auto a = std::make_shared<VerifyArgs>();
    CLI::App* cmd = app.add_subcommand(
        "verify", "Re-check the whole log: ids, hash chain, signatures, legality, snapshots");
    cmd->add_option("--threads", a->threads, "Threads for the per-event checks (0: every core)")
        ->check(Decimal())
        ->check(CLI::Range(0u, kMaxVerifyThreads));
    cmd->add_option("--head", a->head,
                    "A trusted head kept elsewhere, LENGTH:0xCHAIN; the log must match it");
    cmd->add_flag("--json", a->json, "Print the result as JSON");
    AddStoreFlags(cmd, &a->flags, /*writes=*/false);
    cmd->callback([&ctx, a] { RunVerify(ctx, *a); });
  }
  {
    auto flags = std::make_shared<StoreFlags>();
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand("stats", "Counts, head, snapshots and size of the store");
    cmd->add_flag("--json", *json, "Print the figures as JSON");
    AddStoreFlags(cmd, flags.get(), /*writes=*/false);
    cmd->callback([&ctx, flags, json] { RunStats(ctx, *flags, *json); });
  }
}

}  // namespace statelog::cli
