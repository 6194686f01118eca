// CUDA batch, layer and group norm (see cuda/norm.h; cpu/norm.cc is the twin).
//
// Statistics are accumulated in double for every dtype, as shifted sums (sum of x - K and of
// (x - K)^2 with K an element of the same set, so the variance does not cancel), which lets
// partial sums simply add. Every cross-thread and cross-block sum adds partials in a fixed order
// (warp shuffles, then per-block partials written to scratch and summed in split order by a
// second kernel), so results are deterministic: no float atomics anywhere.
//   - batch norm: one set per channel, spread over (channel, split) blocks; with short rows
//     (S < 128) a column-tiled kernel reads [N, C*S] row by row so warps stay coalesced;
//   - layer norm: one warp per row (rows up to 1024) or one block per row, fused with the output;
//   - group norm: one set per (sample, group), spread over (group, split) blocks.
// The normalised output is formed as on the CPU (per-channel coefficients rounded to the dtype,
// then x * a + b with each operation rounded separately), so it matches the CPU's bits whenever
// the statistics do.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>

#include "core/dtype.h"
#include "core/storage.h"
#include "cpu/normChecks.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/deviceScratch.h"
#include "cuda/norm.h"
#include "cuda/reduceUtil.cuh"
#include "cuda/roundedMath.cuh"

