// CUDA convolution kernels (conv.h). Every kernel runs one thread per element it writes, in a
// grid-stride loop, and indexes with I: int32 when every size it decomposes fits comfortably
// (fast division), int64 otherwise. Offsets into the operands are always computed in int64.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "cuda/conv.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/reduceUtil.cuh"

namespace cinder {
namespace {

constexpr int kThreads = 256;
// Sizes below this are decomposed in int32 (headroom for idx + grid stride and for sums of a
// position, a padding and a dilated kernel offset).
constexpr int64_t kSmall = int64_t(1) << 29;

// The geometry in the index type of a launch.
template <typename I>
struct Geo {
  I Cin, G, Cig, K, kvol, L;
  I X[kConvS], Y[kConvS], Kk[kConvS], S[kConvS], P[kConvS], D[kConvS];
};

template <typename I>
Geo<I> geoOf(const ConvGeom& g) {
  Geo<I> r;
  r.Cin = (I)g.Cin;
  r.G = (I)g.G;
  r.Cig = (I)g.Cig;
  r.K = (I)g.K;
  r.kvol = (I)g.kvol;
  r.L = (I)g.L;
  for (int i = 0; i < kConvS; i++) {
    r.X[i] = (I)g.X[i];
    r.Y[i] = (I)g.Y[i];
    r.Kk[i] = (I)g.Kk[i];
    r.S[i] = (I)g.S[i];
    r.P[i] = (I)g.P[i];
    r.D[i] = (I)g.D[i];
  }
  return r;
}

// Whether the geometry's values, and their position arithmetic, fit int32 with room to spare.
bool geometryIsSmall(const ConvGeom& g) {
  if (g.Cin * g.kvol >= kSmall || g.L >= kSmall || g.Xvol >= kSmall || g.G >= kSmall) return false;
  for (int i = 0; i < kConvS; i++) {
    if (g.X[i] + g.P[i] + g.D[i] * g.Kk[i] >= kSmall || g.Y[i] * g.S[i] + g.D[i] * g.Kk[i] >= kSmall) return false;
  }
  return true;
}

template <typename T, typename I>
__global__ void im2colKernel(Geo<I> g, const T* __restrict__ x, CudaConvInput xs, int64_t n0, I nb, I l0, I lc,
                             T* __restrict__ col, CudaColLayout lay) {
  const I rows = g.Cin * g.kvol;
  const I total = nb * rows * lc;
  const I Y12 = g.Y[1] * g.Y[2], K12 = g.Kk[1] * g.Kk[2];
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < total; idx += (I)gridDim.x * (I)blockDim.x) {
    const I l = idx % lc;
    const I t = idx / lc;
    const I row = t % rows;  // c * kvol + kk
    const I n = t / rows;
    const I c = row / g.kvol, kk = row - c * g.kvol;
    const I kz = kk / K12, ky = (kk / g.Kk[2]) % g.Kk[1], kx = kk % g.Kk[2];
    const I lg = l0 + l;
    const I oz = lg / Y12, oy = (lg / g.Y[2]) % g.Y[1], ox = lg % g.Y[2];
    const I iz = oz * g.S[0] - g.P[0] + kz * g.D[0];
    const I iy = oy * g.S[1] - g.P[1] + ky * g.D[1];
    const I ix = ox * g.S[2] - g.P[2] + kx * g.D[2];
    T v = T(0);
    if (iz >= 0 && iz < g.X[0] && iy >= 0 && iy < g.X[1] && ix >= 0 && ix < g.X[2]) {
      v = x[(n0 + (int64_t)n) * xs.sn + (int64_t)c * xs.sc + (int64_t)iz * xs.ss[0] + (int64_t)iy * xs.ss[1] +
            (int64_t)ix * xs.ss[2]];
    }
    const I gi = c / g.Cig;
    col[(int64_t)n * lay.sN + (int64_t)gi * lay.sG + (int64_t)(row - gi * g.K) * lay.sK + l] = v;
  }
}

// One output position coordinate reached from input coordinate i by kernel tap k: o with
// o * S - P + k * D == i, if any (-1 otherwise; `stop` once no larger tap can reach one).
template <typename I>
__device__ __forceinline__ I tapSource(I i, I k, I S, I P, I D, I Y, bool& stop) {
  const I t = i + P - k * D;
  if (t < 0) {
    stop = true;
    return -1;
  }
  if (t % S != 0) return -1;
  const I o = t / S;
  return o < Y ? o : -1;
}

template <typename T, typename I>
__global__ void col2imKernel(Geo<I> g, const T* __restrict__ col, I nb, I l0, I lc, bool accumulate,
                             T* __restrict__ gx) {
  const I X12 = g.X[1] * g.X[2], Xvol = g.X[0] * X12;
  const I total = nb * g.Cin * Xvol;
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < total; idx += (I)gridDim.x * (I)blockDim.x) {
    const I ix = idx % g.X[2];
    const I iy = (idx / g.X[2]) % g.X[1];
    const I iz = (idx / X12) % g.X[0];
    const I nc = idx / Xvol;  // n * Cin + c
    const int64_t rowOff = (int64_t)nc * g.kvol;  // the element's first im2col row
    T acc = T(0);
    bool stopZ = false;
    for (I kz = 0; kz < g.Kk[0] && !stopZ; kz++) {
      const I oz = tapSource(iz, kz, g.S[0], g.P[0], g.D[0], g.Y[0], stopZ);
      if (oz < 0) continue;
      bool stopY = false;
      for (I ky = 0; ky < g.Kk[1] && !stopY; ky++) {
        const I oy = tapSource(iy, ky, g.S[1], g.P[1], g.D[1], g.Y[1], stopY);
        if (oy < 0) continue;
        const I rowBase = (kz * g.Kk[1] + ky) * g.Kk[2];
        const I lrow = (oz * g.Y[1] + oy) * g.Y[2];
        bool stopX = false;
        for (I kx = 0; kx < g.Kk[2] && !stopX; kx++) {
          const I ox = tapSource(ix, kx, g.S[2], g.P[2], g.D[2], g.Y[2], stopX);
          if (ox < 0) continue;
          const I l = lrow + ox;
          if (l < l0 || l >= l0 + lc) continue;
          acc += col[(rowOff + rowBase + kx) * (int64_t)lc + (l - l0)];
        }
      }
    }
    gx[idx] = accumulate ? gx[idx] + acc : acc;
  }
}

