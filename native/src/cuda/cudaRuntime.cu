// The CUDA runtime of the core: device query, one stream per device, the caching device
// allocator, pinned staging buffers and copies. cudart is linked statically; every query
// tolerates a missing driver or device, so the addon loads and reports "no GPU" on CPU-only
// machines, and everything that needs a device throws "CUDA is not available: ..." there.
#include <cuda_runtime.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/storage.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"

namespace cinder {

bool cudaCompiled() { return true; }

int cudaDeviceCount() {
  static std::once_flag once;
  static int count = 0;
  std::call_once(once, [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      cudaGetLastError();  // clear the error state (no driver, no device)
      n = 0;
    }
    count = n;
  });
  return count;
}

bool cudaDeviceInfo(int index, CudaDeviceInfo* out) {
  if (index < 0 || index >= cudaDeviceCount()) return false;
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, index) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  out->name = prop.name;
  out->major = prop.major;
  out->minor = prop.minor;
  out->totalMemoryBytes = (double)prop.totalGlobalMem;
  out->multiprocessors = prop.multiProcessorCount;
  return true;
}

std::string cudaRuntimeVersion() {
  int v = 0;
  if (cudaRuntimeGetVersion(&v) != cudaSuccess) {
    cudaGetLastError();
    return "";
  }
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

void requireCudaDevice(int device, const char* op) {
  int n = cudaDeviceCount();
  if (n == 0) {
    int v = 0;
    cudaError_t e = cudaDriverGetVersion(&v);
    cudaGetLastError();
    if (e != cudaSuccess || v == 0) fail(op, ": CUDA is not available: no NVIDIA driver was found");
    fail(op, ": CUDA is not available: no CUDA device was found");
  }
  CINDER_CHECK(device >= 0 && device < n, op, ": CUDA device cuda:", device, " does not exist (", n,
               " CUDA device(s) present)");
}

// ---- the current device --------------------------------------------------------------------

static thread_local int tCurrentDevice = -1;

CudaDeviceGuard::CudaDeviceGuard(int device, const char* op) : prev_(tCurrentDevice) {
  if (device != tCurrentDevice) {
    CINDER_CUDA_CHECK(cudaSetDevice(device), op, " (cudaSetDevice(", device, "))");
    tCurrentDevice = device;
  }
}

CudaDeviceGuard::~CudaDeviceGuard() {
  if (prev_ >= 0 && prev_ != tCurrentDevice) {
    if (cudaSetDevice(prev_) == cudaSuccess) tCurrentDevice = prev_;
    else cudaGetLastError();
  }
}

// ---- per-device state: stream, block cache, pinned staging -------------------------------------

namespace {

// Size classes: 512-byte granules up to 4 KiB, then four classes per power of two, so a block is
// never more than 25% larger than asked for and a loop of similar sizes reuses blocks.
size_t deviceSizeClass(size_t n) {
  if (n <= 4096) return n <= 512 ? 512 : (n + 511) & ~size_t(511);
  size_t p = size_t(1) << (63 - __builtin_clzll((unsigned long long)(n - 1)));  // highest power of 2 < n
  size_t step = p / 4;
  return (n + step - 1) / step * step;
}

struct PinnedBlock {
  void* ptr;
  size_t bytes;
  cudaEvent_t ready;  // recorded after the last copy that used it; reusable once complete
};

struct DeviceState {
  std::mutex mu;
  int device = 0;
  cudaStream_t stream = nullptr;
  std::unordered_map<size_t, std::vector<void*>> cache;  // class bytes -> idle blocks
  uint64_t cachedBytes = 0;
  CudaMemoryStats stats;
  std::vector<PinnedBlock> pinnedIdle;
  uint64_t pinnedBytes = 0;
};

std::mutex gStatesMu;
// Never destroyed: storages may be released during process teardown, after static destructors.
DeviceState* gStates[64];

DeviceState& stateOf(int device, const char* op) {
  requireCudaDevice(device, op);
  CINDER_CHECK(device < 64, op, ": at most 64 CUDA devices are supported");
  std::lock_guard<std::mutex> lock(gStatesMu);
  if (!gStates[device]) {
    auto st = std::make_unique<DeviceState>();
    st->device = device;
    CudaDeviceGuard guard(device, op);
    CINDER_CUDA_CHECK(cudaStreamCreateWithFlags(&st->stream, cudaStreamNonBlocking), op, " (cudaStreamCreate on cuda:",
                      device, ")");
    gStates[device] = st.release();
  }
  return *gStates[device];
}

// Frees the idle blocks of a device (lock held, device current). Waits for the stream first:
// an idle block may still be read by queued work that was enqueued before it was released.
void freeCachedLocked(DeviceState& st) {
  if (st.cache.empty()) return;
  if (cudaStreamSynchronize(st.stream) != cudaSuccess) cudaGetLastError();
  for (auto& kv : st.cache) {
    for (void* p : kv.second) {
      if (cudaFree(p) != cudaSuccess) cudaGetLastError();
      st.stats.reservedBytes -= kv.first;
    }
  }
  st.cache.clear();
  st.cachedBytes = 0;
}

void freePinnedLocked(DeviceState& st) {
  std::vector<PinnedBlock> keep;
  for (PinnedBlock& b : st.pinnedIdle) {
    cudaError_t q = cudaEventQuery(b.ready);
    if (q == cudaErrorNotReady) {
      keep.push_back(b);
      continue;
    }
    if (q != cudaSuccess) cudaGetLastError();
    cudaEventDestroy(b.ready);
    if (cudaFreeHost(b.ptr) != cudaSuccess) cudaGetLastError();
    st.pinnedBytes -= b.bytes;
  }
  st.pinnedIdle.swap(keep);
}

// A pinned block of at least n bytes whose previous copies have completed (lock held, device
// current).
PinnedBlock takePinnedLocked(DeviceState& st, size_t n, const char* op) {
  size_t cls = deviceSizeClass(n);
  for (size_t i = 0; i < st.pinnedIdle.size(); i++) {
    PinnedBlock b = st.pinnedIdle[i];
    if (b.bytes != cls) continue;
    cudaError_t q = cudaEventQuery(b.ready);
    if (q == cudaErrorNotReady) continue;
    if (q != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    st.pinnedIdle.erase(st.pinnedIdle.begin() + (ptrdiff_t)i);
    return b;
  }
  PinnedBlock b{nullptr, cls, nullptr};
  cudaError_t e = cudaMallocHost(&b.ptr, cls);
  if (e != cudaSuccess) {
    cudaGetLastError();
    freePinnedLocked(st);
    CINDER_CUDA_CHECK(cudaMallocHost(&b.ptr, cls), op, ": allocating ", cls, " bytes of pinned host memory");
  }
  e = cudaEventCreateWithFlags(&b.ready, cudaEventDisableTiming);
  if (e != cudaSuccess) {
    cudaFreeHost(b.ptr);
    CINDER_CUDA_CHECK(e, op, ": cudaEventCreate");
  }
  st.pinnedBytes += cls;
  return b;
}

// Gives a pinned block back after queueing work that uses it: its event marks when it is free.
void returnPinnedLocked(DeviceState& st, PinnedBlock b) {
  if (cudaEventRecord(b.ready, st.stream) != cudaSuccess) {
    // Without the event the block's reuse could race the copy: wait for the stream instead.
    cudaGetLastError();
    if (cudaStreamSynchronize(st.stream) != cudaSuccess) cudaGetLastError();
  }
  st.pinnedIdle.push_back(b);
}

}  // namespace

cudaStream_t cudaStreamOf(int device, const char* op) { return stateOf(device, op).stream; }

// ---- the caching device allocator ---------------------------------------------------------------

Storage* newDeviceStorage(int device, size_t nbytes, const char* op) {
  DeviceState& st = stateOf(device, op);
  size_t cls = deviceSizeClass(nbytes);
  void* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    st.stats.allocations++;
    auto it = st.cache.find(cls);
    if (it != st.cache.end() && !it->second.empty()) {
      // Stream-ordered reuse: the block's last users were queued on this device's one stream
      // before it was released, so work queued from now on runs after them.
      p = it->second.back();
      it->second.pop_back();
      st.cachedBytes -= cls;
      st.stats.cacheHits++;
    } else {
      CudaDeviceGuard guard(device, op);
      cudaError_t e = cudaMalloc(&p, cls);
      if (e == cudaErrorMemoryAllocation) {
        cudaGetLastError();
        st.stats.retries++;
        freeCachedLocked(st);
        e = cudaMalloc(&p, cls);
      }
      if (e != cudaSuccess) {
        cudaGetLastError();
        if (e == cudaErrorMemoryAllocation)
          fail(op, ": CUDA out of memory: could not allocate ", nbytes, " bytes on cuda:", device, " (",
               st.stats.allocatedBytes, " bytes allocated, ", st.stats.reservedBytes,
               " reserved, after freeing the cache)");
        fail(op, ": CUDA error ", cudaGetErrorName(e), " allocating ", nbytes, " bytes on cuda:", device, ": ",
             cudaGetErrorString(e));
      }
      st.stats.reservedBytes += cls;
    }
    st.stats.allocatedBytes += cls;
    if (st.stats.allocatedBytes > st.stats.peakAllocatedBytes) st.stats.peakAllocatedBytes = st.stats.allocatedBytes;
  }
  auto* s = new Storage();
  s->data = p;
  s->nbytes = nbytes;
  s->classBytes = cls;
  s->device = device;
  return s;
}

void releaseDeviceBlock(int device, void* ptr, size_t classBytes) {
  if (ptr == nullptr || device < 0 || device >= 64) return;
  DeviceState* st;
  {
    std::lock_guard<std::mutex> lock(gStatesMu);
    st = gStates[device];
  }
  if (st == nullptr) return;
  std::lock_guard<std::mutex> lock(st->mu);
  st->cache[classBytes].push_back(ptr);
  st->cachedBytes += classBytes;
  st->stats.allocatedBytes -= classBytes;
}

// ---- copies ----------------------------------------------------------------------------------

// Transfers go through pinned staging in chunks, so a huge tensor does not need an equally huge
// pinned block.
static constexpr size_t kStagingChunk = size_t(64) << 20;

void cudaCopyHostToDevice(void* dst, int device, const void* src, size_t nbytes, const char* op) {
  if (nbytes == 0) return;
  DeviceState& st = stateOf(device, op);
  CudaDeviceGuard guard(device, op);
  std::lock_guard<std::mutex> lock(st.mu);
  for (size_t done = 0; done < nbytes; done += kStagingChunk) {
    size_t n = nbytes - done < kStagingChunk ? nbytes - done : kStagingChunk;
    PinnedBlock b = takePinnedLocked(st, n, op);
    std::memcpy(b.ptr, static_cast<const char*>(src) + done, n);
    cudaError_t e = cudaMemcpyAsync(static_cast<char*>(dst) + done, b.ptr, n, cudaMemcpyHostToDevice, st.stream);
    returnPinnedLocked(st, b);
    CINDER_CUDA_CHECK(e, op, ": copy of ", nbytes, " bytes to cuda:", device);
  }
}

void cudaCopyDeviceToHost(void* dst, const void* src, int device, size_t nbytes, const char* op) {
  if (nbytes == 0) return;
  DeviceState& st = stateOf(device, op);
  CudaDeviceGuard guard(device, op);
  std::lock_guard<std::mutex> lock(st.mu);
  for (size_t done = 0; done < nbytes; done += kStagingChunk) {
    size_t n = nbytes - done < kStagingChunk ? nbytes - done : kStagingChunk;
    PinnedBlock b = takePinnedLocked(st, n, op);
    cudaError_t e = cudaMemcpyAsync(b.ptr, static_cast<const char*>(src) + done, n, cudaMemcpyDeviceToHost, st.stream);
    if (e == cudaSuccess) e = cudaStreamSynchronize(st.stream);
    if (e == cudaSuccess) std::memcpy(static_cast<char*>(dst) + done, b.ptr, n);
    returnPinnedLocked(st, b);
    CINDER_CUDA_CHECK(e, op, ": copy of ", nbytes, " bytes from cuda:", device);
  }
}

void cudaCopyDeviceToDevice(void* dst, int dstDevice, const void* src, int srcDevice, size_t nbytes, const char* op) {
  if (nbytes == 0) return;
  DeviceState& dstState = stateOf(dstDevice, op);
  if (dstDevice == srcDevice) {
    CudaDeviceGuard guard(dstDevice, op);
    CINDER_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, dstState.stream), op, ": copy of ",
                      nbytes, " bytes on cuda:", dstDevice);
    return;
  }
  // Across devices the two streams are unrelated: wait for the source's queued work, copy on the
  // destination's stream, and wait for the copy, so neither allocator can reuse a block the
  // copy still touches.
  DeviceState& srcState = stateOf(srcDevice, op);
  {
    CudaDeviceGuard guard(srcDevice, op);
    CINDER_CUDA_CHECK(cudaStreamSynchronize(srcState.stream), op, ": waiting for cuda:", srcDevice);
  }
  CudaDeviceGuard guard(dstDevice, op);
  CINDER_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dstDevice, src, srcDevice, nbytes, dstState.stream), op, ": copy of ",
                    nbytes, " bytes from cuda:", srcDevice, " to cuda:", dstDevice);
  CINDER_CUDA_CHECK(cudaStreamSynchronize(dstState.stream), op, ": copy from cuda:", srcDevice, " to cuda:", dstDevice);
}

