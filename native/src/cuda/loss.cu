// CUDA fused cross entropy (see cudaLoss.h; the CPU twin is cpu/loss.cc).
//
// Forward: a warp (C <= 1024) or a block per row of the [N, C, D] logits (row r = n * D + d, its
// classes at stride D) takes the max, the log-sum-exp and the row's loss and weight; one block
// then sums the rows in a fixed order (no atomics: the same result every run) for the total
// weight and the 'mean' / 'sum' loss. Backward: one elementwise pass over the logits (the
// softmax from the saved log-sum-exp, minus the target distribution, times the incoming
// gradient), after a per-row pass for probability targets.
//
// Class targets are checked on the device: the first row holding an out-of-range target is
// recorded and read back after the kernels, and the error names it as the CPU does.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "cpu/lossChecks.h"
#include "cuda/cudaLoss.h"
#include "cuda/reduceKernels.cuh"
#include "cuda/reduceUtil.cuh"

namespace cinder {
namespace {

using cured::nanMax;
using cured::rowAllReduce;
using cured::Scratch;

constexpr unsigned long long kNoBadRow = ~0ull;
constexpr int64_t kMaxGrid = int64_t(1) << 20;

template <typename T>
struct CeArgs {
  const T* x;
  const int64_t* tIdx;  // class targets [N * D], or null
  const T* tProb;       // probability targets [N, C, D], or null
  const T* w;           // [C] or null
  int64_t ignoreIndex;
  T eps;
  unsigned long long* badRow;
};

// blockDim = (tpr, rows); every thread of a row group walks the row's classes.
template <typename T>
__global__ void __launch_bounds__(256) ceForwardRows(CeArgs<T> a, CeDims d, T* lse, T* rowLoss, T* rowW) {
  __shared__ T red[32];
  const int64_t rows = d.N * d.D;
  const int64_t per = blockDim.y;
  const int64_t groups = (rows + per - 1) / per;
  const int64_t C = d.C, D = d.D;
  for (int64_t g = blockIdx.x; g < groups; g += gridDim.x) {
    const int64_t r = g * per + threadIdx.y;
    const bool live = r < rows;
    const int64_t n = live ? r / D : 0, dd = live ? r % D : 0;
    const T* p = a.x + n * C * D + dd;
    T mx = -std::numeric_limits<T>::infinity();
    if (live)
      for (int64_t c = threadIdx.x; c < C; c += blockDim.x) mx = nanMax(mx, p[c * D]);
    mx = rowAllReduce<true>(mx, red);
    T s = T(0);
    if (live)
      for (int64_t c = threadIdx.x; c < C; c += blockDim.x) s += exp(p[c * D] - mx);
    s = rowAllReduce<false>(s, red);
    const T ls = (mx != mx || isinf(mx)) ? mx : mx + log(s);
    T l = T(0), wt = T(0);
    if (a.tProb) {
      const T* q = a.tProb + n * C * D + dd;
      if (live) {
        for (int64_t c = threadIdx.x; c < C; c += blockDim.x) {
          T qc = q[c * D];
          if (a.eps > T(0)) qc = qc * (T(1) - a.eps) + a.eps / (T)C;
          l += (a.w ? a.w[c] : T(1)) * qc * (ls - p[c * D]);
        }
      }
      l = rowAllReduce<false>(l, red);
      wt = T(1);
    } else {
      // The smoothing term's sum runs for every row (the reduce is collective), used where valid.
      T sm = T(0);
      if (a.eps > T(0)) {
        if (live)
          for (int64_t c = threadIdx.x; c < C; c += blockDim.x) sm += (a.w ? a.w[c] : T(1)) * (ls - p[c * D]);
        sm = rowAllReduce<false>(sm, red);
      }
      const int64_t t = live ? a.tIdx[r] : a.ignoreIndex;
      if (t != a.ignoreIndex) {
        if (t < 0 || t >= C) {
          if (threadIdx.x == 0) atomicMin(a.badRow, (unsigned long long)r);
        } else {
          wt = a.w ? a.w[t] : T(1);
          l = wt * (ls - p[t * D]);
          if (a.eps > T(0)) l = (T(1) - a.eps) * l + a.eps / (T)C * sm;
        }
      }
    }
    if (live && threadIdx.x == 0) {
      lse[r] = ls;
      rowLoss[r] = l;
      rowW[r] = wt;
    }
  }
}

// One block: the total weight and the reduced loss, summed in a fixed order.
template <typename T>
__global__ void __launch_bounds__(1024) ceFinish(const T* rowLoss, const T* rowW, int64_t rows, bool probs, int reduction, T* loss, T* total) {
  __shared__ T scratch[32];
  T sl = T(0), sw = T(0);
  for (int64_t i = threadIdx.x; i < rows; i += blockDim.x) {
    if (reduction != (int)LossReduction::None) sl += rowLoss[i];
    if (!probs) sw += rowW[i];
  }
  sl = blockAllReduce(sl, SumOp(), T(0), scratch);
  sw = blockAllReduce(sw, SumOp(), T(0), scratch);
  if (threadIdx.x == 0) {
    const T tot = probs ? (T)rows : sw;
    total[0] = tot;
    if (reduction == (int)LossReduction::Mean) loss[0] = sl / tot;
    else if (reduction == (int)LossReduction::Sum) loss[0] = sl;
  }
}

// Probability targets: a[r] = sum_c w[c] * q[c] (smoothed), the softmax's coefficient.
template <typename T>
__global__ void __launch_bounds__(256) ceRowTargetMass(CeArgs<T> a, CeDims d, T* rowA) {
  __shared__ T red[32];
  const int64_t rows = d.N * d.D;
  const int64_t per = blockDim.y;
  const int64_t groups = (rows + per - 1) / per;
  const int64_t C = d.C, D = d.D;
  for (int64_t g = blockIdx.x; g < groups; g += gridDim.x) {
    const int64_t r = g * per + threadIdx.y;
    const bool live = r < rows;
    T s = T(0);
    if (live) {
      const T* q = a.tProb + (r / D) * C * D + r % D;
      for (int64_t c = threadIdx.x; c < C; c += blockDim.x) {
        T qc = q[c * D];
        if (a.eps > T(0)) qc = qc * (T(1) - a.eps) + a.eps / (T)C;
        s += (a.w ? a.w[c] : T(1)) * qc;
      }
    }
    s = rowAllReduce<false>(s, red);
    if (live && threadIdx.x == 0) rowA[r] = s;
  }
}

// One block: out[0] = sum of w[0..C).
template <typename T>
__global__ void __launch_bounds__(1024) ceWeightSum(const T* w, int64_t C, T* out) {
  __shared__ T scratch[32];
  T s = T(0);
  for (int64_t c = threadIdx.x; c < C; c += blockDim.x) s += w[c];
  s = blockAllReduce(s, SumOp(), T(0), scratch);
  if (threadIdx.x == 0) out[0] = s;
}

template <typename T>
__global__ void __launch_bounds__(256) ceBackward(CeArgs<T> a, CeDims d, const T* g, const T* lse, const T* total, const T* rowA,
                           const T* wSum, int reduction, T* gi) {
  const int64_t C = d.C, D = d.D, CD = C * D;
  const int64_t numel = d.N * CD;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  const T smooth = a.eps / (T)C;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < numel; i += step) {
    const int64_t n = i / CD, rem = i - n * CD;
    const int64_t c = rem / D, dd = rem - c * D;
    const int64_t r = n * D + dd;
    T scale;
    if (reduction == (int)LossReduction::None) scale = g[r];
    else if (reduction == (int)LossReduction::Mean) scale = g[0] / total[0];
    else scale = g[0];
    const T wc = a.w ? a.w[c] : T(1);
    if (a.tProb) {
      T qc = a.tProb[i];
      if (a.eps > T(0)) qc = qc * (T(1) - a.eps) + smooth;
      const T prob = exp(a.x[i] - lse[r]);
      gi[i] = scale * (rowA[r] * prob - wc * qc);
      continue;
    }
    const int64_t t = a.tIdx[r];
    if (t == a.ignoreIndex) {
      gi[i] = T(0);
      continue;
    }
    if (t < 0 || t >= C) {
      if (c == 0) atomicMin(a.badRow, (unsigned long long)r);
      gi[i] = T(0);
      continue;
    }
    const T wt = a.w ? a.w[t] : T(1);
    const T ws = wSum ? wSum[0] : (T)C;
    const T coef = (T(1) - a.eps) * wt + smooth * ws;
    const T prob = exp(a.x[i] - lse[r]);
    T v = scale * (coef * prob - smooth * wc);
    if (c == t) v -= scale * (T(1) - a.eps) * wt;
    gi[i] = v;
  }
}

template <typename T>
CeArgs<T> argsOf(const TensorDesc& x, const TensorDesc& target, const TensorDesc* weight, const CeInputs& in,
                 const CrossEntropyOptions& o, unsigned long long* badRow) {
  CeArgs<T> a;
  a.x = x.ptr<T>();
  a.tIdx = in.probs ? nullptr : target.ptr<int64_t>();
  a.tProb = in.probs ? target.ptr<T>() : nullptr;
  a.w = weight ? weight->ptr<T>() : nullptr;
  a.ignoreIndex = o.ignoreIndex;
  a.eps = (T)o.labelSmoothing;
  a.badRow = badRow;
  return a;
}

// Row kernels' launch shape: a warp per row (8 rows per block) up to 1024 classes, else a block
// of 256 per row.
void rowLaunch(int64_t rows, int64_t C, dim3& grid, dim3& block) {
  const int tpr = C <= 1024 ? 32 : 256;
  const int per = 256 / tpr;
  block = dim3(tpr, per);
  grid = dim3((unsigned)std::max<int64_t>(1, std::min((rows + per - 1) / per, kMaxGrid)));
}

// Throws the CPU's error when a kernel recorded an out-of-range class target.
void checkBadTarget(int device, const unsigned long long* badRow, const int64_t* target, int64_t C, const char* op) {
  unsigned long long row = kNoBadRow;
  cudaCopyDeviceToHost(&row, badRow, device, sizeof(row), op);
  if (row == kNoBadRow) return;
  int64_t t = 0;
  cudaCopyDeviceToHost(&t, target + row, device, sizeof(t), op);
  fail(op, ": target ", t, " is out of bounds for ", C, " classes");
}

}  // namespace