template <typename T, typename I>
__global__ void gatherRowsKernel(const T* __restrict__ gy, int64_t gsn, int64_t gsc, int64_t gls, I C, int64_t n0,
                                 I nb, I l0, I lc, T* __restrict__ dst) {
  const I total = C * nb * lc;
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < total; idx += (I)gridDim.x * (I)blockDim.x) {
    const I l = idx % lc;
    const I t = idx / lc;
    const I n = t % nb, c = t / nb;
    dst[idx] = gy[(n0 + (int64_t)n) * gsn + (int64_t)c * gsc + (int64_t)(l0 + l) * gls];
  }
}

template <typename T, typename I>
__global__ void addBiasKernel(T* __restrict__ out, I total, I C, I inner, const T* __restrict__ bias, int64_t bs) {
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < total; idx += (I)gridDim.x * (I)blockDim.x) {
    const I c = (idx / inner) % C;
    out[idx] += bias[(int64_t)c * bs];
  }
}

// ---- depthwise (Cig == 1) --------------------------------------------------------------------

template <typename T, typename I>
__global__ void depthwiseForwardKernel(Geo<I> g, I Cout, I Cog, I total, const T* __restrict__ x, CudaConvInput xs,
                                       const T* __restrict__ w, int64_t ws0, int64_t wsK, T* __restrict__ y) {
  const I Y12 = g.Y[1] * g.Y[2];
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < total; idx += (I)gridDim.x * (I)blockDim.x) {
    const I l = idx % g.L;
    const I t = idx / g.L;
    const I co = t % Cout, n = t / Cout;
    const I c = co / Cog;
    const I oz = l / Y12, oy = (l / g.Y[2]) % g.Y[1], ox = l % g.Y[2];
    const T* xc = x + (int64_t)n * xs.sn + (int64_t)c * xs.sc;
    const T* wc = w + (int64_t)co * ws0;
    T acc = T(0);
    for (I kz = 0; kz < g.Kk[0]; kz++) {
      const I iz = oz * g.S[0] - g.P[0] + kz * g.D[0];
      if (iz < 0 || iz >= g.X[0]) continue;
      for (I ky = 0; ky < g.Kk[1]; ky++) {
        const I iy = oy * g.S[1] - g.P[1] + ky * g.D[1];
        if (iy < 0 || iy >= g.X[1]) continue;
        const T* xr = xc + (int64_t)iz * xs.ss[0] + (int64_t)iy * xs.ss[1];
        const I kb = (kz * g.Kk[1] + ky) * g.Kk[2];
        for (I kx = 0; kx < g.Kk[2]; kx++) {
          const I ix = ox * g.S[2] - g.P[2] + kx * g.D[2];
          if (ix < 0 || ix >= g.X[2]) continue;
          acc += wc[(int64_t)(kb + kx) * wsK] * xr[(int64_t)ix * xs.ss[2]];
        }
      }
    }
    y[idx] = acc;
  }
}

