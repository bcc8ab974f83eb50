// `statelog serve`: the HTTP server (server.h) over a store opened read-only.
#include "cli/serve_command.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "serve/server.h"

namespace statelog::serve {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

struct ServeArgs {
  cli::StoreFlags flags;
  std::string listen = "127.0.0.1:" + std::to_string(kDefaultPort);
  ServerOptions options;
};

void RunServe(cli::Context& ctx, ServeArgs& a) {
  ServerOptions options = a.options;
  if (Status st = ParseListen(a.listen, &options.host, &options.port); !st.ok()) {
    return cli::Fail(ctx, cli::kExitUsage, st);
  }
  auto opened = cli::OpenStore(a.flags, cli::Access::kRead);
  if (!opened.ok()) return cli::Fail(ctx, cli::kExitFailure, opened.status());
  DB& db = **opened;
  auto server = Server::Start(&db, options);
  if (!server.ok()) return cli::Fail(ctx, cli::kExitFailure, server.status());
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const bool v6 = options.host.find(':') != std::string::npos;
  std::printf("statelog serve: %s on http://%s%s%s:%d/\n", db.description().c_str(), v6 ? "[" : "",
              options.host.c_str(), v6 ? "]" : "", (*server)->port());
  std::fflush(stdout);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*server)->Stop();
  std::printf("statelog serve: stopped\n");
}

}  // namespace

void RegisterServeCommand(CLI::App& app, cli::Context& ctx) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the store read-only over HTTP: JSON API, web explorer, /metrics, health checks "
      "and live updates (docs/http-api.md)");
  cmd->add_option("--listen", a->listen,
                  "Address to listen on: HOST:PORT, HOST, :PORT or [IPV6]:PORT (port 0: any free "
                  "port); the default admits local clients only")
      ->capture_default_str()
      ->check(cli::NonEmpty());
  cmd->add_option("--threads", a->options.threads, "Worker threads answering requests")
      ->check(CLI::Range(2, 256))
      ->capture_default_str();
  cmd->add_option("--max-streams", a->options.max_streams,
                  "Event streams open at once (fewer than --threads)")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
  cmd->add_option("--rate", a->options.rate,
                  "Requests per second admitted per client address (0: no limit)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--burst", a->options.burst, "Requests a client may send at once")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--read-timeout", a->options.read_timeout_seconds,
                  "Seconds a connection may stay silent mid-request")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--max-lag", a->options.max_lag,
                  "/health/ready fails while the server trails the head by more events")
      ->check(cli::Decimal())
      ->capture_default_str();
  cmd->add_option("--verify-interval", a->options.verify_interval_seconds,
                  "Verify the log again at most this often (seconds) when it grew")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cli::AddStoreFlags(cmd, &a->flags, /*writes=*/false);
  cmd->callback([&ctx, a] {
    if (a->options.max_streams >= a->options.threads) {
      return cli::Fail(ctx, cli::kExitUsage,
                       Status::InvalidArgument("--max-streams must be less than --threads"));
    }
    RunServe(ctx, *a);
  });
}

}  // namespace statelog::serve
