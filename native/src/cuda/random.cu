// CUDA random kernels, the twins of cpu/random.cc. Philox is counter based, so each thread
// computes the counters of the elements it owns exactly as the CPU loops assign them:
//   - flat fills: thread b computes block offset + b and writes elements [b K, b K + K);
//   - samplers: element i reads sub-stream offset + i + 1 (rejection samplers draw from it as
//     long as they need), the same cpu/randomSamplers.h code as the CPU;
//   - multinomial: row r reads sub-stream offset + r + 1, draw t at words 2t and 2t + 1; the
//     cumulative sums are taken in the CPU's order (one thread per row) so the bins match bit for
//     bit; without replacement the exponential race is sorted per row (CUB, stable: ties by index);
//   - randperm: the CPU's Fisher-Yates swaps (swap k with the index drawn from half of flat block
//     k / 2), executed in parallel rounds by deterministic reservations (Shun et al., "Sequential
//     random permutation, list contraction and tree contraction are highly parallel", SODA 2015):
//     a swap runs once it holds both its positions against every earlier pending swap, which gives
//     exactly the sequential result in O(log n) rounds with high probability.
// This file is compiled with -fmad=false: every operation rounds as written, as on the CPU.
#include <cub/device/device_segmented_radix_sort.cuh>
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "core/storage.h"
#include "cpu/gammaGrad.h"
#include "cpu/randomSamplers.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/cudaRandom.h"
#include "cuda/stridedOffsets.cuh"

