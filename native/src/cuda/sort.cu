// CUDA sort, topk, kthvalue/median, unique and searchsorted.
//
// Everything that orders elements goes through one engine: rows of (radix key, position) pairs,
// padded to a power of two p with (~0, ~0), sorted by a bitonic network on the pair (so the
// order is total and every result is stable and deterministic: ties keep their original order,
// as on the CPU). Tiles of 2048 pairs (several short rows, or a slice of a long one) are sorted
// in shared memory; rows longer than a tile add global compare-exchange steps for the strides
// >= 2048 and finish each merge stage in shared memory again. Radix keys (indexCommon.cuh) turn
// every dtype into an unsigned integer with the CPU's order (NaN largest, -0.0 == +0.0);
// descending sorts flip the key bits, which keeps the position tie-break ascending.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "cpu/indexChecks.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/indexCommon.cuh"
#include "cuda/sort.h"

namespace cinder {
namespace cudaidx {
namespace {

constexpr int kTile = 2048;
constexpr int kThreads = 256;

template <typename U>
__device__ __forceinline__ void compareSwap(U* k, uint32_t* p, int64_t i, int64_t j, bool up) {
  const U ka = k[i], kb = k[j];
  const uint32_t pa = p[i], pb = p[j];
  const bool greater = ka > kb || (ka == kb && pa > pb);
  if (greater == up) {
    k[i] = kb;
    k[j] = ka;
    p[i] = pb;
    p[j] = pa;
  }
}

// Bitonic stages k in [kFirst, kLast] (powers of two) over tiles of `tile` pairs held in shared
// memory, for the strides j < tile of each stage. Directions come from the position within the
// row (rows are p long, p a power of two, and either p divides tile or tile divides p).
template <typename U>
__global__ void __launch_bounds__(1024) bitonicTiles(U* keys, uint32_t* pos, int64_t total, int64_t p, int tile,
                                                     int64_t kFirst, int64_t kLast) {
  __shared__ U sk[kTile];
  __shared__ uint32_t sp[kTile];
  const int64_t base = (int64_t)blockIdx.x * tile;
  for (int t = threadIdx.x; t < tile; t += blockDim.x) {
    const int64_t g = base + t;
    if (g < total) {
      sk[t] = keys[g];
      sp[t] = pos[g];
    } else {
      sk[t] = ~U(0);
      sp[t] = ~0u;
    }
  }
  __syncthreads();
  const int half = tile >> 1;
  for (int64_t k = kFirst; k <= kLast; k <<= 1) {
    for (int j = (int)(k >> 1 < half ? k >> 1 : half); j > 0; j >>= 1) {
      for (int t = threadIdx.x; t < half; t += blockDim.x) {
        const int i = 2 * t - (t & (j - 1));
        const bool up = (((base + i) & (p - 1)) & k) == 0;
        compareSwap(sk, sp, i, i + j, up);
      }
      __syncthreads();
    }
  }
  for (int t = threadIdx.x; t < tile; t += blockDim.x) {
    const int64_t g = base + t;
    if (g < total) {
      keys[g] = sk[t];
      pos[g] = sp[t];
    }
  }
}

// One global compare-exchange step (stage k, stride j >= kTile) over all rows.
template <typename U>
__global__ void bitonicStep(U* keys, uint32_t* pos, int64_t pairs, int64_t p, int64_t k, int64_t j) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t q = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; q < pairs; q += step) {
    const int64_t i = 2 * q - (q & (j - 1));
    const bool up = ((i & (p - 1)) & k) == 0;
    compareSwap(keys, pos, i, i + j, up);
  }
}

template <typename U>
void sortPairs(int device, U* keys, uint32_t* pos, int64_t rows, int64_t p, const char* op) {
  if (p <= 1 || rows == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  const int64_t total = rows * p;
  if (p <= kTile) {
    const int tile = (int)std::min<int64_t>(kTile, cudaSortPadded(total));
    const int threads = std::min(tile / 2, 1024);
    bitonicTiles<U><<<(unsigned)((total + tile - 1) / tile), threads, 0, stream>>>(keys, pos, total, p, tile, 2, p);
    CINDER_CUDA_LAUNCH_CHECK("bitonicTiles");
    return;
  }
  const unsigned blocks = (unsigned)(total / kTile);
  bitonicTiles<U><<<blocks, 1024, 0, stream>>>(keys, pos, total, p, kTile, 2, kTile);
  CINDER_CUDA_LAUNCH_CHECK("bitonicTiles");
  for (int64_t k = 2 * (int64_t)kTile; k <= p; k <<= 1) {
    for (int64_t j = k >> 1; j >= kTile; j >>= 1) {
      bitonicStep<U><<<gridFor(total / 2, kThreads), kThreads, 0, stream>>>(keys, pos, total / 2, p, k, j);
      CINDER_CUDA_LAUNCH_CHECK("bitonicStep");
    }
    bitonicTiles<U><<<blocks, 1024, 0, stream>>>(keys, pos, total, p, kTile, k, k);
    CINDER_CUDA_LAUNCH_CHECK("bitonicTiles");
  }
}

int log2Of(int64_t p) {
  int l = 0;
  while ((int64_t(1) << l) < p) l++;
  return l;
}

// Pairs of the rows of self: row r, column j (j < len) is element rows.offsetOf(r) + cols.offsetOf(j).
template <typename T, typename U>
__global__ void fillKeys(const T* base, Geom rows, Geom cols, int64_t len, int logP, U flip, U* keys, uint32_t* pos,
                         int64_t total) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  const int64_t mask = (int64_t(1) << logP) - 1;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += step) {
    const int64_t j = i & mask;
    if (j < len) {
      keys[i] = (U)radixKey(base[rows.offsetOf(i >> logP) + cols.offsetOf(j)]) ^ flip;
      pos[i] = (uint32_t)j;
    } else {
      keys[i] = ~U(0);
      pos[i] = ~0u;
    }
  }
}

