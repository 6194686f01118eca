// CUDA index kernels: gather/take (one thread per output element), the scatter family and the
// embedding backward (deterministic segmented reductions over a stable sort of the indices),
// masked fill, masked select and nonzero (stream compaction: the count goes to the host for the
// output shape, as in PyTorch), oneHot, tril/triu.
//
// Index bounds are checked on the device: a kernel that meets a bad index records the smallest
// position where it met one; the launcher copies that back after the launch and throws the CPU's
// message with the offending value (read back from the index tensor).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/convert.h"
#include "cpu/indexChecks.h"
#include "cpu/lossChecks.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/index.h"
#include "cuda/indexCommon.cuh"
#include "cuda/reduceUtil.cuh"

namespace cinder {
namespace cudaidx {
namespace {

constexpr int kThreads = 256;

template <typename F>
void dispatchWord(size_t size, F&& f) {
  switch (size) {
    case 1: f(uint8_t{}); break;
    case 2: f(uint16_t{}); break;
    case 4: f(uint32_t{}); break;
    default: f(uint64_t{}); break;
  }
}

template <typename F>
void dispatchIndex(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Int64: f(int64_t{}); break;
    case DType::Int32: f(int32_t{}); break;
    default: fail(op, ": expected an index tensor of dtype int64 (or int32), got ", dtypeName(dt));
  }
}

// A word of device scratch holding the smallest bad position (~0: none), cleared on the stream.
unsigned long long* badSlot(const CudaScratch& scratch, cudaStream_t stream, const char* op) {
  auto* slot = static_cast<unsigned long long*>(scratch(sizeof(unsigned long long)));
  CINDER_CUDA_CHECK(cudaMemsetAsync(slot, 0xff, sizeof(unsigned long long), stream), op, ": cudaMemsetAsync");
  return slot;
}

// After the launch: when a bad index was recorded, reads it back (positions map to index
// elements through `where`) and throws message(value).
template <typename Message>
void throwIfBad(int device, const unsigned long long* slot, const TensorDesc& index, const Geom& where,
                const char* op, Message message) {
  unsigned long long pos = 0;
  cudaCopyDeviceToHost(&pos, slot, device, sizeof(pos), op);
  if (pos == ~0ull) return;
  const int64_t off = where.offsetOf((int64_t)pos);
  int64_t value = 0;
  if (index.dtype == DType::Int64) {
    cudaCopyDeviceToHost(&value, index.ptr<int64_t>() + off, device, sizeof(int64_t), op);
  } else {
    int32_t v32 = 0;
    cudaCopyDeviceToHost(&v32, index.ptr<int32_t>() + off, device, sizeof(int32_t), op);
    value = v32;
  }
  message(value);
}

// ---- gather / take ---------------------------------------------------------------------------

struct GatherGeom {
  int nd;
  bool small;
  int64_t shape[kMaxDims];
  int64_t sstride[kMaxDims];  // self, 0 along dim
  int64_t istride[kMaxDims];  // index, 0 where it broadcasts
};

template <typename W, typename I>
__global__ void gatherRows(W* out, const W* self, const I* index, GatherGeom g, int64_t size, int64_t dimStride,
                           int64_t n, unsigned long long* bad) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += step) {
    int64_t soff = 0, ioff = 0;
    forCoords(e, g.nd, g.shape, g.small, [&](int d, int64_t c) {
      soff += c * g.sstride[d];
      ioff += c * g.istride[d];
    });
    const int64_t v = (int64_t)index[ioff];
    const int64_t w = v < 0 ? v + size : v;
    if (w < 0 || w >= size) {
      recordBad(bad, e);
      continue;
    }
    out[e] = self[soff + w * dimStride];
  }
}

template <typename W, typename I>
__global__ void takeFlat(W* out, const W* self, const I* index, Geom ig, int64_t size, int64_t n,
                         unsigned long long* bad) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += step) {
    const int64_t v = (int64_t)index[ig.offsetOf(e)];
    const int64_t w = v < 0 ? v + size : v;
    if (w < 0 || w >= size) {
      recordBad(bad, e);
      continue;
    }
    out[e] = self[w];
  }
}

// ---- scatter -----------------------------------------------------------------------------------

