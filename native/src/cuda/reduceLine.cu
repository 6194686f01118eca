// CUDA ops along one dim: inclusive scans (cumsum, cumprod) and softmax / logSoftmax.
//
// A tensor is seen as lines along `dim` (the CPU's layout: line o starts at the input offset of
// kept index o, and in the contiguous output at (o / inner) * n * inner + o % inner, stride inner).
//  - inner == 1 (dim is the output's last non-trivial dim): a block or warp per line, threads
//    across the line (coalesced); scans run chunk by chunk with a block-wide shuffle scan and a
//    carry. Few long lines are cut into segments scanned in three passes (segment totals, a scan
//    of the totals, the segments again from their carried-in prefix), so one line fills the
//    device. Softmax takes the max, the sum of exponentials, then writes.
//  - inner > 1: a thread per line; adjacent threads hold adjacent lines, so every step of the
//    walk along dim reads and writes contiguous runs. Too few lines for the device: the lines are
//    cut into segments, a thread each (scans: segment totals, their scan, the segments again;
//    softmax: segment max and sum, combined per line, then the writes).
// float32 accumulates in float32, float64 in double, integers in 64 bits (wrapping as int64).
#include <cuda_runtime.h>

#include <cmath>
#include <limits>

#include "cuda/cudaReduce.h"
#include "cuda/reduceKernels.cuh"

namespace cinder {
namespace cured {
namespace {

template <bool Prod, typename A>
__device__ __forceinline__ A combine(A a, A b) {
  return Prod ? A(a * b) : A(a + b);
}

// Inclusive scan over the block (blockDim.x a multiple of 32, rows of one); `total` is the
// whole block's result. ws: shared memory of 32 A. Every thread of the block must call it.
template <bool Prod, typename A>
__device__ __forceinline__ A blockInclusiveScan(A v, A* ws, A& total) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
  const A id = Prod ? A(1) : A(0);
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    const A t = shflUp(v, o);
    if (lane >= o) v = combine<Prod>(t, v);
  }
  if (lane == 31) ws[warp] = v;
  __syncthreads();
  if (warp == 0) {
    A w = lane < nw ? ws[lane] : id;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
      const A t = shflUp(w, o);
      if (lane >= o) w = combine<Prod>(t, w);
    }
    ws[lane] = w;
  }
  __syncthreads();
  if (warp > 0) v = combine<Prod>(ws[warp - 1], v);
  total = ws[nw - 1];
  __syncthreads();  // ws is reused by the next call
  return v;
}

// A block per (line, segment); inner == 1, so line `line` of the output starts at line * n.
// segTotal (optional): each segment's total, carried-in prefix included. segPrefix (optional):
// the inclusive scan of the segment totals along the line, the carry into segment seg > 0.
template <bool Prod, typename In, typename A, typename Out>
__global__ void __launch_bounds__(512) scanBlockLines(RPlan P, const In* x, Out* out, int64_t lines, int64_t n, int64_t sIn, int64_t segLen,
                               int64_t nseg, A* segTotal, const A* segPrefix) {
  __shared__ A ws[32];
  const A id = Prod ? A(1) : A(0);
  const int64_t items = lines * nseg;
  for (int64_t item = blockIdx.x; item < items; item += gridDim.x) {
    const int64_t line = item / nseg, seg = item % nseg;
    const int64_t k0 = seg * segLen, k1 = min(n, k0 + segLen);
    const In* p = x + keptOffset(P, line);
    Out* q = out ? out + line * n : nullptr;
    A carry = (segPrefix && seg > 0) ? segPrefix[line * nseg + seg - 1] : id;
    for (int64_t c = k0; c < k1; c += blockDim.x) {
      const int64_t k = c + threadIdx.x;
      A v = k < k1 ? (A)p[k * sIn] : id;
      A total;
      v = blockInclusiveScan<Prod>(v, ws, total);
      if (q && k < k1) q[k] = (Out)combine<Prod>(carry, v);
      carry = combine<Prod>(carry, total);
    }
    if (segTotal && threadIdx.x == 0) segTotal[item] = carry;
  }
}