template <typename T, typename I>
__global__ void depthwiseBackwardInputKernel(Geo<I> g, I Cog, I total, const T* __restrict__ gy, int64_t gsn,
                                             int64_t gsc, int64_t gls, const T* __restrict__ w, int64_t ws0,
                                             int64_t wsK, T* __restrict__ gx) {
  const I X12 = g.X[1] * g.X[2], Xvol = g.X[0] * X12;
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < total; idx += (I)gridDim.x * (I)blockDim.x) {
    const I ix = idx % g.X[2];
    const I iy = (idx / g.X[2]) % g.X[1];
    const I iz = (idx / X12) % g.X[0];
    const I nc = idx / Xvol;
    const I c = nc % g.Cin, n = nc / g.Cin;
    T acc = T(0);
    for (I j = 0; j < Cog; j++) {
      const I co = c * Cog + j;
      const T* gyc = gy + (int64_t)n * gsn + (int64_t)co * gsc;
      const T* wc = w + (int64_t)co * ws0;
      bool stopZ = false;
      for (I kz = 0; kz < g.Kk[0] && !stopZ; kz++) {
        const I oz = tapSource(iz, kz, g.S[0], g.P[0], g.D[0], g.Y[0], stopZ);
        if (oz < 0) continue;
        bool stopY = false;
        for (I ky = 0; ky < g.Kk[1] && !stopY; ky++) {
          const I oy = tapSource(iy, ky, g.S[1], g.P[1], g.D[1], g.Y[1], stopY);
          if (oy < 0) continue;
          const I kb = (kz * g.Kk[1] + ky) * g.Kk[2];
          const I lrow = (oz * g.Y[1] + oy) * g.Y[2];
          bool stopX = false;
          for (I kx = 0; kx < g.Kk[2] && !stopX; kx++) {
            const I ox = tapSource(ix, kx, g.S[2], g.P[2], g.D[2], g.Y[2], stopX);
            if (ox < 0) continue;
            acc += wc[(int64_t)(kb + kx) * wsK] * gyc[(int64_t)(lrow + ox) * gls];
          }
        }
      }
    }
    gx[idx] = acc;
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
  const I Y12 = g.Y[1] * g.Y[2], K12 = g.Kk[1] * g.Kk[2];
  for (I item = (I)blockIdx.x; item < items; item += (I)gridDim.x) {
    const I co = item / g.kvol, kk = item % g.kvol;
    const I kz = kk / K12, ky = (kk / g.Kk[2]) % g.Kk[1], kx = kk % g.Kk[2];
    const I c = co / Cog;
    T acc = T(0);
    for (I e = (I)threadIdx.x; e < pairs; e += (I)blockDim.x) {
      const I l = e % g.L, n = e / g.L;
      const I oz = l / Y12, oy = (l / g.Y[2]) % g.Y[1], ox = l % g.Y[2];
      const I iz = oz * g.S[0] - g.P[0] + kz * g.D[0];
      const I iy = oy * g.S[1] - g.P[1] + ky * g.D[1];
      const I ix = ox * g.S[2] - g.P[2] + kx * g.D[2];
      if (iz < 0 || iz >= g.X[0] || iy < 0 || iy >= g.X[1] || ix < 0 || ix >= g.X[2]) continue;
      acc += gy[(int64_t)n * gsn + (int64_t)co * gsc + (int64_t)l * gls] *
             x[(int64_t)n * xs.sn + (int64_t)c * xs.sc + (int64_t)iz * xs.ss[0] + (int64_t)iy * xs.ss[1] +
               (int64_t)ix * xs.ss[2]];
    }
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

void cudaConvCol2im(int device, DType dt, const ConvGeom& g, const void* col, int64_t nb, int64_t l0, int64_t lc,
                    bool accumulate, void* gx, const char* op) {
  const int64_t total = nb * g.Cin * g.Xvol;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const bool small = total < kSmall && nb * g.Cin * g.kvol * lc < kSmall && geometryIsSmall(g);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      col2imKernel<T, int32_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int32_t>(g), static_cast<const T*>(col), (int32_t)nb, (int32_t)l0, (int32_t)lc, accumulate,
          static_cast<T*>(gx));
    } else {
      col2imKernel<T, int64_t><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          geoOf<int64_t>(g), static_cast<const T*>(col), nb, l0, lc, accumulate, static_cast<T*>(gx));
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
