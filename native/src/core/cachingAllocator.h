// A caching host allocator: blocks are rounded up to size classes and, once freed, kept on a
// per-class free list for reuse instead of going back to the OS. An eager loop that makes a fresh
// tensor per op therefore reuses warm, already-faulted pages.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace cinder {

struct AllocatorStats {
  uint64_t allocatedBytes = 0;  // bytes in live blocks (rounded to their class)
  uint64_t reservedBytes = 0;   // allocated + cached
  uint64_t peakAllocatedBytes = 0;
  uint64_t allocations = 0;     // calls to allocate
  uint64_t cacheHits = 0;       // served from the cache
};

class CachingAllocator {
 public:
  static constexpr size_t kAlignment = 64;
  static CachingAllocator& host();

  // Returns memory of at least `nbytes` (64-byte aligned); sets *classBytes to the block's size.
  void* allocate(size_t nbytes, size_t* classBytes);
  void release(void* ptr, size_t classBytes);
  // Returns every cached block to the OS.
  void emptyCache();
  AllocatorStats stats();
  static size_t sizeClass(size_t nbytes);

 private:
  std::mutex mu_;
  // One free list per class; classes are indexed by classIndex().
  std::vector<std::vector<void*>> free_;
  AllocatorStats stats_;
  static size_t classIndex(size_t classBytes);
};

}  // namespace cinder
