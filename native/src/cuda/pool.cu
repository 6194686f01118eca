// CUDA pooling, upsampling and padding kernels (pool.h). One thread per element written, in
// grid-stride loops; I is the index type (int32 when every decomposed size fits with room to
// spare, else int64), offsets into the operands are int64. Arithmetic mirrors cpu/pool.cc:
// average pools sum in double, interpolation weights use the CPU's formulas with unfused
// roundings (__*_rn), and backward kernels add each input element's contributions in the order
// the CPU's scatter loops do, so both devices agree to the last bit where the CPU does too.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/pool.h"
#include "cuda/poolElements.h"
#include "cuda/reduceUtil.cuh"

namespace cinder {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kSmall = int64_t(1) << 29;

template <typename F>
void dispatchFloat(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: f(float(0)); break;
    case DType::Float64: f(double(0)); break;
    default: fail(op, ": not supported for dtype ", dtypeName(dt));
  }
}

// Runs f(I()) with I = int32_t when `small`, else int64_t.
template <typename F>
void withIndex(bool small, F&& f) {
  if (small) f(int32_t(0));
  else f(int64_t(0));
}

#define CINDER_GRID_LOOP(I, idx, total) \
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < (total); idx += (I)gridDim.x * (I)blockDim.x)

bool planesSmall(const CudaPlanes& p) {
  return p.count * p.H * p.W < kSmall && p.count * p.OH * p.OW < kSmall && p.H < kSmall && p.W < kSmall &&
         p.OH < kSmall && p.OW < kSmall;
}

using namespace poolel;

bool windowSmall(const CudaPlanes& p, const PoolGeometry& g) {
  return planesSmall(p) && p.OH * g.sH + g.kH * g.dH + g.pH < kSmall && p.OW * g.sW + g.kW * g.dW + g.pW < kSmall &&
         p.H + g.pH < kSmall && p.W + g.pW < kSmall;
}

// Runs launch(T(), I(), stream) on `device`'s stream for the float dtype dt, with I = int32_t when
// `small`, else int64_t; nothing when total is 0.
template <typename F>
void launchFloat(int device, DType dt, int64_t total, bool small, const char* op, F&& launch) {
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) { withIndex(small, [&](auto itag) { launch(tag, itag, s); }); });
}

template <typename T, typename I>
__global__ void maxPoolKernel(const T* __restrict__ x, T* __restrict__ values, int64_t* __restrict__ indices,
                              I total, I H, I W, I OH, I OW, Win<I> g) {
  CINDER_GRID_LOOP(I, idx, total) maxPoolAt<T, I>(idx, x, values, indices, total, H, W, OH, OW, g);
}

// One warp per plane: the plane is zeroed, then the outputs are taken 32 at a time in order; the
// lanes aiming at one input element are matched and the lowest of them adds their values in lane
// order, so every element receives its contributions in output order (the CPU's).
constexpr int kWarpsPerBlock = kThreads / 32;

