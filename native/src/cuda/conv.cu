// CUDA convolution kernels (conv.h). Every kernel runs one thread per element it writes, in a
// grid-stride loop, and indexes with I: int32 when every size it decomposes fits comfortably
// (fast division), int64 otherwise. Offsets into the operands are always computed in int64.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "cuda/conv.h"
#include "cuda/convElements.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/reduceUtil.cuh"

namespace cinder {
namespace {

constexpr int kThreads = 256;
// Sizes below this are decomposed in int32 (headroom for idx + grid stride and for sums of a
// position, a padding and a dilated kernel offset).
constexpr int64_t kSmall = int64_t(1) << 29;

using convel::Geo;
using convel::geoOf;

#define CINDER_GRID_LOOP(I, idx, total) \
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < (total); idx += (I)gridDim.x * (I)blockDim.x)

// Whether the geometry's values, and their position arithmetic, fit int32 with room to spare.
bool geometryIsSmall(const ConvGeom& g) {
  if (g.Cin * g.kvol >= kSmall || g.L >= kSmall || g.Xvol >= kSmall || g.G >= kSmall) return false;
  for (int i = 0; i < kConvS; i++) {
    if (g.X[i] + g.P[i] + g.D[i] * g.Kk[i] >= kSmall || g.Y[i] * g.S[i] + g.D[i] * g.Kk[i] >= kSmall) return false;
  }
  return true;
}

// ---- kernels: grid loops around the element functions of convElements.h -----------------------

template <typename T, typename I>
__global__ void im2colKernel(Geo<I> g, const T* __restrict__ x, CudaConvInput xs, int64_t n0, I nb, I l0, I lc,
                             T* __restrict__ col, CudaColLayout lay) {
  const I total = nb * g.Cin * g.kvol * lc;
  CINDER_GRID_LOOP(I, idx, total) convel::im2colAt<T, I>(idx, g, x, xs, n0, l0, lc, col, lay);
}

template <typename T, typename I>
__global__ void col2imKernel(Geo<I> g, const T* __restrict__ col, CudaColLayout lay, I nb, I l0, I lc,
                             bool accumulate, T* __restrict__ gx) {
  const I total = nb * g.Cin * (g.X[0] * g.X[1] * g.X[2]);
  CINDER_GRID_LOOP(I, idx, total) convel::col2imAt<T, I>(idx, g, col, lay, l0, lc, accumulate, gx);
}

template <typename T, typename I>
__global__ void gatherRowsKernel(const T* __restrict__ gy, int64_t gsn, int64_t gsc, int64_t gls, I C, int64_t n0,
                                 I nb, I l0, I lc, T* __restrict__ dst) {
  const I total = C * nb * lc;
  CINDER_GRID_LOOP(I, idx, total) convel::gatherRowsAt<T, I>(idx, gy, gsn, gsc, gls, n0, nb, l0, lc, dst);
}

template <typename T, typename I>
__global__ void addBiasKernel(T* __restrict__ out, I total, I C, I inner, const T* __restrict__ bias, int64_t bs) {
  CINDER_GRID_LOOP(I, idx, total) convel::addBiasAt<T, I>(idx, out, C, inner, bias, bs);
}

// ---- depthwise (Cig == 1) --------------------------------------------------------------------

template <typename T, typename I>
__global__ void depthwiseForwardKernel(Geo<I> g, I Cout, I Cog, I total, const T* __restrict__ x, CudaConvInput xs,
                                       const T* __restrict__ w, int64_t ws0, int64_t wsK, T* __restrict__ y) {
  CINDER_GRID_LOOP(I, idx, total) convel::depthwiseForwardAt<T, I>(idx, g, Cout, Cog, x, xs, w, ws0, wsK, y);
}

template <typename T, typename I>
__global__ void depthwiseBackwardInputKernel(Geo<I> g, I Cog, I total, const T* __restrict__ gy, int64_t gsn,
                                             int64_t gsc, int64_t gls, const T* __restrict__ w, int64_t ws0,
                                             int64_t wsK, T* __restrict__ gx) {
  CINDER_GRID_LOOP(I, idx, total) {
    convel::depthwiseBackwardInputAt<T, I>(idx, g, Cog, gy, gsn, gsc, gls, w, ws0, wsK, gx);
  }
}

constexpr int kReduceThreads = 256;

// One block per weight element (co, tap), grid-striding over them; each thread sums a fixed
// subset of the (sample, position) pairs, then the block combines the partial sums in a fixed
// tree: the same bits on every run.
template <typename T, typename I>
__global__ void depthwiseBackwardWeightKernel(Geo<I> g, I N, I Cout, I Cog, const T* __restrict__ x, CudaConvInput xs,
                                              const T* __restrict__ gy, int64_t gsn, int64_t gsc, int64_t gls,
                                              T* __restrict__ gw) {
  __shared__ T scratch[32];
  const I items = Cout * g.kvol;
  const I pairs = N * g.L;
  for (I item = (I)blockIdx.x; item < items; item += (I)gridDim.x) {
    T acc = T(0);
    for (I e = (I)threadIdx.x; e < pairs; e += (I)blockDim.x)
      acc += convel::depthwiseWeightTerm<T, I>(item, e, g, Cog, x, xs, gy, gsn, gsc, gls);
    acc = blockAllReduce(acc, [](T a, T b) { return a + b; }, T(0), scratch);
    if (threadIdx.x == 0) gw[item] = acc;
  }
}

// Runs f.template operator()<T>() for float32 / float64.
template <typename F>
void dispatchFloat(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: f(float(0)); break;
    case DType::Float64: f(double(0)); break;
    default: fail(op, ": not supported for dtype ", dtypeName(dt));
  }
}

}  // namespace