namespace cinder {
namespace {

constexpr int kThreads = 256;
// Blocks a reduction aims for (a few per SM on an H100/H200).
constexpr int64_t kTargetBlocks = 1024;
constexpr int kMaxSplits = 1024;

using Scratch = DeviceScratch;

// 16 bytes of T: one vector access.
template <typename T>
struct alignas(16) Vec16 {
  static constexpr int N = 16 / sizeof(T);
  T v[N];
};

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

int64_t clampSplits(int64_t want, int64_t most) {
  return std::max<int64_t>(1, std::min<int64_t>({want, most, (int64_t)kMaxSplits}));
}

// ---- operand checks (those shared with the CPU are in cpu/normChecks.h) --------------------------

void checkFloat(DType dt, const char* op) {
  CINDER_CHECK(dt == DType::Float32 || dt == DType::Float64, op, ": not supported for dtype ", dtypeName(dt));
}

using NCS = NormNCS;

// Mean and biased variance of n elements from their shifted sums a = sum(x - ref) and
// b = sum((x - ref)^2) (a rounding-negative variance clamps to 0; an empty set gives 0 and 0).
__device__ __forceinline__ void shiftedMeanVar(double ref, double a, double b, int64_t n, double& mu, double& var) {
  mu = 0;
  var = 0;
  if (n > 0) {
    mu = ref + a / (double)n;
    double m2 = b - a * a / (double)n;
    if (m2 < 0) m2 = 0;
    var = m2 / (double)n;
  }
}

// A [n] parameter read through its stride, or a constant where it is absent.
template <typename T>
struct Param {
  const T* p;
  int64_t s;
  double dflt;
  __device__ __forceinline__ double operator[](int64_t i) const { return p ? (double)p[i * s] : dflt; }
};

template <typename T>
Param<T> paramOf(const TensorDesc* d, double dflt) {
  return Param<T>{d ? d->ptr<T>() : nullptr, d ? d->strides[0] : 0, dflt};
}

// ---- partial sums --------------------------------------------------------------------------------

// A set of elements (one per blockIdx.x): nOuter runs of `inner` contiguous elements, run j at
// set * setStride + j * outerStride. Each block takes rows [r0, r1) and columns [c0, c1) of its
// set, by its split (blockIdx.y = splitRow * splitsC + splitCol).
struct SetGeom {
  int64_t inner, nOuter, outerStride, setStride;
  int64_t splitsR, splitsC;
};

// STATS: sums of x - K and (x - K)^2, K the set's first element. GRAD: sums of g and of
// g * (x - mean), the mean of set i at mean[(i / meanDiv) * meanStride].
// part[(split * sets + set) * 2 + {0, 1}].
template <typename T, bool GRAD>
__global__ void setPartials(const T* __restrict__ x, const T* __restrict__ g, const T* __restrict__ mean, int64_t meanDiv,
                            int64_t meanStride, SetGeom geo, int64_t sets, double* __restrict__ part) {
  __shared__ double red[32];
  const int64_t set = blockIdx.x;
  const int64_t split = blockIdx.y;
  const int64_t sr = split / geo.splitsC, sc = split % geo.splitsC;
  const int64_t r0 = geo.nOuter * sr / geo.splitsR, r1 = geo.nOuter * (sr + 1) / geo.splitsR;
  const int64_t c0 = geo.inner * sc / geo.splitsC, c1 = geo.inner * (sc + 1) / geo.splitsC;
  const int64_t base = set * geo.setStride;
  double ref;
  if constexpr (GRAD) ref = (double)mean[(set / meanDiv) * meanStride];
  else ref = (geo.nOuter > 0 && geo.inner > 0) ? (double)x[base] : 0.0;
  double a = 0, b = 0;
  for (int64_t j = r0; j < r1; j++) {
    const int64_t row = base + j * geo.outerStride;
    for (int64_t s = c0 + threadIdx.x; s < c1; s += blockDim.x) {
      const double v = (double)x[row + s] - ref;
      if constexpr (GRAD) {
        const double gv = (double)g[row + s];
        a += gv;
        b += gv * v;
      } else {
        a += v;
        b += v * v;
      }
    }
  }
  a = blockAllReduce(a, SumOp(), 0.0, red);
  b = blockAllReduce(b, SumOp(), 0.0, red);
  if (threadIdx.x == 0) {
    part[(split * sets + set) * 2] = a;
    part[(split * sets + set) * 2 + 1] = b;
  }
}

// Batch norm with short rows: x seen as [rows, Q] (Q = C * S), a block (32 x 8) sums 32 columns
// over its split of the rows (warps read 32 consecutive elements). Column q belongs to channel
// q / S; STATS shifts by the channel's first element x[c * S], GRAD uses its mean.
// part[(split * Q + q) * 2 + {0, 1}].
constexpr int kTileRows = 8;
// Rows shorter than this take the column-tiled kernel (a block per row would leave threads idle).
constexpr int64_t kTileMaxRow = 128;

// The end of a column-tiled partial sum (a 32 x kTileRows block): each thread's sums (a, b) of its
// rows go through shared memory, then row 0 adds the kTileRows of its column in row order and
// writes them to part[at * 2 + {0, 1}] (where the column is in range). Every thread of the block
// calls it.
__device__ __forceinline__ void tileColumnSums(double (&sa)[kTileRows][33], double (&sb)[kTileRows][33], double a,
                                               double b, bool inRange, double* part, int64_t at) {
  sa[threadIdx.y][threadIdx.x] = a;
  sb[threadIdx.y][threadIdx.x] = b;
  __syncthreads();
  if (threadIdx.y == 0 && inRange) {
    double ta = 0, tb = 0;
#pragma unroll
    for (int k = 0; k < kTileRows; k++) {
      ta += sa[k][threadIdx.x];
      tb += sb[k][threadIdx.x];
    }
    part[at * 2] = ta;
    part[at * 2 + 1] = tb;
  }
}

template <typename T, bool GRAD>
__global__ void columnPartials(const T* __restrict__ x, const T* __restrict__ g, const T* __restrict__ mean,
                               int64_t meanStride, int64_t S, int64_t Q, int64_t rows, int64_t splits,
                               double* __restrict__ part) {
  __shared__ double sa[kTileRows][33], sb[kTileRows][33];
  const int64_t q = (int64_t)blockIdx.x * 32 + threadIdx.x;
  const int64_t split = blockIdx.y;
  const int64_t r0 = rows * split / splits, r1 = rows * (split + 1) / splits;
  double a = 0, b = 0;
  if (q < Q) {
    const int64_t c = q / S;
    const double ref = GRAD ? (double)mean[c * meanStride] : (double)x[c * S];
    for (int64_t n = r0 + threadIdx.y; n < r1; n += kTileRows) {
      const double v = (double)x[n * Q + q] - ref;
      if constexpr (GRAD) {
        const double gv = (double)g[n * Q + q];
        a += gv;
        b += gv * v;
      } else {
        a += v;
        b += v * v;
      }
    }
  }
  tileColumnSums(sa, sb, a, b, q < Q, part, split * Q + q);
}

// Where a channel's partial sums live: part[((sp * stride) + c * per + s) * 2 + {0, 1}] for
// sp < splits and s < per.
struct PartLayout {
  const double* part = nullptr;
  int64_t splits = 0, stride = 0, per = 1;
  __device__ __forceinline__ void sum(int64_t c, double& a, double& b) const {
    a = 0;
    b = 0;
    for (int64_t sp = 0; sp < splits; sp++)
      for (int64_t s = 0; s < per; s++) {
        const int64_t i = (sp * stride + c * per + s) * 2;
        a += part[i];
        b += part[i + 1];
      }
  }
};

// The per-channel sums of batch norm (over N and S), in one of the two kernels by row length.
template <typename T, bool GRAD>
PartLayout channelSums(int device, cudaStream_t stream, const T* x, const T* g, const T* mean, int64_t meanStride,
                       const NCS& d, std::unique_ptr<Scratch>& holder, const char* op) {
  PartLayout L;
  if (d.S < kTileMaxRow) {
    const int64_t Q = d.C * d.S;
    const int64_t gx = (Q + 31) / 32;
    const int64_t splits = clampSplits((kTargetBlocks + gx - 1) / gx, d.N / 32);
    holder.reset(new Scratch(device, (size_t)(splits * Q * 2) * sizeof(double), op));
    double* part = holder->as<double>();
    columnPartials<T, GRAD><<<dim3((unsigned)gx, (unsigned)splits), dim3(32, kTileRows), 0, stream>>>(
        x, g, mean, meanStride, d.S, Q, d.N, splits, part);
    CINDER_CUDA_LAUNCH_CHECK("columnPartials");
    L.part = part;
    L.splits = splits;
    L.stride = Q;
    L.per = d.S;
  } else {
    SetGeom geo{d.S, d.N, d.C * d.S, d.S, 1, 1};
    const int64_t want = (kTargetBlocks + d.C - 1) / d.C;
    geo.splitsR = clampSplits(want, d.N);
    geo.splitsC = clampSplits(want / geo.splitsR, d.S / 1024);
    const int64_t splits = geo.splitsR * geo.splitsC;
    holder.reset(new Scratch(device, (size_t)(splits * d.C * 2) * sizeof(double), op));
    double* part = holder->as<double>();
    setPartials<T, GRAD><<<dim3((unsigned)d.C, (unsigned)splits), kThreads, 0, stream>>>(x, g, mean, 1, meanStride,
                                                                                          geo, d.C, part);
    CINDER_CUDA_LAUNCH_CHECK("setPartials");
    L.part = part;
    L.splits = splits;
    L.stride = d.C;
    L.per = 1;
  }
  return L;
}

// ---- applying per-row coefficients ---------------------------------------------------------------

// Rows of S contiguous elements; row r uses coefficient k = r % R:
//   forward:  out = x * A[k] + B[k]
//   backward: out = g * A[k] + x * B[k] + E[k]
// each operation rounded separately, as on the CPU.
template <typename T, bool BWD>
__device__ __forceinline__ T affine(T xv, T gv, T a, T b, T e) {
  using R = RoundedOps<T>;
  if constexpr (BWD) return R::add(R::add(R::mul(gv, a), R::mul(xv, b)), e);
  else return R::add(R::mul(xv, a), b);
}

// Long rows: blockIdx.y walks rows, blockIdx.x and the threads walk the row (VEC: 16 bytes per
// access, when S is a multiple of the vector width and every operand is 16-byte aligned).
template <typename T, bool BWD, bool VEC>
__global__ void applyRows(const T* __restrict__ x, const T* __restrict__ g, T* __restrict__ out, const T* __restrict__ A,
                          const T* __restrict__ B, const T* __restrict__ E, int64_t rows, int64_t S, int64_t R) {
  using V = Vec16<T>;
  constexpr int NV = VEC ? V::N : 1;
  const int64_t SV = S / NV;
  for (int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
    const int64_t k = r % R;
    const T a = A[k], b = B[k], e = BWD ? E[k] : T(0);
    const int64_t off = r * S;
    for (int64_t s = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; s < SV; s += (int64_t)gridDim.x * blockDim.x) {
      if constexpr (VEC) {
        const V xv = reinterpret_cast<const V*>(x + off)[s];
        V gv{};
        if constexpr (BWD) gv = reinterpret_cast<const V*>(g + off)[s];
        V o;
#pragma unroll
        for (int j = 0; j < V::N; j++) o.v[j] = affine<T, BWD>(xv.v[j], BWD ? gv.v[j] : T(0), a, b, e);
        reinterpret_cast<V*>(out + off)[s] = o;
      } else {
        out[off + s] = affine<T, BWD>(x[off + s], BWD ? g[off + s] : T(0), a, b, e);
      }
    }
  }
}

// Short rows: one element per thread, the row from the linear index.
template <typename T, bool BWD>
__global__ void applyFlat(const T* __restrict__ x, const T* __restrict__ g, T* __restrict__ out, const T* __restrict__ A,
                          const T* __restrict__ B, const T* __restrict__ E, int64_t n, int64_t S, int64_t R) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t k;
    if (n <= (int64_t)UINT32_MAX) k = (int64_t)(((uint32_t)i / (uint32_t)S) % (uint32_t)R);
    else k = (i / S) % R;
    out[i] = affine<T, BWD>(x[i], BWD ? g[i] : T(0), A[k], B[k], BWD ? E[k] : T(0));
  }
}