template <typename T>
__global__ void maxPoolBackwardKernel(const T* __restrict__ g, const int64_t* __restrict__ idx, T* __restrict__ gi,
                                      int64_t planes, int64_t plane, int64_t oplane,
                                      unsigned long long* __restrict__ bad) {
  __shared__ T vals[kWarpsPerBlock][32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int64_t stride = (int64_t)gridDim.x * kWarpsPerBlock;
  for (int64_t p = (int64_t)blockIdx.x * kWarpsPerBlock + warp; p < planes; p += stride) {
    T* o = gi + p * plane;
    for (int64_t i = lane; i < plane; i += 32) o[i] = T(0);
    __syncwarp();
    const T* gp = g + p * oplane;
    const int64_t* xp = idx + p * oplane;
    for (int64_t k0 = 0; k0 < oplane; k0 += 32) {
      const int64_t k = k0 + lane;
      int64_t target = -1;
      T v = T(0);
      if (k < oplane) {
        target = xp[k];
        v = gp[k];
        if (target < 0 || target >= plane) {
          if (atomicCAS(&bad[0], 0ull, 1ull) == 0ull) bad[1] = (unsigned long long)target;
          target = -1;
        }
      }
      vals[warp][lane] = v;
      const unsigned peers = __match_any_sync(kFullWarp, (unsigned long long)target);
      __syncwarp();
      if (target >= 0 && lane == __ffs(peers) - 1) {
        T acc = o[target];
        for (unsigned m = peers; m != 0; m &= m - 1) acc += vals[warp][__ffs(m) - 1];
        o[target] = acc;
      }
      __syncwarp();
    }
  }
}

template <typename T, typename I>
__global__ void avgPoolKernel(const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW, Win<I> g,
                              bool countIncludePad, int64_t divisorOverride) {
  CINDER_GRID_LOOP(I, idx, total) {
    avgPoolAt<T, I>(idx, x, out, total, H, W, OH, OW, g, countIncludePad, divisorOverride);
  }
}

template <typename T, typename I>
__global__ void avgPoolBackwardKernel(const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH, I OW,
                                      Win<I> w, bool countIncludePad, int64_t divisorOverride) {
  CINDER_GRID_LOOP(I, idx, total) {
    avgPoolBackwardAt<T, I>(idx, g, gi, total, H, W, OH, OW, w, countIncludePad, divisorOverride);
  }
}

template <typename T, typename I>
__global__ void adaptiveAvgKernel(const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW) {
  CINDER_GRID_LOOP(I, idx, total) adaptiveAvgAt<T, I>(idx, x, out, total, H, W, OH, OW);
}

template <typename T, typename I>
__global__ void adaptiveAvgBackwardKernel(const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH,
                                          I OW) {
  CINDER_GRID_LOOP(I, idx, total) adaptiveAvgBackwardAt<T, I>(idx, g, gi, total, H, W, OH, OW);
}

template <typename T, typename I>
__global__ void adaptiveMaxKernel(const T* __restrict__ x, T* __restrict__ values, int64_t* __restrict__ indices,
                                  I total, I H, I W, I OH, I OW) {
  CINDER_GRID_LOOP(I, idx, total) adaptiveMaxAt<T, I>(idx, x, values, indices, total, H, W, OH, OW);
}

template <typename T, typename I>
__global__ void nearestKernel(const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW, float sh,
                              float sw) {
  CINDER_GRID_LOOP(I, idx, total) nearestAt<T, I>(idx, x, out, total, H, W, OH, OW, sh, sw);
}

template <typename T, typename I>
__global__ void nearestBackwardKernel(const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH, I OW,
                                      float sh, float sw) {
  CINDER_GRID_LOOP(I, idx, total) nearestBackwardAt<T, I>(idx, g, gi, total, H, W, OH, OW, sh, sw);
}

template <typename T, typename I>
__global__ void bilinearKernel(const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW,
                               bool alignCorners, T sh, T sw) {
  CINDER_GRID_LOOP(I, idx, total) bilinearAt<T, I>(idx, x, out, total, H, W, OH, OW, alignCorners, sh, sw);
}

template <typename T, typename I>
__global__ void bilinearBackwardKernel(const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH, I OW,
                                       bool alignCorners, T sh, T sw) {
  CINDER_GRID_LOOP(I, idx, total) bilinearBackwardAt<T, I>(idx, g, gi, total, H, W, OH, OW, alignCorners, sh, sw);
}

bool padSmall(const CudaPadArgs& a) {
  int64_t in = 1, out = 1;
  for (int d = 0; d < a.nd; d++) {
    in *= a.inShape[d];
    out *= a.outShape[d];
    if (a.inShape[d] >= kSmall || a.outShape[d] >= kSmall || a.before[d] >= kSmall || a.before[d] <= -kSmall)
      return false;
  }
  return in < kSmall && out < kSmall;
}

template <typename W, typename I>
__global__ void padKernel(PadK<I> a, const W* __restrict__ x, W* __restrict__ out, I total, W fill) {
  CINDER_GRID_LOOP(I, idx, total) padAt<W, I>(idx, a, x, out, total, fill);
}

template <typename T, typename I>
__global__ void padBackwardKernel(PadK<I> a, const T* __restrict__ g, T* __restrict__ gi, I total) {
  CINDER_GRID_LOOP(I, idx, total) padBackwardAt<T, I>(idx, a, g, gi, total);
}



}  // namespace

