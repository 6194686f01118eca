// The generic CUDA reduction engine shared by reduce.cu (dim and index reductions, linalg norms):
// a reduction plan (kept and reduced dims, each stripped of size-1 dims and coalesced, as on the
// CPU), reducer objects (init / add / merge / store, mirroring cpu/reduce.cc's), and three
// schedules chosen by the launcher:
//  - rows: a warp (short reductions) or a block (long ones) per output, threads strided over the
//    reduced range, 16-byte vector loads when each output's reduced range is one contiguous,
//    aligned run; the partial results meet in a fixed shuffle tree;
//  - columns: one thread per output with the reduced range split over threadIdx.y, when the
//    innermost kept dim is contiguous (a warp reads 32 adjacent outputs' elements at once) or
//    the reductions are too short to share;
//  - either schedule split over blockIdx.y into partial results when there are too few outputs
//    to fill the device, merged per output by a second kernel in split order.
// No atomics: every result is the same from run to run.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/storage.h"
#include "core/tensorDesc.h"
#include "cpu/reducePlan.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"

namespace cinder {
namespace cured {

// The CPU's plan (cpu/reducePlan.h): the same dims, stripped and coalesced alike.
using RPlan = ReducePlan;

inline RPlan makePlan(const TensorDesc& x, const bool* reduced, bool sortReduced) {
  return makeReducePlan(x, reduced, sortReduced);
}

__device__ __forceinline__ int64_t keptOffset(const RPlan& P, int64_t o) {
  int64_t off = 0;
  for (int d = P.nk - 1; d >= 0; d--) {
    const int64_t s = P.kShape[d];
    off += (o % s) * P.kStride[d];
    o /= s;
  }
  return off;
}

__device__ __forceinline__ int64_t reducedOffset(const RPlan& P, int64_t r) {
  if (P.nr == 1) return r * P.rStride[0];
  int64_t off = 0;
  for (int d = P.nr - 1; d >= 0; d--) {
    const int64_t s = P.rShape[d];
    off += (r % s) * P.rStride[d];
    r /= s;
  }
  return off;
}

// ---- shuffles of any small trivially copyable value ----------------------------------------

// v's 32-bit words, each through shfl (word -> word, one warp shuffle): values of any size.
template <typename A, typename Shfl>
__device__ __forceinline__ A shflWords(A v, Shfl shfl) {
  if constexpr (sizeof(A) < 4) {
    unsigned w = 0;
    memcpy(&w, &v, sizeof(A));
    w = shfl(w);
    memcpy(&v, &w, sizeof(A));
  } else {
    static_assert(sizeof(A) % 4 == 0, "shuffled values are whole 32-bit words");
    constexpr int W = sizeof(A) / 4;
    unsigned w[W];
    memcpy(w, &v, sizeof(A));
#pragma unroll
    for (int i = 0; i < W; i++) w[i] = shfl(w[i]);
    memcpy(&v, w, sizeof(A));
  }
  return v;
}

template <typename A>
__device__ __forceinline__ A shflDown(A v, int o) {
  return shflWords(v, [o](unsigned w) { return __shfl_down_sync(0xffffffffu, w, o); });
}

template <typename A>
__device__ __forceinline__ A shflUp(A v, int o) {
  return shflWords(v, [o](unsigned w) { return __shfl_up_sync(0xffffffffu, w, o); });
}

template <typename A>
__device__ __forceinline__ A shflIdx(A v, int lane) {
  return shflWords(v, [lane](unsigned w) { return __shfl_sync(0xffffffffu, w, lane); });
}

// Lane 0 gets merge over the warp, in a fixed tree order.
template <typename R, typename A>
__device__ __forceinline__ A warpMerge(const R& r, A v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = r.merge(v, shflDown(v, o));
  return v;
}

// Shared memory for up to 1024 accumulators of at most 16 bytes.
constexpr int kMaxAccBytes = 16;

template <typename T>
__device__ __forceinline__ bool isNan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

template <typename T>
struct AccOf {
  using type = uint64_t;  // integers: 64-bit, wrapping like PyTorch's int64 (two's complement bits)
};
template <>
struct AccOf<float> {
  using type = float;
};
template <>
struct AccOf<double> {
  using type = double;
};
template <typename T>
using AccT = typename AccOf<T>::type;
template <typename T>
using WideOut = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

// 16-byte vectors of T.
template <typename T>
struct alignas(16) Vec16 {
  static constexpr int N = 16 / sizeof(T);
  T v[N];
};

// ---- kernels -------------------------------------------------------------------------------

// Rows: blockDim = (tpr, rowsPerBlock); tpr a multiple of 32 (rowsPerBlock 1 when tpr > 32).
// Split s = blockIdx.y covers reduced indices [s * chunk, min(numRed, (s + 1) * chunk)).
template <typename R, bool Vec>
__global__ void __launch_bounds__(256) reduceRows(RPlan P, const typename R::In* __restrict__ x, R r, int64_t chunk, int splits,
                           typename R::Acc* __restrict__ part) {
  using T = typename R::In;
  using A = typename R::Acc;
  __shared__ alignas(16) unsigned char smemRaw[32 * kMaxAccBytes];
  A* smem = reinterpret_cast<A*>(smemRaw);
  const int64_t rows = blockDim.y;
  const int64_t groups = (P.numOut + rows - 1) / rows;
  const int s = blockIdx.y;
  const int64_t r0 = (int64_t)s * chunk;
  const int64_t r1 = min(P.numRed, r0 + chunk);
  const int wpr = blockDim.x >> 5;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int64_t g = blockIdx.x; g < groups; g += gridDim.x) {
    const int64_t o = g * rows + threadIdx.y;
    const bool live = o < P.numOut;
    A a = r.init(live ? o : 0);
    if (live) {
      const T* base = x + keptOffset(P, o);
      if constexpr (Vec) {
        constexpr int N = Vec16<T>::N;
        const Vec16<T>* vp = reinterpret_cast<const Vec16<T>*>(base + r0);
        const int64_t nv = (r1 - r0) / N;
        for (int64_t i = threadIdx.x; i < nv; i += blockDim.x) {
          const Vec16<T> v = vp[i];
          const int64_t i0 = r0 + i * N;
#pragma unroll
          for (int j = 0; j < N; j++) a = r.add(a, v.v[j], i0 + j);
        }
      } else if (P.nr == 1) {
        const int64_t st = P.rStride[0];
        for (int64_t i = r0 + threadIdx.x; i < r1; i += blockDim.x) a = r.add(a, base[i * st], i);
      } else {
        for (int64_t i = r0 + threadIdx.x; i < r1; i += blockDim.x) a = r.add(a, base[reducedOffset(P, i)], i);
      }
    }
    a = warpMerge(r, a);
    if (wpr > 1) {
      // rowsPerBlock == 1 here: the warps' results meet in warp order.
      if (lane == 0) smem[warp] = a;
      __syncthreads();
      if (threadIdx.x == 0)
        for (int w = 1; w < wpr; w++) a = r.merge(a, smem[w]);
      __syncthreads();
    }
    if (threadIdx.x == 0 && live) {
      if (splits == 1) r.store(o, a);
      else part[o * splits + s] = a;
    }
  }
}

// Columns: blockDim = (bx, by); thread x owns output b * bx + x, the by threads of a column
// stride over the split's reduced range and meet in y order.
template <typename R>
__global__ void __launch_bounds__(256) reduceCols(RPlan P, const typename R::In* __restrict__ x, R r, int64_t chunk, int splits,
                           typename R::Acc* __restrict__ part) {
  using T = typename R::In;
  using A = typename R::Acc;
  __shared__ alignas(16) unsigned char smemRaw[256 * kMaxAccBytes];
  A* smem = reinterpret_cast<A*>(smemRaw);
  const int64_t per = blockDim.x;
  const int64_t nblk = (P.numOut + per - 1) / per;
  const int s = blockIdx.y;
  const int64_t r0 = (int64_t)s * chunk;
  const int64_t r1 = min(P.numRed, r0 + chunk);
  for (int64_t b = blockIdx.x; b < nblk; b += gridDim.x) {
    const int64_t o = b * per + threadIdx.x;
    const bool live = o < P.numOut;
    A a = r.init(live ? o : 0);
    if (live) {
      const T* base = x + keptOffset(P, o);
      if (P.nr == 1) {
        const int64_t st = P.rStride[0];
        for (int64_t i = r0 + threadIdx.y; i < r1; i += blockDim.y) a = r.add(a, base[i * st], i);
      } else {
        for (int64_t i = r0 + threadIdx.y; i < r1; i += blockDim.y) a = r.add(a, base[reducedOffset(P, i)], i);
      }
    }
    if (blockDim.y > 1) {
      smem[threadIdx.y * blockDim.x + threadIdx.x] = a;
      __syncthreads();
      if (threadIdx.y == 0)
        for (int k = 1; k < (int)blockDim.y; k++) a = r.merge(a, smem[k * blockDim.x + threadIdx.x]);
      __syncthreads();
    }
    if (threadIdx.y == 0 && live) {
      if (splits == 1) r.store(o, a);
      else part[o * splits + s] = a;
    }
  }
}

// A warp per output merges its splits' partial results.
template <typename R>
__global__ void __launch_bounds__(256) reduceFinish(R r, const typename R::Acc* __restrict__ part, int64_t numOut, int splits) {
  using A = typename R::Acc;
  const int lane = threadIdx.x & 31;
  const int64_t warps = ((int64_t)gridDim.x * blockDim.x) >> 5;
  for (int64_t o = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5; o < numOut; o += warps) {
    A a = r.init(o);
    for (int s = lane; s < splits; s += 32) a = r.merge(a, part[o * splits + s]);
    a = warpMerge(r, a);
    if (lane == 0) r.store(o, a);
  }
}

// Empty reductions: every output is the reducer's identity.
template <typename R>
__global__ void __launch_bounds__(256) reduceEmpty(R r, int64_t numOut) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t o = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; o < numOut; o += step) r.store(o, r.init(o));
}