namespace cinder {
namespace cudarand {

constexpr int kThreads = 256;
constexpr unsigned long long kNone = ~0ull;

// Device scratch of one launcher call, released on every path.
class Scratch {
 public:
  Scratch(int device, const char* op) : device_(device), op_(op) {}
  ~Scratch() {
    for (Storage* s : s_) releaseStorage(s);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  template <typename T>
  T* alloc(size_t count) {
    Storage* s = newDeviceStorage(device_, count > 0 ? count * sizeof(T) : 1, op_);
    s_.push_back(s);
    return static_cast<T*>(s->data);
  }

 private:
  int device_;
  const char* op_;
  std::vector<Storage*> s_;
};

// A device word that kernels lower with atomicMin to the smallest offending index (kNone: none).
unsigned long long* newErrorIndex(Scratch& scratch, cudaStream_t stream, const char* name) {
  unsigned long long* p = scratch.alloc<unsigned long long>(1);
  CINDER_CUDA_CHECK(cudaMemsetAsync(p, 0xff, sizeof(unsigned long long), stream), name, ": cudaMemsetAsync");
  return p;
}

unsigned long long readErrorIndex(const unsigned long long* p, int device, const char* name) {
  unsigned long long v = kNone;
  cudaCopyDeviceToHost(&v, p, device, sizeof v, name);
  return v;
}

template <typename T>
double readElement(const void* base, int64_t byteOffset, int device, const char* name) {
  T v;
  cudaCopyDeviceToHost(&v, static_cast<const char*>(base) + byteOffset, device, sizeof(T), name);
  return (double)v;
}

// ---- flat fills ------------------------------------------------------------------------------

template <typename T, int K>
struct alignas(sizeof(T) * K) VecK {
  T v[K];
};

template <int K, typename T, typename Gen>
__global__ void fillKernel(T* __restrict__ out, int64_t n, int64_t nb, uint32_t k0, uint32_t k1, uint64_t offset,
                           Gen gen, bool vectorStores) {
  const uint32_t key[2] = {k0, k1};
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; b < nb; b += step) {
    uint32_t r[4];
    philox::flatBlock(key, offset + (uint64_t)b, r);
    T v[K];
    gen(r, v);
    const int64_t i = b * K;
    if (vectorStores && i + K <= n) {
      VecK<T, K> w;
#pragma unroll
      for (int j = 0; j < K; j++) w.v[j] = v[j];
      *reinterpret_cast<VecK<T, K>*>(out + i) = w;
    } else {
      const int cnt = n - i < K ? (int)(n - i) : K;
      for (int j = 0; j < cnt; j++) out[i + j] = v[j];
    }
  }
}

template <typename T>
struct UniformGen {
  T lo, span;
  __device__ void operator()(const uint32_t* r, T* v) const { fill::uniform(r, lo, span, v); }
};
template <typename T>
struct NormalGen {
  T mean, sd;
  __device__ void operator()(const uint32_t* r, T* v) const { fill::normal(r, mean, sd, v); }
};
template <typename T>
struct ExponentialGen {
  T inv;
  __device__ void operator()(const uint32_t* r, T* v) const { fill::exponential(r, inv, v); }
};
template <typename T>
struct BernoulliGen {
  double thresh;
  __device__ void operator()(const uint32_t* r, T* v) const { fill::bernoulli(r, thresh, v); }
};
template <typename T>
struct RandIntGen {
  int64_t low;
  uint64_t range;
  __device__ void operator()(const uint32_t* r, T* v) const { fill::randInt(r, low, range, v); }
};

template <int K, typename T, typename Gen>
uint64_t launchFill(int device, T* out, int64_t n, const PhiloxState& g, Gen gen, const char* name) {
  if (n <= 0) return 0;
  const int64_t nb = (n + K - 1) / K;
  const bool vec = reinterpret_cast<uintptr_t>(out) % (sizeof(T) * K) == 0;
  CudaDeviceGuard guard(device, name);
  cudaStream_t stream = cudaStreamOf(device, name);
  fillKernel<K, T, Gen><<<gridFor(nb, kThreads), kThreads, 0, stream>>>(out, n, nb, g.key[0], g.key[1], g.offset,
                                                                         gen, vec);
  CINDER_CUDA_LAUNCH_CHECK("randomFill");
  return (uint64_t)nb;
}

template <typename T>
uint64_t fillTyped(int device, FillOp op, T* out, int64_t n, double a, double b, DType dt, const PhiloxState& g,
                   const char* name) {
  constexpr bool isFloat = std::is_same<T, float>::value || std::is_same<T, double>::value;
  constexpr int KF = std::is_same<T, float>::value ? 4 : 2;
  switch (op) {
    case FillOp::Uniform:
      if constexpr (isFloat) return launchFill<KF>(device, out, n, g, UniformGen<T>{(T)a, (T)(b - a)}, name);
      break;
    case FillOp::Normal:
      if constexpr (isFloat) return launchFill<KF>(device, out, n, g, NormalGen<T>{(T)a, (T)b}, name);
      break;
    case FillOp::Exponential:
      if constexpr (isFloat) return launchFill<KF>(device, out, n, g, ExponentialGen<T>{(T)(1.0 / a)}, name);
      break;
    case FillOp::Bernoulli:
      return launchFill<fill::kBernoulli>(device, out, n, g, BernoulliGen<T>{a * 4294967296.0}, name);
    case FillOp::RandInt: {
      CINDER_CHECK(std::isfinite(a) && std::isfinite(b) && b > a, name, ": expected low < high, got low=", a,
                   " high=", b);
      const int64_t lo = (int64_t)a, hi = (int64_t)b;
      return launchFill<fill::kInt>(device, out, n, g, RandIntGen<T>{lo, (uint64_t)hi - (uint64_t)lo}, name);
    }
    case FillOp::RandomFull:
      return launchFill<fill::kInt>(device, out, n, g, RandIntGen<T>{0, randomFullRange(dt, name)}, name);
    default: break;
  }
  fail(name, ": not supported for dtype ", dtypeName(dt));
}

// ---- broadcast iteration (samplers, gradients) ------------------------------------------------

template <int N>
struct IterArgs {
  int ndim;
  int64_t shape[kMaxDims];
  int64_t strides[N][kMaxDims];  // bytes
  char* data[N];
};

template <int N>
IterArgs<N> iterArgs(const CudaIterArgs& it, const char* name) {
  CINDER_CHECK(it.nops == N && it.scalarMask == 0, name, ": internal error: bad operands");
  CINDER_CHECK(it.ndim >= 0 && it.ndim <= kMaxDims, name, ": internal error: bad iteration rank ", it.ndim);
  IterArgs<N> a;
  a.ndim = it.ndim;
  for (int d = 0; d < it.ndim; d++) a.shape[d] = it.shape[d];
  for (int k = 0; k < N; k++) {
    for (int d = 0; d < it.ndim; d++) a.strides[k][d] = it.strides[k][d];
    a.data[k] = it.data[k];
  }
  return a;
}

// Byte offsets as stridedOffsets (cuda/stridedOffsets.cuh) gives them, on the host, for reading
// back one element's parameters.
template <int N>
void hostOffsetsAt(const CudaIterArgs& it, int64_t i, int64_t* off) {
  for (int k = 0; k < N; k++) off[k] = 0;
  int64_t rem = i;
  for (int d = it.ndim - 1; d >= 0; d--) {
    const int64_t idx = rem % it.shape[d];
    rem /= it.shape[d];
    for (int k = 0; k < N; k++) off[k] += idx * it.strides[k][d];
  }
}

// ---- samplers --------------------------------------------------------------------------------

template <SampleOp OP, typename T>
__global__ void sampleKernel(IterArgs<3> a, int64_t n, uint32_t k0, uint32_t k1, uint64_t offset,
                             unsigned long long* bad) {
  const uint32_t key[2] = {k0, k1};
  const bool small = n <= (int64_t)UINT32_MAX;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t off[3];
    stridedOffsets<3>(a, i, small, off);
    const int64_t e = off[0] / (int64_t)sizeof(T);  // the element's index in the contiguous output
    const double av = (double)*reinterpret_cast<const T*>(a.data[1] + off[1]);
    const double bv = (double)*reinterpret_cast<const T*>(a.data[2] + off[2]);
    if (!sampler::paramsValid(OP, av, bv)) {
      atomicMin(bad, (unsigned long long)e);
      continue;
    }
    philox::Stream s(key, offset + (uint64_t)e + 1);
    *reinterpret_cast<T*>(a.data[0] + off[0]) = sampler::sampleOne<T>(OP, s, av, bv);
  }
}

template <SampleOp OP, typename T>
void launchSample(const IterArgs<3>& a, int64_t n, const PhiloxState& g, unsigned long long* bad, cudaStream_t stream) {
  sampleKernel<OP, T><<<gridFor(n, kThreads), kThreads, 0, stream>>>(a, n, g.key[0], g.key[1], g.offset, bad);
}

template <typename T>
void sampleTyped(int device, SampleOp op, const CudaIterArgs& it, const PhiloxState& g, const char* name) {
  const int64_t n = it.numel;
  if (n == 0) return;
  const IterArgs<3> a = iterArgs<3>(it, name);
  CudaDeviceGuard guard(device, name);
  cudaStream_t stream = cudaStreamOf(device, name);
  Scratch scratch(device, name);
  unsigned long long* bad = newErrorIndex(scratch, stream, name);
  switch (op) {
    case SampleOp::Bernoulli: launchSample<SampleOp::Bernoulli, T>(a, n, g, bad, stream); break;
    case SampleOp::Normal: launchSample<SampleOp::Normal, T>(a, n, g, bad, stream); break;
    case SampleOp::Exponential: launchSample<SampleOp::Exponential, T>(a, n, g, bad, stream); break;
    case SampleOp::Uniform: launchSample<SampleOp::Uniform, T>(a, n, g, bad, stream); break;
    case SampleOp::Gamma: launchSample<SampleOp::Gamma, T>(a, n, g, bad, stream); break;
    case SampleOp::Poisson: launchSample<SampleOp::Poisson, T>(a, n, g, bad, stream); break;
    case SampleOp::Binomial: launchSample<SampleOp::Binomial, T>(a, n, g, bad, stream); break;
    case SampleOp::Beta: launchSample<SampleOp::Beta, T>(a, n, g, bad, stream); break;
    default: fail(name, ": internal error: unknown sampler ", (int)op);
  }
  CINDER_CUDA_LAUNCH_CHECK("randomSample");
  const unsigned long long e = readErrorIndex(bad, device, name);
  if (e == kNone) return;
  // The output is contiguous, so its element e is the iteration's linear index e.
  int64_t off[3];
  hostOffsetsAt<3>(it, (int64_t)e, off);
  const double av = readElement<T>(it.data[1], off[1], device, name);
  const double bv = readElement<T>(it.data[2], off[2], device, name);
  checkSampleParams(op, av, bv, name);
  fail(name, ": invalid parameters at element ", e);
}

// ---- dirichlet -------------------------------------------------------------------------------

template <typename T>
__global__ void dirichletGammas(const T* __restrict__ alpha, double* __restrict__ lg, int64_t n, uint32_t k0,
                                uint32_t k1, uint64_t offset, unsigned long long* bad) {
  const uint32_t key[2] = {k0, k1};
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    const double a = (double)alpha[i];
    if (!(a > 0.0)) {
      atomicMin(bad, (unsigned long long)i);
      lg[i] = 0.0;
      continue;
    }
    philox::Stream s(key, offset + (uint64_t)i + 1);
    lg[i] = sampler::logGamma(s, a);
  }
}