template <typename T, bool BWD>
void applyCoefficients(cudaStream_t stream, const T* x, const T* g, T* out, const T* A, const T* B, const T* E,
                       int64_t rows, int64_t S, int64_t R) {
  const int64_t n = rows * S;
  if (n == 0) return;
  if (S >= 256) {
    const bool vec = S % Vec16<T>::N == 0 && aligned16(x) && aligned16(out) && (!BWD || aligned16(g));
    const int64_t per = vec ? S / Vec16<T>::N : S;
    const int64_t gy = std::min<int64_t>(rows, 65535);
    const int64_t gx = std::max<int64_t>(1, std::min<int64_t>((per + kThreads - 1) / kThreads, (2048 + gy - 1) / gy));
    const dim3 grid((unsigned)gx, (unsigned)gy);
    if (vec) applyRows<T, BWD, true><<<grid, kThreads, 0, stream>>>(x, g, out, A, B, E, rows, S, R);
    else applyRows<T, BWD, false><<<grid, kThreads, 0, stream>>>(x, g, out, A, B, E, rows, S, R);
    CINDER_CUDA_LAUNCH_CHECK("applyRows");
  } else {
    applyFlat<T, BWD><<<gridFor(n, kThreads), kThreads, 0, stream>>>(x, g, out, A, B, E, n, S, R);
    CINDER_CUDA_LAUNCH_CHECK("applyFlat");
  }
}

// ---- batch norm ------------------------------------------------------------------------------

template <typename T>
__global__ void bnForwardFinalize(PartLayout L, const T* __restrict__ x, int64_t C, int64_t S, int64_t M, bool training,
                                  double momentum, double eps, T* rm, int64_t rms, T* rv, int64_t rvs, Param<T> w,
                                  Param<T> bias, T* __restrict__ sm, T* __restrict__ si, T* __restrict__ A,
                                  T* __restrict__ B) {
  const int64_t c = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  double mu, invstd;
  if (training) {
    const double nan = __longlong_as_double(0x7ff8000000000000ll);
    double a, b;
    L.sum(c, a, b);
    double m2 = 0;
    if (M > 0) {
      const double ref = (double)x[c * S];
      mu = ref + a / (double)M;
      m2 = b - a * a / (double)M;
      if (m2 < 0) m2 = 0;
    } else {
      mu = 0;
    }
    const double var = M > 0 ? m2 / (double)M : nan;
    invstd = 1.0 / sqrt(var + eps);
    if (rm) rm[c * rms] = (T)((1 - momentum) * (double)rm[c * rms] + momentum * mu);
    if (rv) {
      const double unbiased = M > 1 ? m2 / (double)(M - 1) : nan;
      rv[c * rvs] = (T)((1 - momentum) * (double)rv[c * rvs] + momentum * unbiased);
    }
  } else {
    mu = (double)rm[c * rms];
    invstd = 1.0 / sqrt((double)rv[c * rvs] + eps);
  }
  sm[c] = (T)mu;
  si[c] = (T)invstd;
  const double al = invstd * w[c];
  A[c] = (T)al;
  B[c] = (T)(bias[c] - mu * al);
}