void cudaConvIm2col(int device, DType dt, const ConvGeom& g, const CudaConvInput& x, int64_t n0, int64_t nb,
                    int64_t l0, int64_t lc, void* col, const CudaColLayout& lay, const char* op) {
  const int64_t total = nb * g.Cin * g.kvol * lc;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const bool small = total < kSmall && geometryIsSmall(g);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      im2colKernel<T, int32_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int32_t>(g), static_cast<const T*>(x.data), x, n0, (int32_t)nb, (int32_t)l0, (int32_t)lc,
          static_cast<T*>(col), lay);
    } else {
      im2colKernel<T, int64_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int64_t>(g), static_cast<const T*>(x.data), x, n0, nb, l0, lc, static_cast<T*>(col), lay);
    }
    CINDER_CUDA_LAUNCH_CHECK("im2colKernel");
  });
}

void cudaConvCol2im(int device, DType dt, const ConvGeom& g, const void* col, const CudaColLayout& lay, int64_t nb,
                    int64_t l0, int64_t lc, bool accumulate, void* gx, const char* op) {
  const int64_t total = nb * g.Cin * g.Xvol;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const bool small = total < kSmall && nb * g.Cin * g.kvol * lc < kSmall && geometryIsSmall(g);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      col2imKernel<T, int32_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int32_t>(g), static_cast<const T*>(col), lay, (int32_t)nb, (int32_t)l0, (int32_t)lc, accumulate,
          static_cast<T*>(gx));
    } else {
      col2imKernel<T, int64_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int64_t>(g), static_cast<const T*>(col), lay, nb, l0, lc, accumulate, static_cast<T*>(gx));
    }
    CINDER_CUDA_LAUNCH_CHECK("col2imKernel");
  });
}

void cudaConvGatherRows(int device, DType dt, const void* gy, int64_t gsn, int64_t gsc, int64_t gls, int64_t C,
                        int64_t n0, int64_t nb, int64_t l0, int64_t lc, void* dst, const char* op) {
  const int64_t total = C * nb * lc;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const bool small = total < kSmall && l0 + lc < kSmall;
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      gatherRowsKernel<T, int32_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(gy), gsn, gsc, gls, (int32_t)C, n0, (int32_t)nb, (int32_t)l0, (int32_t)lc,
          static_cast<T*>(dst));
    } else {
      gatherRowsKernel<T, int64_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(gy), gsn, gsc, gls, C, n0, nb, l0, lc, static_cast<T*>(dst));
    }
    CINDER_CUDA_LAUNCH_CHECK("gatherRowsKernel");
  });
}

