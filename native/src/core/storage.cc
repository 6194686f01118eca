#include "core/storage.h"

#include <cmath>

#include "core/cachingAllocator.h"
#include "core/error.h"

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
    delete s;
  }
}

// handle = slot + generation * 2^24 (both fit exactly in a double).
static constexpr uint32_t kSlotBits = 24;
static constexpr double kSlotRange = double(1u << kSlotBits);

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
  slot.generation = (slot.generation + 1) & 0x3fffffffu;
  live_++;
  return double(idx) + double(slot.generation) * kSlotRange;
}

Storage* StorageTable::get(double handle, const char* op) const {
  if (!(handle >= 0)) fail(op, ": invalid tensor storage handle");
  double g = std::floor(handle / kSlotRange);
  uint32_t idx = (uint32_t)(handle - g * kSlotRange);
  if (idx >= slots_.size() || slots_[idx].storage == nullptr || slots_[idx].generation != (uint32_t)g)
    fail(op, ": tensor storage was already freed (use after dispose)");
  return slots_[idx].storage;
}

void StorageTable::remove(double handle) {
  if (!(handle >= 0)) return;
  double g = std::floor(handle / kSlotRange);
  uint32_t idx = (uint32_t)(handle - g * kSlotRange);
  if (idx >= slots_.size() || slots_[idx].storage == nullptr || slots_[idx].generation != (uint32_t)g) return;
  Storage* s = slots_[idx].storage;
  slots_[idx].storage = nullptr;
  freeSlots_.push_back(idx);
  live_--;
  releaseStorage(s);
}

}  // namespace cinder
