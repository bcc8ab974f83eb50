// Writes the fuzzer's seed corpus: one canonical event per file in DIR.
#include <cstdio>
#include <fstream>
#include <string>

#include "statelog/codec.h"
#include "testing/sample_events.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_corpus DIR\n");
    return 2;
  }
  std::vector<statelog::Event> all = statelog::testing::OneOfEachType(11);
  for (const auto& e : statelog::testing::EdgeCaseEvents()) all.push_back(e);
  int n = 0;
  for (const auto& e : all) {
    std::string path = std::string(argv[1]) + "/event-" + std::to_string(n++) + ".json";
    std::ofstream(path, std::ios::binary) << statelog::EncodeEvent(e);
  }
  std::printf("wrote %d files to %s\n", n, argv[1]);
  return 0;
}