// Where line `line` (the iteration's coordinates other than dim, row-major) starts in each operand.
struct LineGeom {
  int nd;
  bool small;
  int64_t shape[kMaxDims];
  int64_t self[kMaxDims], index[kMaxDims], src[kMaxDims];

  __device__ __forceinline__ void offsets(int64_t line, int64_t& os, int64_t& oi, int64_t& orr) const {
    int64_t a = 0, b = 0, c = 0;
    forCoords(line, nd, shape, small, [&](int d, int64_t x) {
      a += x * self[d];
      b += x * index[d];
      c += x * src[d];
    });
    os = a;
    oi = b;
    orr = c;
  }
};

// Pairs (wrapped index, j) of each line (or of the one shared line when the index is the same for
// every line); a bad index is recorded at its position row * len + j.
template <typename I>
__global__ void scatterKeys(const I* index, LineGeom lg, int64_t indexDimStride, int64_t len, int64_t size, int logP,
                            uint32_t* keys, uint32_t* pos, int64_t total, unsigned long long* bad) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  const int64_t mask = (int64_t(1) << logP) - 1;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += step) {
    const int64_t row = i >> logP, j = i & mask;
    if (j >= len) {
      keys[i] = ~0u;
      pos[i] = ~0u;
      continue;
    }
    int64_t os, oi, orr;
    lg.offsets(row, os, oi, orr);
    const int64_t v = (int64_t)index[oi + j * indexDimStride];
    const int64_t w = v < 0 ? v + size : v;
    if (w < 0 || w >= size) {
      recordBad(bad, row * len + j);
      keys[i] = 0;
    } else {
      keys[i] = (uint32_t)w;
    }
    pos[i] = (uint32_t)j;
  }
}

// Products and sums exactly as written (no fused multiply-add): the CPU rounds each step.
template <typename T>
__device__ __forceinline__ T mulRn(T a, T b) {
  if constexpr (std::is_same_v<T, float>) return __fmul_rn(a, b);
  else if constexpr (std::is_same_v<T, double>) return __dmul_rn(a, b);
  else return (T)(a * b);
}
template <typename T>
__device__ __forceinline__ T addRn(T a, T b) {
  if constexpr (std::is_same_v<T, float>) return __fadd_rn(a, b);
  else if constexpr (std::is_same_v<T, double>) return __dadd_rn(a, b);
  else return (T)(a + b);
}

template <typename T>
__device__ __forceinline__ T combine(ScatterReduce r, T a, T b) {
  switch (r) {
    case ScatterReduce::Prod: return mulRn(a, b);
    case ScatterReduce::Amax:
      if constexpr (std::is_floating_point_v<T>) {
        if (a != a) return a;
        if (b != b) return b;
      }
      return a > b ? a : b;
    case ScatterReduce::Amin:
      if constexpr (std::is_floating_point_v<T>) {
        if (a != a) return a;
        if (b != b) return b;
      }
      return a < b ? a : b;
    default: return addRn(a, b);
  }
}

// One thread per (line, segment of equal sorted indices): it owns self[line, t] and combines the
// segment's sources in their original order. Overwrite (reduce None) keeps the last one.
template <typename T>
__global__ void scatterSegments(T* self, const T* src, LineGeom lg, int64_t selfDimStride, int64_t srcDimStride,
                                const uint32_t* keys, const uint32_t* pos, bool sharedLine, int logP, int64_t lines,
                                int64_t len, ScatterReduce reduce, bool includeSelf, bool scaled, T alpha) {
  const int64_t total = lines * len;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += step) {
    const int64_t i = e / lines, line = e - i * lines;
    const int64_t b = (sharedLine ? 0 : line) << logP;
    const uint32_t t = keys[b + i];
    if (i > 0 && keys[b + i - 1] == t) continue;
    int64_t os, oi, orr;
    lg.offsets(line, os, oi, orr);
    T* dst = self + os + (int64_t)t * selfDimStride;
    const T* s = src + orr;
    int64_t q = i;
    if (reduce == ScatterReduce::None) {
      while (q + 1 < len && keys[b + q + 1] == t) q++;
      *dst = s[(int64_t)pos[b + q] * srcDimStride];
      continue;
    }
    const bool tracked = reduce == ScatterReduce::Mean || !includeSelf;
    const ScatterReduce rk = reduce == ScatterReduce::Mean ? ScatterReduce::Sum : reduce;
    T acc = *dst;
    int64_t c = includeSelf ? 1 : 0;
    for (; q < len && keys[b + q] == t; q++) {
      T v = s[(int64_t)pos[b + q] * srcDimStride];
      if (scaled) v = mulRn(v, alpha);
      if (tracked) {
        acc = c == 0 ? v : combine(rk, acc, v);
        c++;
      } else {
        acc = combine(rk, acc, v);
      }
    }
    if (reduce == ScatterReduce::Mean && c > 1) {
      if constexpr (std::is_floating_point_v<T>) {
        acc = acc / (T)c;
      } else {
        // Integer mean rounds toward -inf (PyTorch's floor division).
        int64_t qq = (int64_t)acc / c, rr = (int64_t)acc % c;
        if (rr != 0 && ((rr < 0) != (c < 0))) qq--;
        acc = (T)qq;
      }
    }
    *dst = acc;
  }
}

