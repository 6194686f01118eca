#include "core/threadPool.h"

#include <algorithm>
#include <cstdlib>

namespace cinder {

static thread_local bool tInsideParallel = false;

static int defaultThreads() {
  if (const char* env = std::getenv("CINDER_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return std::min(n, 256);
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : (int)hc;
}

ThreadPool& ThreadPool::instance() {
  // Leaked on purpose: joining threads from a static destructor at exit can deadlock.
  static ThreadPool* pool = new ThreadPool(defaultThreads());
  return *pool;
}

ThreadPool::ThreadPool(int threads) : active_(std::max(1, threads)) {
  for (int i = 1; i < active_; i++) workers_.emplace_back([this, i] { workerLoop(i, 0); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::setNumThreads(int n) {
  std::lock_guard<std::mutex> call(callMu_);  // no parallel region runs while the pool changes
  n = std::max(1, std::min(n, 256));
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Grow on demand; a new worker starts at the current epoch so it waits for the next job.
    while ((int)workers_.size() + 1 < n) {
      int index = (int)workers_.size() + 1;
      uint64_t start = epoch_;
      workers_.emplace_back([this, index, start] { workerLoop(index, start); });
    }
  }
  active_ = n;
}

void ThreadPool::workerLoop(int index, uint64_t seen) {
  for (;;) {
    const std::function<void(int64_t, int64_t)>* job;
    int64_t n;
    int chunks;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || epoch_ != seen; });
      if (stop_) return;
      seen = epoch_;
      job = job_;
      n = jobN_;
      chunks = jobChunks_;
    }
    if (index < chunks) {
      int64_t begin = n * index / chunks, end = n * (index + 1) / chunks;
      std::exception_ptr err;
      tInsideParallel = true;
      try {
        (*job)(begin, end);
      } catch (...) {
        err = std::current_exception();
      }
      tInsideParallel = false;
      std::lock_guard<std::mutex> lock(mu_);
      if (err && !workerError_) workerError_ = err;
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

void ThreadPool::parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  int chunks = (int)std::min<int64_t>(active_, std::max<int64_t>(1, n / std::max<int64_t>(1, grain)));
  if (chunks <= 1 || tInsideParallel) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call(callMu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    jobN_ = n;
    jobChunks_ = chunks;
    pending_ = chunks - 1;
    epoch_++;
  }
  wake_.notify_all();
  // The calling thread takes chunk 0. Exceptions from kernels are caught so workers stay consistent.
  std::exception_ptr err;
  tInsideParallel = true;
  try {
    fn(0, n / chunks);
  } catch (...) {
    err = std::current_exception();
  }
  tInsideParallel = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
    if (!err && workerError_) err = workerError_;
    workerError_ = nullptr;
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace cinder