void cudaConvAddBias(int device, DType dt, void* out, int64_t N, int64_t C, int64_t inner, const void* bias,
                     int64_t bs, const char* op) {
  const int64_t total = N * C * inner;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    if (total < kSmall) {
      addBiasKernel<T, int32_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<T*>(out), (int32_t)total, (int32_t)C, (int32_t)inner, static_cast<const T*>(bias), bs);
    } else {
      addBiasKernel<T, int64_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<T*>(out), total, C, inner, static_cast<const T*>(bias), bs);
    }
    CINDER_CUDA_LAUNCH_CHECK("addBiasKernel");
  });
}

void cudaConvDepthwiseForward(int device, DType dt, const ConvGeom& g, const CudaConvInput& x, const void* w,
                              void* y, const char* op) {
  const int64_t total = g.N * g.Cout * g.L;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const bool small = total < kSmall && g.Cout < kSmall && geometryIsSmall(g);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      depthwiseForwardKernel<T, int32_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int32_t>(g), (int32_t)g.Cout, (int32_t)g.Cog, (int32_t)total, static_cast<const T*>(x.data), x,
          static_cast<const T*>(w), g.ws0, g.wsK, static_cast<T*>(y));
    } else {
      depthwiseForwardKernel<T, int64_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int64_t>(g), g.Cout, g.Cog, total, static_cast<const T*>(x.data), x, static_cast<const T*>(w), g.ws0,
          g.wsK, static_cast<T*>(y));
    }
    CINDER_CUDA_LAUNCH_CHECK("depthwiseForwardKernel");
  });
}

void cudaConvDepthwiseBackwardInput(int device, DType dt, const ConvGeom& g, const void* gy, int64_t gsn,
                                    int64_t gsc, int64_t gls, const void* w, void* gx, const char* op) {
  const int64_t total = g.N * g.Cin * g.Xvol;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const bool small = total < kSmall && g.Cout < kSmall && geometryIsSmall(g);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      depthwiseBackwardInputKernel<T, int32_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int32_t>(g), (int32_t)g.Cog, (int32_t)total, static_cast<const T*>(gy), gsn, gsc, gls,
          static_cast<const T*>(w), g.ws0, g.wsK, static_cast<T*>(gx));
    } else {
      depthwiseBackwardInputKernel<T, int64_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int64_t>(g), g.Cog, total, static_cast<const T*>(gy), gsn, gsc, gls, static_cast<const T*>(w), g.ws0,
          g.wsK, static_cast<T*>(gx));
    }
    CINDER_CUDA_LAUNCH_CHECK("depthwiseBackwardInputKernel");
  });
}

void cudaConvDepthwiseBackwardWeight(int device, DType dt, const ConvGeom& g, const CudaConvInput& x, const void* gy,
                                     int64_t gsn, int64_t gsc, int64_t gls, void* gw, const char* op) {
  const int64_t items = g.Cout * g.kvol;
  if (items == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const bool small = g.N * g.L < kSmall && items < kSmall && geometryIsSmall(g);
  const unsigned blocks = (unsigned)std::min<int64_t>(items, kMaxGridBlocks);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      depthwiseBackwardWeightKernel<T, int32_t><<<blocks, kReduceThreads, 0, s>>>(
          geoOf<int32_t>(g), (int32_t)g.N, (int32_t)g.Cout, (int32_t)g.Cog, static_cast<const T*>(x.data), x,
          static_cast<const T*>(gy), gsn, gsc, gls, static_cast<T*>(gw));
    } else {
      depthwiseBackwardWeightKernel<T, int64_t><<<blocks, kReduceThreads, 0, s>>>(
          geoOf<int64_t>(g), g.N, g.Cout, g.Cog, static_cast<const T*>(x.data), x, static_cast<const T*>(gy), gsn,
          gsc, gls, static_cast<T*>(gw));
    }
    CINDER_CUDA_LAUNCH_CHECK("depthwiseBackwardWeightKernel");
  });
}

void cudaConvZero(int device, void* p, size_t bytes, const char* op) {
  if (bytes == 0) return;
  CudaDeviceGuard guard(device, op);
  CINDER_CUDA_CHECK(cudaMemsetAsync(p, 0, bytes, cudaStreamOf(device, op)), op);
}

}  // namespace cinder