// ---- masks -------------------------------------------------------------------------------------

struct PairGeom {
  int nd;
  bool small;
  int64_t shape[kMaxDims];
  int64_t a[kMaxDims], b[kMaxDims];

  __host__ __device__ __forceinline__ void offsets(int64_t i, int64_t& oa, int64_t& ob) const {
    int64_t x = 0, y = 0;
    forCoords(i, nd, shape, small, [&](int d, int64_t c) {
      x += c * a[d];
      y += c * b[d];
    });
    oa = x;
    ob = y;
  }
};

template <typename W>
__global__ void maskedFillK(W* self, const uint8_t* mask, PairGeom g, W value, int64_t n) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t os, om;
    g.offsets(i, os, om);
    if (mask[om]) self[os] = value;
  }
}

struct MaskFlag {
  const uint8_t* mask;
  PairGeom g;  // a: self, b: mask
  __device__ __forceinline__ bool operator()(int64_t i) const {
    int64_t os, om;
    g.offsets(i, os, om);
    return mask[om] != 0;
  }
};

template <typename W>
struct SelectEmit {
  const W* self;
  W* out;
  PairGeom g;
  __device__ __forceinline__ void operator()(int64_t i, int64_t p) const {
    int64_t os, om;
    g.offsets(i, os, om);
    out[p] = self[os];
  }
};

template <typename T>
struct NonzeroFlag {
  const T* self;
  Geom g;
  __device__ __forceinline__ bool operator()(int64_t i) const { return isNonzero(self[g.offsetOf(i)]); }
};

struct CoordEmit {
  int64_t* out;
  int nd;
  bool small;
  int64_t shape[kMaxDims];
  __device__ __forceinline__ void operator()(int64_t i, int64_t p) const {
    int64_t* o = out + p * nd;
    forCoords(i, nd, shape, small, [&](int d, int64_t c) { o[d] = c; });
  }
};

// ---- oneHot ----------------------------------------------------------------------------------

__global__ void minMaxInit(long long* mm) {
  mm[0] = std::numeric_limits<long long>::max();
  mm[1] = std::numeric_limits<long long>::min();
}

template <typename I>
__global__ void minMaxK(const I* self, Geom g, int64_t n, long long* mm) {
  __shared__ long long scratch[32];
  long long lo = std::numeric_limits<long long>::max(), hi = std::numeric_limits<long long>::min();
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    const long long v = (long long)self[g.offsetOf(i)];
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  lo = blockAllReduce(lo, MinOp(), std::numeric_limits<long long>::max(), scratch);
  hi = blockAllReduce(hi, MaxOp(), std::numeric_limits<long long>::min(), scratch);
  if (threadIdx.x == 0) {
    atomicMin(&mm[0], lo);
    atomicMax(&mm[1], hi);
  }
}

template <typename I>
__global__ void oneHotK(const I* self, Geom g, int64_t n, int64_t classes, int64_t* out) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step)
    out[i * classes + (int64_t)self[g.offsetOf(i)]] = 1;
}

// ---- embedding backward ------------------------------------------------------------------------

