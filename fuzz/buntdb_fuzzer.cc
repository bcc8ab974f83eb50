// Fuzzes the buntdb file reader (ReadBuntdb): it must never crash or read out of bounds, every
// error must say something, a torn tail must leave the whole commands before it, and the live
// keys it returns, written back as set commands, must read back to the same keys.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gonitro/buntdb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using statelog::gonitro::ReadBuntdb;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto r = ReadBuntdb(input, "fuzz.db");
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();
    return 0;
  }
  if (r->whole_bytes > size || (!r->torn_tail && r->whole_bytes != size)) std::abort();
  std::string again;
  for (const auto& [k, v] : r->values) {
    again += "*3\r\n$3\r\nset\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n$" +
             std::to_string(v.size()) + "\r\n" + v + "\r\n";
  }
  auto back = ReadBuntdb(again, "again.db");
  if (!back.ok() || back->values != r->values || back->torn_tail) std::abort();
  return 0;
}