template <typename T>
void bnForward(int device, const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias,
               const TensorDesc* runningMean, const TensorDesc* runningVar, bool training, double momentum, double eps,
               const TensorDesc& out, const TensorDesc& saveMean, const TensorDesc& saveInvstd, const NCS& d,
               const char* op) {
  if (d.C == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  const int64_t M = d.N * d.S;
  const T* xp = x.ptr<T>();
  Scratch coef(device, (size_t)(2 * d.C) * sizeof(T), op);
  T* A = coef.as<T>();
  T* B = A + d.C;
  std::unique_ptr<Scratch> partHolder;
  PartLayout L;
  if (training && M > 0) L = channelSums<T, false>(device, stream, xp, nullptr, nullptr, 0, d, partHolder, op);
  bnForwardFinalize<T><<<gridFor(d.C, kThreads), kThreads, 0, stream>>>(
      L, xp, d.C, d.S, M, training, momentum, eps, runningMean ? runningMean->ptr<T>() : nullptr,
      runningMean ? runningMean->strides[0] : 0, runningVar ? runningVar->ptr<T>() : nullptr,
      runningVar ? runningVar->strides[0] : 0, paramOf<T>(weight, 1.0), paramOf<T>(bias, 0.0), saveMean.ptr<T>(),
      saveInvstd.ptr<T>(), A, B);
  CINDER_CUDA_LAUNCH_CHECK("bnForwardFinalize");
  applyCoefficients<T, false>(stream, xp, nullptr, out.ptr<T>(), A, B, nullptr, d.N * d.C, d.S, d.C);
}

template <typename T>
__global__ void bnBackwardFinalize(PartLayout L, bool sums, int64_t C, int64_t M, bool training, Param<T> mean,
                                   Param<T> inv, Param<T> w, T* gw, T* gb, T* __restrict__ A, T* __restrict__ B,
                                   T* __restrict__ E) {
  const int64_t c = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  const double mu = mean[c], is = inv[c], wc = w[c];
  double sg = 0, sgx = 0;
  if (sums) L.sum(c, sg, sgx);
  if (gb) gb[c] = (T)sg;
  if (gw) gw[c] = (T)(sgx * is);
  A[c] = (T)(is * wc);
  if (training && M > 0) {
    const double proj = is * is * sgx / (double)M;
    B[c] = (T)(-proj * is * wc);
    E[c] = (T)((-sg / (double)M + mu * proj) * is * wc);
  } else {
    B[c] = T(0);
    E[c] = T(0);
  }
}

template <typename T>
void bnBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                const TensorDesc& saveMean, const TensorDesc& saveInvstd, bool training, const TensorDesc* gradInput,
                const TensorDesc* gradWeight, const TensorDesc* gradBias, const NCS& d, const char* op) {
  if (d.C == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  const int64_t M = d.N * d.S;
  const bool needSums = training || gradWeight || gradBias;
  Scratch coef(device, (size_t)(3 * d.C) * sizeof(T), op);
  T* A = coef.as<T>();
  T* B = A + d.C;
  T* E = B + d.C;
  std::unique_ptr<Scratch> partHolder;
  PartLayout L;
  const bool sums = needSums && M > 0;
  if (sums)
    L = channelSums<T, true>(device, stream, x.ptr<T>(), gradOut.ptr<T>(), saveMean.ptr<T>(), saveMean.strides[0], d,
                             partHolder, op);
  bnBackwardFinalize<T><<<gridFor(d.C, kThreads), kThreads, 0, stream>>>(
      L, sums, d.C, M, training, paramOf<T>(&saveMean, 0.0), paramOf<T>(&saveInvstd, 1.0), paramOf<T>(weight, 1.0),
      gradWeight ? gradWeight->ptr<T>() : nullptr, gradBias ? gradBias->ptr<T>() : nullptr, A, B, E);
  CINDER_CUDA_LAUNCH_CHECK("bnBackwardFinalize");
  if (gradInput)
    applyCoefficients<T, true>(stream, x.ptr<T>(), gradOut.ptr<T>(), gradInput->ptr<T>(), A, B, E, d.N * d.C, d.S, d.C);
}

// ---- layer norm -------------------------------------------------------------------------------

// Rows of K: one warp per row (WARP) or one block per row. Every thread of the group runs the
// same number of loop trips, so the reductions are reached by all of it.
template <bool WARP>
struct RowGroup {
  static __device__ __forceinline__ int64_t width() { return WARP ? 32 : blockDim.x; }
  static __device__ __forceinline__ int64_t lane() { return WARP ? (threadIdx.x & 31) : threadIdx.x; }
  static __device__ __forceinline__ int64_t first() {
    return WARP ? (int64_t)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5) : (int64_t)blockIdx.x;
  }
  static __device__ __forceinline__ int64_t step() { return WARP ? (int64_t)gridDim.x * (blockDim.x >> 5) : gridDim.x; }
  static __device__ __forceinline__ double sum(double v, double* scratch) {
    if constexpr (WARP) return warpAllReduce(v, SumOp());
    else return blockAllReduce(v, SumOp(), 0.0, scratch);
  }
};

// VEC: K is a multiple of the vector width and every row, the weight and the bias are 16-byte
// aligned, so each lane moves 16 bytes per access.
template <typename T, bool WARP, bool VEC>
__global__ void lnForwardRows(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ bias, int64_t M,
                              int64_t K, double eps, T* __restrict__ y, T* __restrict__ mp, T* __restrict__ rp) {
  using G = RowGroup<WARP>;
  using R = RoundedOps<T>;
  using V = Vec16<T>;
  constexpr int NV = VEC ? V::N : 1;
  __shared__ double red[32];
  const int64_t KV = K / NV;
  for (int64_t row = G::first(); row < M; row += G::step()) {
    const T* p = x + row * K;
    T* q = y + row * K;
    const double ref = K > 0 ? (double)p[0] : 0.0;
    double a = 0, b = 0;
    for (int64_t k = G::lane(); k < KV; k += G::width()) {
      if constexpr (VEC) {
        const V pv = reinterpret_cast<const V*>(p)[k];
#pragma unroll
        for (int e = 0; e < V::N; e++) {
          const double v = (double)pv.v[e] - ref;
          a += v;
          b += v * v;
        }
      } else {
        const double v = (double)p[k] - ref;
        a += v;
        b += v * v;
      }
    }
    a = G::sum(a, red);
    b = G::sum(b, red);
    double mu, var;
    shiftedMeanVar(ref, a, b, K, mu, var);
    const double rs = 1.0 / sqrt(var + eps);
    if (G::lane() == 0) {
      mp[row] = (T)mu;
      rp[row] = (T)rs;
    }
    const T ta = (T)rs, tc = (T)(-mu * rs);
    // (x * a + c) * w + b, each operation rounded as on the CPU.
    auto one = [&](T xv, int64_t k) {
      T v = R::add(R::mul(xv, ta), tc);
      if (w) v = R::mul(v, w[k]);
      if (bias) v = R::add(v, bias[k]);
      return v;
    };
    for (int64_t k = G::lane(); k < KV; k += G::width()) {
      if constexpr (VEC) {
        const V pv = reinterpret_cast<const V*>(p)[k];
        V o;
#pragma unroll
        for (int e = 0; e < V::N; e++) o.v[e] = one(pv.v[e], k * V::N + e);
        reinterpret_cast<V*>(q)[k] = o;
      } else {
        q[k] = one(p[k], k);
      }
    }
  }
}