// A thread per (line, segment), any inner; item = seg * lines + line, so adjacent threads hold
// adjacent lines (contiguous runs when inner > 1). segTotal / segPrefix as in scanBlockLines,
// laid out [nseg][lines].
template <bool Prod, typename In, typename A, typename Out>
__global__ void __launch_bounds__(256) scanThreadLines(RPlan P, const In* x, Out* out, int64_t lines, int64_t n,
                                                       int64_t sIn, int64_t inner, int64_t segLen, int64_t nseg,
                                                       A* segTotal, const A* segPrefix) {
  const int64_t items = lines * nseg;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t item = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; item < items; item += step) {
    const int64_t seg = item / lines, line = item - seg * lines;
    const int64_t k0 = seg * segLen, k1 = min(n, k0 + segLen);
    const In* p = x + keptOffset(P, line);
    Out* q = out ? out + (line / inner) * n * inner + line % inner : nullptr;
    A acc = (segPrefix && seg > 0) ? segPrefix[(seg - 1) * lines + line] : (Prod ? A(1) : A(0));
    for (int64_t k = k0; k < k1; k++) {
      acc = combine<Prod>(acc, (A)p[k * sIn]);
      if (q) q[k * inner] = (Out)acc;
    }
    if (segTotal) segTotal[item] = acc;
  }
}

// inner == 1: blockDim = (tpr, rows); a row group of tpr threads per line.
template <bool IsLog, typename T>
__global__ void __launch_bounds__(512) softmaxRows(RPlan P, const T* __restrict__ x, T* __restrict__ out, int64_t lines, int64_t n,
                            int64_t sIn) {
  __shared__ T red[32];
  const int64_t rows = blockDim.y;
  const int64_t groups = (lines + rows - 1) / rows;
  for (int64_t g = blockIdx.x; g < groups; g += gridDim.x) {
    const int64_t line = g * rows + threadIdx.y;
    const bool live = line < lines;
    const T* p = x + (live ? keptOffset(P, line) : 0);
    T* q = out + line * n;
    T mx = -std::numeric_limits<T>::infinity();
    if (live)
      for (int64_t k = threadIdx.x; k < n; k += blockDim.x) mx = nanMax(mx, p[k * sIn]);
    mx = rowAllReduce<true>(mx, red);
    T sum = T(0);
    if (live)
      for (int64_t k = threadIdx.x; k < n; k += blockDim.x) sum += exp(p[k * sIn] - mx);
    sum = rowAllReduce<false>(sum, red);
    if (live) {
      if (IsLog) {
        const T ls = log(sum);
        for (int64_t k = threadIdx.x; k < n; k += blockDim.x) q[k] = (p[k * sIn] - mx) - ls;
      } else {
        const T inv = T(1) / sum;
        for (int64_t k = threadIdx.x; k < n; k += blockDim.x) q[k] = exp(p[k * sIn] - mx) * inv;
      }
    }
  }
}

// Any inner: a thread per line.
template <bool IsLog, typename T>
__global__ void __launch_bounds__(256) softmaxThreadLines(RPlan P, const T* __restrict__ x, T* __restrict__ out, int64_t lines, int64_t n,
                                   int64_t sIn, int64_t inner) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t line = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; line < lines; line += step) {
    const T* p = x + keptOffset(P, line);
    T* q = out + (line / inner) * n * inner + line % inner;
    T mx = -std::numeric_limits<T>::infinity();
    for (int64_t k = 0; k < n; k++) mx = nanMax(mx, p[k * sIn]);
    T sum = T(0);
    for (int64_t k = 0; k < n; k++) sum += exp(p[k * sIn] - mx);
    if (IsLog) {
      const T ls = log(sum);
      for (int64_t k = 0; k < n; k++) q[k * inner] = (p[k * sIn] - mx) - ls;
    } else {
      const T inv = T(1) / sum;
      for (int64_t k = 0; k < n; k++) q[k * inner] = exp(p[k * sIn] - mx) * inv;
    }
  }
}

