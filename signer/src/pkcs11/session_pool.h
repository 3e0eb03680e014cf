// session_pool.h — a bounded set of sessions on one token, each owned by a
// worker thread, and a queue of calls with deadlines.
//
// A caller hands a call to Run and waits at most until its deadlines: a call
// that does not get a session in time is dropped (kNoSession), a call that
// hangs in the module is abandoned (kTimedOut) and the caller returns; the
// worker finishes it whenever the module returns. So a hanging HSM never
// hangs a request. A session that reports itself broken is closed and never
// reused; Invalidate() drops every session opened before it (after the token
// was re-initialized with C_CloseAllSessions).
#ifndef PKI_SIGNER_SRC_PKCS11_SESSION_POOL_H_
#define PKI_SIGNER_SRC_PKCS11_SESSION_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "p11.h"

namespace pki::signer::internal {

class SessionPool final {
 public:
  using Clock = std::chrono::steady_clock;
  // A call on a session. It owns everything it captures (it may run after
  // its caller gave up) and writes its output to |out|.
  using Work = std::function<CK_RV(CK_SESSION_HANDLE session, std::string* out)>;

  struct Result {
    enum class Kind { kDone, kNoSession, kTimedOut, kStopped };
    Kind kind = Kind::kStopped;
    CK_RV rv = CKR_GENERAL_ERROR;  // for kDone: what the call (or C_OpenSession) returned
    std::string output;
  };

  // Create starts |size| workers for |slot| of |fn| (borrowed; must outlive
  // the pool). At most |max_queue| calls wait at once. Returns a new pool the
  // caller owns.
  static std::unique_ptr<SessionPool> Create(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, uint32_t size,
                                             size_t max_queue);
  // Stops the workers (waiting for calls in progress) and closes sessions.
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // Run runs |work| on one of the pool's sessions. The call must start by
  // |start_by| (else kNoSession; also when the queue is full) and finish by
  // |finish_by| (else kTimedOut). Thread-safe.
  Result Run(Work work, Clock::time_point start_by, Clock::time_point finish_by);

  // Invalidate makes every worker forget (not close) its session before its
  // next call: for use after C_CloseAllSessions.
  void Invalidate() { generation_.fetch_add(1); }

  uint32_t size() const { return size_; }
  uint32_t open_sessions() const { return open_.load(); }
  uint32_t queued() const;
  // Load is queued + running calls, for least-busy replica choice.
  uint32_t load() const;

 private:
  struct Job;
  SessionPool(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, uint32_t size, size_t max_queue);
  void WorkerLoop();

  CK_FUNCTION_LIST* const fn_;
  const CK_SLOT_ID slot_;
  const uint32_t size_;
  const size_t max_queue_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint32_t> open_{0};

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // workers wait for jobs
  std::deque<std::shared_ptr<Job>> queue_;
  uint32_t running_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace pki::signer::internal

#endif  // PKI_SIGNER_SRC_PKCS11_SESSION_POOL_H_