// VEC as for lnForwardRows (K a multiple of the vector width; g, x, w and the output aligned).
template <typename T, bool WARP, bool VEC>
__global__ void lnBackwardRows(const T* __restrict__ g, const T* __restrict__ x, const T* __restrict__ w,
                               const T* __restrict__ mp, const T* __restrict__ rp, int64_t M, int64_t K,
                               T* __restrict__ gi) {
  using G = RowGroup<WARP>;
  using V = Vec16<T>;
  constexpr int NV = VEC ? V::N : 1;
  __shared__ double red[32];
  const int64_t KV = K / NV;
  for (int64_t row = G::first(); row < M; row += G::step()) {
    const T* gr = g + row * K;
    const T* p = x + row * K;
    const double mu = (double)mp[row], rs = (double)rp[row];
    double a = 0, b = 0;
    for (int64_t k = G::lane(); k < KV; k += G::width()) {
      if constexpr (VEC) {
        const V gv = reinterpret_cast<const V*>(gr)[k];
        const V pv = reinterpret_cast<const V*>(p)[k];
        V wv{};
        if (w) wv = reinterpret_cast<const V*>(w)[k];
#pragma unroll
        for (int e = 0; e < V::N; e++) {
          const double v = (double)gv.v[e] * (w ? (double)wv.v[e] : 1.0);
          a += v;
          b += v * ((double)pv.v[e] - mu);
        }
      } else {
        const double v = (double)gr[k] * (w ? (double)w[k] : 1.0);
        a += v;
        b += v * ((double)p[k] - mu);
      }
    }
    a = G::sum(a, red);
    b = G::sum(b, red);
    // gx = rstd * (dy - mean(dy) - xhat * mean(dy * xhat))
    const double ca = a / (double)K, cb = b * rs * rs / (double)K;
    T* q = gi + row * K;
    for (int64_t k = G::lane(); k < KV; k += G::width()) {
      if constexpr (VEC) {
        const V gv = reinterpret_cast<const V*>(gr)[k];
        const V pv = reinterpret_cast<const V*>(p)[k];
        V wv{};
        if (w) wv = reinterpret_cast<const V*>(w)[k];
        V o;
#pragma unroll
        for (int e = 0; e < V::N; e++) {
          const double dy = (double)gv.v[e] * (w ? (double)wv.v[e] : 1.0);
          o.v[e] = (T)(rs * (dy - ca - ((double)pv.v[e] - mu) * cb));
        }
        reinterpret_cast<V*>(q)[k] = o;
      } else {
        const double dy = (double)gr[k] * (w ? (double)w[k] : 1.0);
        q[k] = (T)(rs * (dy - ca - ((double)p[k] - mu) * cb));
      }
    }
  }
}

// Weight and bias gradients of layer norm: column sums over the rows of g * xhat and g, a block
// (32 x 8) per 32 columns and split of the rows; part[(split * K + k) * 2 + {0, 1}].
template <typename T>
__global__ void lnColumnPartials(const T* __restrict__ g, const T* __restrict__ x, const T* __restrict__ mp,
                                 const T* __restrict__ rp, int64_t M, int64_t K, int64_t splits, double* __restrict__ part) {
  __shared__ double sa[kTileRows][33], sb[kTileRows][33];
  const int64_t k = (int64_t)blockIdx.x * 32 + threadIdx.x;
  const int64_t split = blockIdx.y;
  const int64_t r0 = M * split / splits, r1 = M * (split + 1) / splits;
  double a = 0, b = 0;
  if (k < K) {
    for (int64_t r = r0 + threadIdx.y; r < r1; r += kTileRows) {
      const double gv = (double)g[r * K + k];
      a += gv * ((double)x[r * K + k] - (double)mp[r]) * (double)rp[r];
      b += gv;
    }
  }
  tileColumnSums(sa, sb, a, b, k < K, part, split * K + k);
}

template <typename T>
__global__ void lnColumnFinalize(const double* __restrict__ part, int64_t splits, int64_t K, T* gw, T* gb) {
  const int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= K) return;
  double sw = 0, sb = 0;
  for (int64_t s = 0; s < splits; s++) {
    sw += part[(s * K + k) * 2];
    sb += part[(s * K + k) * 2 + 1];
  }
  if (gw) gw[k] = (T)sw;
  if (gb) gb[k] = (T)sb;
}

// Rows up to this long go one per warp.
constexpr int64_t kWarpRowMax = 1024;

template <typename T, typename LaunchWarp, typename LaunchBlock>
void overRows(int64_t M, int64_t K, LaunchWarp warp, LaunchBlock block) {
  if (K <= kWarpRowMax) {
    const int64_t perBlock = kThreads / 32;
    warp(gridFor((M + perBlock - 1) / perBlock, 1));
  } else {
    block(gridFor(M, 1));
  }
}