// ---- row all-reduce (softmax, cross entropy) ------------------------------------------------

template <typename T>
__device__ __forceinline__ T nanMax(T a, T b) {
  return (b > a || b != b) ? b : a;
}

// Combines v over the threads of a row group (blockDim.x threads; rows of one when blockDim.x
// > 32) in a fixed order; every thread gets the result. red: shared memory of 32 T.
template <bool IsMax, typename T>
__device__ __forceinline__ T rowAllReduce(T v, T* red) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const T t = shflIdx(v, (threadIdx.x & 31) ^ o);
    v = IsMax ? nanMax(v, t) : v + t;
  }
  if (blockDim.x <= 32) return v;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
  __syncthreads();  // red may still be read by the previous call
  if (lane == 0) red[warp] = v;
  __syncthreads();
  T r = red[0];
  for (int w = 1; w < nw; w++) r = IsMax ? nanMax(r, red[w]) : r + red[w];
  return r;
}

// ---- launcher ------------------------------------------------------------------------------

int multiprocessorsOf(int device);

// Owns one device scratch block for a call.
struct Scratch {
  Storage* s = nullptr;
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() {
    if (s) releaseStorage(s);
  }
  void* get(int device, size_t n, const char* op) {
    if (s) releaseStorage(s);
    s = newDeviceStorage(device, n > 0 ? n : 1, op);
    return s->data;
  }
};

