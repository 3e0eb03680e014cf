// core_selftest_main.cc — the appliance core on the board under QEMU.
// Arguments (QEMU -append): storage=<host folder> (the test root's DER is
// written there as test_root.der), seed=<n> (test entropy seed, default 1).
// Exit code: 0 if every check passed, 1 otherwise. Prints the time of each
// operation and the RAM figures (mbedTLS pool peak, heap, stack).
#include <array>
#include <cstring>
#include <optional>

#include "appliance/v1/link.nanopb.h"
#include "crypto/digest.h"
#include "crypto/drbg.h"
#include "crypto/heap.h"
#include "crypto/keypair.h"
#include "crypto/signature.h"
#include "custody/shamir.h"
#include "firmware/core/test_root.h"
#include "firmware/testing/fw_check.h"
#include "hw/boards/board_args.h"
#include "hw/boards/board_config.h"
#include "hw/boards/board_runtime.h"
#include "hw/boards/semihosting.h"
#include "hw/boards/systick_clock.h"
#include "hw/boards/test_entropy.h"
#include "link/codec.h"
#include "link/frame.h"

namespace {

namespace crypto = pki::appliance::crypto;
namespace link = pki::appliance::link;
namespace custody = pki::appliance::custody;
using pki::ByteSpan;
using pki::StatusOr;
using pki::firmware::Checker;
using pki::hw::board::ConsoleWrite;
using pki::hw::board::ConsoleWriteDec;

// What the test cases share; set up by main before RunTests.
struct Context {
  pki::hw::Clock* clock = nullptr;
  pki::hw::EntropySource* entropy = nullptr;
  std::string_view storage;
  uint64_t seed = 1;
};
Context context;

void PrintMillis(std::string_view what, uint64_t ms) {
  ConsoleWrite("  time: ");
  ConsoleWrite(what);
  ConsoleWrite(" ");
  ConsoleWriteDec(ms);
  ConsoleWrite(" ms\n");
}

void PrintHex(std::string_view label, ByteSpan bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  char text[2 * 64];
  size_t n = 0;
  for (size_t i = 0; i < bytes.size() && n + 2 <= sizeof(text); ++i) {
    text[n++] = kHex[bytes[i] >> 4];
    text[n++] = kHex[bytes[i] & 0xF];
  }
  ConsoleWrite(label);
  ConsoleWrite(std::string_view(text, n));
  ConsoleWrite("\n");
}

void CheckSha256(Checker& check) {
  // FIPS 180-2 test vector "abc".
  static constexpr uint8_t kAbc[32] = {
      0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
      0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  const crypto::Sha256Digest d = crypto::Sha256(pki::AsBytes("abc"));
  FW_EXPECT(check, std::memcmp(d.data(), kAbc, 32) == 0);
  std::array<uint8_t, crypto::kMaxDigestSize> out{};
  StatusOr<size_t> n = crypto::Digest(crypto::HashAlg::kSha384, pki::AsBytes("abc"), out);
  FW_EXPECT(check, n.ok() && *n == 48 && out[0] == 0xcb && out[47] == 0xa7);
}

void CheckEcdsa(Checker& check, crypto::KeyAlgorithm alg, crypto::HashAlg hash, std::string_view name) {
  std::optional<crypto::Drbg> drbg;
  if (!FW_EXPECT_OK(check, crypto::Drbg::Create(*context.entropy, pki::AsBytes("fw-core-ecdsa"), drbg))) return;
  pki::hw::Clock& clock = *context.clock;
  uint64_t t0 = clock.MonotonicMillis();
  StatusOr<crypto::KeyPair> key = crypto::KeyPair::Generate(alg, *drbg);
  const uint64_t keygen_ms = clock.MonotonicMillis() - t0;
  if (!FW_EXPECT_OK(check, key.status())) return;
  std::array<uint8_t, crypto::kMaxSignatureSize> sig{};
  const ByteSpan message = pki::AsBytes("TBS bytes of an intermediate certificate");
  t0 = clock.MonotonicMillis();
  StatusOr<size_t> sig_size = crypto::Sign(*key, *drbg, hash, message, sig);
  const uint64_t sign_ms = clock.MonotonicMillis() - t0;
  if (!FW_EXPECT_OK(check, sig_size.status())) return;
  StatusOr<crypto::PublicKey> pub = key->Public();
  if (!FW_EXPECT_OK(check, pub.status())) return;
  t0 = clock.MonotonicMillis();
  FW_EXPECT_OK(check, crypto::Verify(*pub, hash, message, ByteSpan(sig.data(), *sig_size)));
  const uint64_t verify_ms = clock.MonotonicMillis() - t0;
  // A changed message or signature must not verify.
  FW_EXPECT(check, !crypto::Verify(*pub, hash, pki::AsBytes("TBS bytes of another certificate"),
                                   ByteSpan(sig.data(), *sig_size)).ok());
  sig[*sig_size / 2] ^= 0x01;
  FW_EXPECT(check, !crypto::Verify(*pub, hash, message, ByteSpan(sig.data(), *sig_size)).ok());
  ConsoleWrite("  ");
  ConsoleWrite(name);
  ConsoleWrite(":\n");
  PrintMillis("keygen", keygen_ms);
  PrintMillis("sign", sign_ms);
  PrintMillis("verify", verify_ms);
}

void CheckEcP256(Checker& check) {
  CheckEcdsa(check, crypto::KeyAlgorithm::kEcP256, crypto::HashAlg::kSha256, "ECDSA P-256/SHA-256");
}
void CheckEcP384(Checker& check) {
  CheckEcdsa(check, crypto::KeyAlgorithm::kEcP384, crypto::HashAlg::kSha384, "ECDSA P-384/SHA-384");
}

void CheckTestRoot(Checker& check) {
  // A fresh stream from the seed, exactly as the host's fw_root_repro uses.
  StatusOr<std::unique_ptr<pki::hw::board::TestOnlyEntropy>> entropy =
      pki::hw::board::TestOnlyEntropy::Create(context.seed);
  if (!FW_EXPECT_OK(check, entropy.status())) return;
  std::array<uint8_t, 2048> der{};
  const uint64_t t0 = context.clock->MonotonicMillis();
  StatusOr<size_t> n = pki::firmware::MakeTestRoot(**entropy, der);
  PrintMillis("root keygen + TBS + sign + parse-back verify", context.clock->MonotonicMillis() - t0);
  if (!FW_EXPECT_OK(check, n.status())) return;
  const crypto::Sha256Digest digest = crypto::Sha256(ByteSpan(der.data(), *n));
  PrintHex("root-cert-sha256: ", digest);
  if (context.storage.empty()) return;
  // Hand the DER to the host for openssl (the runner checks it).
  char path[220];
  const std::string_view name = "/test_root.der";
  if (!FW_EXPECT(check, context.storage.size() + name.size() < sizeof(path))) return;
  std::memcpy(path, context.storage.data(), context.storage.size());
  std::memcpy(path + context.storage.size(), name.data(), name.size());
  namespace semihost = pki::hw::board::semihost;
  StatusOr<int> file = semihost::Open(std::string_view(path, context.storage.size() + name.size()),
                                      semihost::OpenMode::kWriteBinary);
  if (!FW_EXPECT_OK(check, file.status())) return;
  FW_EXPECT_OK(check, semihost::Write(*file, ByteSpan(der.data(), *n)));
  FW_EXPECT_OK(check, semihost::Close(*file));
}

void CheckLinkCodec(Checker& check) {
  link::Request request = pki_appliance_v1_Request_init_zero;
  request.request_id = 0x01020304u;
  request.which_body = pki_appliance_v1_Request_get_status_tag;
  std::array<uint8_t, 64> payload{};
  StatusOr<size_t> n = link::EncodeRequest(payload, request);
  if (!FW_EXPECT_OK(check, n.status())) return;
  std::array<uint8_t, 96> frame{};
  StatusOr<size_t> framed = link::EncodeFrame(frame, link::kKindRequest, request.request_id,
                                              ByteSpan(payload.data(), *n));
  if (!FW_EXPECT_OK(check, framed.status())) return;
  FW_EXPECT(check, *framed == link::kHeaderSize + *n + link::kCrcSize);
  FW_EXPECT(check, frame[0] == link::kSync0 && frame[1] == link::kSync1);
  link::Request decoded = pki_appliance_v1_Request_init_zero;
  FW_EXPECT_OK(check, link::DecodeRequest(&decoded, ByteSpan(frame.data() + link::kHeaderSize, *n)));
  FW_EXPECT(check, decoded.request_id == 0x01020304u);
  FW_EXPECT(check, decoded.which_body == pki_appliance_v1_Request_get_status_tag);
  // Garbage is an error, not a crash.
  static constexpr uint8_t kGarbage[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  FW_EXPECT(check, !link::DecodeRequest(&decoded, kGarbage).ok());
}

void CheckShamir(Checker& check) {
  std::optional<crypto::Drbg> drbg;
  if (!FW_EXPECT_OK(check, crypto::Drbg::Create(*context.entropy, pki::AsBytes("fw-core-shamir"), drbg))) return;
  std::array<uint8_t, custody::kSecretSize> secret_bytes{};
  std::array<uint8_t, custody::CoefficientBytes(3)> random{};
  FW_EXPECT_OK(check, drbg->Generate(secret_bytes));
  FW_EXPECT_OK(check, drbg->Generate(random));
  custody::ShareValue secret;
  FW_EXPECT_OK(check, secret.Assign(secret_bytes));
  std::array<custody::ShamirShare, 5> shares;
  if (!FW_EXPECT_OK(check, custody::ShamirSplit(shares, secret, 3, random))) return;
  const custody::ShamirShare* pick[3] = {&shares[4], &shares[1], &shares[2]};
  custody::ShareValue combined;
  FW_EXPECT_OK(check, custody::ShamirCombine(&combined, pick));
  FW_EXPECT(check, combined.Equals(secret));
  const custody::ShamirShare* two[2] = {&shares[0], &shares[3]};
  FW_EXPECT_OK(check, custody::ShamirCombine(&combined, two));
  FW_EXPECT(check, !combined.Equals(secret));  // below threshold: a wrong value
  pki::SecureZero(secret_bytes.data(), secret_bytes.size());
  pki::SecureZero(random.data(), random.size());
}

void CheckPool(Checker& check) {
  FW_EXPECT_OK(check, crypto::CheckPool());
  const crypto::PoolUsage pool = crypto::GetPoolUsage();
  FW_EXPECT(check, pool.current_bytes == 0);  // nothing leaked by the cases above
  ConsoleWrite("  mbedTLS pool peak ");
  ConsoleWriteDec(pool.peak_bytes + pool.peak_blocks * crypto::kBlockHeaderBytes);
  ConsoleWrite("/");
  ConsoleWriteDec(pool.capacity);
  ConsoleWrite(" B (");
  ConsoleWriteDec(pool.peak_blocks);
  ConsoleWrite(" blocks)\n");
}

constexpr std::array<pki::firmware::TestCase, 7> kTests = {{
    {"crypto.Sha256", &CheckSha256},
    {"crypto.EcdsaP256", &CheckEcP256},
    {"crypto.EcdsaP384", &CheckEcP384},
    {"ca.TestRoot", &CheckTestRoot},
    {"link.Codec", &CheckLinkCodec},
    {"custody.Shamir", &CheckShamir},
    {"crypto.Pool", &CheckPool},
}};

}  // namespace

int main() {
  ConsoleWrite("fw_core_selftest on ");
  ConsoleWrite(pki::hw::board::kBoardName);
  ConsoleWrite("\n");
  const pki::hw::board::BoardArgs args = pki::hw::board::BoardArgs::Read();
  StatusOr<uint64_t> seed = args.GetNumber("seed", 1);
  if (!seed.ok()) {
    ConsoleWrite(seed.status().message());
    return 1;
  }
  auto clock = pki::hw::board::SysTickClock::Create();
  auto entropy = pki::hw::board::TestOnlyEntropy::Create(*seed + 1000);
  if (!clock.ok() || !entropy.ok()) {
    ConsoleWrite("board bring-up failed\n");
    return 1;
  }
  context = Context{clock->get(), entropy->get(), args.Get("storage"), *seed};
  const int rc = pki::firmware::RunTests(kTests, **clock);
  const pki::hw::board::MemoryUse use = pki::hw::board::GetMemoryUse();
  ConsoleWrite("ram: static ");
  ConsoleWriteDec(use.static_bytes);
  ConsoleWrite(" B, heap peak ");
  ConsoleWriteDec(use.heap_peak);
  ConsoleWrite("/");
  ConsoleWriteDec(use.heap_capacity);
  ConsoleWrite(" B, stack peak ");
  ConsoleWriteDec(use.stack_peak);
  ConsoleWrite("/");
  ConsoleWriteDec(use.stack_capacity);
  ConsoleWrite(" B\n");
  return rc;
}
