// The byte offsets of a strided iteration's operands at one linear index, for the grid-stride
// kernels that walk any layout (elementwise.cu, optim.cu).
#pragma once
#include <cstdint>

namespace cinder {

// Offsets of the N operands of `a` (ndim, shape[d], strides[k][d] in bytes) at linear index i of
// the row-major iteration over its shape. small selects 32-bit division, several times cheaper on
// the GPU, valid when the iteration has at most 2^32 - 1 elements (every size is then below it).
template <int N, typename Iter>
__device__ __forceinline__ void stridedOffsets(const Iter& a, int64_t i, bool small, int64_t* off) {
#pragma unroll
  for (int k = 0; k < N; k++) off[k] = 0;
  if (small) {
    uint32_t rem = (uint32_t)i;
    for (int d = a.ndim - 1; d >= 0; d--) {
      const uint32_t sz = (uint32_t)a.shape[d];
      const uint32_t idx = rem % sz;
      rem /= sz;
#pragma unroll
      for (int k = 0; k < N; k++) off[k] += (int64_t)idx * a.strides[k][d];
    }
  } else {
    int64_t rem = i;
    for (int d = a.ndim - 1; d >= 0; d--) {
      const int64_t sz = a.shape[d];
      const int64_t idx = rem % sz;
      rem /= sz;
#pragma unroll
      for (int k = 0; k < N; k++) off[k] += idx * a.strides[k][d];
    }
  }
}

}  // namespace cinder
