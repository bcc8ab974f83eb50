// Fuzzes the reading of a go-nitro node's store below the file level: the first byte picks the
// file (channels, consensus_channels, vouchers, objectives, channel_to_objective, blocks), the
// rest is a buntdb file whose live values are parsed as that file's records (AddStoreValue).
// Nothing may crash or read out of bounds; every error must say something; a refused value must
// leave the store unchanged; an accepted record must become events the fold takes or refuses
// with a message (never a crash), and the compare step must run on the result.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gonitro/buntdb.h"
#include "gonitro/migrate.h"
#include "gonitro/node_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace statelog;
  using namespace statelog::gonitro;
  if (size == 0) return 0;
  const auto file = static_cast<StoreFile>(data[0] % 6);
  auto contents =
      ReadBuntdb(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), "fuzz.db");
  if (!contents.ok()) return 0;
  GoNitroStore store;
  store.node = *Address::FromHex("0x111a00868581f73ab42feef67d235ca09ca1e8db");
  for (const auto& [key, value] : contents->values) {
    const size_t channels = store.channels.size(), vouchers = store.vouchers.size(),
                 objectives = store.objectives.size();
    Status st = AddStoreValue(file, key, value, "fuzz.db: key " + key, &store);
    if (!st.ok()) {
      if (st.message().empty()) std::abort();
      if (store.channels.size() != channels || store.vouchers.size() != vouchers ||
          store.objectives.size() != objectives) {
        std::abort();
      }
    }
  }
  auto plan = PlanMigration(store, 1);
  if (!plan.ok()) return 0;
  if (plan->events.size() != plan->sources.size()) std::abort();
  NodeView view;
  for (size_t i = 0; i < plan->events.size(); ++i) {
    Status st = ApplyToView(plan->events[i], i, &view);
    if (!st.ok()) {
      if (st.message().empty()) std::abort();
      return 0;
    }
  }
  (void)Compare(store, view);
  return 0;
}