// Few lines with inner > 1: each line is cut into segments, a thread per (segment, line)
// (item = seg * lines + line, adjacent threads on adjacent lines). Pass 1: each segment's max and
// its sum of exp(x - max); pass 2: a thread per line combines them in segment order into the
// line's max and sum; pass 3: the segments write their outputs.
template <typename T>
__global__ void __launch_bounds__(256) softmaxSegStats(RPlan P, const T* __restrict__ x, int64_t lines, int64_t n,
                                                       int64_t sIn, int64_t segLen, int64_t nseg, T* __restrict__ segMax,
                                                       T* __restrict__ segSum) {
  const int64_t items = lines * nseg;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t item = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; item < items; item += step) {
    const int64_t seg = item / lines, line = item - seg * lines;
    const int64_t k0 = seg * segLen, k1 = min(n, k0 + segLen);
    const T* p = x + keptOffset(P, line);
    T mx = -std::numeric_limits<T>::infinity();
    for (int64_t k = k0; k < k1; k++) mx = nanMax(mx, p[k * sIn]);
    T sum = T(0);
    for (int64_t k = k0; k < k1; k++) sum += exp(p[k * sIn] - mx);
    segMax[item] = mx;
    segSum[item] = sum;
  }
}

// In place: segMax[line] and segSum[line] become the line's max and sum (entries of segment 0).
template <typename T>
__global__ void __launch_bounds__(256) softmaxSegCombine(int64_t lines, int64_t nseg, T* __restrict__ segMax,
                                                         T* __restrict__ segSum) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t line = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; line < lines; line += step) {
    T mx = -std::numeric_limits<T>::infinity();
    for (int64_t s = 0; s < nseg; s++) mx = nanMax(mx, segMax[s * lines + line]);
    T sum = T(0);
    for (int64_t s = 0; s < nseg; s++) {
      const T m = segMax[s * lines + line];
      // A segment of -inf only adds nothing once the line's max is larger (its own sum is NaN:
      // exp(-inf - -inf)); an all -inf line keeps the NaN, as on the CPU.
      if (m == -std::numeric_limits<T>::infinity() && mx != m) continue;
      sum += segSum[s * lines + line] * exp(m - mx);
    }
    segMax[line] = mx;
    segSum[line] = sum;
  }
}

template <bool IsLog, typename T>
__global__ void __launch_bounds__(256) softmaxSegWrite(RPlan P, const T* __restrict__ x, T* __restrict__ out,
                                                       int64_t lines, int64_t n, int64_t sIn, int64_t inner,
                                                       int64_t segLen, int64_t nseg, const T* __restrict__ lineMax,
                                                       const T* __restrict__ lineSum) {
  const int64_t items = lines * nseg;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t item = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; item < items; item += step) {
    const int64_t seg = item / lines, line = item - seg * lines;
    const int64_t k0 = seg * segLen, k1 = min(n, k0 + segLen);
    const T* p = x + keptOffset(P, line);
    T* q = out + (line / inner) * n * inner + line % inner;
    const T mx = lineMax[line];
    if (IsLog) {
      const T ls = log(lineSum[line]);
      for (int64_t k = k0; k < k1; k++) q[k * inner] = (p[k * sIn] - mx) - ls;
    } else {
      const T inv = T(1) / lineSum[line];
      for (int64_t k = k0; k < k1; k++) q[k * inner] = exp(p[k * sIn] - mx) * inv;
    }
  }
}

struct Lines {
  RPlan P;
  int64_t lines, n, sIn, inner;
};

Lines makeLines(const TensorDesc& x, int dim, const TensorDesc& out, const char* op) {
  Lines L;
  L.P = makeLinePlan(x, dim, out, op);
  L.lines = L.P.numOut;
  L.n = x.shape[dim];
  L.sIn = x.strides[dim];
  L.inner = 1;
  for (int d = dim + 1; d < x.ndim; d++) L.inner *= x.shape[d];
  return L;
}

constexpr int64_t kMaxGrid = int64_t(1) << 20;

inline int blockThreadsFor(int64_t n, int cap) {
  int64_t t = (n + 31) / 32 * 32;
  return (int)std::max<int64_t>(32, std::min<int64_t>(cap, t));
}