// One thread per row: the row's sum is taken in the CPU's order.
template <typename T>
__global__ void dirichletRows(double* __restrict__ lg, T* __restrict__ out, int64_t rows, int64_t k) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t r = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += step)
    sampler::dirichletNormalise(lg + r * k, k, out + r * k);
}

// ---- multinomial -----------------------------------------------------------------------------

// One thread per row: checks the row (as checkMultinomialRow) and, with replacement, writes its
// cumulative sums in the CPU's order.
template <typename T>
__global__ void multinomialRows(const T* __restrict__ P, int64_t rows, int64_t k, int64_t ns, bool replacement,
                                double* __restrict__ cum, unsigned long long* badRow) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t r = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += step) {
    const T* p = P + r * k;
    double total = 0;
    int64_t nonzero = 0;
    bool ok = true;
    // Loads in groups of eight (independent, so they overlap), sums in order.
    constexpr int kGroup = 8;
    for (int64_t j0 = 0; j0 < k && ok; j0 += kGroup) {
      double v[kGroup];
#pragma unroll
      for (int q = 0; q < kGroup; q++) v[q] = j0 + q < k ? (double)p[j0 + q] : 0.0;
      const int cnt = k - j0 < kGroup ? (int)(k - j0) : kGroup;
#pragma unroll
      for (int q = 0; q < kGroup; q++) {
        if (q >= cnt || !ok) continue;
        if (!(v[q] >= 0.0 && std::isfinite(v[q]))) {
          ok = false;
          continue;
        }
        total += v[q];
        nonzero += v[q] > 0.0;
        if (replacement) cum[r * k + j0 + q] = total;
      }
    }
    if (!ok || !(total > 0.0) || (!replacement && nonzero < ns)) atomicMin(badRow, (unsigned long long)r);
  }
}

