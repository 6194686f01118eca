#include "core/cachingAllocator.h"

#include <cstdlib>
#include <new>

#include "core/error.h"

namespace cinder {

CachingAllocator& CachingAllocator::host() {
  // Intentionally leaked: worker threads and finalizers may still release blocks during exit.
  static CachingAllocator* instance = new CachingAllocator();
  return *instance;
}

// Size classes: 64-byte granules up to 512 bytes, then four classes per power of two
// (at most 25% internal waste), which keeps the number of distinct lists small.
size_t CachingAllocator::sizeClass(size_t n) {
  if (n <= 64) return 64;
  if (n <= 512) return (n + 63) & ~size_t(63);
  size_t p = 512;
  while (p * 2 < n) p *= 2;  // p < n <= 2p
  size_t step = p / 4;
  return ((n + step - 1) / step) * step;
}

size_t CachingAllocator::classIndex(size_t c) {
  if (c <= 512) return c / 64;  // 1..8
  size_t p = 512, idx = 9;
  while (p * 2 < c) { p *= 2; idx += 4; }
  return idx + (c - p) / (p / 4) - 1;
}

void* CachingAllocator::allocate(size_t nbytes, size_t* classBytes) {
  size_t c = sizeClass(nbytes == 0 ? 1 : nbytes);
  size_t idx = classIndex(c);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.allocations++;
    if (idx < free_.size() && !free_[idx].empty()) {
      void* p = free_[idx].back();
      free_[idx].pop_back();
      stats_.cacheHits++;
      stats_.allocatedBytes += c;
      if (stats_.allocatedBytes > stats_.peakAllocatedBytes) stats_.peakAllocatedBytes = stats_.allocatedBytes;
      *classBytes = c;
      return p;
    }
  }
  void* p = std::aligned_alloc(kAlignment, c);
  if (p == nullptr) {
    emptyCache();
    p = std::aligned_alloc(kAlignment, c);
  }
  if (p == nullptr) fail("allocator: out of memory allocating ", nbytes, " bytes");
  std::lock_guard<std::mutex> lock(mu_);
  stats_.allocatedBytes += c;
  stats_.reservedBytes += c;
  if (stats_.allocatedBytes > stats_.peakAllocatedBytes) stats_.peakAllocatedBytes = stats_.allocatedBytes;
  *classBytes = c;
  return p;
}

void CachingAllocator::release(void* ptr, size_t c) {
  if (ptr == nullptr) return;
  size_t idx = classIndex(c);
  std::lock_guard<std::mutex> lock(mu_);
  if (idx >= free_.size()) free_.resize(idx + 1);
  free_[idx].push_back(ptr);
  stats_.allocatedBytes -= c;
}

void CachingAllocator::emptyCache() {
  std::vector<std::vector<void*>> lists;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lists.swap(free_);
    for (size_t i = 0; i < lists.size(); i++) {
      if (lists[i].empty()) continue;
      // recover the class size from a representative: recompute by scanning classes
      size_t c = 64;
      while (classIndex(c) < i) c = sizeClass(c + 1);
      stats_.reservedBytes -= c * lists[i].size();
    }
  }
  for (auto& l : lists)
    for (void* p : l) std::free(p);
}

AllocatorStats CachingAllocator::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace cinder
