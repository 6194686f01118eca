// CUDA GEMM (cudaGemm.h). A direct kernel: one thread per element of C, accumulating in float
// (double for float64), any strides and batch.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "cuda/cudaCommon.cuh"
#include "cuda/cudaGemm.h"

namespace cinder {
namespace {

template <typename T>
__device__ __forceinline__ float toAcc(T v) { return (float)v; }
__device__ __forceinline__ double toAcc(double v) { return v; }
__device__ __forceinline__ float toAcc(__half v) { return __half2float(v); }
__device__ __forceinline__ float toAcc(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T, typename Acc>
__device__ __forceinline__ T fromAcc(Acc v) { return (T)v; }
template <>
__device__ __forceinline__ __half fromAcc<__half, float>(float v) { return __float2half(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 fromAcc<__nv_bfloat16, float>(float v) { return __float2bfloat16(v); }

template <typename T, typename Acc>
__global__ void gemmDirect(CudaGemmArgs g) {
  const T* A = static_cast<const T*>(g.a);
  const T* B = static_cast<const T*>(g.b);
  T* C = static_cast<T*>(g.c);
  const int64_t total = g.m * g.n * g.batch;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total; idx += (int64_t)gridDim.x * blockDim.x) {
    int64_t j = idx % g.n, t = idx / g.n, i = t % g.m, b = t / g.m;
    const T* a = A + b * g.aBatch + i * g.aRow;
    const T* bp = B + b * g.bBatch + j * g.bCol;
    Acc acc = 0;
    for (int64_t p = 0; p < g.k; p++) acc += toAcc(a[p * g.aCol]) * toAcc(bp[p * g.bRow]);
    T* c = C + b * g.cBatch + i * g.cRow + j * g.cCol;
    Acc r = (Acc)g.alpha * acc;
    if (g.beta != 0) r += (Acc)g.beta * toAcc(*c);
    *c = fromAcc<T, Acc>(r);
  }
}

template <typename T, typename Acc>
void launch(int device, const CudaGemmArgs& g, const char* op) {
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  gemmDirect<T, Acc><<<gridFor(g.m * g.n * g.batch, 256), 256, 0, s>>>(g);
  CINDER_CUDA_LAUNCH_CHECK("gemmDirect");
}

}  // namespace

void cudaGemm(int device, const CudaGemmArgs& g, const char* op) {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  switch (g.dtype) {
    case DType::Float32: return launch<float, float>(device, g, op);
    case DType::Float64: return launch<double, double>(device, g, op);
    case DType::Float16: return launch<__half, float>(device, g, op);
    case DType::BFloat16: return launch<__nv_bfloat16, float>(device, g, op);
    default: fail(op, ": matrix products on CUDA take float32, float64, float16 or bfloat16, got ", dtypeName(g.dtype));
  }
}

}  // namespace cinder