// values/indices (contiguous, self's shape with dim of size kout): the first kout of each sorted row.
template <typename T>
__global__ void writeSorted(const T* base, Geom rows, Geom cols, const uint32_t* pos, int logP, int64_t kout,
                           int64_t inner, T* vo, int64_t* io, int64_t total) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += step) {
    const int64_t row = e / kout, j = e - row * kout;
    const uint32_t src = pos[(row << logP) + j];
    const int64_t o = row / inner, in = row - o * inner;
    const int64_t dst = (o * kout + j) * inner + in;
    vo[dst] = base[rows.offsetOf(row) + cols.offsetOf(src)];
    io[dst] = src;
  }
}

// The k-th smallest of each sorted row (or its first NaN when nanPropagates and the row has one).
template <typename T, typename U>
__global__ void pickKth(const T* base, Geom rows, Geom cols, const U* keys, const uint32_t* pos, int logP, int64_t len,
                        int64_t k, bool nanPropagates, T* vo, int64_t* io, int64_t nrows) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; row < nrows; row += step) {
    const int64_t b = row << logP;
    int64_t at = k;
    if (kIsFloatKey<T> && nanPropagates && keys[b + len - 1] == ~U(0)) {
      int64_t lo = 0, hi = len - 1;  // NaNs sort last: find the first
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (keys[b + mid] == ~U(0)) hi = mid;
        else lo = mid + 1;
      }
      at = lo;
    }
    const uint32_t src = pos[b + at];
    vo[row] = base[rows.offsetOf(row) + cols.offsetOf(src)];
    io[row] = src;
  }
}

template <typename F>
void dispatchEvery(DType dt, F&& f) {
  switch (dt) {
    case DType::Float32: f(float{}); break;
    case DType::Float64: f(double{}); break;
    case DType::Int32: f(int32_t{}); break;
    case DType::Int64: f(int64_t{}); break;
    case DType::Bool:
    case DType::Uint8: f(uint8_t{}); break;
    case DType::Float16: f(Half{}); break;
    case DType::BFloat16: f(BFloat16{}); break;
  }
}

// The rows of self along dim (dim < 0: all of self as one row), sorted into device scratch.
template <typename T>
struct SortedRows {
  using U = typename KeyOf<T>::type;
  U* keys = nullptr;
  uint32_t* pos = nullptr;
  int64_t rows = 0, len = 0;
  int logP = 0;
  Geom rowG, colG;
};