__global__ void embeddingKeys(const int64_t* idx, int64_t m, int64_t v, int logP, uint32_t* keys, uint32_t* pos,
                              unsigned long long* bad) {
  const int64_t p = int64_t(1) << logP;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < p; i += step) {
    if (i >= m) {
      keys[i] = ~0u;
      pos[i] = ~0u;
      continue;
    }
    const int64_t x = idx[i];
    if (x < 0 || x >= v) {
      recordBad(bad, i);
      keys[i] = 0;
    } else {
      keys[i] = (uint32_t)x;
    }
    pos[i] = (uint32_t)i;
  }
}

template <typename T>
__global__ void embeddingSegments(const T* grad, const uint32_t* keys, const uint32_t* pos, int64_t m, int64_t d,
                                  int64_t paddingIdx, bool scale, T* out) {
  const int64_t total = m * d;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += step) {
    const int64_t i = e / d, col = e - i * d;
    const uint32_t t = keys[i];
    if ((i > 0 && keys[i - 1] == t) || (int64_t)t == paddingIdx) continue;
    int64_t end = i + 1;
    while (end < m && keys[end] == t) end++;
    const T s = (T)(1.0 / (double)(end - i));
    T acc = 0;
    for (int64_t q = i; q < end; q++) {
      const T g = grad[(int64_t)pos[q] * d + col];
      acc = addRn(acc, scale ? mulRn(g, s) : g);
    }
    out[(int64_t)t * d + col] = acc;
  }
}

// ---- tril / triu -------------------------------------------------------------------------------

template <typename W>
__global__ void trilTriuK(W* dst, const W* src, PairGeom g, int64_t k, bool upper, int64_t n) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  const int nd = g.nd;
  for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < n; e += step) {
    int64_t od = 0, os = 0, i = 0, j = 0;
    forCoords(e, nd, g.shape, g.small, [&](int d, int64_t c) {
      od += c * g.a[d];
      os += c * g.b[d];
      if (d == nd - 1) j = c;
      else if (d == nd - 2) i = c;
    });
    const bool keep = upper ? j - i >= k : j - i <= k;
    dst[od] = keep ? src[os] : W(0);
  }
}

PairGeom pairOf(const TensorDesc& a, const TensorDesc& b) {
  PairGeom g;
  g.nd = a.ndim;
  g.small = smallShape(a.shape, a.ndim);
  for (int d = 0; d < a.ndim; d++) {
    g.shape[d] = a.shape[d];
    g.a[d] = a.strides[d];
    g.b[d] = b.strides[d];
  }
  return g;
}

}  // namespace
}  // namespace cudaidx

using namespace cudaidx;

void cudaGatherKernel(int device, const TensorDesc& out, const TensorDesc& self, const TensorDesc& index, int dim,
                      const CudaScratch& scratch, const char* op) {
  checkDim(self, dim, op);
  CINDER_CHECK(out.ndim == self.ndim && out.dtype == self.dtype && out.isContiguous(), op, ": output of shape ",
               out.shapeString(), " does not match self of shape ", self.shapeString());
  for (int d = 0; d < out.ndim; d++)
    CINDER_CHECK(d == dim || out.shape[d] <= self.shape[d], op, ": index of shape ", out.shapeString(),
                 " is larger than self of shape ", self.shapeString(), " at dimension ", d);
  CINDER_CHECK(index.ndim == out.ndim, op, ": index of shape ", index.shapeString(), " does not match the output ",
               out.shapeString());
  GatherGeom g;
  g.nd = out.ndim;
  g.small = smallShape(out.shape, out.ndim);
  for (int d = 0; d < out.ndim; d++) {
    CINDER_CHECK(index.shape[d] == out.shape[d] || index.shape[d] == 1, op, ": index of shape ", index.shapeString(),
                 " does not broadcast to ", out.shapeString());
    g.shape[d] = out.shape[d];
    g.sstride[d] = d == dim ? 0 : self.strides[d];
    g.istride[d] = index.shape[d] == 1 ? 0 : index.strides[d];
  }
  const int64_t n = out.numel();
  if (n == 0) return;
  const int64_t size = self.shape[dim];
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  unsigned long long* bad = badSlot(scratch, stream, op);
  dispatchIndex(index.dtype, op, [&](auto itag) {
    using I = decltype(itag);
    dispatchWord(itemSize(self.dtype), [&](auto wtag) {
      using W = decltype(wtag);
      gatherRows<W, I><<<gridFor(n, kThreads), kThreads, 0, stream>>>(out.ptr<W>(), self.ptr<W>(), index.ptr<I>(), g,
                                                                      size, self.strides[dim], n, bad);
      CINDER_CUDA_LAUNCH_CHECK("gatherRows");
    });
  });
  Geom where;
  where.nd = g.nd;
  for (int d = 0; d < g.nd; d++) {
    where.shape[d] = g.shape[d];
    where.stride[d] = g.istride[d];
  }
  throwIfBad(device, bad, index, where, op, [&](int64_t v) {
    fail(op, ": index ", v, " is out of bounds for dimension ", dim, " with size ", size);
  });
}