template <typename T>
inline int vecWidth() {
  return (int)(16 / sizeof(T));
}

template <typename R>
void launchReduce(int device, const RPlan& P, const typename R::In* x, const R& r, const char* op) {
  using T = typename R::In;
  using A = typename R::Acc;
  static_assert(sizeof(A) <= kMaxAccBytes, "accumulator too large for the shared scratch");
  if (P.numOut == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  if (P.numRed == 0) {
    reduceEmpty<R><<<gridFor(P.numOut, 256), 256, 0, stream>>>(r, P.numOut);
    CINDER_CUDA_LAUNCH_CHECK("reduceEmpty");
    return;
  }
  const int64_t target = (int64_t)multiprocessorsOf(device) * 8;  // blocks of 256 to fill the device
  constexpr int64_t kMaxGridX = int64_t(1) << 20;
  constexpr int64_t kMaxSplits = 4096;
  Scratch scratch;
  A* part = nullptr;
  int splits = 1;
  int64_t chunk = P.numRed;
  const bool innerContiguousOut = P.nk >= 1 && P.kStride[P.nk - 1] == 1 && P.kShape[P.nk - 1] >= 32;
  const bool cols = (innerContiguousOut && P.rStride[P.nr - 1] != 1 && P.numRed > 1) || P.numRed <= 16;
  if (cols) {
    // Wide blocks across outputs for short reductions; 32 outputs x 8 slices for long ones.
    const int bx = P.numRed <= 16 ? 256 : 32;
    const int by = 256 / bx;
    const int64_t nblk = (P.numOut + bx - 1) / bx;
    if (nblk < target && P.numRed >= (int64_t)by * 64) {
      int64_t want = std::min<int64_t>((target + nblk - 1) / nblk, P.numRed / ((int64_t)by * 32));
      want = std::min(want, kMaxSplits);
      if (want > 1) {
        chunk = (P.numRed + want - 1) / want;
        splits = (int)((P.numRed + chunk - 1) / chunk);
      }
    }
    if (splits > 1) part = static_cast<A*>(scratch.get(device, (size_t)P.numOut * splits * sizeof(A), op));
    dim3 block(bx, by), grid((unsigned)std::min(nblk, kMaxGridX), (unsigned)splits);
    reduceCols<R><<<grid, block, 0, stream>>>(P, x, r, chunk, splits, part);
    CINDER_CUDA_LAUNCH_CHECK("reduceCols");
  } else {
    const int N = vecWidth<T>();
    bool vec = P.nr == 1 && P.rStride[0] == 1 && P.numRed % N == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0;
    for (int d = 0; d < P.nk && vec; d++) vec = P.kStride[d] % N == 0;
    const int64_t perThread = vec ? N : 1;
    // A warp per output (8 per block) up to 1024 elements per output, else a block of 256.
    const int tpr = P.numRed <= 1024 ? 32 : 256;
    const int rows = 256 / tpr;
    const int64_t groups = (P.numOut + rows - 1) / rows;
    if (groups < target && P.numRed >= (int64_t)tpr * perThread * 8) {
      int64_t want = std::min<int64_t>((target + groups - 1) / groups, P.numRed / ((int64_t)tpr * perThread * 4));
      want = std::min(want, kMaxSplits);
      if (want > 1) {
        chunk = (P.numRed + want - 1) / want;
        chunk = (chunk + N - 1) / N * N;  // splits start on vector boundaries
        splits = (int)((P.numRed + chunk - 1) / chunk);
      }
    }
    if (splits > 1) part = static_cast<A*>(scratch.get(device, (size_t)P.numOut * splits * sizeof(A), op));
    dim3 block(tpr, rows), grid((unsigned)std::min(groups, kMaxGridX), (unsigned)splits);
    if (vec) reduceRows<R, true><<<grid, block, 0, stream>>>(P, x, r, chunk, splits, part);
    else reduceRows<R, false><<<grid, block, 0, stream>>>(P, x, r, chunk, splits, part);
    CINDER_CUDA_LAUNCH_CHECK("reduceRows");
  }
  if (splits > 1) {
    const int64_t blocks = std::min<int64_t>((P.numOut + 7) / 8, kMaxGridX);
    reduceFinish<R><<<(unsigned)blocks, 256, 0, stream>>>(r, part, P.numOut, splits);
    CINDER_CUDA_LAUNCH_CHECK("reduceFinish");
  }
}

}  // namespace cured
}  // namespace cinder