template <typename T>
SortedRows<T> sortRows(int device, const TensorDesc& self, int dim, bool descending, const CudaScratch& scratch,
                       const char* op) {
  using U = typename KeyOf<T>::type;
  SortedRows<T> s;
  if (dim < 0) {
    s.colG = geomOf(self);
    s.len = self.numel();
    s.rows = 1;
  } else {
    s.rowG = geomOf(self, dim);
    s.colG.nd = 1;
    s.colG.shape[0] = self.shape[dim];
    s.colG.stride[0] = self.strides[dim];
    s.colG.small = smallShape(s.colG.shape, 1);
    s.len = self.shape[dim];
    s.rows = s.len == 0 ? 0 : self.numel() / s.len;
  }
  CINDER_CHECK(s.len < (int64_t)std::numeric_limits<uint32_t>::max(), op, ": rows of ", s.len,
               " elements are too long to sort on CUDA (at most 2^32 - 2)");
  const int64_t p = cudaSortPadded(s.len);
  s.logP = log2Of(p);
  const int64_t total = s.rows * p;
  if (total == 0) return s;
  s.keys = static_cast<U*>(scratch((size_t)total * sizeof(U)));
  s.pos = static_cast<uint32_t*>(scratch((size_t)total * sizeof(uint32_t)));
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  fillKeys<T, U><<<gridFor(total, kThreads), kThreads, 0, stream>>>(self.ptr<T>(), s.rowG, s.colG, s.len, s.logP,
                                                                   descending ? ~U(0) : U(0), s.keys, s.pos, total);
  CINDER_CUDA_LAUNCH_CHECK("fillKeys");
  sortPairs<U>(device, s.keys, s.pos, s.rows, p, op);
  return s;
}

void checkOutputs(const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim, int64_t len,
                  const char* op) {
  bool ok = values.ndim == self.ndim && indices.ndim == self.ndim && values.dtype == self.dtype &&
            indices.dtype == DType::Int64 && values.isContiguous() && indices.isContiguous();
  for (int d = 0; ok && d < self.ndim; d++) {
    int64_t want = d == dim ? len : self.shape[d];
    ok = values.shape[d] == want && indices.shape[d] == want;
  }
  CINDER_CHECK(ok, op, ": internal: outputs ", values.shapeString(), " / ", indices.shapeString(),
               " do not fit input ", self.shapeString());
}

// sort (kout = len) and topk (kout = k): the first kout of each row sorted in that direction.
void sortedPrefix(int device, const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim,
                  bool descending, int64_t kout, const CudaScratch& scratch, const char* op) {
  int64_t inner = 1;
  for (int d = dim + 1; d < self.ndim; d++) inner *= self.shape[d];
  dispatchEvery(self.dtype, [&](auto tag) {
    using T = decltype(tag);
    SortedRows<T> s = sortRows<T>(device, self, dim, descending, scratch, op);
    const int64_t total = s.rows * kout;
    if (total == 0) return;
    CudaDeviceGuard guard(device, op);
    cudaStream_t stream = cudaStreamOf(device, op);
    writeSorted<T><<<gridFor(total, kThreads), kThreads, 0, stream>>>(self.ptr<T>(), s.rowG, s.colG, s.pos, s.logP,
                                                                     kout, inner, values.ptr<T>(),
                                                                     indices.ptr<int64_t>(), total);
    CINDER_CUDA_LAUNCH_CHECK("writeSorted");
  });
}

// ---- unique ------------------------------------------------------------------------------------

template <typename U>
struct GroupStart {
  const U* keys;
  bool isFloat;
  __device__ __forceinline__ bool operator()(int64_t i) const {
    if (i == 0) return true;
    const U k = keys[i];
    return k != keys[i - 1] || (isFloat && k == ~U(0));
  }
};

struct StorePosition {
  int64_t* out;
  __device__ __forceinline__ void operator()(int64_t i, int64_t p) const { out[p] = i; }
};

// Group g of the sorted order spans [starts[g], starts[g + 1]) (the last ends at n).
template <typename T>
__global__ void uniqueGroups(const T* base, Geom cols, const uint32_t* pos, const int64_t* starts, int64_t u,
                             int64_t n, T* vo, int64_t* counts) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t g = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; g < u; g += step) {
    const int64_t s = starts[g];
    if (vo) vo[g] = base[cols.offsetOf(pos[s])];
    if (counts) counts[g] = (g + 1 < u ? starts[g + 1] : n) - s;
  }
}

// inverse[order[i]] = the group of sorted position i; order is pos (uint32) or perm.
__global__ void uniqueInverse(const uint32_t* order, const int64_t* starts, int64_t u, int64_t n, int64_t* inverse) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t lo = 0, hi = u - 1;  // the last group starting at or before i
    while (lo < hi) {
      const int64_t mid = hi - (hi - lo) / 2;
      if (starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    inverse[order[i]] = lo;
  }
}

