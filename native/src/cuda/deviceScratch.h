// Device scratch memory owned by one launcher call: allocated from the device's pool and released
// when the call returns (stream-ordered reuse makes releasing it at once safe).
#pragma once
#include <cstddef>

#include "core/storage.h"

namespace cinder {

struct DeviceScratch {
  Storage* s;
  DeviceScratch(int device, size_t bytes, const char* op)
      : s(newDeviceStorage(device, bytes > 0 ? bytes : 1, op)) {}
  ~DeviceScratch() { releaseStorage(s); }
  DeviceScratch(const DeviceScratch&) = delete;
  DeviceScratch& operator=(const DeviceScratch&) = delete;
  template <typename U>
  U* as() const { return static_cast<U*>(s->data); }
};

}  // namespace cinder
