#include "core/threadPool.h"

#include <algorithm>
#include <chrono>
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
      uint64_t start = epoch_.load();
      workers_.emplace_back([this, index, start] { workerLoop(index, start); });
    }
  }
  active_ = n;
}

namespace {
constexpr int64_t kSpinMicros = 100;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
}  // namespace

uint64_t ThreadPool::awaitJob(uint64_t seen) {
  // Spin first: the next op usually follows within microseconds.
  auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
  for (int i = 0;; i++) {
    uint64_t e = epoch_.load(std::memory_order_acquire);
    if (e != seen || stop_.load(std::memory_order_relaxed)) return e;
    cpuRelax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) break;
  }
  // Then sleep. sleepers_ is raised before the final check of epoch_, and the caller bumps
  // epoch_ before reading sleepers_ (both sequentially consistent), so a wake-up is never lost.
  std::unique_lock<std::mutex> lock(mu_);
  sleepers_.fetch_add(1);
  wake_.wait(lock, [&] { return stop_.load() || epoch_.load() != seen; });
  sleepers_.fetch_sub(1);
  return epoch_.load();
}

void ThreadPool::workerLoop(int index, uint64_t seen) {
  for (;;) {
    seen = awaitJob(seen);
    if (stop_.load()) return;
    // Read the job seqlock-style: epoch_ is odd while the caller writes the fields.
    const std::function<void(int64_t, int64_t)>* job;
    int64_t n;
    int chunks;
    for (;;) {
      uint64_t e = epoch_.load(std::memory_order_acquire);
      if (e & 1) {
        cpuRelax();
        continue;
      }
      job = job_.load(std::memory_order_relaxed);
      n = jobN_.load(std::memory_order_relaxed);
      chunks = jobChunks_.load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (epoch_.load(std::memory_order_relaxed) == e) {
        seen = e;
        break;
      }
    }
    if (index < chunks) {
      int64_t begin = n * index / chunks, end = n * (index + 1) / chunks;
      tInsideParallel = true;
      try {
        (*job)(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!workerError_) workerError_ = std::current_exception();
      }
      tInsideParallel = false;
      pending_.fetch_sub(1, std::memory_order_acq_rel);
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
  epoch_.fetch_add(1);  // odd: the job is being written
  std::atomic_thread_fence(std::memory_order_release);
  job_.store(&fn, std::memory_order_relaxed);
  jobN_.store(n, std::memory_order_relaxed);
  jobChunks_.store(chunks, std::memory_order_relaxed);
  pending_.store(chunks - 1, std::memory_order_relaxed);
  epoch_.fetch_add(1);  // even: published (sequentially consistent, see awaitJob)
  if (sleepers_.load() > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }
    wake_.notify_all();
  }
  // The calling thread takes chunk 0. Exceptions from kernels are caught so workers stay consistent.
  std::exception_ptr err;
  tInsideParallel = true;
  try {
    fn(0, n / chunks);
  } catch (...) {
    err = std::current_exception();
  }
  tInsideParallel = false;
  // Workers' chunks are about as long as ours: spin, then yield if one was descheduled.
  for (int i = 0; pending_.load(std::memory_order_acquire) != 0; i++) {
    if (i < 4096) cpuRelax();
    else std::this_thread::yield();
  }
  job_.store(nullptr, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!err && workerError_) err = workerError_;
    workerError_ = nullptr;
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace cinder