// ---- launchers --------------------------------------------------------------------------------

void cudaMaxPool2d(int device, DType dt, const void* x, void* values, int64_t* indices, const CudaPlanes& pl,
                   const PoolGeometry& g, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  launchFloat(device, dt, total, windowSmall(pl, g), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    maxPoolKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(x), static_cast<T*>(values), indices, (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
        (I)pl.OW, winOf<I>(g));
    CINDER_CUDA_LAUNCH_CHECK("maxPoolKernel");
  });
}

void cudaMaxPool2dBackward(int device, DType dt, const void* gradOutput, const int64_t* indices, void* gradInput,
                           const CudaPlanes& pl, void* flagScratch, const char* op) {
  const int64_t plane = pl.H * pl.W, oplane = pl.OH * pl.OW;
  if (pl.count == 0 || plane == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  unsigned long long* bad = static_cast<unsigned long long*>(flagScratch);
  CINDER_CUDA_CHECK(cudaMemsetAsync(bad, 0, 2 * sizeof(unsigned long long), s), op);
  const int64_t blocks = std::min<int64_t>((pl.count + kWarpsPerBlock - 1) / kWarpsPerBlock, kMaxGridBlocks);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    maxPoolBackwardKernel<T><<<(unsigned)blocks, kThreads, 0, s>>>(static_cast<const T*>(gradOutput), indices,
                                                                     static_cast<T*>(gradInput), pl.count, plane,
                                                                     oplane, bad);
    CINDER_CUDA_LAUNCH_CHECK("maxPoolBackwardKernel");
  });
  unsigned long long host[2] = {0, 0};
  cudaCopyDeviceToHost(host, bad, device, sizeof(host), op);
  if (host[0] != 0) {
    fail(op, ": index ", (int64_t)host[1], " is out of bounds for an input plane of ", pl.H, " x ", pl.W);
  }
}

void cudaAvgPool2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, const PoolGeometry& g,
                   const AvgPoolOptions& o, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  launchFloat(device, dt, total, windowSmall(pl, g), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    avgPoolKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(x), static_cast<T*>(out), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH, (I)pl.OW,
        winOf<I>(g), o.countIncludePad, o.divisorOverride);
    CINDER_CUDA_LAUNCH_CHECK("avgPoolKernel");
  });
}

void cudaAvgPool2dBackward(int device, DType dt, const void* gradOutput, void* gradInput, const CudaPlanes& pl,
                           const PoolGeometry& g, const AvgPoolOptions& o, const char* op) {
  const int64_t total = pl.count * pl.H * pl.W;
  launchFloat(device, dt, total, windowSmall(pl, g), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    avgPoolBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
        (I)pl.OW, winOf<I>(g), o.countIncludePad, o.divisorOverride);
    CINDER_CUDA_LAUNCH_CHECK("avgPoolBackwardKernel");
  });
}

void cudaAdaptiveAvgPool2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  launchFloat(device, dt, total, planesSmall(pl), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    adaptiveAvgKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(x), static_cast<T*>(out), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH, (I)pl.OW);
    CINDER_CUDA_LAUNCH_CHECK("adaptiveAvgKernel");
  });
}

void cudaAdaptiveAvgPool2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                   const CudaPlanes& pl, const char* op) {
  const int64_t total = pl.count * pl.H * pl.W;
  launchFloat(device, dt, total, planesSmall(pl), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    adaptiveAvgBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
        (I)pl.OW);
    CINDER_CUDA_LAUNCH_CHECK("adaptiveAvgBackwardKernel");
  });
}

void cudaAdaptiveMaxPool2d(int device, DType dt, const void* x, void* values, int64_t* indices, const CudaPlanes& pl,
                           const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  launchFloat(device, dt, total, planesSmall(pl), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    adaptiveMaxKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(x), static_cast<T*>(values), indices, (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
        (I)pl.OW);
    CINDER_CUDA_LAUNCH_CHECK("adaptiveMaxKernel");
  });
}