template <typename T>
__global__ void multinomialDraw(const T* __restrict__ P, const double* __restrict__ cum, int64_t* __restrict__ out,
                                int64_t rows, int64_t k, int64_t ns, uint32_t k0, uint32_t k1, uint64_t offset) {
  const uint32_t key[2] = {k0, k1};
  const int64_t n = rows * ns;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < n; idx += step) {
    const int64_t r = idx / ns, t = idx - r * ns;
    const double* c = cum + r * k;
    const T* p = P + r * k;
    philox::Stream s(key, offset + (uint64_t)r + 1);
    s.seek(2 * (uint64_t)t);
    const double u = s.uniform() * c[k - 1];
    // std::upper_bound: the first j with c[j] > u.
    int64_t lo = 0, hi = k;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (!(u < c[mid])) lo = mid + 1;
      else hi = mid;
    }
    int64_t j = lo;
    if (j >= k) j = k - 1;
    while (j > 0 && p[j] == 0) j--;  // u landed on the rounding edge past the last mass
    out[idx] = j;
  }
}

// Without replacement: category j of row r finishes at E_j / p_j (E_j from words 2j, 2j + 1 of
// the row's sub-stream); keys are the finish times' bits (non-negative doubles order as their
// bits), values the category.
template <typename T>
__global__ void multinomialRace(const T* __restrict__ P, uint64_t* __restrict__ keys, int32_t* __restrict__ cats,
                                int64_t rowBegin, int64_t rows, int64_t k, uint32_t k0, uint32_t k1, uint64_t offset) {
  const uint32_t key[2] = {k0, k1};
  const int64_t n = rows * k;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < n; idx += step) {
    const int64_t rl = idx / k, j = idx - rl * k;
    const int64_t r = rowBegin + rl;
    philox::Stream s(key, offset + (uint64_t)r + 1);
    s.seek(2 * (uint64_t)j);
    const double e = -pmath::log(s.open());
    const double pj = (double)P[r * k + j];
    const double f = pj > 0 ? e / pj : pmath::infinity();
    keys[idx] = pmath::bitsOf(f);
    cats[idx] = (int32_t)j;
  }
}

__global__ void segmentOffsets(int* __restrict__ off, int64_t rows, int64_t k) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t r = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; r <= rows; r += step) off[r] = (int)(r * k);
}

__global__ void multinomialTake(const int32_t* __restrict__ sorted, int64_t* __restrict__ out, int64_t rowBegin,
                                int64_t rows, int64_t k, int64_t ns) {
  const int64_t n = rows * ns;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < n; idx += step) {
    const int64_t rl = idx / ns, t = idx - rl * ns;
    out[(rowBegin + rl) * ns + t] = sorted[rl * k + t];
  }
}