// ---- unique over rows ------------------------------------------------------------------------

template <typename T, typename U>
__global__ void fillColumnKeys(const T* base, const uint32_t* perm, int64_t n, int64_t s0, int64_t colOff, U* keys,
                               uint32_t* pos, int64_t p) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < p; i += step) {
    if (i < n) {
      keys[i] = radixKey(base[(int64_t)perm[i] * s0 + colOff]);
      pos[i] = (uint32_t)i;
    } else {
      keys[i] = ~U(0);
      pos[i] = ~0u;
    }
  }
}

__global__ void permute(const uint32_t* perm, const uint32_t* pos, uint32_t* out, int64_t n) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) out[i] = perm[pos[i]];
}

__global__ void iota(uint32_t* out, int64_t n) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) out[i] = (uint32_t)i;
}

template <typename T>
struct RowStart {
  const T* base;
  const uint32_t* perm;
  int64_t m, s0, s1;
  __device__ __forceinline__ bool operator()(int64_t i) const {
    if (i == 0) return true;
    const T* a = base + (int64_t)perm[i] * s0;
    const T* b = base + (int64_t)perm[i - 1] * s0;
    for (int64_t j = 0; j < m; j++) {
      const auto ka = radixKey(a[j * s1]);
      if (ka != radixKey(b[j * s1]) || (kIsFloatKey<T> && ka == decltype(ka)(~decltype(ka)(0)))) return true;
    }
    return false;
  }
};

__global__ void rowGroups(const uint32_t* perm, const int64_t* starts, int64_t u, int64_t n, int64_t* first,
                          int64_t* counts) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t g = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; g < u; g += step) {
    const int64_t s = starts[g];
    first[g] = perm[s];
    if (counts) counts[g] = (g + 1 < u ? starts[g + 1] : n) - s;
  }
}

// ---- searchsorted ------------------------------------------------------------------------------

struct SearchGeom {
  int nd;
  bool small;
  int64_t shape[kMaxDims];
  int64_t vstride[kMaxDims];
  int64_t sstride[kMaxDims];  // the sequence's leading dims (0 past them, or when not batched)
};

template <typename T, typename O>
__global__ void searchsortedRows(const T* seq, const T* vals, SearchGeom g, int64_t len, int64_t ss, bool right,
                                 O* out, int64_t n) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t voff = 0, soff = 0;
    forCoords(i, g.nd, g.shape, g.small, [&](int d, int64_t c) {
      voff += c * g.vstride[d];
      soff += c * g.sstride[d];
    });
    const auto v = radixKey(vals[voff]);
    int64_t lo = 0, hi = len;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      const auto s = radixKey(seq[soff + mid * ss]);
      const bool goRight = right ? !(v < s) : (s < v);
      if (goRight) lo = mid + 1;
      else hi = mid;
    }
    out[i] = (O)lo;
  }
}

}  // namespace
}  // namespace cudaidx

using namespace cudaidx;

void cudaSortPairsU32(int device, uint32_t* keys, uint32_t* pos, int64_t rows, int64_t p, const char* op) {
  sortPairs<uint32_t>(device, keys, pos, rows, p, op);
}

void cudaSortKernel(int device, const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim,
                    bool descending, const CudaScratch& scratch, const char* op) {
  checkDim(self, dim, op);
  const int64_t len = self.shape[dim];
  checkOutputs(values, indices, self, dim, len, op);
  if (self.numel() == 0) return;
  sortedPrefix(device, values, indices, self, dim, descending, len, scratch, op);
}

void cudaTopkKernel(int device, const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim,
                    int64_t k, bool largest, const CudaScratch& scratch, const char* op) {
  checkDim(self, dim, op);
  const int64_t len = self.shape[dim];
  CINDER_CHECK(k >= 0 && k <= len, op, ": k (", k, ") is out of range for dimension ", dim, " of size ", len);
  checkOutputs(values, indices, self, dim, k, op);
  if (k == 0 || self.numel() == 0) return;
  sortedPrefix(device, values, indices, self, dim, largest, k, scratch, op);
}

