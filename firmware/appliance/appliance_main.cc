// appliance_main.cc — the root appliance on an emulated MPS2 board.
// Arguments (QEMU -append): storage=<host folder> (the "flash", required),
// seed=<n> (the TEST-ONLY entropy seed, default 1), baud=<n> (default 115200),
// iterations=<n> (PBKDF2 iterations of new shares; default custody's 600000,
// fewer only in test builds, which custody enforces).
// Prints "appliance ready on UART0" on the console once it serves the link;
// runs until QEMU is stopped. Exit code 1 if bring-up fails.
#include <optional>

#include "crypto/heap.h"
#include "custody/share.h"
#include "device/appliance.h"
#include "device/link_server.h"
#include "hw/boards/board_args.h"
#include "hw/boards/board_config.h"
#include "hw/boards/board_runtime.h"
#include "hw/boards/cmsdk_uart.h"
#include "hw/boards/console_display.h"
#include "hw/boards/semihost_storage.h"
#include "hw/boards/semihost_tamper.h"
#include "hw/boards/systick_clock.h"
#include "hw/boards/test_entropy.h"
#include "hw/fake/seeded_entropy.h"

namespace {

namespace device = pki::appliance::device;
using pki::hw::board::ConsoleWrite;

// Large objects live in .bss, not on the stack.
std::optional<device::Appliance> appliance;
std::optional<device::LinkServer> server;

// RequestName names a Request body by its field number (for the RAM lines).
std::string_view RequestName(uint32_t tag) {
  switch (tag) {
    case pki_appliance_v1_Request_get_status_tag: return "GetStatus";
    case pki_appliance_v1_Request_init_tag: return "Init";
    case pki_appliance_v1_Request_set_time_tag: return "SetTime";
    case pki_appliance_v1_Request_begin_operation_tag: return "BeginOperation";
    case pki_appliance_v1_Request_submit_share_tag: return "SubmitShare";
    case pki_appliance_v1_Request_execute_tag: return "Execute";
    case pki_appliance_v1_Request_abort_tag: return "Abort";
    case pki_appliance_v1_Request_fetch_result_tag: return "FetchResult";
    case pki_appliance_v1_Request_export_journal_tag: return "ExportJournal";
    case pki_appliance_v1_Request_ack_export_tag: return "AckExport";
    case pki_appliance_v1_Request_sign_transcript_tag: return "SignTranscript";
    case pki_appliance_v1_Request_get_root_certificate_tag: return "GetRootCertificate";
    case pki_appliance_v1_Request_confirm_share_tag: return "ConfirmShare";
    case pki_appliance_v1_Request_cancel_split_tag: return "CancelSplit";
    default: return {};  // newer requests: printed by field number
  }
}

int Fail(std::string_view what, const pki::Status& status) {
  ConsoleWrite("appliance bring-up failed: ");
  ConsoleWrite(what);
  ConsoleWrite(": ");
  ConsoleWrite(status.message());
  ConsoleWrite("\n");
  return 1;
}

}  // namespace

