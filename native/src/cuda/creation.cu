// Creation kernels: pattern fills (full, zeros, ones on a device) and ranges (arange, linspace).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "cuda/creation.h"
#include "cuda/cudaCommon.cuh"

namespace cinder {
namespace {

constexpr int kThreads = 256;

// 16 bytes of the repeated pattern per store; `words` 16-byte words from the aligned dst.
__global__ void fillWords(uint4* dst, int64_t words, uint4 pattern) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < words; i += step) dst[i] = pattern;
}

// Byte by byte: pattern byte (i % period) to dst[i] (the tail after the words, or a misaligned dst
// whose first byte starts an element).
__global__ void fillBytes(uint8_t* dst, int64_t nbytes, uint4 pattern) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  uint8_t bytes[16];
  memcpy(bytes, &pattern, 16);
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < nbytes; i += step) dst[i] = bytes[i & 15];
}

// The value at i of a range (linspace of one step is its start, as on the host), with no contraction into a fused multiply-add (the host computes
// each product and sum rounded separately, and so must the device, to store the same values).
__device__ __forceinline__ double rangeAt(int64_t i, int64_t n, double start, double step, double end, bool symmetric) {
  if (symmetric && n > 1 && i >= n / 2) return __dsub_rn(end, __dmul_rn(step, (double)(n - 1 - i)));
  return __dadd_rn(start, __dmul_rn((double)i, step));
}

template <typename T>
__device__ __forceinline__ T fromDouble(double v) {
  if constexpr (std::is_same_v<T, float>) return (float)v;
  else if constexpr (std::is_same_v<T, double>) return v;
  else if constexpr (std::is_same_v<T, __half>) return __float2half_rn((float)v);
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return __float2bfloat16_rn((float)v);
  else if constexpr (std::is_same_v<T, bool>) return v != 0 && !isnan(v);
  else if constexpr (std::is_same_v<T, int64_t>) return (int64_t)v;
  else return (T)(int64_t)v;  // int32, uint8: wrap like a typed-array store of an integer
}

template <typename T>
__global__ void rangeKernel(T* out, int64_t n, double start, double step, double end, bool symmetric) {
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    out[i] = fromDouble<T>(rangeAt(i, n, start, step, end, symmetric));
  }
}

}  // namespace

void cudaLaunchFillPattern(int device, void* dst, size_t nbytes, int itemBytes, uint64_t pattern, const char* op) {
  if (nbytes == 0) return;
  CINDER_CHECK(itemBytes == 1 || itemBytes == 2 || itemBytes == 4 || itemBytes == 8, op,
               ": internal error: fill of ", itemBytes, "-byte elements");
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  if (pattern == 0) {
    CINDER_CUDA_CHECK(cudaMemsetAsync(dst, 0, nbytes, stream), op);
    return;
  }
  unsigned char rep[16];
  for (int k = 0; k < 16; k++) rep[k] = (unsigned char)(pattern >> (8 * (k % itemBytes)));
  uint4 pat;
  std::memcpy(&pat, rep, 16);
  const bool aligned = ((uintptr_t)dst & 15) == 0;
  const int64_t words = aligned ? (int64_t)(nbytes / 16) : 0;
  if (words > 0) {
    fillWords<<<gridFor(words, kThreads), kThreads, 0, stream>>>(static_cast<uint4*>(dst), words, pat);
    CINDER_CUDA_LAUNCH_CHECK("fillWords");
  }
  const int64_t rest = (int64_t)nbytes - words * 16;
  if (rest > 0) {
    // The tail starts at a multiple of 16 bytes (aligned case) or at dst itself, so byte j of it
    // is pattern byte j % 16 either way (16 is a multiple of every element size).
    uint8_t* tail = static_cast<uint8_t*>(dst) + words * 16;
    fillBytes<<<gridFor(rest, kThreads), kThreads, 0, stream>>>(tail, rest, pat);
    CINDER_CUDA_LAUNCH_CHECK("fillBytes");
  }
}

void cudaLaunchRange(int device, DType dt, void* out, int64_t n, double start, double step, double end,
                     bool symmetric, const char* op) {
  if (n <= 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  const unsigned blocks = gridFor(n, kThreads);
  auto launch = [&](auto* typed) {
    using T = std::remove_pointer_t<decltype(typed)>;
    rangeKernel<T><<<blocks, kThreads, 0, stream>>>(static_cast<T*>(out), n, start, step, end, symmetric);
    CINDER_CUDA_LAUNCH_CHECK("rangeKernel");
  };
  switch (dt) {
    case DType::Float32: launch((float*)nullptr); break;
    case DType::Float64: launch((double*)nullptr); break;
    case DType::Float16: launch((__half*)nullptr); break;
    case DType::BFloat16: launch((__nv_bfloat16*)nullptr); break;
    case DType::Int32: launch((int32_t*)nullptr); break;
    case DType::Int64: launch((int64_t*)nullptr); break;
    case DType::Uint8: launch((uint8_t*)nullptr); break;
    case DType::Bool: launch((bool*)nullptr); break;
    default: fail(op, ": unsupported dtype ", dtypeName(dt));
  }
}

}  // namespace cinder