void cudaScatterKernel(int device, const TensorDesc& self, const TensorDesc& index, const TensorDesc& src, int dim,
                       const int64_t* iterShape, int iterNd, ScatterReduce reduce, bool includeSelf, double alpha,
                       const CudaScratch& scratch, const char* op) {
  const int64_t total = checkScatter(self, src, dim, iterShape, iterNd, op);
  if (total == 0) return;
  if (reduce != ScatterReduce::None)
    CINDER_CHECK(self.dtype != DType::Bool, op, ": reduce '", scatterReduceName(reduce), "' is not supported for bool");
  const int64_t size = self.shape[dim];
  const int64_t len = iterShape[dim];
  const int64_t lines = total / len;
  // Element strides over the iteration; index and src broadcast (size-1 or 0-d operands: stride 0).
  LineGeom lg;
  lg.nd = 0;
  bool sharedLine = true;
  int64_t indexDimStride = 0;
  for (int d = 0; d < iterNd; d++) {
    int64_t si = 0;
    if (index.ndim != 0) {
      CINDER_CHECK(index.ndim == iterNd && (index.shape[d] == iterShape[d] || index.shape[d] == 1), op,
                   ": index of shape ", index.shapeString(), " does not fit the iteration");
      si = index.shape[d] == 1 ? 0 : index.strides[d];
    }
    if (d == dim) {
      indexDimStride = si;
      continue;
    }
    lg.shape[lg.nd] = iterShape[d];
    lg.self[lg.nd] = self.strides[d];
    lg.index[lg.nd] = si;
    lg.src[lg.nd] = src.ndim == 0 ? 0 : src.strides[d];
    if (si != 0 && iterShape[d] > 1) sharedLine = false;
    lg.nd++;
  }
  lg.small = smallShape(lg.shape, lg.nd);
  const int64_t srcDimStride = src.ndim == 0 ? 0 : src.strides[dim];
  CINDER_CHECK(len < (int64_t)std::numeric_limits<uint32_t>::max() && size < (int64_t)std::numeric_limits<uint32_t>::max(),
               op, ": dimension ", dim, " is too long for the CUDA scatter (at most 2^32 - 2)");
  const int64_t p = cudaSortPadded(len);
  int logP = 0;
  while ((int64_t(1) << logP) < p) logP++;
  const int64_t rows = sharedLine ? 1 : lines;
  uint32_t* keys = static_cast<uint32_t*>(scratch((size_t)(rows * p) * sizeof(uint32_t)));
  uint32_t* pos = static_cast<uint32_t*>(scratch((size_t)(rows * p) * sizeof(uint32_t)));
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  unsigned long long* bad = badSlot(scratch, stream, op);
  // The lines the keys kernel walks: all of them, or the shared one.
  LineGeom kg = lg;
  if (sharedLine) kg.nd = 0;
  dispatchIndex(index.dtype, op, [&](auto itag) {
    using I = decltype(itag);
    scatterKeys<I><<<gridFor(rows * p, kThreads), kThreads, 0, stream>>>(index.ptr<I>(), kg, indexDimStride, len, size,
                                                                        logP, keys, pos, rows * p, bad);
    CINDER_CUDA_LAUNCH_CHECK("scatterKeys");
  });
  // Validate every index before writing anything, so a failed in-place scatter leaves self as it was.
  Geom where;
  where.nd = kg.nd + 1;
  for (int d = 0; d < kg.nd; d++) {
    where.shape[d] = kg.shape[d];
    where.stride[d] = kg.index[d];
  }
  where.shape[kg.nd] = len;
  where.stride[kg.nd] = indexDimStride;
  throwIfBad(device, bad, index, where, op, [&](int64_t v) {
    fail(op, ": index ", v, " is out of bounds for dimension ", dim, " with size ", size);
  });
  cudaSortPairsU32(device, keys, pos, rows, p, op);
  const unsigned grid = gridFor(total, kThreads);
  if (reduce == ScatterReduce::None) {
    dispatchWord(itemSize(self.dtype), [&](auto wtag) {
      using W = decltype(wtag);
      scatterSegments<W><<<grid, kThreads, 0, stream>>>(self.ptr<W>(), src.ptr<W>(), lg, self.strides[dim],
                                                         srcDimStride, keys, pos, sharedLine, logP, lines, len, reduce,
                                                         includeSelf, false, W(0));
      CINDER_CUDA_LAUNCH_CHECK("scatterSegments");
    });
    return;
  }
  CINDER_DISPATCH_ALL(self.dtype, op, [&] {
    using T = scalar_t;
    const T a = convertValue<T>(alpha);
    scatterSegments<T><<<grid, kThreads, 0, stream>>>(self.ptr<T>(), src.ptr<T>(), lg, self.strides[dim], srcDimStride,
                                                       keys, pos, sharedLine, logP, lines, len, reduce, includeSelf,
                                                       alpha != 1.0, a);
    CINDER_CUDA_LAUNCH_CHECK("scatterSegments");
  });
}

