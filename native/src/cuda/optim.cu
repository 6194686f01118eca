// CUDA fused optimizer updates (see cuda/optim.h). The arithmetic is the CPU's (cpu/optimImpl.h),
// operation for operation, and every operation is an explicitly rounded intrinsic (__fmul_rn,
// __dadd_rn, ...): nvcc may not contract them into FMAs, so with the constants computed on the
// host exactly as the CPU computes them, both devices produce the same bits.
//
// Two kernels, both grid-stride: a vectorised one (every operand contiguous and 16-byte aligned:
// one 16-byte access per operand moves four floats or two doubles) and a strided one (offsets from
// the linear index through the coalesced shape, 32-bit division where the count allows).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "cpu/optimArch.h"
#include "cpu/optimConsts.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/optim.h"
#include "cuda/roundedMath.cuh"
#include "cuda/stridedOffsets.cuh"

namespace cinder {
namespace {

constexpr int kThreads = 256;

// ---- the per-element updates (cpu/optimImpl.h, same order of operations) -----------------------

template <typename T, int WD, bool AMS>
struct AdamOp {
  AdamConsts<T> c;
  __device__ __forceinline__ void operator()(T& p, T g, T& m, T& v, T& vmax) const {
    using R = RoundedOps<T>;
    T gi = R::mul(g, c.sign);
    T pi = p;
    if constexpr (WD == kL2) gi = R::add(gi, R::mul(c.wd, pi));
    if constexpr (WD == kDecoupled) pi = R::mul(pi, c.decay);
    const T mi = R::add(R::mul(m, c.beta1), R::mul(c.oneMinusBeta1, gi));
    const T vi = R::add(R::mul(v, c.beta2), R::mul(R::mul(c.oneMinusBeta2, gi), gi));
    m = mi;
    v = vi;
    T vhat = vi;
    if constexpr (AMS) {
      const T prev = vmax;
      vhat = prev >= vi || prev != prev ? prev : vi;  // maximum, propagating NaN
      vmax = vhat;
    }
    const T denom = R::add(R::div(R::sqrt(vhat), c.bc2Sqrt), c.eps);
    p = R::add(pi, R::mul(c.negStepSize, R::div(mi, denom)));
  }
};

template <typename T, bool WD, int MOM, bool NESTEROV>
struct SgdOp {
  SgdConsts<T> c;
  __device__ __forceinline__ void operator()(T& p, T g, T& buf, T&, T&) const {
    using R = RoundedOps<T>;
    T d = R::mul(g, c.sign);
    if constexpr (WD) d = R::add(d, R::mul(c.wd, p));
    if constexpr (MOM != kNoMomentum) {
      T b;
      if constexpr (MOM == kInitBuffer) b = d;
      else b = R::add(R::mul(buf, c.momentum), R::mul(c.oneMinusDampening, d));
      buf = b;
      if constexpr (NESTEROV) d = R::add(d, R::mul(c.momentum, b));
      else d = b;
    }
    p = R::add(p, R::mul(c.negLr, d));
  }
};

template <typename T, bool WD, bool CENTERED, bool MOM>
struct RmspropOp {
  RmspropConsts<T> c;
  __device__ __forceinline__ void operator()(T& p, T g, T& sq, T& gavg, T& buf) const {
    using R = RoundedOps<T>;
    T gi = R::mul(g, c.sign);
    if constexpr (WD) gi = R::add(gi, R::mul(c.wd, p));
    const T s = R::add(R::mul(sq, c.alpha), R::mul(R::mul(c.oneMinusAlpha, gi), gi));
    sq = s;
    T avg;
    if constexpr (CENTERED) {
      const T ga = R::add(R::mul(gavg, c.alpha), R::mul(c.oneMinusAlpha, gi));
      gavg = ga;
      avg = R::sqrt(R::sub(s, R::mul(ga, ga)));
    } else {
      avg = R::sqrt(s);
    }
    avg = R::add(avg, c.eps);
    if constexpr (MOM) {
      const T b = R::add(R::mul(buf, c.momentum), R::div(gi, avg));
      buf = b;
      p = R::add(p, R::mul(c.negLr, b));
    } else {
      p = R::add(p, R::mul(c.negLr, R::div(gi, avg)));
    }
  }
};

template <typename T, bool WD>
struct AdagradOp {
  AdagradConsts<T> c;
  __device__ __forceinline__ void operator()(T& p, T g, T& sum, T&, T&) const {
    using R = RoundedOps<T>;
    T gi = R::mul(g, c.sign);
    if constexpr (WD) gi = R::add(gi, R::mul(c.wd, p));
    const T s = R::add(sum, R::mul(gi, gi));
    sum = s;
    const T sd = R::add(R::sqrt(s), c.eps);
    p = R::add(p, R::mul(c.negClr, R::div(gi, sd)));
  }
};

// ---- iteration --------------------------------------------------------------------------------

struct KIter {
  int ndim;
  int64_t shape[kMaxDims];
  int64_t strides[kCudaOptimSlots][kMaxDims];
  char* data[kCudaOptimSlots];
};

template <typename T>
struct alignas(16) Vec16 {
  static constexpr int N = 16 / sizeof(T);
  T v[N];
};

// Applies op to element e of contiguous operands (absent slots read as zero, never written).
template <typename T, typename Op>
__device__ __forceinline__ void applyContiguous(const KIter& a, int64_t e, const Op& op) {
  T* p = reinterpret_cast<T*>(a.data[0]) + e;
  const T g = reinterpret_cast<const T*>(a.data[1])[e];
  T s[3] = {T(0), T(0), T(0)};
#pragma unroll
  for (int k = 0; k < 3; k++)
    if (a.data[2 + k]) s[k] = reinterpret_cast<const T*>(a.data[2 + k])[e];
  T pv = *p;
  op(pv, g, s[0], s[1], s[2]);
  *p = pv;
#pragma unroll
  for (int k = 0; k < 3; k++)
    if (a.data[2 + k]) reinterpret_cast<T*>(a.data[2 + k])[e] = s[k];
}

template <typename T, typename Op>
__global__ void optimVectorised(KIter a, int64_t n, Op op) {
  using V = Vec16<T>;
  constexpr int W = V::N;
  const int64_t nvec = n / W;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  const int64_t tid = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  for (int64_t i = tid; i < nvec; i += step) {
    V p = reinterpret_cast<const V*>(a.data[0])[i];
    const V g = reinterpret_cast<const V*>(a.data[1])[i];
    V s[3];
#pragma unroll
    for (int k = 0; k < 3; k++) {
      if (a.data[2 + k]) {
        s[k] = reinterpret_cast<const V*>(a.data[2 + k])[i];
      } else {
#pragma unroll
        for (int j = 0; j < W; j++) s[k].v[j] = T(0);
      }
    }
#pragma unroll
    for (int j = 0; j < W; j++) op(p.v[j], g.v[j], s[0].v[j], s[1].v[j], s[2].v[j]);
    reinterpret_cast<V*>(a.data[0])[i] = p;
#pragma unroll
    for (int k = 0; k < 3; k++)
      if (a.data[2 + k]) reinterpret_cast<V*>(a.data[2 + k])[i] = s[k];
  }
  // The last n % W elements, one per thread of the first threads.
  const int64_t tail = n - nvec * W;
  if (tid < tail) applyContiguous<T>(a, nvec * W + tid, op);
}

template <typename T, typename Op>
__global__ void optimStrided(KIter a, int64_t n, Op op) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t off[kCudaOptimSlots];
    stridedOffsets<kCudaOptimSlots>(a, i, n <= (int64_t)UINT32_MAX, off);
    T* p = reinterpret_cast<T*>(a.data[0] + off[0]);
    const T g = *reinterpret_cast<const T*>(a.data[1] + off[1]);
    T s[3] = {T(0), T(0), T(0)};
#pragma unroll
    for (int k = 0; k < 3; k++)
      if (a.data[2 + k]) s[k] = *reinterpret_cast<const T*>(a.data[2 + k] + off[2 + k]);
    T pv = *p;
    op(pv, g, s[0], s[1], s[2]);
    *p = pv;
#pragma unroll
    for (int k = 0; k < 3; k++)
      if (a.data[2 + k]) *reinterpret_cast<T*>(a.data[2 + k] + off[2 + k]) = s[k];
  }
}