// ---- randperm --------------------------------------------------------------------------------
// Swap k (k = 0 .. n - 2) exchanges positions n - 1 - k and H[k] <= n - 1 - k. R[pos] is the
// smallest pending swap that touches pos (kNone: none); it is rebuilt from scratch every round.

// count (when given) <- n - 1, the pending swaps of the first round.
__global__ void permInit(int64_t* __restrict__ A, int64_t* __restrict__ H, unsigned long long* __restrict__ R,
                         int64_t* __restrict__ L, unsigned long long* count, int64_t n, uint32_t k0, uint32_t k1,
                         uint64_t offset) {
  const uint32_t key[2] = {k0, k1};
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    if (i == 0 && count != nullptr) *count = (unsigned long long)(n - 1);
    A[i] = i;
    R[i] = kNone;
    if (i < n - 1) {
      const int64_t k = i;
      uint32_t r[4];
      philox::flatBlock(key, offset + (uint64_t)(k / 2), r);
      const uint32_t* w = r + 2 * (k & 1);
      H[k] = (int64_t)philox::mulHi64(philox::word64(w[0], w[1]), (uint64_t)(n - k));  // position n - 1 - k, + 1
      L[k] = k;
    }
  }
}

// The list L holds the *mp pending swaps of this round (the host knows only an upper bound of
// *mp between its occasional reads, and sizes the grids by that).
__global__ void permReserve(const int64_t* __restrict__ L, const unsigned long long* mp, const int64_t* __restrict__ H,
                            unsigned long long* R, int64_t n) {
  const int64_t m = (int64_t)*mp;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; x < m; x += step) {
    const int64_t k = L[x];
    atomicMin(&R[n - 1 - k], (unsigned long long)k);
    atomicMin(&R[H[k]], (unsigned long long)k);
  }
}

// Swaps that hold both positions run (their positions are disjoint); the others go to the next
// round's list. R is only read here.
__global__ void permCommit(const int64_t* __restrict__ L, const unsigned long long* mp, const int64_t* __restrict__ H,
                           const unsigned long long* R, int64_t* A, int64_t n, int64_t* __restrict__ next,
                           unsigned long long* count) {
  const int64_t m = (int64_t)*mp;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; x < m; x += step) {
    const int64_t k = L[x];
    const int64_t i = n - 1 - k, j = H[k];
    if (R[i] == (unsigned long long)k && R[j] == (unsigned long long)k) {
      const int64_t t = A[i];
      A[i] = A[j];
      A[j] = t;
    } else {
      next[atomicAdd(count, 1ull)] = k;
    }
  }
}

__global__ void permRelease(const int64_t* __restrict__ L, const unsigned long long* mp, const int64_t* __restrict__ H,
                            unsigned long long* R, int64_t n) {
  const int64_t m = (int64_t)*mp;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; x < m; x += step) {
    const int64_t k = L[x];
    R[n - 1 - k] = kNone;
    R[H[k]] = kNone;
  }
}

// Small n: every round in one block, with barriers instead of launches and host round trips.
__global__ void __launch_bounds__(1024) permSmall(int64_t* A, const int64_t* __restrict__ H, unsigned long long* R, uint8_t* done,
                          int64_t n) {
  const int64_t m = n - 1;
  for (;;) {
    for (int64_t k = threadIdx.x; k < m; k += blockDim.x) {
      if (done[k]) continue;
      atomicMin(&R[n - 1 - k], (unsigned long long)k);
      atomicMin(&R[H[k]], (unsigned long long)k);
    }
    __syncthreads();
    int pending = 0;
    for (int64_t k = threadIdx.x; k < m; k += blockDim.x) {
      if (done[k]) continue;
      const int64_t i = n - 1 - k, j = H[k];
      if (R[i] == (unsigned long long)k && R[j] == (unsigned long long)k) {
        const int64_t t = A[i];
        A[i] = A[j];
        A[j] = t;
        done[k] = 2;  // ran this round: its positions are released below
      } else {
        pending = 1;
      }
    }
    __syncthreads();
    for (int64_t k = threadIdx.x; k < m; k += blockDim.x) {
      if (done[k] == 1) continue;
      R[n - 1 - k] = kNone;
      R[H[k]] = kNone;
      done[k] = done[k] ? 1 : 0;
    }
    if (!__syncthreads_or(pending)) break;
  }
}

template <typename T>
__global__ void castOut(const int64_t* __restrict__ A, T* __restrict__ out, int64_t n) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) out[i] = (T)A[i];
}

constexpr int64_t kPermSmall = 4096;