int main() {
  namespace board = pki::hw::board;
  ConsoleWrite("fw_appliance on ");
  ConsoleWrite(board::kBoardName);
  ConsoleWrite("\n");
  const board::BoardArgs args = board::BoardArgs::Read();
  const std::string_view folder = args.Get("storage");
  if (folder.empty()) return Fail("arguments", pki::InvalidArgumentError("storage=<folder> missing"));
  auto seed = args.GetNumber("seed", 1);
  if (!seed.ok()) return Fail("arguments", seed.status());
  auto baud = args.GetNumber("baud", 115200);
  if (!baud.ok() || *baud > 0xFFFFFFFFu) return Fail("arguments", pki::InvalidArgumentError("bad baud"));
  auto iterations = args.GetNumber("iterations", pki::appliance::custody::kDefaultShareIterations);
  if (!iterations.ok() || *iterations == 0 || *iterations > 0xFFFFFFFFu) {
    return Fail("arguments", pki::InvalidArgumentError("bad iterations"));
  }

  auto clock = board::SysTickClock::Create();
  if (!clock.ok()) return Fail("clock", clock.status());
  auto uart = board::CmsdkUart::Create(**clock, static_cast<uint32_t>(*baud));
  if (!uart.ok()) return Fail("UART0", uart.status());
  auto storage = board::CreateSemihostStorage(folder, 4096);
  if (!storage.ok()) return Fail("storage", storage.status());
  auto entropy = board::TestOnlyEntropy::Create(*seed);
  if (!entropy.ok()) return Fail("entropy", entropy.status());
  board::ConsoleDisplay display;
  board::SemihostTamper tamper(folder);

  const device::ApplianceHardware hardware{storage->get(), clock->get(), entropy->get(), &display,
                                           &tamper};
  device::ApplianceConfig config;
  config.device.device_id = board::kBoardName;
  config.device.share_iterations = static_cast<uint32_t>(*iterations);
  const uint64_t t0 = (*clock)->MonotonicMillis();
  pki::Status created = device::Appliance::Create(hardware, config, appliance);
  if (!created.ok()) return Fail("appliance", created);
  ConsoleWrite("boot took ");
  board::ConsoleWriteDec((*clock)->MonotonicMillis() - t0);
  ConsoleWrite(" ms\n");
  server.emplace(appliance->device(), **uart, **clock);
  const board::MemoryUse use = board::GetMemoryUse();
  ConsoleWrite("ram: static ");
  board::ConsoleWriteDec(use.static_bytes);
  ConsoleWrite(" B, heap peak ");
  board::ConsoleWriteDec(use.heap_peak);
  ConsoleWrite(" B, stack peak ");
  board::ConsoleWriteDec(use.stack_peak);
  ConsoleWrite(" B of ");
  board::ConsoleWriteDec(use.stack_capacity);
  ConsoleWrite(" B\nappliance ready on UART0\n");
  // The stack canary: from a stream of its own, so the appliance's test
  // entropy stays the same stream as appliance-sim's for the same seed. A
  // real board seeds it from its TRNG here (and QEMU's "random" canary is as
  // reproducible as everything else the test seed makes).
  {
    auto canary_entropy = pki::hw::fake::SeededEntropy::Create(*seed ^ 0x63616e617279ull);  // "canary"
    if (!canary_entropy.ok()) return Fail("stack canary", canary_entropy.status());
    pki::Status s = board::SeedStackCanary(**canary_entropy);
    if (!s.ok()) return Fail("stack canary", s);
  }
  // Per request: the stack is painted again and the mbedTLS pool's peak
  // reset before it, so each "op:" line is that request's own peaks (the
  // figures in docs/firmware.md). Heap (malloc) is the whole run's peak.
  namespace crypto = pki::appliance::crypto;
  crypto::ResetPoolPeak();
  board::RepaintStack();
  uint64_t frames = 0;
  for (;;) {
    pki::Status served = server->RunOnce(100);
    if (server->stats().frames != frames) {
      frames = server->stats().frames;
      const board::MemoryUse now = board::GetMemoryUse();
      const crypto::PoolUsage pool = crypto::GetPoolUsage();
      ConsoleWrite("op: ");
      const std::string_view name = RequestName(server->stats().last_body_tag);
      if (name.empty()) {
        ConsoleWrite("Request#");
        board::ConsoleWriteDec(server->stats().last_body_tag);
      } else {
        ConsoleWrite(name);
      }
      ConsoleWrite(": stack peak ");
      board::ConsoleWriteDec(now.stack_peak);
      ConsoleWrite(" B, pool peak ");
      board::ConsoleWriteDec(pool.peak_bytes + pool.peak_blocks * crypto::kBlockHeaderBytes);
      ConsoleWrite(" B (incl. block headers), heap peak ");
      board::ConsoleWriteDec(now.heap_peak);
      ConsoleWrite(" B, ");
      board::ConsoleWriteDec(server->stats().last_dispatch_ms);
      ConsoleWrite(" ms on the device\n");
      crypto::ResetPoolPeak();
      board::RepaintStack();
    }
    if (!served.ok()) {
      ConsoleWrite("link: ");
      ConsoleWrite(served.message());
      ConsoleWrite("\n");
    }
  }
}
