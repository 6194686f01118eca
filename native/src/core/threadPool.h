// A fixed pool of worker threads sized to the cores (CINDER_NUM_THREADS overrides it). Only
// kernels with enough work use it: parallelFor runs inline when the range is below `grain`.
// Work is split into contiguous chunks fixed by the range and the thread count, so results are
// deterministic for a fixed thread count; which thread runs a chunk does not matter. Threads
// claim chunks from a counter, the caller included: a worker that is slow to wake (its core busy
// with another process) leaves its chunk to the caller instead of stalling the region. Idle
// workers spin on the counter for kSpinMicros before sleeping, so a run of ops a few microseconds
// apart hands work over without a futex wake-up each time.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cinder {

class ThreadPool {
 public:
  static ThreadPool& instance();
  explicit ThreadPool(int threads);
  ~ThreadPool();
  int size() const { return (int)workers_.size() + 1; }
  /** Uses n threads for the next parallel regions, starting more workers when n exceeds the pool. */
  void setNumThreads(int n);
  int numThreads() const { return active_; }

  // Calls fn(begin, end) over [0, n) in at most numThreads() contiguous chunks.
  void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void workerLoop(uint32_t seen);
  // Waits until a job newer than `seen` is posted (or stop); returns its epoch.
  uint32_t awaitJob(uint32_t seen);
  // Claims and runs chunks of job `epoch` until none are left.
  void runChunks(uint32_t epoch);
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  // claim_ = epoch << 32 | chunk count << 16 | next unclaimed chunk. A claim is a compare-and-swap
  // of the whole word, so a late thread can never claim a chunk of another job by mistake; the
  // job's fields are read only after a successful claim, and stay fixed until every chunk is done.
  std::atomic<uint64_t> claim_{0};
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t jobN_ = 0;
  std::atomic<int> unfinished_{0};  // chunks of the current job not yet completed
  std::atomic<int> sleepers_{0};    // workers blocked on wake_
  std::atomic<bool> callerSleeping_{false};
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;  // first exception of the current job (under mu_)
  int active_ = 1;
  std::mutex callMu_;  // one parallel region at a time
};

// Convenience: the process-wide pool.
inline void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  ThreadPool::instance().parallelFor(n, grain, fn);
}

}  // namespace cinder