// ---- asynchronous reads ---------------------------------------------------------------------------

struct CudaPendingRead {
  int device;
  size_t nbytes;
  std::vector<PinnedBlock> blocks;
  cudaEvent_t done = nullptr;
};

CudaPendingRead* cudaStartRead(const void* src, int device, size_t nbytes, const char* op) {
  DeviceState& st = stateOf(device, op);
  CudaDeviceGuard guard(device, op);
  auto r = std::make_unique<CudaPendingRead>();
  r->device = device;
  r->nbytes = nbytes;
  CINDER_CUDA_CHECK(cudaEventCreateWithFlags(&r->done, cudaEventDisableTiming), op, ": cudaEventCreate");
  std::lock_guard<std::mutex> lock(st.mu);
  try {
    for (size_t done = 0; done < nbytes; done += kStagingChunk) {
      size_t n = nbytes - done < kStagingChunk ? nbytes - done : kStagingChunk;
      r->blocks.push_back(takePinnedLocked(st, n, op));
      CINDER_CUDA_CHECK(cudaMemcpyAsync(r->blocks.back().ptr, static_cast<const char*>(src) + done, n,
                                        cudaMemcpyDeviceToHost, st.stream),
                        op, ": copy of ", nbytes, " bytes from cuda:", device);
    }
    CINDER_CUDA_CHECK(cudaEventRecord(r->done, st.stream), op, ": cudaEventRecord");
  } catch (...) {
    for (PinnedBlock& b : r->blocks) returnPinnedLocked(st, b);
    cudaEventDestroy(r->done);
    throw;
  }
  return r.release();
}

