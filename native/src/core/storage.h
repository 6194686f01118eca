// Storage: a refcounted block of device memory. JS never holds a pointer: it holds a handle,
// an index into a per-environment table plus a generation, checked on every use, so a stale or
// forged handle is an error rather than a read of freed memory.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace cinder {

struct Storage {
  void* data = nullptr;
  size_t nbytes = 0;      // requested size
  size_t classBytes = 0;  // size held in the allocator
  int device = -1;        // -1: CPU, >= 0: CUDA device index
  std::atomic<int32_t> refs{1};
};

Storage* newHostStorage(size_t nbytes);
void retainStorage(Storage* s);
void releaseStorage(Storage* s);

class StorageTable {
 public:
  ~StorageTable();
  // Returns a handle for a new storage (the table owns one reference).
  double add(Storage* s);
  // Looks a handle up; throws naming `op` when it is stale or unknown.
  Storage* get(double handle, const char* op) const {
    // Fast path inline (every operand of every op comes through here); errors out of line.
    if (handle >= 0 && handle < kHandleLimit) {
      uint64_t h = (uint64_t)handle;
      uint32_t idx = (uint32_t)(h & ((1u << kSlotBits) - 1));
      if ((double)h == handle && idx < slots_.size()) {
        const Slot& slot = slots_[idx];
        if (slot.storage != nullptr && slot.generation == (uint32_t)(h >> kSlotBits)) return slot.storage;
      }
    }
    badHandle(handle, op);
  }
  // handle = slot + generation * 2^24 (both fit exactly in a double). Every valid handle is an
  // integer below 2^54; anything else (negative, fractional, NaN, huge) names no slot.
  static constexpr uint32_t kSlotBits = 24;
  static constexpr uint32_t kGenerationMask = 0x3fffffffu;
  static constexpr double kHandleLimit = double(1u << kSlotBits) * double(uint64_t(kGenerationMask) + 1);
  // Drops the table's reference (dispose or garbage collection). Harmless on a stale handle.
  void remove(double handle);
  // Removes the handle from the table and hands its reference to the caller; nullptr (no
  // exception: stale handles are routine after dispose) when it names no live storage.
  Storage* take(double handle);
  size_t live() const { return live_; }

 private:
  [[noreturn]] static void badHandle(double handle, const char* op);
  struct Slot { Storage* storage = nullptr; uint32_t generation = 0; };
  std::vector<Slot> slots_;
  std::vector<uint32_t> freeSlots_;
  size_t live_ = 0;
};

}  // namespace cinder
