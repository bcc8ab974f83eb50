// `statelog backup`, `restore` and `backup-check` (docs/adr/0021-online-backups.md).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_open.h"
#include "cli/util.h"
#include "statelog/db.h"

namespace statelog::cli {
namespace {

// A backup that does not verify, or is not the store's history: exit 4 like `verify`.
int BackupExitCode(const Status& status) {
  switch (status.code()) {
    case StatusCode::kCorruption:
    case StatusCode::kFailedPrecondition:
      return kExitVerifyFailed;
    default:
      return kExitFailure;
  }
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void PrintBackup(const char* what, const BackupInfo& info, double secs) {
  std::printf("%s %s: %llu events, head chain %s\n", what, info.dir.c_str(),
              static_cast<unsigned long long>(info.head.length), info.head.chain.ToHex().c_str());
  std::printf("verified: %llu events, %llu signatures, %llu snapshots",
              static_cast<unsigned long long>(info.events),
              static_cast<unsigned long long>(info.signatures),
              static_cast<unsigned long long>(info.snapshots));
  if (info.checkpoint_size) {
    std::printf("; latest checkpoint of %llu events",
                static_cast<unsigned long long>(*info.checkpoint_size));
  }
  if (info.copy_seconds > 0) {
    std::printf(" (copied in %.2f s, %.2f s in all)\n", info.copy_seconds, secs);
  } else {
    std::printf(" (%.2f s)\n", secs);
  }
}

void RunBackup(Context& ctx, const StoreFlags& flags, const std::string& dest) {
  if (!flags.store.empty()) {
    return Fail(ctx, kExitFailure, Status::NotSupported(PostgresBackupAdvice()));
  }
  auto start = std::chrono::steady_clock::now();
  // Opened like any writer: it holds the store's lock for the backup's time.
  auto opened = OpenStore(flags, Access::kWrite);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status().WithPrefix("backup"));
  auto info = (*opened)->Backup(dest);
  if (!info.ok()) return Fail(ctx, BackupExitCode(info.status()), info.status());
  PrintBackup("backup", *info, SecondsSince(start));
}

void RunRestore(Context& ctx, const std::string& backup, const std::string& dir) {
  auto start = std::chrono::steady_clock::now();
  auto info = RestoreBackup(backup, dir);
  if (!info.ok()) return Fail(ctx, BackupExitCode(info.status()), info.status());
  PrintBackup("restored into", *info, SecondsSince(start));
}

void RunBackupCheck(Context& ctx, const StoreFlags& flags, const std::string& backup) {
  auto start = std::chrono::steady_clock::now();
  auto opened = OpenStore(flags, Access::kRead);
  if (!opened.ok()) return Fail(ctx, kExitFailure, opened.status().WithPrefix("backup-check"));
  const DB& db = **opened;
  auto info = db.CompareBackup(backup);
  if (!info.ok()) {
    return Fail(ctx, BackupExitCode(info.status()), info.status().WithPrefix("backup-check"));
  }
  auto head = db.Head();
  if (!head.ok()) return Fail(ctx, kExitFailure, head.status());
  PrintBackup("backup", *info, SecondsSince(start));
  std::printf("same history as %s up to %llu events (the store has %llu)\n",
              db.description().c_str(), static_cast<unsigned long long>(info->head.length),
              static_cast<unsigned long long>(head->length));
}

}  // namespace

void RegisterBackupCommands(CLI::App& app, Context& ctx) {
  {
    auto flags = std::make_shared<StoreFlags>();
    auto dest = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "backup", "Write a verified backup of the store into the new directory DEST");
    cmd->add_option("DEST", *dest, "The backup's directory (must not exist)")
        ->required()
        ->check(NonEmpty());
    AddStoreFlags(cmd, flags.get(), /*writes=*/false);
    cmd->callback([&ctx, flags, dest] { RunBackup(ctx, *flags, *dest); });
  }
  {
    auto backup = std::make_shared<std::string>();
    auto data = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "restore", "Verify the backup BACKUP and restore it into the new directory --data DIR");
    cmd->add_option("BACKUP", *backup, "The backup's directory")->required()->check(NonEmpty());
    cmd->add_option("--data", *data, "The store directory to create (must not exist)")
        ->required()
        ->check(NonEmpty());
    cmd->callback([&ctx, backup, data] { RunRestore(ctx, *backup, *data); });
  }
  {
    auto flags = std::make_shared<StoreFlags>();
    auto backup = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "backup-check",
        "Verify the backup BACKUP and check that it is the store's history up to its length");
    cmd->add_option("BACKUP", *backup, "The backup's directory")->required()->check(NonEmpty());
    AddStoreFlags(cmd, flags.get(), /*writes=*/false);
    cmd->callback([&ctx, flags, backup] { RunBackupCheck(ctx, *flags, *backup); });
  }
}

}  // namespace statelog::cli