// ---- reparameterisation gradients ------------------------------------------------------------

template <typename T>
__global__ void gradKernel(IterArgs<4> a, int64_t n, bool isGamma) {
  const bool small = n <= (int64_t)UINT32_MAX;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t off[4];
    stridedOffsets<4>(a, i, small, off);
    const double x = (double)*reinterpret_cast<const T*>(a.data[1] + off[1]);
    const double al = (double)*reinterpret_cast<const T*>(a.data[2] + off[2]);
    const double be = (double)*reinterpret_cast<const T*>(a.data[3] + off[3]);
    *reinterpret_cast<T*>(a.data[0] + off[0]) =
        (T)(isGamma ? gammagrad::standardGammaGrad(x, al) : gammagrad::betaGrad(x, al, be));
  }
}

}  // namespace cudarand

using namespace cudarand;

uint64_t cudaRandomFill(int device, FillOp op, const TensorDesc& out, double a, double b, const PhiloxState& g,
                        const char* name) {
  CINDER_CHECK(out.isContiguous(), name, ": internal: output must be contiguous");
  const int64_t n = out.numel();
  uint64_t used = 0;
  const bool floatOnly = op == FillOp::Uniform || op == FillOp::Normal || op == FillOp::Exponential;
  if (floatOnly) {
    CINDER_DISPATCH_FLOAT(out.dtype, name, [&] {
      used = fillTyped<scalar_t>(device, op, out.ptr<scalar_t>(), n, a, b, out.dtype, g, name);
    });
  } else {
    CINDER_DISPATCH_ALL(out.dtype, name, [&] {
      used = fillTyped<scalar_t>(device, op, out.ptr<scalar_t>(), n, a, b, out.dtype, g, name);
    });
  }
  return used;
}

void cudaRandomSample(int device, SampleOp op, DType dt, const CudaIterArgs& it, const PhiloxState& g,
                      const char* name) {
  CINDER_DISPATCH_FLOAT(dt, name, [&] { sampleTyped<scalar_t>(device, op, it, g, name); });
}

uint64_t cudaRandperm(int device, const TensorDesc& out, const PhiloxState& g) {
  const char* name = "randperm";
  const int64_t n = out.numel();
  if (n == 0) return 0;
  CudaDeviceGuard guard(device, name);
  cudaStream_t stream = cudaStreamOf(device, name);
  Scratch scratch(device, name);
  int64_t* A = scratch.alloc<int64_t>((size_t)n);
  int64_t* H = scratch.alloc<int64_t>((size_t)n);
  unsigned long long* R = scratch.alloc<unsigned long long>((size_t)n);
  int64_t* L0 = scratch.alloc<int64_t>((size_t)n);
  const bool small = n <= kPermSmall;
  // Pending-swap counts of alternate rounds: round r reads counts[r % 2] and writes the other.
  unsigned long long* counts = small ? nullptr : scratch.alloc<unsigned long long>(2);
  permInit<<<gridFor(n, kThreads), kThreads, 0, stream>>>(A, H, R, L0, counts, n, g.key[0], g.key[1], g.offset);
  CINDER_CUDA_LAUNCH_CHECK("randperm (init)");
  if (small) {
    uint8_t* done = scratch.alloc<uint8_t>((size_t)n);
    CINDER_CUDA_CHECK(cudaMemsetAsync(done, 0, (size_t)n, stream), name, ": cudaMemsetAsync");
    permSmall<<<1, 1024, 0, stream>>>(A, H, R, done, n);
    CINDER_CUDA_LAUNCH_CHECK("randperm (swaps)");
  } else {
    int64_t* lists[2] = {L0, scratch.alloc<int64_t>((size_t)n)};
    // Rounds run back to back on the stream; the host reads the pending count every few rounds
    // (a round with nothing pending costs four empty launches).
    constexpr int kRoundsPerRead = 4;
    int64_t bound = n - 1;  // >= the pending count
    for (int round = 0; bound > 0; round++) {
      const int c = round & 1;
      const unsigned long long* mIn = counts + c;
      unsigned long long* mOut = counts + (c ^ 1);
      CINDER_CUDA_CHECK(cudaMemsetAsync(mOut, 0, sizeof(unsigned long long), stream), name, ": cudaMemsetAsync");
      const unsigned grid = gridFor(bound, kThreads);
      permReserve<<<grid, kThreads, 0, stream>>>(lists[c], mIn, H, R, n);
      CINDER_CUDA_LAUNCH_CHECK("randperm (reserve)");
      permCommit<<<grid, kThreads, 0, stream>>>(lists[c], mIn, H, R, A, n, lists[c ^ 1], mOut);
      CINDER_CUDA_LAUNCH_CHECK("randperm (commit)");
      permRelease<<<grid, kThreads, 0, stream>>>(lists[c], mIn, H, R, n);
      CINDER_CUDA_LAUNCH_CHECK("randperm (release)");
      if (round % kRoundsPerRead == kRoundsPerRead - 1) {
        unsigned long long left = 0;
        cudaCopyDeviceToHost(&left, mOut, device, sizeof left, name);
        // Every round runs at least the earliest pending swap.
        CINDER_CHECK((int64_t)left < bound, name, ": internal error: the swap rounds made no progress");
        bound = (int64_t)left;
      }
    }
  }
  CINDER_DISPATCH_ALL(out.dtype, name, [&] {
    castOut<scalar_t><<<gridFor(n, kThreads), kThreads, 0, stream>>>(A, out.ptr<scalar_t>(), n);
  });
  CINDER_CUDA_LAUNCH_CHECK("randperm (output)");
  return (uint64_t)(n / 2);
}

