// replay_main.cc — runs a fuzz target's LLVMFuzzerTestOneInput over every
// file of the corpus folders (or files) given, for builds without libFuzzer.
// Exits non-zero if a folder is missing or empty: a seedless target tests
// nothing.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.is_regular_file() && RunFile(e.path())) ++files;
      }
    } else if (RunFile(p)) {
      ++files;
    }
  }
  std::printf("replay: %zu inputs ran without a crash\n", files);
  return files > 0 ? 0 : 1;
}
