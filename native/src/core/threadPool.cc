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
  for (int i = 1; i < active_; i++) workers_.emplace_back([this] { workerLoop(0); });
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
      uint32_t start = (uint32_t)(claim_.load() >> 32);
      workers_.emplace_back([this, start] { workerLoop(start); });
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

// Polls done() for up to kSpinMicros without yielding (a yielding waiter that shares a core with
// the thread it waits for keeps both there); true when it became true.
template <typename F>
bool spinUntil(F done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
  for (int i = 1;; i++) {
    if (done()) return true;
    cpuRelax();
    if ((i & 63) == 0 && std::chrono::steady_clock::now() > until) return done();
  }
}
}  // namespace

uint32_t ThreadPool::awaitJob(uint32_t seen) {
  auto posted = [&] { return stop_.load() || (uint32_t)(claim_.load(std::memory_order_acquire) >> 32) != seen; };
  if (!spinUntil(posted)) {
    // sleepers_ is raised before the final check, and the caller moves claim_ before reading
    // sleepers_ (all sequentially consistent), so a wake-up is never lost.
    std::unique_lock<std::mutex> lock(mu_);
    sleepers_.fetch_add(1);
    wake_.wait(lock, posted);
    sleepers_.fetch_sub(1);
  }
  return (uint32_t)(claim_.load(std::memory_order_acquire) >> 32);
}

void ThreadPool::runChunks(uint32_t epoch) {
  for (;;) {
    uint64_t w = claim_.load(std::memory_order_acquire);
    int chunk, chunks;
    do {
      if ((uint32_t)(w >> 32) != epoch) return;  // a newer job: this one is fully claimed
      chunks = (int)((w >> 16) & 0xffff);
      chunk = (int)(w & 0xffff);
      if (chunk >= chunks) return;
    } while (!claim_.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire));
    // Claimed: the job cannot complete before this chunk does, so its fields are stable.
    const int64_t n = jobN_;
    tInsideParallel = true;
    try {
      (*job_)(n * chunk / chunks, n * (chunk + 1) / chunks);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
    tInsideParallel = false;
    if (unfinished_.fetch_sub(1) == 1 && callerSleeping_.load()) {
      std::lock_guard<std::mutex> lock(mu_);
      done_.notify_one();
    }
  }
}

void ThreadPool::workerLoop(uint32_t seen) {
  for (;;) {
    seen = awaitJob(seen);
    if (stop_.load()) return;
    runChunks(seen);
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
  // The previous job is complete (every chunk ran), so no thread reads these fields now; a late
  // thread still holding the old epoch fails its claim before reading them.
  job_ = &fn;
  jobN_ = n;
  unfinished_.store(chunks);
  uint32_t epoch = (uint32_t)(claim_.load() >> 32) + 1;
  claim_.store((uint64_t)epoch << 32 | (uint64_t)chunks << 16);  // publishes the job
  if (sleepers_.load() > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }
    wake_.notify_all();
  }
  runChunks(epoch);
  // Every chunk is claimed; wait for the ones other threads are running.
  auto finished = [&] { return unfinished_.load(std::memory_order_acquire) == 0; };
  if (!spinUntil(finished)) {
    std::unique_lock<std::mutex> lock(mu_);
    callerSleeping_.store(true);
    done_.wait(lock, finished);
    callerSleeping_.store(false);
  }
  std::exception_ptr err;
  {
    std::lock_guard<std::mutex> lock(mu_);
    err = error_;
    error_ = nullptr;
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace cinder