void cudaTakeKernel(int device, const TensorDesc& out, const TensorDesc& self, const TensorDesc& index,
                    const CudaScratch& scratch, const char* op) {
  CINDER_CHECK(self.isContiguous(), op, ": internal: take needs a contiguous self");
  CINDER_CHECK(out.dtype == self.dtype && out.isContiguous() && out.numel() == index.numel(), op,
               ": internal: output does not fit the index");
  const int64_t size = self.numel();
  const int64_t n = index.numel();
  if (n == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  unsigned long long* bad = badSlot(scratch, stream, op);
  const Geom ig = geomOf(index);
  dispatchIndex(index.dtype, op, [&](auto itag) {
    using I = decltype(itag);
    dispatchWord(itemSize(self.dtype), [&](auto wtag) {
      using W = decltype(wtag);
      takeFlat<W, I><<<gridFor(n, kThreads), kThreads, 0, stream>>>(out.ptr<W>(), self.ptr<W>(), index.ptr<I>(), ig,
                                                                    size, n, bad);
      CINDER_CUDA_LAUNCH_CHECK("takeFlat");
    });
  });
  throwIfBad(device, bad, index, ig, op, [&](int64_t v) {
    fail(op, ": index ", v, " is out of bounds for a tensor of ", size, " elements");
  });
}

void cudaMaskedFillKernel(int device, const TensorDesc& self, const TensorDesc& mask, double value, const char* op) {
  CINDER_CHECK(mask.dtype == DType::Bool, op, ": expected a mask of dtype bool, got ", dtypeName(mask.dtype));
  bool same = mask.ndim == self.ndim;
  for (int d = 0; same && d < self.ndim; d++) same = mask.shape[d] == self.shape[d];
  CINDER_CHECK(same, op, ": mask of shape ", mask.shapeString(), " does not match self of shape ", self.shapeString());
  const int64_t n = self.numel();
  if (n == 0) return;
  uint64_t bits = 0;
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    const scalar_t v = toStorage<scalar_t>(value);
    std::memcpy(&bits, &v, sizeof(v));
  });
  const PairGeom g = pairOf(self, mask);
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  dispatchWord(itemSize(self.dtype), [&](auto wtag) {
    using W = decltype(wtag);
    W w;
    std::memcpy(&w, &bits, sizeof(W));
    maskedFillK<W><<<gridFor(n, kThreads), kThreads, 0, stream>>>(self.ptr<W>(), mask.ptr<uint8_t>(), g, w, n);
    CINDER_CUDA_LAUNCH_CHECK("maskedFill");
  });
}