void cudaCrossEntropyForward(int device, const TensorDesc& x, const TensorDesc& target, const TensorDesc* weight,
                             const CrossEntropyOptions& o, const TensorDesc& loss, const TensorDesc& lse,
                             const TensorDesc& totalWeight, const char* op) {
  const CeInputs in = checkCeForward(x, target, weight, o, loss, lse, totalWeight, op);
  const CeDims d = in.d;
  const int64_t rows = d.N * d.D;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    Scratch flagMem, rowMem;
    unsigned long long* badRow = nullptr;
    if (!in.probs) {
      badRow = static_cast<unsigned long long*>(flagMem.get(device, sizeof(unsigned long long), op));
      CINDER_CUDA_CHECK(cudaMemsetAsync(badRow, 0xff, sizeof(unsigned long long), stream), op);
    }
    const CeArgs<T> a = argsOf<T>(x, target, weight, in, o, badRow);
    // Per-row losses go straight to the output for 'none'; rows' weights (and losses otherwise)
    // to scratch.
    const bool none = o.reduction == LossReduction::None;
    T* rowBuf = static_cast<T*>(rowMem.get(device, (size_t)std::max<int64_t>(1, rows) * (none ? 1 : 2) * sizeof(T), op));
    T* rowW = rowBuf;
    T* rowLoss = none ? loss.ptr<T>() : rowBuf + rows;
    if (rows > 0) {
      dim3 grid, block;
      rowLaunch(rows, d.C, grid, block);
      ceForwardRows<T><<<grid, block, 0, stream>>>(a, d, lse.ptr<T>(), rowLoss, rowW);
      CINDER_CUDA_LAUNCH_CHECK("ceForwardRows");
    }
    ceFinish<T><<<1, 1024, 0, stream>>>(rowLoss, rowW, rows, in.probs, (int)o.reduction, loss.ptr<T>(),
                                        totalWeight.ptr<T>());
    CINDER_CUDA_LAUNCH_CHECK("ceFinish");
    if (!in.probs && rows > 0) checkBadTarget(device, badRow, target.ptr<int64_t>(), d.C, op);
  });
}