void cudaUpsampleNearest2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, double scaleH,
                           double scaleW, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  const float sh = scalesValue<float>(scaleH, pl.H, pl.OH), sw = scalesValue<float>(scaleW, pl.W, pl.OW);
  launchFloat(device, dt, total, planesSmall(pl), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    nearestKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(x), static_cast<T*>(out), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH, (I)pl.OW, sh, sw);
    CINDER_CUDA_LAUNCH_CHECK("nearestKernel");
  });
}

void cudaUpsampleNearest2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                   const CudaPlanes& pl, double scaleH, double scaleW, const char* op) {
  const int64_t total = pl.count * pl.H * pl.W;
  const float sh = scalesValue<float>(scaleH, pl.H, pl.OH), sw = scalesValue<float>(scaleW, pl.W, pl.OW);
  launchFloat(device, dt, total, planesSmall(pl), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    nearestBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
        (I)pl.OW, sh, sw);
    CINDER_CUDA_LAUNCH_CHECK("nearestBackwardKernel");
  });
}

void cudaUpsampleBilinear2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, bool alignCorners,
                            double scaleH, double scaleW, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  launchFloat(device, dt, total, planesSmall(pl), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    const T sh = linearScale<T>(alignCorners, scaleH, pl.H, pl.OH);
    const T sw = linearScale<T>(alignCorners, scaleW, pl.W, pl.OW);
    bilinearKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(x), static_cast<T*>(out), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH, (I)pl.OW,
        alignCorners, sh, sw);
    CINDER_CUDA_LAUNCH_CHECK("bilinearKernel");
  });
}

void cudaUpsampleBilinear2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                    const CudaPlanes& pl, bool alignCorners, double scaleH, double scaleW,
                                    const char* op) {
  const int64_t total = pl.count * pl.H * pl.W;
  launchFloat(device, dt, total, planesSmall(pl), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    const T sh = linearScale<T>(alignCorners, scaleH, pl.H, pl.OH);
    const T sw = linearScale<T>(alignCorners, scaleW, pl.W, pl.OW);
    bilinearBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
        (I)pl.OW, alignCorners, sh, sw);
    CINDER_CUDA_LAUNCH_CHECK("bilinearBackwardKernel");
  });
}

void cudaPad(int device, int itemBytes, const CudaPadArgs& a, const void* x, void* out, uint64_t fillBits,
             const char* op) {
  int64_t total = 1;
  for (int d = 0; d < a.nd; d++) total *= a.outShape[d];
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  auto run = [&](auto wtag) {
    using W = decltype(wtag);
    W fill;
    std::memcpy(&fill, &fillBits, sizeof(W));  // little-endian: the low bytes
    withIndex(padSmall(a), [&](auto itag) {
      using I = decltype(itag);
      padKernel<W, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(padOf<I>(a), static_cast<const W*>(x),
                                                                   static_cast<W*>(out), (I)total, fill);
      CINDER_CUDA_LAUNCH_CHECK("padKernel");
    });
  };
  switch (itemBytes) {
    case 1: run(uint8_t(0)); break;
    case 2: run(uint16_t(0)); break;
    case 4: run(uint32_t(0)); break;
    case 8: run(uint64_t(0)); break;
    default: fail(op, ": internal error: elements of ", itemBytes, " bytes");
  }
}

void cudaPadBackward(int device, DType dt, const CudaPadArgs& a, const void* gradOutput, void* gradInput,
                     const char* op) {
  int64_t total = 1;
  for (int d = 0; d < a.nd; d++) total *= a.inShape[d];
  launchFloat(device, dt, total, padSmall(a), op, [&](auto tag, auto itag, cudaStream_t s) {
    using T = decltype(tag);
    using I = decltype(itag);
    padBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
        padOf<I>(a), static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total);
    CINDER_CUDA_LAUNCH_CHECK("padBackwardKernel");
  });
}

}  // namespace cinder