template <typename T, typename Op>
void run(int device, const CudaOptimIter& it, const Op& op, const char* name) {
  const int64_t n = it.numel;
  if (n == 0) return;
  CINDER_CHECK(it.ndim >= 0 && it.ndim <= kMaxDims, name, ": internal error: bad iteration rank ", it.ndim);
  KIter a;
  a.ndim = it.ndim;
  for (int d = 0; d < it.ndim; d++) a.shape[d] = it.shape[d];
  bool contiguous = it.ndim <= 1, aligned = true;
  for (int k = 0; k < kCudaOptimSlots; k++) {
    a.data[k] = it.data[k];
    for (int d = 0; d < it.ndim; d++) a.strides[k][d] = it.strides[k][d];
    if (!it.data[k]) continue;
    if (it.ndim == 1 && it.strides[k][0] != (int64_t)sizeof(T)) contiguous = false;
    if (reinterpret_cast<uintptr_t>(it.data[k]) % 16 != 0) aligned = false;
  }
  CudaDeviceGuard guard(device, name);
  cudaStream_t stream = cudaStreamOf(device, name);
  if (contiguous && aligned) {
    const int64_t nvec = n / Vec16<T>::N;
    optimVectorised<T, Op><<<gridFor(nvec > 0 ? nvec : 1, kThreads), kThreads, 0, stream>>>(a, n, op);
    CINDER_CUDA_LAUNCH_CHECK("optimVectorised");
  } else {
    // Contiguous but misaligned operands take the strided kernel as a one-dim iteration.
    if (it.ndim == 0) {
      a.ndim = 1;
      a.shape[0] = 1;
      for (int k = 0; k < kCudaOptimSlots; k++) a.strides[k][0] = 0;
    }
    optimStrided<T, Op><<<gridFor(n, kThreads), kThreads, 0, stream>>>(a, n, op);
    CINDER_CUDA_LAUNCH_CHECK("optimStrided");
  }
}

