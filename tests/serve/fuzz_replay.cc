// Runs the serve request fuzzer's checks (fuzz/serve_request_fuzzer.cc) once per file or
// directory entry given, and on a fixed set of inputs: a regression test with any compiler.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t runs = 0;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) files.push_back(e.path());
    } else {
      files.push_back(p);
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      Run(text.str());
      seeds.push_back(text.str());
      ++runs;
    }
  }
  // Every prefix of a long request: cut anywhere, it is still answered.
  const std::string long_request =
      "GET /api/v1/log?from=1&limit=5&type=state_signed&at=20&channel=0x00&objective=x%00";
  for (size_t n = 0; n <= long_request.size(); ++n) {
    Run(long_request.substr(0, n));
    ++runs;
  }
  // Seeded mutations of the corpus (the same every run): bytes replaced, inserted and removed,
  // drawn mostly from the characters that matter to routes and queries.
  static constexpr char kAlphabet[] = "/?&=%.0123456789abcdefx-_ \x00\xff\xe2GETPOST";
  std::mt19937 rng(15);
  for (int i = 0; i < 20000 && !seeds.empty(); ++i) {
    std::string input = seeds[rng() % seeds.size()];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      const size_t at = input.empty() ? 0 : rng() % (input.size() + 1);
      const char c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
      switch (rng() % 3) {
        case 0:
          if (at < input.size()) input[at] = c;
          break;
        case 1:
          input.insert(input.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          if (at < input.size()) input.erase(at, 1);
      }
    }
    Run(input);
    ++runs;
  }
  std::printf("%zu inputs answered\n", runs);
  return 0;
}