template <bool Prod, typename T>
void launchScan(int device, const Lines& L, const T* x, WideOut<T>* out, const char* op) {
  using A = AccT<T>;
  using O = WideOut<T>;
  if (L.lines == 0 || L.n == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  if (L.inner > 1 || L.n <= 16) {
    // Too few lines to fill the device with a thread each: cut the lines into segments (their
    // totals, a scan of the totals along each line, the segments again from their prefix).
    const int64_t threadsWanted = (int64_t)multiprocessorsOf(device) * 2048;
    int64_t nseg = 1;
    if (L.lines < threadsWanted / 4 && L.n >= 256)
      nseg = std::min<int64_t>((L.n + 63) / 64, (threadsWanted + L.lines - 1) / L.lines);
    const int64_t segLen = (L.n + nseg - 1) / nseg;
    nseg = (L.n + segLen - 1) / segLen;
    if (nseg == 1) {
      scanThreadLines<Prod, T, A, O><<<gridFor(L.lines, 256), 256, 0, stream>>>(L.P, x, out, L.lines, L.n, L.sIn, L.inner,
                                                                                 L.n, 1, nullptr, nullptr);
      CINDER_CUDA_LAUNCH_CHECK("scanThreadLines");
      return;
    }
    const int64_t items = L.lines * nseg;
    Scratch sc;
    A* tot = static_cast<A*>(sc.get(device, (size_t)items * sizeof(A), op));
    scanThreadLines<Prod, T, A, O><<<gridFor(items, 256), 256, 0, stream>>>(L.P, x, nullptr, L.lines, L.n, L.sIn, L.inner,
                                                                            segLen, nseg, tot, nullptr);
    CINDER_CUDA_LAUNCH_CHECK("scanThreadLines");
    RPlan T2;  // the totals [nseg][lines]: line l's run starts at l, stride lines
    T2.nk = 1;
    T2.nr = 1;
    T2.numOut = L.lines;
    T2.numRed = nseg;
    T2.kShape[0] = L.lines;
    T2.kStride[0] = 1;
    T2.rShape[0] = nseg;
    T2.rStride[0] = L.lines;
    scanThreadLines<Prod, A, A, A><<<gridFor(L.lines, 256), 256, 0, stream>>>(T2, tot, tot, L.lines, nseg, L.lines,
                                                                              L.lines, nseg, 1, nullptr, nullptr);
    CINDER_CUDA_LAUNCH_CHECK("scanThreadLines");
    scanThreadLines<Prod, T, A, O><<<gridFor(items, 256), 256, 0, stream>>>(L.P, x, out, L.lines, L.n, L.sIn, L.inner,
                                                                            segLen, nseg, nullptr, tot);
    CINDER_CUDA_LAUNCH_CHECK("scanThreadLines");
    return;
  }
  constexpr int kThreads = 512;
  constexpr int64_t kSegLen = int64_t(kThreads) * 16;
  const int64_t target = (int64_t)multiprocessorsOf(device) * 4;
  if (L.lines >= target || L.n <= 2 * kSegLen) {
    const int threads = blockThreadsFor(L.n, kThreads);
    scanBlockLines<Prod, T, A, O><<<(unsigned)std::min(L.lines, kMaxGrid), threads, 0, stream>>>(
        L.P, x, out, L.lines, L.n, L.sIn, L.n, 1, nullptr, nullptr);
    CINDER_CUDA_LAUNCH_CHECK("scanBlockLines");
    return;
  }
  // Few long lines: segment totals, their scan along each line, then the segments again.
  const int64_t nseg = (L.n + kSegLen - 1) / kSegLen;
  const int64_t items = L.lines * nseg;
  Scratch sc;
  A* tot = static_cast<A*>(sc.get(device, (size_t)items * sizeof(A), op));
  scanBlockLines<Prod, T, A, O><<<(unsigned)std::min(items, kMaxGrid), kThreads, 0, stream>>>(
      L.P, x, nullptr, L.lines, L.n, L.sIn, kSegLen, nseg, tot, nullptr);
  CINDER_CUDA_LAUNCH_CHECK("scanBlockLines");
  RPlan T2;  // the totals: `lines` contiguous rows of nseg
  T2.nk = 1;
  T2.nr = 1;
  T2.numOut = L.lines;
  T2.numRed = nseg;
  T2.kShape[0] = L.lines;
  T2.kStride[0] = nseg;
  T2.rShape[0] = nseg;
  T2.rStride[0] = 1;
  scanBlockLines<Prod, A, A, A><<<(unsigned)std::min(L.lines, kMaxGrid), blockThreadsFor(nseg, kThreads), 0, stream>>>(
      T2, tot, tot, L.lines, nseg, 1, nseg, 1, nullptr, nullptr);
  CINDER_CUDA_LAUNCH_CHECK("scanBlockLines");
  scanBlockLines<Prod, T, A, O><<<(unsigned)std::min(items, kMaxGrid), kThreads, 0, stream>>>(
      L.P, x, out, L.lines, L.n, L.sIn, kSegLen, nseg, nullptr, tot);
  CINDER_CUDA_LAUNCH_CHECK("scanBlockLines");
}

template <bool IsLog, typename T>
void launchSoftmax(int device, const Lines& L, const T* x, T* out, const char* op) {
  if (L.lines == 0 || L.n == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  if (L.inner > 1) {
    const int64_t threadsWanted = (int64_t)multiprocessorsOf(device) * 2048;
    int64_t nseg = 1;
    if (L.lines < threadsWanted / 4 && L.n >= 256)
      nseg = std::min<int64_t>((L.n + 63) / 64, (threadsWanted + L.lines - 1) / L.lines);
    const int64_t segLen = (L.n + nseg - 1) / nseg;
    nseg = (L.n + segLen - 1) / segLen;
    if (nseg == 1) {
      softmaxThreadLines<IsLog, T><<<gridFor(L.lines, 256), 256, 0, stream>>>(L.P, x, out, L.lines, L.n, L.sIn, L.inner);
      CINDER_CUDA_LAUNCH_CHECK("softmaxThreadLines");
      return;
    }
    const int64_t items = L.lines * nseg;
    Scratch sc;
    T* segMax = static_cast<T*>(sc.get(device, (size_t)items * 2 * sizeof(T), op));
    T* segSum = segMax + items;
    softmaxSegStats<T><<<gridFor(items, 256), 256, 0, stream>>>(L.P, x, L.lines, L.n, L.sIn, segLen, nseg, segMax, segSum);
    CINDER_CUDA_LAUNCH_CHECK("softmaxSegStats");
    softmaxSegCombine<T><<<gridFor(L.lines, 256), 256, 0, stream>>>(L.lines, nseg, segMax, segSum);
    CINDER_CUDA_LAUNCH_CHECK("softmaxSegCombine");
    softmaxSegWrite<IsLog, T><<<gridFor(items, 256), 256, 0, stream>>>(L.P, x, out, L.lines, L.n, L.sIn, L.inner, segLen,
                                                                      nseg, segMax, segSum);
    CINDER_CUDA_LAUNCH_CHECK("softmaxSegWrite");
    return;
  }
  // A warp per line up to 1024 elements (8 lines per block), else a block of 512.
  const int tpr = L.n <= 1024 ? 32 : 512;
  const int rows = tpr == 32 ? 8 : 1;
  const int64_t groups = (L.lines + rows - 1) / rows;
  dim3 block(tpr, rows);
  softmaxRows<IsLog, T><<<(unsigned)std::min(groups, kMaxGrid), block, 0, stream>>>(L.P, x, out, L.lines, L.n, L.sIn);
  CINDER_CUDA_LAUNCH_CHECK("softmaxRows");
}

}  // namespace
}  // namespace cured