// ---- constants (cpu/optimConsts.h, shared with the CPU) -----------------------------------------

template <typename T>
void adamTyped(int device, const CudaOptimIter& it, const AdamOptions& o) {
  const AdamConsts<T> c = adamConsts<T>(o);
  const int wd = adamDecay(o);
  const char* name = "adamStep";
  auto go = [&](auto tag) {
    using Op = decltype(tag);
    run<T>(device, it, Op{c}, name);
  };
  if (wd == kNoDecay) o.amsgrad ? go(AdamOp<T, kNoDecay, true>{}) : go(AdamOp<T, kNoDecay, false>{});
  else if (wd == kL2) o.amsgrad ? go(AdamOp<T, kL2, true>{}) : go(AdamOp<T, kL2, false>{});
  else o.amsgrad ? go(AdamOp<T, kDecoupled, true>{}) : go(AdamOp<T, kDecoupled, false>{});
}

template <typename T, bool WD>
void sgdWith(int device, const CudaOptimIter& it, const SgdConsts<T>& c, int mom, bool nest) {
  const char* name = "sgdStep";
  if (mom == kNoMomentum) run<T>(device, it, SgdOp<T, WD, kNoMomentum, false>{c}, name);
  else if (mom == kInitBuffer && nest) run<T>(device, it, SgdOp<T, WD, kInitBuffer, true>{c}, name);
  else if (mom == kInitBuffer) run<T>(device, it, SgdOp<T, WD, kInitBuffer, false>{c}, name);
  else if (nest) run<T>(device, it, SgdOp<T, WD, kUpdateBuffer, true>{c}, name);
  else run<T>(device, it, SgdOp<T, WD, kUpdateBuffer, false>{c}, name);
}

template <typename T>
void sgdTyped(int device, const CudaOptimIter& it, const SgdOptions& o) {
  const SgdConsts<T> c = sgdConsts<T>(o);
  const int mom = sgdMomentum(o);
  const bool nest = mom != kNoMomentum && o.nesterov;
  if (o.weightDecay != 0) sgdWith<T, true>(device, it, c, mom, nest);
  else sgdWith<T, false>(device, it, c, mom, nest);
}

template <typename T, bool WD>
void rmspropWith(int device, const CudaOptimIter& it, const RmspropConsts<T>& c, bool cen, bool mom) {
  const char* name = "rmspropStep";
  if (cen && mom) run<T>(device, it, RmspropOp<T, WD, true, true>{c}, name);
  else if (cen) run<T>(device, it, RmspropOp<T, WD, true, false>{c}, name);
  else if (mom) run<T>(device, it, RmspropOp<T, WD, false, true>{c}, name);
  else run<T>(device, it, RmspropOp<T, WD, false, false>{c}, name);
}

template <typename T>
void rmspropTyped(int device, const CudaOptimIter& it, const RmspropOptions& o) {
  const RmspropConsts<T> c = rmspropConsts<T>(o);
  if (o.weightDecay != 0) rmspropWith<T, true>(device, it, c, o.centered, o.momentum > 0);
  else rmspropWith<T, false>(device, it, c, o.centered, o.momentum > 0);
}

template <typename T>
void adagradTyped(int device, const CudaOptimIter& it, const AdagradOptions& o) {
  const AdagradConsts<T> c = adagradConsts<T>(o);
  if (o.weightDecay != 0) run<T>(device, it, AdagradOp<T, true>{c}, "adagradStep");
  else run<T>(device, it, AdagradOp<T, false>{c}, "adagradStep");
}

}  // namespace

void cudaAdamStep(int device, DType dt, const CudaOptimIter& it, const AdamOptions& o) {
  if (dt == DType::Float32) adamTyped<float>(device, it, o);
  else adamTyped<double>(device, it, o);
}

void cudaSgdStep(int device, DType dt, const CudaOptimIter& it, const SgdOptions& o) {
  if (dt == DType::Float32) sgdTyped<float>(device, it, o);
  else sgdTyped<double>(device, it, o);
}

void cudaRmspropStep(int device, DType dt, const CudaOptimIter& it, const RmspropOptions& o) {
  if (dt == DType::Float32) rmspropTyped<float>(device, it, o);
  else rmspropTyped<double>(device, it, o);
}

void cudaAdagradStep(int device, DType dt, const CudaOptimIter& it, const AdagradOptions& o) {
  if (dt == DType::Float32) adagradTyped<float>(device, it, o);
  else adagradTyped<double>(device, it, o);
}

}  // namespace cinder
