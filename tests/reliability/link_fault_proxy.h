// link_fault_proxy.h — a fault-injecting relay for the appliance link, for
// tests: it listens on a unix socket, connects each client to the real
// appliance socket, splits both byte streams into frames (docs/appliance-
// link.md layout) and, by seeded random draws or by rules aimed at one
// message, drops, duplicates, delivers a late copy after the next frame
// (reordering), corrupts one bit, splits into small chunks, puts noise in
// front of frames, or pulls the cable. Every fault is logged with the frame it hit.
#ifndef PKI_TESTS_RELIABILITY_LINK_FAULT_PROXY_H_
#define PKI_TESTS_RELIABILITY_LINK_FAULT_PROXY_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace pki::testing {

// kDisconnect: the cable is pulled as this frame goes by (it is not
// delivered; both sides see the connection close).
enum class Fault { kNone, kDrop, kDuplicate, kLateCopy, kCorrupt, kSplit, kNoise, kDisconnect };
const char* FaultName(Fault f);

enum class Direction { kToAppliance, kToHost };

// Aims |fault| at the |occurrence|-th (1-based) frame carrying |message| (the
// Request/Response body's field name, e.g. "submit_share", "init") in
// |direction|.
struct FaultRule {
  Direction direction;
  std::string message;
  int occurrence = 1;
  Fault fault = Fault::kNone;
};

// Per-frame probabilities of the random faults (each frame gets at most one).
struct RandomFaults {
  double drop = 0, duplicate = 0, late_copy = 0, corrupt = 0, split = 0, noise = 0;
};

class LinkFaultProxy {
 public:
  LinkFaultProxy(std::string upstream_socket, std::string listen_socket, uint32_t seed);
  ~LinkFaultProxy();
  LinkFaultProxy(const LinkFaultProxy&) = delete;
  LinkFaultProxy& operator=(const LinkFaultProxy&) = delete;

  void AddRule(const FaultRule& rule);
  void SetRandom(const RandomFaults& faults);
  // Start listens and serves in a thread; false if it can't listen.
  bool Start();
  void Stop();

  // Log lines "to-appliance #3 submit_share: drop", one per injected fault.
  std::vector<std::string> Log() const;
  // Frames relayed per direction (after faults), for the record.
  int frames_seen() const { return frames_seen_.load(); }

 private:
  struct Stream {
    std::vector<uint8_t> buf;
    std::vector<uint8_t> late;  // a late copy to send after the next frame
  };
  void Serve();
  void Relay(int client, int upstream);
  // Pump consumes whole frames (and bytes that are no frame) from |s| and
  // writes them, faulted, to |to|. False if |to| failed.
  bool Pump(Stream& s, Direction d, int to);
  bool Emit(int to, const std::vector<uint8_t>& bytes, Fault how);
  Fault Decide(Direction d, const std::string& message);
  static std::string MessageOf(Direction d, const std::vector<uint8_t>& frame);

  const std::string upstream_, listen_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> frames_seen_{0};
  std::thread thread_;
  std::mt19937 rng_;
  RandomFaults random_;
  std::vector<FaultRule> rules_;
  std::map<std::pair<int, std::string>, int> counts_;
  mutable std::mutex mu_;
  std::vector<std::string> log_;
};

}  // namespace pki::testing

#endif  // PKI_TESTS_RELIABILITY_LINK_FAULT_PROXY_H_