void cudaMaskedSelectKernel(int device, const TensorDesc& self, const TensorDesc& mask, const Allocator& alloc,
                            const CudaScratch& scratch, const char* op) {
  CINDER_CHECK(mask.dtype == DType::Bool, op, ": expected a mask of dtype bool, got ", dtypeName(mask.dtype));
  bool same = mask.ndim == self.ndim;
  for (int d = 0; same && d < self.ndim; d++) same = mask.shape[d] == self.shape[d];
  CINDER_CHECK(same, op, ": mask of shape ", mask.shapeString(), " does not match self of shape ", self.shapeString());
  const int64_t n = self.numel();
  int64_t count = 0;
  if (n == 0) {
    alloc(self.dtype, &count, 1);
    return;
  }
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  int64_t* tileSums = static_cast<int64_t*>(scratch((size_t)(compactTiles(n) + 1) * sizeof(int64_t)));
  const MaskFlag flag{mask.ptr<uint8_t>(), pairOf(self, mask)};
  count = compactCountAll(device, stream, flag, n, tileSums, op);
  TensorDesc out = alloc(self.dtype, &count, 1);
  if (count == 0) return;
  dispatchWord(itemSize(self.dtype), [&](auto wtag) {
    using W = decltype(wtag);
    compactEmitAll(stream, flag, SelectEmit<W>{self.ptr<W>(), out.ptr<W>(), flag.g}, n, tileSums, op);
  });
}

int64_t cudaNonzeroKernel(int device, const TensorDesc& self, const Allocator& alloc, const CudaScratch& scratch,
                          const char* op) {
  const int64_t n = self.numel();
  const int nd = self.ndim;
  int64_t count = 0;
  if (n == 0) {
    int64_t shape[2] = {0, nd};
    alloc(DType::Int64, shape, 2);
    return 0;
  }
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  int64_t* tileSums = static_cast<int64_t*>(scratch((size_t)(compactTiles(n) + 1) * sizeof(int64_t)));
  CoordEmit emit;
  emit.nd = nd;
  for (int d = 0; d < nd; d++) emit.shape[d] = self.shape[d];
  emit.small = smallShape(self.shape, nd);
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    const NonzeroFlag<scalar_t> flag{self.ptr<scalar_t>(), geomOf(self)};
    count = compactCountAll(device, stream, flag, n, tileSums, op);
    int64_t shape[2] = {count, nd};
    TensorDesc out = alloc(DType::Int64, shape, 2);
    if (count == 0 || nd == 0) return;
    emit.out = out.ptr<int64_t>();
    compactEmitAll(stream, flag, emit, n, tileSums, op);
  });
  return count;
}

int64_t cudaOneHotKernel(int device, const TensorDesc& self, int64_t numClasses, const Allocator& alloc,
                         const CudaScratch& scratch, const char* op) {
  const int64_t n = self.numel();
  const Geom g = geomOf(self);
  long long mm[2] = {std::numeric_limits<long long>::max(), std::numeric_limits<long long>::min()};
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  dispatchIndex(self.dtype, op, [&](auto itag) {
    using I = decltype(itag);
    if (n == 0) return;
    long long* dmm = static_cast<long long*>(scratch(2 * sizeof(long long)));
    minMaxInit<<<1, 1, 0, stream>>>(dmm);
    CINDER_CUDA_LAUNCH_CHECK("minMaxInit");
    const unsigned blocks = std::min<unsigned>(gridFor(n, kThreads), 1024);
    minMaxK<I><<<blocks, kThreads, 0, stream>>>(self.ptr<I>(), g, n, dmm);
    CINDER_CUDA_LAUNCH_CHECK("minMax");
    cudaCopyDeviceToHost(mm, dmm, device, sizeof(mm), op);
  });
  const int64_t lo = mm[0], hi = mm[1];
  int64_t shape[kMaxDims + 1];
  numClasses = oneHotShape(self, n == 0, lo, hi, numClasses, shape, op);
  TensorDesc out = alloc(DType::Int64, shape, self.ndim + 1);
  const int64_t bytes = n * numClasses * (int64_t)sizeof(int64_t);
  if (bytes == 0) return numClasses;
  CINDER_CUDA_CHECK(cudaMemsetAsync(out.data, 0, (size_t)bytes, stream), op, ": cudaMemsetAsync");
  dispatchIndex(self.dtype, op, [&](auto itag) {
    using I = decltype(itag);
    oneHotK<I><<<gridFor(n, kThreads), kThreads, 0, stream>>>(self.ptr<I>(), g, n, numClasses, out.ptr<int64_t>());
    CINDER_CUDA_LAUNCH_CHECK("oneHot");
  });
  return numClasses;
}