void cudaMultinomial(int device, const TensorDesc& out, const TensorDesc& probs, bool replacement,
                     const PhiloxState& g) {
  const char* name = "multinomial";
  CINDER_CHECK(probs.ndim == 2 && out.ndim == 2 && probs.isContiguous() && out.isContiguous() &&
                   out.dtype == DType::Int64 && probs.shape[0] == out.shape[0],
               name, ": internal: bad operands");
  const int64_t rows = probs.shape[0], k = probs.shape[1], ns = out.shape[1];
  if (rows == 0 || ns == 0) return;
  CINDER_CHECK(k > 0, name, ": internal: no categories");
  CINDER_CHECK(replacement || k <= INT_MAX, name, ": ", k,
               " categories are more than CUDA's sampler without replacement handles (", INT_MAX, ")");
  CudaDeviceGuard guard(device, name);
  cudaStream_t stream = cudaStreamOf(device, name);
  Scratch scratch(device, name);
  unsigned long long* badRow = newErrorIndex(scratch, stream, name);
  int64_t* O = out.ptr<int64_t>();
  CINDER_DISPATCH_FLOAT(probs.dtype, name, [&] {
    using T = scalar_t;
    const T* P = probs.ptr<T>();
    double* cum = replacement ? scratch.alloc<double>((size_t)(rows * k)) : nullptr;
    multinomialRows<T><<<gridFor(rows, kThreads), kThreads, 0, stream>>>(P, rows, k, ns, replacement, cum, badRow);
    CINDER_CUDA_LAUNCH_CHECK("multinomial (rows)");
    if (replacement) {
      multinomialDraw<T><<<gridFor(rows * ns, kThreads), kThreads, 0, stream>>>(P, cum, O, rows, k, ns, g.key[0],
                                                                                 g.key[1], g.offset);
      CINDER_CUDA_LAUNCH_CHECK("multinomial (draw)");
      return;
    }
    // More samples than categories: every row was flagged above; taking ns of a row's k sorted
    // categories would read past the row.
    if (ns > k) return;
    // Sorted in chunks of rows: at most kSortItems items (24 bytes of scratch each) unless one row
    // is larger, and always within CUB's int counts.
    constexpr int64_t kSortItems = (int64_t)1 << 26;
    const int64_t chunk = std::min<int64_t>(rows, std::max<int64_t>(1, kSortItems / k));
    const size_t items = (size_t)(chunk * k);
    uint64_t* keysIn = scratch.alloc<uint64_t>(items);
    uint64_t* keysOut = scratch.alloc<uint64_t>(items);
    int32_t* catsIn = scratch.alloc<int32_t>(items);
    int32_t* catsOut = scratch.alloc<int32_t>(items);
    int* offsets = scratch.alloc<int>((size_t)chunk + 1);
    segmentOffsets<<<gridFor(chunk + 1, kThreads), kThreads, 0, stream>>>(offsets, chunk, k);
    CINDER_CUDA_LAUNCH_CHECK("multinomial (offsets)");
    void* temp = nullptr;
    size_t tempBytes = 0;
    for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
      const int64_t nr = std::min<int64_t>(chunk, rows - r0);
      multinomialRace<T><<<gridFor(nr * k, kThreads), kThreads, 0, stream>>>(P, keysIn, catsIn, r0, nr, k, g.key[0],
                                                                              g.key[1], g.offset);
      CINDER_CUDA_LAUNCH_CHECK("multinomial (race)");
      size_t need = 0;
      CINDER_CUDA_CHECK(cub::DeviceSegmentedRadixSort::SortPairs(nullptr, need, keysIn, keysOut, catsIn, catsOut,
                                                                 (int)(nr * k), (int)nr, offsets, offsets + 1, 0,
                                                                 64, stream),
                        name, ": segmented sort (size)");
      if (need > tempBytes || temp == nullptr) {
        temp = scratch.alloc<unsigned char>(need);
        tempBytes = need;
      }
      CINDER_CUDA_CHECK(cub::DeviceSegmentedRadixSort::SortPairs(temp, tempBytes, keysIn, keysOut, catsIn, catsOut,
                                                                 (int)(nr * k), (int)nr, offsets, offsets + 1, 0,
                                                                 64, stream),
                        name, ": segmented sort");
      multinomialTake<<<gridFor(nr * ns, kThreads), kThreads, 0, stream>>>(catsOut, O, r0, nr, k, ns);
      CINDER_CUDA_LAUNCH_CHECK("multinomial (take)");
    }
  });
  const unsigned long long r = readErrorIndex(badRow, device, name);
  if (r == kNone) return;
  // Read the offending row back and let the CPU's check say what is wrong with it.
  CINDER_DISPATCH_FLOAT(probs.dtype, name, [&] {
    std::vector<scalar_t> row((size_t)k);
    cudaCopyDeviceToHost(row.data(), probs.ptr<scalar_t>() + (int64_t)r * k, device, (size_t)k * sizeof(scalar_t),
                         name);
    checkMultinomialRow(row.data(), k, ns, replacement, (int64_t)r);
  });
  fail(name, ": invalid multinomial distribution in row ", r);
}

