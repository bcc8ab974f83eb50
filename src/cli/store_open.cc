#include "cli/store_open.h"

#include "cli/util.h"

namespace statelog::cli {

void AddStoreFlags(CLI::App* cmd, StoreFlags* flags, bool writes) {
  cmd->add_option("--data", flags->data, "Store directory (the embedded RocksDB store)")
      ->capture_default_str();
  cmd->add_option("--store", flags->store,
                  "A shared PostgreSQL log instead: postgresql://... or a libpq conninfo "
                  "(one schema, \"statelog\", per log)");
  cmd->add_flag("--replicated-delivery", flags->replicated_delivery,
                "With --store on a primary with synchronous standbys: follow only what every "
                "synchronous standby has confirmed (docs/operations/postgres-ha.md)");
  if (!writes) return;
  cmd->add_flag("--relaxed", flags->relaxed,
                "Do not fsync each append: a power loss can lose the latest appends");
  cmd->add_option("--snapshot-interval", flags->snapshot_interval,
                  "Take a snapshot every N events (0: never)")
      ->check(Decimal())
      ->capture_default_str();
  cmd->add_option("--snapshot-keep", flags->snapshot_keep,
                  "Keep the newest N snapshots, delete older ones (0: keep all)")
      ->check(Decimal())
      ->capture_default_str();
  cmd->add_option("--disk-reserve", flags->disk_reserve,
                  "Refuse appends while less than SIZE is free on the store's disk (bytes, or "
                  "e.g. 64MiB; at least 1MiB; default 64MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{1} << 50))
      ->option_text("SIZE");
}

namespace {

// The node `text` names: an Ethereum address, not zero.
StatusOr<Address> ParseNode(std::string_view text) {
  STATELOG_ASSIGN_OR_RETURN(Address node, Address::FromHex(text));
  if (node == Address{}) return Status::InvalidArgument("the zero address is no node");
  return node;
}

// The node `flags` name, if any (AddNodeFlag has checked it).
StatusOr<std::optional<Address>> NodeOf(const StoreFlags& flags) {
  if (flags.node.empty()) return std::optional<Address>();
  StatusOr<Address> node = ParseNode(flags.node);
  if (!node.ok()) return node.status().WithPrefix("--node");
  return std::optional<Address>(*node);
}

}  // namespace

void AddNodeFlag(CLI::App* cmd, StoreFlags* flags) {
  cmd->add_option("--node", flags->node,
                  "The node the log belongs to (its Ethereum address): a new store records it "
                  "and is checked under go-nitro's rules; an existing one must be its log")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            StatusOr<Address> node = ParseNode(text);
            return node.ok() ? "" : std::string(node.status().message());
          },
          "", "address"))
      ->option_text("ADDRESS");
}

StatusOr<std::unique_ptr<DB>> OpenStore(const StoreFlags& flags, Access access) {
  STATELOG_ASSIGN_OR_RETURN(std::optional<Address> node, NodeOf(flags));
  DBOptions options;
  options.create_if_missing = access == Access::kCreate;
  options.read_only = access == Access::kRead;
  options.node = node;
  options.snapshots.interval = flags.snapshot_interval;
  options.snapshots.keep = flags.snapshot_keep;
  options.sync = !flags.relaxed;
  options.disk_reserve_bytes = flags.disk_reserve;
  options.replicated_delivery = flags.replicated_delivery;
  if (!flags.store.empty()) {
    return DB::Open(PostgresStoreName(flags.store), options);
  }
  return DB::Open("rocksdb:" + flags.data, options);
}

}  // namespace statelog::cli
