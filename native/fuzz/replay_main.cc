// Replays saved fuzz inputs (files, or every file in the given folders)
// through a harness without libFuzzer: the seed corpus and every crash ever
// found run as ordinary tests with the normal compiler (ctest), and under
// ASan with MFREC_SANITIZE=address.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

static void Replay(const fs::path& file, int& count) {
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  ++count;
}

int main(int argc, char** argv) {
  int count = 0;
  for (int a = 1; a < argc; ++a) {
    const fs::path p(argv[a]);
    if (fs::is_directory(p)) {
      for (const auto& entry : fs::directory_iterator(p))
        if (entry.is_regular_file()) Replay(entry.path(), count);
    } else if (fs::exists(p)) {
      Replay(p, count);
    }
  }
  std::printf("replayed %d inputs\n", count);
  return 0;
}