void cudaDirichlet(int device, const TensorDesc& out, const TensorDesc& alpha, const PhiloxState& g) {
  const char* name = "dirichlet";
  CINDER_CHECK(alpha.ndim == 2 && out.ndim == 2 && alpha.isContiguous() && out.isContiguous() &&
                   alpha.dtype == out.dtype && alpha.shape[0] == out.shape[0] && alpha.shape[1] == out.shape[1],
               name, ": internal: bad operands");
  const int64_t rows = alpha.shape[0], k = alpha.shape[1];
  const int64_t n = rows * k;
  if (n == 0) return;
  CudaDeviceGuard guard(device, name);
  cudaStream_t stream = cudaStreamOf(device, name);
  Scratch scratch(device, name);
  unsigned long long* bad = newErrorIndex(scratch, stream, name);
  double* lg = scratch.alloc<double>((size_t)n);
  CINDER_DISPATCH_FLOAT(out.dtype, name, [&] {
    using T = scalar_t;
    dirichletGammas<T><<<gridFor(n, kThreads), kThreads, 0, stream>>>(alpha.ptr<T>(), lg, n, g.key[0], g.key[1],
                                                                       g.offset, bad);
    CINDER_CUDA_LAUNCH_CHECK("dirichlet (gammas)");
    dirichletRows<T><<<gridFor(rows, kThreads), kThreads, 0, stream>>>(lg, out.ptr<T>(), rows, k);
    CINDER_CUDA_LAUNCH_CHECK("dirichlet (rows)");
  });
  const unsigned long long e = readErrorIndex(bad, device, name);
  if (e == kNone) return;
  double a = 0;
  CINDER_DISPATCH_FLOAT(alpha.dtype, name, [&] {
    a = readElement<scalar_t>(alpha.ptr<scalar_t>(), (int64_t)e * (int64_t)sizeof(scalar_t), device, name);
  });
  fail(name, ": expected concentration alpha > 0, got ", a);
}

void cudaRandomGrad(int device, RandomGradOp op, DType dt, const CudaIterArgs& it, const char* name) {
  const int64_t n = it.numel;
  if (n == 0) return;
  const IterArgs<4> a = iterArgs<4>(it, name);
  CudaDeviceGuard guard(device, name);
  cudaStream_t stream = cudaStreamOf(device, name);
  CINDER_DISPATCH_FLOAT(dt, name, [&] {
    gradKernel<scalar_t><<<gridFor(n, kThreads), kThreads, 0, stream>>>(a, n, op == RandomGradOp::Gamma);
  });
  CINDER_CUDA_LAUNCH_CHECK("randomGrad");
}

}  // namespace cinder