std::string cudaWaitRead(CudaPendingRead* r) {
  cudaError_t e = cudaEventSynchronize(r->done);
  if (e == cudaSuccess) return "";
  return std::string("CUDA error ") + cudaGetErrorName(e) + ": " + cudaGetErrorString(e);
}

void cudaFinishRead(CudaPendingRead* r, void* dst) {
  std::unique_ptr<CudaPendingRead> owned(r);
  if (dst != nullptr) {
    size_t done = 0;
    for (PinnedBlock& b : r->blocks) {
      size_t n = r->nbytes - done < kStagingChunk ? r->nbytes - done : kStagingChunk;
      std::memcpy(static_cast<char*>(dst) + done, b.ptr, n);
      done += n;
    }
  }
  DeviceState* st;
  {
    std::lock_guard<std::mutex> lock(gStatesMu);
    st = gStates[r->device];
  }
  CudaDeviceGuard guard(r->device, "dataAsync");
  std::lock_guard<std::mutex> lock(st->mu);
  for (PinnedBlock& b : r->blocks) returnPinnedLocked(*st, b);
  cudaEventDestroy(r->done);
}

// ---- synchronisation and statistics -----------------------------------------------------------------

void cudaSynchronizeDevice(int device, const char* op) {
  if (device >= 0) {
    DeviceState& st = stateOf(device, op);
    CudaDeviceGuard guard(device, op);
    CINDER_CUDA_CHECK(cudaStreamSynchronize(st.stream), op, " (cuda:", device, ")");
    return;
  }
  for (int d = 0; d < cudaDeviceCount() && d < 64; d++) {
    bool live;
    {
      std::lock_guard<std::mutex> lock(gStatesMu);
      live = gStates[d] != nullptr;
    }
    if (live) cudaSynchronizeDevice(d, op);
  }
}

CudaMemoryStats cudaMemoryStats(int device) {
  CudaMemoryStats out;
  if (device < 0 || device >= 64 || device >= cudaDeviceCount()) return out;
  DeviceState* st;
  {
    std::lock_guard<std::mutex> lock(gStatesMu);
    st = gStates[device];
  }
  if (st == nullptr) return out;
  std::lock_guard<std::mutex> lock(st->mu);
  out = st->stats;
  out.pinnedReservedBytes = st->pinnedBytes;
  return out;
}

void cudaEmptyCache(int device) {
  for (int d = 0; d < 64 && d < cudaDeviceCount(); d++) {
    if (device >= 0 && d != device) continue;
    DeviceState* st;
    {
      std::lock_guard<std::mutex> lock(gStatesMu);
      st = gStates[d];
    }
    if (st == nullptr) continue;
    CudaDeviceGuard guard(d, "cuda.emptyCache");
    std::lock_guard<std::mutex> lock(st->mu);
    freeCachedLocked(*st);
    freePinnedLocked(*st);
  }
}

}  // namespace cinder