void cudaEmbeddingBackward(int device, const TensorDesc& grad, const TensorDesc& indices, int64_t paddingIdx,
                           bool scaleGradByFreq, const TensorDesc& gradWeight, const CudaScratch& scratch,
                           const char* op) {
  checkEmbeddingBackward(grad, indices, gradWeight, op);
  CINDER_CHECK(grad.dtype == DType::Float32 || grad.dtype == DType::Float64, op, ": not supported for dtype ",
               dtypeName(grad.dtype));
  const int64_t M = grad.shape[0], D = grad.shape[1], V = gradWeight.shape[0];
  CINDER_CHECK(M < (int64_t)std::numeric_limits<uint32_t>::max() && V < (int64_t)std::numeric_limits<uint32_t>::max(),
               op, ": too many indices or embeddings for CUDA (at most 2^32 - 2)");
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  const int64_t outBytes = V * D * (int64_t)itemSize(grad.dtype);
  if (outBytes > 0)
    CINDER_CUDA_CHECK(cudaMemsetAsync(gradWeight.data, 0, (size_t)outBytes, stream), op, ": cudaMemsetAsync");
  if (M == 0) return;
  const int64_t p = cudaSortPadded(M);
  int logP = 0;
  while ((int64_t(1) << logP) < p) logP++;
  uint32_t* keys = static_cast<uint32_t*>(scratch((size_t)p * sizeof(uint32_t)));
  uint32_t* pos = static_cast<uint32_t*>(scratch((size_t)p * sizeof(uint32_t)));
  unsigned long long* bad = badSlot(scratch, stream, op);
  embeddingKeys<<<gridFor(p, kThreads), kThreads, 0, stream>>>(indices.ptr<int64_t>(), M, V, logP, keys, pos, bad);
  CINDER_CUDA_LAUNCH_CHECK("embeddingKeys");
  throwIfBad(device, bad, indices, geomOf(indices), op, [&](int64_t v) {
    fail(op, ": index ", v, " is out of range for ", V, " embeddings");
  });
  if (D == 0) return;
  cudaSortPairsU32(device, keys, pos, 1, p, op);
  CINDER_DISPATCH_FLOAT(grad.dtype, op, [&] {
    using T = scalar_t;
    embeddingSegments<T><<<gridFor(M * D, kThreads), kThreads, 0, stream>>>(grad.ptr<T>(), keys, pos, M, D, paddingIdx,
                                                                           scaleGradByFreq, gradWeight.ptr<T>());
    CINDER_CUDA_LAUNCH_CHECK("embeddingSegments");
  });
}

void cudaTrilTriu(int device, const TensorDesc& dst, const TensorDesc& src, int64_t k, bool upper, const char* op) {
  CINDER_CHECK(dst.ndim >= 2, op, ": input tensor must have at least 2 dimensions, got shape ", dst.shapeString());
  CINDER_CHECK(dst.ndim == src.ndim, op, ": output shape ", dst.shapeString(), " does not match input shape ",
               src.shapeString());
  for (int d = 0; d < dst.ndim; d++)
    CINDER_CHECK(dst.shape[d] == src.shape[d], op, ": output shape ", dst.shapeString(),
                 " does not match input shape ", src.shapeString());
  CINDER_CHECK(dst.dtype == src.dtype, op, ": output dtype ", dtypeName(dst.dtype), " does not match input dtype ",
               dtypeName(src.dtype));
  const int64_t n = dst.numel();
  if (n == 0) return;
  const int64_t M = dst.shape[dst.ndim - 2], N = dst.shape[dst.ndim - 1];
  k = std::max<int64_t>(-M - 1, std::min<int64_t>(k, N + 1));
  const PairGeom g = pairOf(dst, src);
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  dispatchWord(itemSize(dst.dtype), [&](auto wtag) {
    using W = decltype(wtag);
    trilTriuK<W><<<gridFor(n, kThreads), kThreads, 0, stream>>>(dst.ptr<W>(), src.ptr<W>(), g, k, upper, n);
    CINDER_CUDA_LAUNCH_CHECK(upper ? "triu" : "tril");
  });
}

}  // namespace cinder