void cudaKthKernel(int device, const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim,
                   int64_t k, bool nanPropagates, const CudaScratch& scratch, const char* op) {
  checkDim(self, dim, op);
  const int64_t len = self.shape[dim];
  CINDER_CHECK(k >= 0 && k < len, op, ": k (", k + 1, ") is out of range for dimension ", dim, " of size ", len);
  checkOutputs(values, indices, self, dim, 1, op);
  if (self.numel() == 0) return;
  dispatchEvery(self.dtype, [&](auto tag) {
    using T = decltype(tag);
    using U = typename KeyOf<T>::type;
    SortedRows<T> s = sortRows<T>(device, self, dim, false, scratch, op);
    CudaDeviceGuard guard(device, op);
    cudaStream_t stream = cudaStreamOf(device, op);
    pickKth<T, U><<<gridFor(s.rows, kThreads), kThreads, 0, stream>>>(self.ptr<T>(), s.rowG, s.colG, s.keys, s.pos,
                                                                     s.logP, len, k, nanPropagates, values.ptr<T>(),
                                                                     indices.ptr<int64_t>(), s.rows);
    CINDER_CUDA_LAUNCH_CHECK("pickKth");
  });
}

int64_t cudaUniqueKernel(int device, const TensorDesc& self, bool wantInverse, bool wantCounts, const Allocator& alloc,
                         const CudaScratch& scratch, const char* op) {
  const int64_t n = self.numel();
  int64_t u = 0;
  dispatchEvery(self.dtype, [&](auto tag) {
    using T = decltype(tag);
    using U = typename KeyOf<T>::type;
    if (n == 0) {
      TensorDesc vals = alloc(self.dtype, &u, 1);
      (void)vals;
      if (wantInverse) alloc(DType::Int64, self.shape, self.ndim);
      if (wantCounts) alloc(DType::Int64, &u, 1);
      return;
    }
    SortedRows<T> s = sortRows<T>(device, self, -1, false, scratch, op);
    CudaDeviceGuard guard(device, op);
    cudaStream_t stream = cudaStreamOf(device, op);
    int64_t* tileSums = static_cast<int64_t*>(scratch((size_t)(compactTiles(n) + 1) * sizeof(int64_t)));
    int64_t* starts = static_cast<int64_t*>(scratch((size_t)n * sizeof(int64_t)));
    GroupStart<U> flag{s.keys, kIsFloatKey<T>};
    u = compactCountAll(device, stream, flag, n, tileSums, op);
    compactEmitAll(stream, flag, StorePosition{starts}, n, tileSums, op);
    TensorDesc vals = alloc(self.dtype, &u, 1);
    TensorDesc inv, cnt;
    if (wantInverse) inv = alloc(DType::Int64, self.shape, self.ndim);
    if (wantCounts) cnt = alloc(DType::Int64, &u, 1);
    uniqueGroups<T><<<gridFor(u, kThreads), kThreads, 0, stream>>>(self.ptr<T>(), s.colG, s.pos, starts, u, n,
                                                                  vals.ptr<T>(),
                                                                  wantCounts ? cnt.ptr<int64_t>() : nullptr);
    CINDER_CUDA_LAUNCH_CHECK("uniqueGroups");
    if (wantInverse) {
      uniqueInverse<<<gridFor(n, kThreads), kThreads, 0, stream>>>(s.pos, starts, u, n, inv.ptr<int64_t>());
      CINDER_CUDA_LAUNCH_CHECK("uniqueInverse");
    }
  });
  return u;
}

