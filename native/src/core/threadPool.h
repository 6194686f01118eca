// A fixed pool of worker threads sized to the cores (CINDER_NUM_THREADS overrides it). Only
// kernels with enough work use it: parallelFor runs inline when the range is below `grain`.
// Work is split into contiguous, statically assigned chunks so results are deterministic for a
// fixed thread count. Workers spin briefly (kSpinMicros) on the job counter after each job before
// sleeping on a condition variable, so a run of ops a few microseconds apart hands work over in
// well under a microsecond instead of paying a futex wake-up each time.
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
  void workerLoop(int index, uint64_t seen);
  // Waits until the job counter moves past `seen` (or stop); returns the new counter.
  uint64_t awaitJob(uint64_t seen);
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_;
  // The job: written by the caller before epoch_ is bumped, read by workers after they see it
  // (and re-checked against epoch_, seqlock style, since a worker that has no chunk of this job
  // may still be reading when the next one is posted).
  std::atomic<const std::function<void(int64_t, int64_t)>*> job_{nullptr};
  std::atomic<int64_t> jobN_{0};
  std::atomic<int> jobChunks_{0};
  std::atomic<uint64_t> epoch_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::exception_ptr workerError_;
  int active_ = 1;
  std::mutex callMu_;  // one parallel region at a time
};

// Convenience: the process-wide pool.
inline void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  ThreadPool::instance().parallelFor(n, grain, fn);
}

}  // namespace cinder