void cudaCrossEntropyBackward(int device, const TensorDesc& grad, const TensorDesc& x, const TensorDesc& target,
                              const TensorDesc* weight, const TensorDesc& lse, const TensorDesc& totalWeight,
                              const CrossEntropyOptions& o, const TensorDesc& gradInput, const char* op) {
  const CeInputs in = checkCeBackward(grad, x, target, weight, lse, totalWeight, o, gradInput, op);
  const CeDims d = in.d;
  const int64_t rows = d.N * d.D;
  const int64_t numel = x.numel();
  if (numel == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    Scratch flagMem, rowMem, wMem;
    unsigned long long* badRow = nullptr;
    if (!in.probs) {
      badRow = static_cast<unsigned long long*>(flagMem.get(device, sizeof(unsigned long long), op));
      CINDER_CUDA_CHECK(cudaMemsetAsync(badRow, 0xff, sizeof(unsigned long long), stream), op);
    }
    const CeArgs<T> a = argsOf<T>(x, target, weight, in, o, badRow);
    T* rowA = nullptr;
    if (in.probs) {
      rowA = static_cast<T*>(rowMem.get(device, (size_t)rows * sizeof(T), op));
      dim3 grid, block;
      rowLaunch(rows, d.C, grid, block);
      ceRowTargetMass<T><<<grid, block, 0, stream>>>(a, d, rowA);
      CINDER_CUDA_LAUNCH_CHECK("ceRowTargetMass");
    }
    T* wSum = nullptr;
    if (!in.probs && weight && o.labelSmoothing > 0) {
      wSum = static_cast<T*>(wMem.get(device, sizeof(T), op));
      ceWeightSum<T><<<1, 1024, 0, stream>>>(weight->ptr<T>(), d.C, wSum);
      CINDER_CUDA_LAUNCH_CHECK("ceWeightSum");
    }
    ceBackward<T><<<gridFor(numel, 256), 256, 0, stream>>>(a, d, grad.ptr<T>(), lse.ptr<T>(), totalWeight.ptr<T>(), rowA,
                                                          wSum, (int)o.reduction, gradInput.ptr<T>());
    CINDER_CUDA_LAUNCH_CHECK("ceBackward");
    if (!in.probs) checkBadTarget(device, badRow, target.ptr<int64_t>(), d.C, op);
  });
}

}  // namespace cinder
