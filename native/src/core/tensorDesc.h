// TensorDesc: what a kernel knows about an operand: a base pointer (already offset), a dtype,
// a shape and strides in elements. Decoded from the call frame that @cinder/tensor writes.
#pragma once
#include <cstdint>
#include <string>

#include "core/dtype.h"
#include "core/error.h"

namespace cinder {

constexpr int kMaxDims = 16;

struct TensorDesc {
  char* data = nullptr;
  DType dtype = DType::Float32;
  int ndim = 0;
  // Only the first ndim entries are meaningful (and written): no zero-filling, since a tiny op
  // builds several descriptors per call.
  int64_t shape[kMaxDims];
  int64_t strides[kMaxDims];  // in elements

  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    return n;
  }
  bool isContiguous() const {
    int64_t expected = 1;
    for (int i = ndim - 1; i >= 0; i--) {
      if (shape[i] != 1 && strides[i] != expected) return false;
      expected *= shape[i];
    }
    return true;
  }
  template <typename T>
  T* ptr() const { return reinterpret_cast<T*>(data); }
  std::string shapeString() const {
    std::string s = "[";
    for (int i = 0; i < ndim; i++) {
      if (i) s += ", ";
      s += std::to_string(shape[i]);
    }
    return s + "]";
  }
};

// A contiguous descriptor over `data` with the given shape.
inline TensorDesc contiguousDesc(char* data, DType dtype, const int64_t* shape, int ndim) {
  TensorDesc d;
  d.data = data;
  d.dtype = dtype;
  d.ndim = ndim;
  int64_t s = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    d.shape[i] = shape[i];
    d.strides[i] = s;
    s *= shape[i];
  }
  return d;
}

}  // namespace cinder