// overRows with the kernel chosen by tags: launch(warp, vectorised, blocks), warp and vectorised
// std::true_type or std::false_type, vectorised where vec holds.
template <typename T, typename Launch>
void overRowsVec(int64_t M, int64_t K, bool vec, const Launch& launch) {
  using Yes = std::true_type;
  using No = std::false_type;
  overRows<T>(
      M, K,
      [&](unsigned blocks) { vec ? launch(Yes(), Yes(), blocks) : launch(Yes(), No(), blocks); },
      [&](unsigned blocks) { vec ? launch(No(), Yes(), blocks) : launch(No(), No(), blocks); });
}

template <typename T>
void lnForward(int device, const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias, double eps,
               const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd, int64_t M, int64_t K,
               const char* op) {
  if (M == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  const T* w = weight ? weight->ptr<T>() : nullptr;
  const T* b = bias ? bias->ptr<T>() : nullptr;
  const bool vec = K % Vec16<T>::N == 0 && aligned16(x.data) && aligned16(out.data) && aligned16(w) && aligned16(b);
  auto launch = [&](auto warpTag, auto vecTag, unsigned blocks) {
    lnForwardRows<T, decltype(warpTag)::value, decltype(vecTag)::value><<<blocks, kThreads, 0, stream>>>(
        x.ptr<T>(), w, b, M, K, eps, out.ptr<T>(), mean.ptr<T>(), rstd.ptr<T>());
    CINDER_CUDA_LAUNCH_CHECK("lnForwardRows");
  };
  overRowsVec<T>(M, K, vec, launch);
}

template <typename T>
void lnBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput, const TensorDesc* gradWeight,
                const TensorDesc* gradBias, int64_t M, int64_t K, const char* op) {
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  const T* g = gradOut.ptr<T>();
  const T* xp = x.ptr<T>();
  const T* w = weight ? weight->ptr<T>() : nullptr;
  if (gradInput && M > 0 && K > 0) {
    T* gi = gradInput->ptr<T>();
    const bool vec = K % Vec16<T>::N == 0 && aligned16(g) && aligned16(xp) && aligned16(w) && aligned16(gi);
    auto launch = [&](auto warpTag, auto vecTag, unsigned blocks) {
      lnBackwardRows<T, decltype(warpTag)::value, decltype(vecTag)::value><<<blocks, kThreads, 0, stream>>>(
          g, xp, w, mean.ptr<T>(), rstd.ptr<T>(), M, K, gi);
      CINDER_CUDA_LAUNCH_CHECK("lnBackwardRows");
    };
    overRowsVec<T>(M, K, vec, launch);
  }
  if ((gradWeight || gradBias) && K > 0) {
    const int64_t gx = (K + 31) / 32;
    const int64_t splits = clampSplits((kTargetBlocks + gx - 1) / gx, M / 32);
    Scratch part(device, (size_t)(splits * K * 2) * sizeof(double), op);
    lnColumnPartials<T><<<dim3((unsigned)gx, (unsigned)splits), dim3(32, kTileRows), 0, stream>>>(
        g, xp, mean.ptr<T>(), rstd.ptr<T>(), M, K, splits, part.as<double>());
    CINDER_CUDA_LAUNCH_CHECK("lnColumnPartials");
    lnColumnFinalize<T><<<gridFor(K, kThreads), kThreads, 0, stream>>>(
        part.as<double>(), splits, K, gradWeight ? gradWeight->ptr<T>() : nullptr,
        gradBias ? gradBias->ptr<T>() : nullptr);
    CINDER_CUDA_LAUNCH_CHECK("lnColumnFinalize");
  }
}

// ---- group norm -------------------------------------------------------------------------------

// Per (sample, group) statistics from the partial sums: stats[ng * 2 + {0: mean, 1: rstd}].
template <typename T>
__global__ void gnStats(const double* __restrict__ part, int64_t splits, int64_t rows, const T* __restrict__ x,
                        int64_t D, double eps, T* __restrict__ mp, T* __restrict__ rp, double* __restrict__ stats) {
  const int64_t ng = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (ng >= rows) return;
  double a = 0, b = 0;
  for (int64_t s = 0; s < splits; s++) {
    a += part[(s * rows + ng) * 2];
    b += part[(s * rows + ng) * 2 + 1];
  }
  double mu, var;
  shiftedMeanVar(D > 0 ? (double)x[ng * D] : 0.0, a, b, D, mu, var);
  const double rs = 1.0 / sqrt(var + eps);
  mp[ng] = (T)mu;
  rp[ng] = (T)rs;
  stats[ng * 2] = mu;
  stats[ng * 2 + 1] = rs;
}

template <typename T>
__global__ void gnForwardCoefficients(const double* __restrict__ stats, int64_t N, int64_t C, int64_t Cg, Param<T> w,
                                      Param<T> bias, T* __restrict__ A, T* __restrict__ B) {
  const int64_t nc = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (nc >= N * C) return;
  const int64_t c = nc % C, ng = nc / Cg;
  const double mu = stats[ng * 2], rs = stats[ng * 2 + 1];
  const double a = rs * w[c];
  A[nc] = (T)a;
  B[nc] = (T)(bias[c] - mu * a);
}

