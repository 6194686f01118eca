#include "core/threadPool.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#endif

namespace cinder {

static thread_local bool tInsideParallel = false;

// How long an idle worker, or a caller waiting for its workers, polls before sleeping. The polling
// never yields: a thread that yields while the one it waits for shares its core keeps both there
// (each stays "cache hot", so the idle core never pulls one over) and the region runs on one core.
constexpr std::chrono::microseconds kSpin(100);

static inline void cpuRelax() {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls `done()` for up to kSpin; true when it became true.
template <typename F>
static bool spinUntil(F done) {
  auto limit = std::chrono::steady_clock::now() + kSpin;
  for (int i = 1;; i++) {
    if (done()) return true;
    cpuRelax();
    if ((i & 63) == 0 && std::chrono::steady_clock::now() > limit) return done();
  }
}

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
    auto published = [&] { return stop_.load(std::memory_order_acquire) || epoch_.load(std::memory_order_acquire) != seen; };
    spinUntil(published);
    {
      // The job's fields are written under mu_ before epoch_ moves, so reading them under mu_
      // sees the job of the epoch read here.
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, published);
      if (stop_) return;
      seen = epoch_.load();
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
      if (err) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!workerError_) workerError_ = err;
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // Taking mu_ orders this with a caller that found pending_ != 0 and is about to sleep.
        std::lock_guard<std::mutex> lock(mu_);
        done_.notify_one();
      }
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
    pending_.store(chunks - 1, std::memory_order_relaxed);
    epoch_.fetch_add(1, std::memory_order_release);
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
  auto finished = [&] { return pending_.load(std::memory_order_acquire) == 0; };
  spinUntil(finished);
  {
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, finished);
    job_ = nullptr;
    if (!err && workerError_) err = workerError_;
    workerError_ = nullptr;
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace cinder
