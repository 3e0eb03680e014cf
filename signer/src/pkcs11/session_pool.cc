#include "session_pool.h"

#include "errors.h"
#include "session.h"

namespace pki::signer::internal {

struct SessionPool::Job {
  enum class State { kQueued, kRunning, kDone, kAbandoned };
  Work work;
  Clock::time_point start_by;
  State state = State::kQueued;
  Result result;
  // The caller waits on its own condition (under mu_): a finished call wakes
  // only its caller, not every caller waiting on the pool.
  std::condition_variable done;
};

SessionPool::SessionPool(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot, uint32_t size, size_t max_queue)
    : fn_(fn), slot_(slot), size_(size), max_queue_(max_queue) {}

std::unique_ptr<SessionPool> SessionPool::Create(CK_FUNCTION_LIST* fn, CK_SLOT_ID slot,
                                                 uint32_t size, size_t max_queue) {
  std::unique_ptr<SessionPool> pool(new SessionPool(fn, slot, size, max_queue));
  pool->workers_.reserve(size);
  for (uint32_t i = 0; i < size; ++i) {
    pool->workers_.emplace_back([p = pool.get()] { p->WorkerLoop(); });
  }
  return pool;
}

SessionPool::~SessionPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& job : queue_) {
    if (job->state == Job::State::kQueued) {
      job->state = Job::State::kDone;
      job->result.kind = Result::Kind::kStopped;
      job->done.notify_all();
    }
  }
  queue_.clear();
}

uint32_t SessionPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<uint32_t>(queue_.size());
}

uint32_t SessionPool::load() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<uint32_t>(queue_.size()) + running_;
}

void SessionPool::WorkerLoop() {
  Session session;
  uint64_t session_generation = 0;
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) break;
      job = std::move(queue_.front());
      queue_.pop_front();
      if (job->state == Job::State::kAbandoned) continue;
      if (Clock::now() > job->start_by) {
        job->state = Job::State::kDone;
        job->result.kind = Result::Kind::kNoSession;
        job->done.notify_all();
        continue;
      }
      job->state = Job::State::kRunning;
      ++running_;
    }
    if (session.valid() && session_generation != generation_.load()) {
      session.Forget();  // closed underneath us by C_CloseAllSessions
      open_.fetch_sub(1);
    }
    CK_RV rv = CKR_OK;
    std::string output;
    if (!session.valid()) {
      session_generation = generation_.load();
      rv = Session::OpenRv(fn_, slot_, /*rw=*/false, &session);
      if (rv == CKR_OK) open_.fetch_add(1);
    }
    if (rv == CKR_OK) {
      rv = job->work(session.get(), &output);
      RvClass cls = ClassifyRv(rv);
      if (cls == RvClass::kSessionBroken || cls == RvClass::kTokenFailed) {
        // Never reuse it. Close it only if no C_CloseAllSessions happened since
        // it was opened (else the handle number may belong to someone else now).
        if (session_generation == generation_.load()) {
          session.Close();
        } else {
          session.Forget();
        }
        open_.fetch_sub(1);
      }
    }
    bool finished = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --running_;
      if (job->state == Job::State::kRunning) {
        job->state = Job::State::kDone;
        job->result.kind = Result::Kind::kDone;
        job->result.rv = rv;
        job->result.output = std::move(output);
        finished = true;
      }
    }
    // After unlocking (the caller wakes to a free mutex); |job| stays alive
    // while we hold it, and the caller re-checks the state under mu_.
    if (finished) job->done.notify_one();
  }
  if (session.valid()) {
    if (session_generation == generation_.load()) {
      session.Close();
    } else {
      session.Forget();
    }
    open_.fetch_sub(1);
  }
}

SessionPool::Result SessionPool::Run(Work work, Clock::time_point start_by,
                                     Clock::time_point finish_by) {
  auto job = std::make_shared<Job>();
  job->work = std::move(work);
  job->start_by = start_by;
  std::unique_lock<std::mutex> lock(mu_);
  if (stop_) return Result{Result::Kind::kStopped, CKR_GENERAL_ERROR, {}};
  if (queue_.size() >= max_queue_) return Result{Result::Kind::kNoSession, CKR_OK, {}};
  queue_.push_back(job);
  work_cv_.notify_one();
  for (;;) {
    switch (job->state) {
      case Job::State::kDone:
        return std::move(job->result);
      case Job::State::kQueued:
        if (Clock::now() >= start_by) {
          job->state = Job::State::kAbandoned;  // the worker that pops it skips it
          return Result{Result::Kind::kNoSession, CKR_OK, {}};
        }
        job->done.wait_until(lock, start_by);
        break;
      case Job::State::kRunning:
        if (Clock::now() >= finish_by) {
          job->state = Job::State::kAbandoned;  // the worker drops the result
          return Result{Result::Kind::kTimedOut, CKR_OK, {}};
        }
        job->done.wait_until(lock, finish_by);
        break;
      case Job::State::kAbandoned:
        return Result{Result::Kind::kStopped, CKR_GENERAL_ERROR, {}};
    }
  }
}

}  // namespace pki::signer::internal