template <typename T>
void gnForward(int device, const TensorDesc& x, int64_t groups, const TensorDesc* weight, const TensorDesc* bias,
               double eps, const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd, const NCS& d,
               const char* op) {
  const int64_t rows = d.N * groups, Cg = d.C / groups, D = Cg * d.S;
  if (rows == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  const T* xp = x.ptr<T>();
  SetGeom geo{D, 1, 0, D, 1, 1};
  geo.splitsC = clampSplits((kTargetBlocks + rows - 1) / rows, D / 2048);
  const int64_t splits = geo.splitsC;
  Scratch part(device, (size_t)(splits * rows * 2) * sizeof(double), op);
  Scratch stats(device, (size_t)(rows * 2) * sizeof(double), op);
  CINDER_CHECK(rows <= 0x7fffffff, op, ": too many groups for one launch (", rows, ")");
  setPartials<T, false><<<dim3((unsigned)rows, (unsigned)splits), kThreads, 0, stream>>>(xp, nullptr, nullptr, 1, 0, geo,
                                                                                         rows, part.as<double>());
  CINDER_CUDA_LAUNCH_CHECK("setPartials");
  gnStats<T><<<gridFor(rows, kThreads), kThreads, 0, stream>>>(part.as<double>(), splits, rows, xp, D, eps,
                                                               mean.ptr<T>(), rstd.ptr<T>(), stats.as<double>());
  CINDER_CUDA_LAUNCH_CHECK("gnStats");
  const int64_t NC = d.N * d.C;
  if (NC == 0) return;
  Scratch coef(device, (size_t)(2 * NC) * sizeof(T), op);
  T* A = coef.as<T>();
  T* B = A + NC;
  gnForwardCoefficients<T><<<gridFor(NC, kThreads), kThreads, 0, stream>>>(
      stats.as<double>(), d.N, d.C, Cg, paramOf<T>(weight, 1.0), paramOf<T>(bias, 0.0), A, B);
  CINDER_CUDA_LAUNCH_CHECK("gnForwardCoefficients");
  applyCoefficients<T, false>(stream, xp, nullptr, out.ptr<T>(), A, B, nullptr, NC, d.S, NC);
}

// Per (sample, channel) sums: sums(nc) = (sum of g, sum of g * (x - mean)) over its splits.
struct ChannelSums {
  const double* part;
  int64_t splits, sets;
  __device__ __forceinline__ void at(int64_t nc, double& db, double& ds) const {
    db = 0;
    ds = 0;
    for (int64_t s = 0; s < splits; s++) {
      db += part[(s * sets + nc) * 2];
      ds += part[(s * sets + nc) * 2 + 1];
    }
  }
};

// Per (sample, group): c2 and c3 of the input gradient (cpu/norm.cc), into gc[ng * 2 + {0, 1}].
template <typename T>
__global__ void gnBackwardGroups(ChannelSums cs, int64_t rows, int64_t groups, int64_t C, int64_t Cg, int64_t D,
                                 const T* __restrict__ mp, const T* __restrict__ rp, Param<T> w, double* __restrict__ gc) {
  const int64_t ng = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (ng >= rows) return;
  const int64_t n = ng / groups, c0 = (ng % groups) * Cg;
  const double mu = (double)mp[ng], rs = (double)rp[ng];
  double sumDy = 0, sumDyX = 0;
  for (int64_t j = 0; j < Cg; j++) {
    double db, ds;
    cs.at(n * C + c0 + j, db, ds);
    const double wc = w[c0 + j];
    sumDy += wc * db;
    sumDyX += wc * ds;
  }
  const double c2 = D > 0 ? -rs * rs * rs * sumDyX / (double)D : 0.0;
  const double c3 = (D > 0 ? -rs * sumDy / (double)D : 0.0) - mu * c2;
  gc[ng * 2] = c2;
  gc[ng * 2 + 1] = c3;
}

template <typename T>
__global__ void gnBackwardCoefficients(const double* __restrict__ gc, int64_t N, int64_t C, int64_t Cg,
                                       const T* __restrict__ rp, Param<T> w, T* __restrict__ A, T* __restrict__ B,
                                       T* __restrict__ E) {
  const int64_t nc = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (nc >= N * C) return;
  const int64_t c = nc % C, ng = nc / Cg;
  A[nc] = (T)((double)rp[ng] * w[c]);
  B[nc] = (T)gc[ng * 2];
  E[nc] = (T)gc[ng * 2 + 1];
}

template <typename T>
__global__ void gnBackwardParams(ChannelSums cs, int64_t N, int64_t C, int64_t Cg, int64_t groups,
                                 const T* __restrict__ rp, T* gw, T* gb) {
  const int64_t c = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  const int64_t g = c / Cg;
  double sw = 0, sb = 0;
  for (int64_t n = 0; n < N; n++) {
    double db, ds;
    cs.at(n * C + c, db, ds);
    sw += ds * (double)rp[n * groups + g];
    sb += db;
  }
  if (gw) gw[c] = (T)sw;
  if (gb) gb[c] = (T)sb;
}

template <typename T>
void gnBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, int64_t groups, const TensorDesc* weight,
                const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput, const TensorDesc* gradWeight,
                const TensorDesc* gradBias, const NCS& d, const char* op) {
  const int64_t NC = d.N * d.C, rows = d.N * groups, Cg = d.C / groups, D = Cg * d.S;
  if (d.C == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  CINDER_CHECK(NC <= 0x7fffffff, op, ": too many channels for one launch (", NC, ")");
  const T* xp = x.ptr<T>();
  const T* g = gradOut.ptr<T>();
  SetGeom geo{d.S, 1, 0, d.S, 1, 1};
  geo.splitsC = NC > 0 ? clampSplits((kTargetBlocks + NC - 1) / NC, d.S / 2048) : 1;
  const int64_t splits = geo.splitsC;
  Scratch part(device, (size_t)(splits * std::max<int64_t>(NC, 1) * 2) * sizeof(double), op);
  ChannelSums cs{part.as<double>(), splits, NC};
  if (NC > 0) {
    setPartials<T, true><<<dim3((unsigned)NC, (unsigned)splits), kThreads, 0, stream>>>(xp, g, mean.ptr<T>(), Cg, 1, geo,
                                                                                         NC, part.as<double>());
    CINDER_CUDA_LAUNCH_CHECK("setPartials");
  } else {
    cs.splits = 0;
  }
  const Param<T> w = paramOf<T>(weight, 1.0);
  if (gradInput && NC > 0 && d.S > 0) {
    Scratch gc(device, (size_t)(rows * 2) * sizeof(double), op);
    gnBackwardGroups<T><<<gridFor(rows, kThreads), kThreads, 0, stream>>>(cs, rows, groups, d.C, Cg, D, mean.ptr<T>(),
                                                                         rstd.ptr<T>(), w, gc.as<double>());
    CINDER_CUDA_LAUNCH_CHECK("gnBackwardGroups");
    Scratch coef(device, (size_t)(3 * NC) * sizeof(T), op);
    T* A = coef.as<T>();
    T* B = A + NC;
    T* E = B + NC;
    gnBackwardCoefficients<T><<<gridFor(NC, kThreads), kThreads, 0, stream>>>(gc.as<double>(), d.N, d.C, Cg,
                                                                             rstd.ptr<T>(), w, A, B, E);
    CINDER_CUDA_LAUNCH_CHECK("gnBackwardCoefficients");
    applyCoefficients<T, true>(stream, xp, g, gradInput->ptr<T>(), A, B, E, NC, d.S, NC);
  }
  if (gradWeight || gradBias) {
    gnBackwardParams<T><<<gridFor(d.C, kThreads), kThreads, 0, stream>>>(
        cs, d.N, d.C, Cg, groups, rstd.ptr<T>(), gradWeight ? gradWeight->ptr<T>() : nullptr,
        gradBias ? gradBias->ptr<T>() : nullptr);
    CINDER_CUDA_LAUNCH_CHECK("gnBackwardParams");
  }
}

}  // namespace