using namespace cured;

void cudaScanDim(int device, bool isProd, const TensorDesc& x, int dim, const TensorDesc& out, const char* op) {
  const Lines L = makeLines(x, dim, out, op);
  const DType want = isFloating(x.dtype) ? x.dtype : DType::Int64;
  CINDER_CHECK(out.dtype == want, op, ": output dtype ", dtypeName(out.dtype), " (expected ", dtypeName(want), ")");
  CINDER_DISPATCH_ALL(x.dtype, op, [&] {
    using T = scalar_t;
    if (isProd) launchScan<true, T>(device, L, x.ptr<T>(), out.ptr<WideOut<T>>(), op);
    else launchScan<false, T>(device, L, x.ptr<T>(), out.ptr<WideOut<T>>(), op);
  });
}

void cudaSoftmaxDim(int device, bool isLog, const TensorDesc& x, int dim, const TensorDesc& out, const char* op) {
  const Lines L = makeLines(x, dim, out, op);
  CINDER_CHECK(out.dtype == x.dtype, op, ": output dtype ", dtypeName(out.dtype), " (expected ", dtypeName(x.dtype), ")");
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    if (isLog) launchSoftmax<true, T>(device, L, x.ptr<T>(), out.ptr<T>(), op);
    else launchSoftmax<false, T>(device, L, x.ptr<T>(), out.ptr<T>(), op);
  });
}

}  // namespace cinder