int64_t cudaUniqueDimKernel(int device, const TensorDesc& self, bool wantInverse, bool wantCounts,
                            const Allocator& alloc, const CudaScratch& scratch, const char* op) {
  CINDER_CHECK(self.ndim == 2, op, ": internal: unique over a dim expects a [n, m] view");
  const int64_t n = self.shape[0], m = self.shape[1];
  const int64_t s0 = self.strides[0], s1 = self.strides[1];
  CINDER_CHECK(n < (int64_t)std::numeric_limits<uint32_t>::max(), op, ": ", n,
               " slices are too many to sort on CUDA (at most 2^32 - 2)");
  int64_t u = 0;
  dispatchEvery(self.dtype, [&](auto tag) {
    using T = decltype(tag);
    using U = typename KeyOf<T>::type;
    if (n == 0) {
      alloc(DType::Int64, &u, 1);
      if (wantInverse) alloc(DType::Int64, &n, 1);
      if (wantCounts) alloc(DType::Int64, &u, 1);
      return;
    }
    CudaDeviceGuard guard(device, op);
    cudaStream_t stream = cudaStreamOf(device, op);
    const int64_t p = cudaSortPadded(n);
    U* keys = static_cast<U*>(scratch((size_t)p * sizeof(U)));
    uint32_t* pos = static_cast<uint32_t*>(scratch((size_t)p * sizeof(uint32_t)));
    uint32_t* perm = static_cast<uint32_t*>(scratch((size_t)n * sizeof(uint32_t)));
    uint32_t* next = static_cast<uint32_t*>(scratch((size_t)n * sizeof(uint32_t)));
    iota<<<gridFor(n, kThreads), kThreads, 0, stream>>>(perm, n);
    CINDER_CUDA_LAUNCH_CHECK("iota");
    // Stable sorts by the last column, then the one before...: lexicographic order, ties by position.
    for (int64_t c = m - 1; c >= 0; c--) {
      fillColumnKeys<T, U><<<gridFor(p, kThreads), kThreads, 0, stream>>>(self.ptr<T>(), perm, n, s0, c * s1, keys,
                                                                         pos, p);
      CINDER_CUDA_LAUNCH_CHECK("fillColumnKeys");
      sortPairs<U>(device, keys, pos, 1, p, op);
      permute<<<gridFor(n, kThreads), kThreads, 0, stream>>>(perm, pos, next, n);
      CINDER_CUDA_LAUNCH_CHECK("permute");
      std::swap(perm, next);
    }
    int64_t* tileSums = static_cast<int64_t*>(scratch((size_t)(compactTiles(n) + 1) * sizeof(int64_t)));
    int64_t* starts = static_cast<int64_t*>(scratch((size_t)n * sizeof(int64_t)));
    RowStart<T> flag{self.ptr<T>(), perm, m, s0, s1};
    u = compactCountAll(device, stream, flag, n, tileSums, op);
    compactEmitAll(stream, flag, StorePosition{starts}, n, tileSums, op);
    TensorDesc first = alloc(DType::Int64, &u, 1);
    TensorDesc inv, cnt;
    if (wantInverse) inv = alloc(DType::Int64, &n, 1);
    if (wantCounts) cnt = alloc(DType::Int64, &u, 1);
    rowGroups<<<gridFor(u, kThreads), kThreads, 0, stream>>>(perm, starts, u, n, first.ptr<int64_t>(),
                                                            wantCounts ? cnt.ptr<int64_t>() : nullptr);
    CINDER_CUDA_LAUNCH_CHECK("rowGroups");
    if (wantInverse) {
      uniqueInverse<<<gridFor(n, kThreads), kThreads, 0, stream>>>(perm, starts, u, n, inv.ptr<int64_t>());
      CINDER_CUDA_LAUNCH_CHECK("uniqueInverse");
    }
  });
  return u;
}

void cudaSearchsortedKernel(int device, const TensorDesc& out, const TensorDesc& seq, const TensorDesc& values,
                            bool right, const char* op) {
  const int64_t n = checkSearchsorted(out, seq, values, op);
  const bool batched = seq.ndim > 1;
  if (n == 0) return;
  SearchGeom g;
  g.nd = values.ndim;
  g.small = smallShape(values.shape, values.ndim);
  for (int d = 0; d < values.ndim; d++) {
    g.shape[d] = values.shape[d];
    g.vstride[d] = values.strides[d];
    g.sstride[d] = batched && d < seq.ndim - 1 ? seq.strides[d] : 0;
  }
  const int64_t len = seq.shape[seq.ndim - 1];
  const int64_t ss = seq.strides[seq.ndim - 1];
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  dispatchEvery(seq.dtype, [&](auto tag) {
    using T = decltype(tag);
    if (out.dtype == DType::Int64)
      searchsortedRows<T, int64_t><<<gridFor(n, kThreads), kThreads, 0, stream>>>(
          seq.ptr<T>(), values.ptr<T>(), g, len, ss, right, out.ptr<int64_t>(), n);
    else
      searchsortedRows<T, int32_t><<<gridFor(n, kThreads), kThreads, 0, stream>>>(
          seq.ptr<T>(), values.ptr<T>(), g, len, ss, right, out.ptr<int32_t>(), n);
    CINDER_CUDA_LAUNCH_CHECK("searchsortedRows");
  });
}

}  // namespace cinder