// ---- entry points: the CPU twin's checks, then the typed launch ------------------------------------

void cudaBatchNormForward(int device, const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias,
                          const TensorDesc* runningMean, const TensorDesc* runningVar, bool training, double momentum,
                          double eps, const TensorDesc& out, const TensorDesc& saveMean, const TensorDesc& saveInvstd,
                          const char* op) {
  const NormNCS d =
      checkBatchNormForward(x, weight, bias, runningMean, runningVar, training, out, saveMean, saveInvstd, op);
  checkFloat(x.dtype, op);
  if (x.dtype == DType::Float32)
    bnForward<float>(device, x, weight, bias, runningMean, runningVar, training, momentum, eps, out, saveMean,
                     saveInvstd, d, op);
  else
    bnForward<double>(device, x, weight, bias, runningMean, runningVar, training, momentum, eps, out, saveMean,
                      saveInvstd, d, op);
}

void cudaBatchNormBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                           const TensorDesc& saveMean, const TensorDesc& saveInvstd, bool training,
                           const TensorDesc* gradInput, const TensorDesc* gradWeight, const TensorDesc* gradBias,
                           const char* op) {
  const NormNCS d =
      checkBatchNormBackward(gradOut, x, weight, saveMean, saveInvstd, gradInput, gradWeight, gradBias, op);
  checkFloat(x.dtype, op);
  if (x.dtype == DType::Float32)
    bnBackward<float>(device, gradOut, x, weight, saveMean, saveInvstd, training, gradInput, gradWeight, gradBias, d, op);
  else
    bnBackward<double>(device, gradOut, x, weight, saveMean, saveInvstd, training, gradInput, gradWeight, gradBias, d, op);
}

void cudaLayerNormForward(int device, const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias, double eps,
                          const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd, const char* op) {
  const NormMK d = checkLayerNormForward(x, weight, bias, out, mean, rstd, op);
  checkFloat(x.dtype, op);
  if (x.dtype == DType::Float32) lnForward<float>(device, x, weight, bias, eps, out, mean, rstd, d.M, d.K, op);
  else lnForward<double>(device, x, weight, bias, eps, out, mean, rstd, d.M, d.K, op);
}

void cudaLayerNormBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                           const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput,
                           const TensorDesc* gradWeight, const TensorDesc* gradBias, const char* op) {
  const NormMK d = checkLayerNormBackward(gradOut, x, weight, mean, rstd, gradInput, gradWeight, gradBias, op);
  checkFloat(x.dtype, op);
  if (x.dtype == DType::Float32)
    lnBackward<float>(device, gradOut, x, weight, mean, rstd, gradInput, gradWeight, gradBias, d.M, d.K, op);
  else
    lnBackward<double>(device, gradOut, x, weight, mean, rstd, gradInput, gradWeight, gradBias, d.M, d.K, op);
}

void cudaGroupNormForward(int device, const TensorDesc& x, int64_t groups, const TensorDesc* weight,
                          const TensorDesc* bias, double eps, const TensorDesc& out, const TensorDesc& mean,
                          const TensorDesc& rstd, const char* op) {
  const NormNCS d = checkGroupNormForward(x, groups, weight, bias, out, mean, rstd, op);
  checkFloat(x.dtype, op);
  if (x.dtype == DType::Float32) gnForward<float>(device, x, groups, weight, bias, eps, out, mean, rstd, d, op);
  else gnForward<double>(device, x, groups, weight, bias, eps, out, mean, rstd, d, op);
}

void cudaGroupNormBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, int64_t groups,
                           const TensorDesc* weight, const TensorDesc& mean, const TensorDesc& rstd,
                           const TensorDesc* gradInput, const TensorDesc* gradWeight, const TensorDesc* gradBias,
                           const char* op) {
  const NormNCS d =
      checkGroupNormBackward(gradOut, x, groups, weight, mean, rstd, gradInput, gradWeight, gradBias, op);
  checkFloat(x.dtype, op);
  if (x.dtype == DType::Float32)
    gnBackward<float>(device, gradOut, x, groups, weight, mean, rstd, gradInput, gradWeight, gradBias, d, op);
  else
    gnBackward<double>(device, gradOut, x, groups, weight, mean, rstd, gradInput, gradWeight, gradBias, d, op);
}

}  // namespace cinder
