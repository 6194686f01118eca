#include "core/storage.h"


#include "core/cachingAllocator.h"
#include "core/error.h"
#include "cuda/cudaDevice.h"

namespace cinder {

Storage* newHostStorage(size_t nbytes) {
  auto* s = new Storage();
  s->nbytes = nbytes;
  s->data = CachingAllocator::host().allocate(nbytes, &s->classBytes);
  return s;
}

void retainStorage(Storage* s) { s->refs.fetch_add(1, std::memory_order_relaxed); }

void releaseStorage(Storage* s) {
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    if (s->device < 0) CachingAllocator::host().release(s->data, s->classBytes);
    else releaseDeviceBlock(s->device, s->data, s->classBytes);
    delete s;
  }
}

static constexpr uint32_t kSlotBits = StorageTable::kSlotBits;
static constexpr uint32_t kGenerationMask = StorageTable::kGenerationMask;
static constexpr double kHandleLimit = StorageTable::kHandleLimit;
static constexpr double kSlotRange = double(1u << kSlotBits);

// Splits a handle into slot and generation with integer arithmetic (a floor() and a division
// per lookup showed up in the per-op profile). False for values that cannot be handles.
static inline bool decodeHandle(double handle, uint32_t* idx, uint32_t* gen) {
  if (!(handle >= 0 && handle < kHandleLimit)) return false;
  uint64_t h = (uint64_t)handle;
  if ((double)h != handle) return false;
  *idx = (uint32_t)(h & ((1u << kSlotBits) - 1));
  *gen = (uint32_t)(h >> kSlotBits);
  return true;
}

StorageTable::~StorageTable() {
  for (auto& slot : slots_)
    if (slot.storage) releaseStorage(slot.storage);
}

double StorageTable::add(Storage* s) {
  uint32_t idx;
  if (!freeSlots_.empty()) {
    idx = freeSlots_.back();
    freeSlots_.pop_back();
  } else {
    CINDER_CHECK(slots_.size() < (1u << kSlotBits), "storage: too many live tensors (", slots_.size(), ")");
    idx = (uint32_t)slots_.size();
    slots_.push_back({});
  }
  Slot& slot = slots_[idx];
  slot.storage = s;
  slot.generation = (slot.generation + 1) & kGenerationMask;
  live_++;
  return double(idx) + double(slot.generation) * kSlotRange;
}

void StorageTable::badHandle(double handle, const char* op) {
  if (!(handle >= 0)) fail(op, ": invalid tensor storage handle");
  fail(op, ": tensor storage was already freed (use after dispose)");
}

Storage* StorageTable::take(double handle) {
  uint32_t idx, g;
  if (!decodeHandle(handle, &idx, &g)) return nullptr;
  if (idx >= slots_.size() || slots_[idx].storage == nullptr || slots_[idx].generation != g) return nullptr;
  Storage* s = slots_[idx].storage;
  slots_[idx].storage = nullptr;
  freeSlots_.push_back(idx);
  live_--;
  return s;
}

void StorageTable::remove(double handle) {
  if (Storage* s = take(handle)) releaseStorage(s);
}

}  // namespace cinder
