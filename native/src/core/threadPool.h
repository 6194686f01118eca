// A fixed pool of worker threads sized to the cores (CINDER_NUM_THREADS overrides it). Only
// kernels with enough work use it: parallelFor runs inline when the range is below `grain`.
// Work is split into contiguous, statically assigned chunks so results are deterministic for a
// fixed thread count. Idle workers (and a caller waiting for them) spin briefly before sleeping:
// waking a sleeping thread costs tens of microseconds where an idle virtual CPU must be woken by
// its host, more than a mid-sized kernel's whole parallel region.
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
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t jobN_ = 0;
  int jobChunks_ = 0;
  std::atomic<uint64_t> epoch_{0};  // bumped (under mu_) when a job is published
  std::atomic<int> pending_{0};     // workers still running the current job
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
