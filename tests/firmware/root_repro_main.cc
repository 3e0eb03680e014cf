// root_repro_main.cc — fw_root_repro <seed> <out.der>: the host half of the
// host/board reproducibility check. Makes firmware/core's test root from
// hw::fake::SeededEntropy(<seed>) — the stream the boards' TestOnlyEntropy
// gives for the same seed — and writes its DER. Exit 0 on success, 1 with a
// message on stderr otherwise. Test-only.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "firmware/core/test_root.h"
#include "hw/fake/seeded_entropy.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fw_root_repro <seed> <out.der>\n");
    return 1;
  }
  char* end = nullptr;
  const unsigned long long seed = std::strtoull(argv[1], &end, 10);
  if (end == argv[1] || *end != '\0') {
    std::fprintf(stderr, "fw_root_repro: seed must be a decimal number\n");
    return 1;
  }
  auto entropy = pki::hw::fake::SeededEntropy::Create(seed);
  if (!entropy.ok()) {
    std::fprintf(stderr, "fw_root_repro: %s\n", std::string(entropy.status().message()).c_str());
    return 1;
  }
  std::array<uint8_t, 2048> der{};
  pki::StatusOr<size_t> n = pki::firmware::MakeTestRoot(**entropy, der);
  if (!n.ok()) {
    std::fprintf(stderr, "fw_root_repro: %s\n", std::string(n.status().message()).c_str());
    return 1;
  }
  std::FILE* out = std::fopen(argv[2], "wb");
  if (out == nullptr || std::fwrite(der.data(), 1, *n, out) != *n || std::fclose(out) != 0) {
    std::fprintf(stderr, "fw_root_repro: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
