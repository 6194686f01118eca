// Warp and block reductions shared by the CUDA kernels (reductions, softmax, norms, losses).
#pragma once
#include <cuda_runtime.h>

namespace cinder {

constexpr unsigned kFullWarp = 0xffffffffu;

// Combines v across the 32 lanes of a warp with the associative op; every lane gets the result.
template <typename T, typename Op>
__device__ __forceinline__ T warpAllReduce(T v, Op op) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(kFullWarp, v, o));
  return v;
}

// Combines v across the block (blockDim.x a multiple of 32, at most 1024); every thread gets the
// result. `scratch` is shared memory of at least 32 T. Must be reached by every thread of the
// block; the scratch may be reused after it returns.
template <typename T, typename Op>
__device__ __forceinline__ T blockAllReduce(T v, Op op, T identity, T* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = (blockDim.x + 31) >> 5;
  v = warpAllReduce(v, op);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < nwarps ? scratch[lane] : identity;
  return warpAllReduce(v, op);
}

struct SumOp {
  template <typename T>
  __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};
struct MaxOp {
  template <typename T>
  __device__ __forceinline__ T operator()(T a, T b) const { return a > b ? a : b; }
};
struct MinOp {
  template <typename T>
  __device__ __forceinline__ T operator()(T a, T b) const { return a < b ? a : b; }
};

}  // namespace cinder
