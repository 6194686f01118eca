// What the CUDA index and sort kernels share: strided geometry (linear index -> element offset),
// order-preserving radix keys (the CPU's ordering: NaN above everything, -0.0 equal to +0.0),
// a tiled stream compaction (count, scan of tile totals, emit) for the ops whose output size
// depends on the data, and the device-side record of the first out-of-range index.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <cstdint>
#include <type_traits>

#include "core/half.h"
#include "core/tensorDesc.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"

namespace cinder {
namespace cudaidx {

// Calls f(d, coordinate) for the dims of the i-th element of `shape` (row-major), last dim first.
// `small` (every linear index of the shape fits 32 bits) selects 32-bit divisions, several times
// cheaper than 64-bit ones on the GPU.
template <typename F>
__host__ __device__ __forceinline__ void forCoords(int64_t i, int nd, const int64_t* shape, bool small, F&& f) {
  if (small) {
    uint32_t rem = (uint32_t)i;
    for (int d = nd - 1; d >= 0; d--) {
      const uint32_t s = (uint32_t)shape[d];
      const uint32_t q = rem / s;
      f(d, (int64_t)(rem - q * s));
      rem = q;
    }
  } else {
    int64_t rem = i;
    for (int d = nd - 1; d >= 0; d--) {
      const int64_t q = rem / shape[d];
      f(d, rem - q * shape[d]);
      rem = q;
    }
  }
}

// Whether every linear index of the shape fits 32 bits.
inline bool smallShape(const int64_t* shape, int nd) {
  int64_t n = 1;
  for (int d = 0; d < nd; d++) {
    if (shape[d] == 0) return true;
    if (shape[d] > (int64_t)UINT32_MAX || n > (int64_t)UINT32_MAX / shape[d]) return false;
    n *= shape[d];
  }
  return true;
}

// Dims with element strides; offsetOf(i) is the element offset of the i-th element in row-major
// order (nd == 0: one element at offset 0).
struct Geom {
  int nd = 0;
  bool small = false;
  int64_t shape[kMaxDims];
  int64_t stride[kMaxDims];

  __host__ __device__ __forceinline__ int64_t offsetOf(int64_t i) const {
    int64_t off = 0;
    forCoords(i, nd, shape, small, [&](int d, int64_t c) { off += c * stride[d]; });
    return off;
  }
};

// The dims of t other than `skip` (-1: all of them), with their element strides.
inline Geom geomOf(const TensorDesc& t, int skip = -1) {
  Geom g;
  for (int d = 0; d < t.ndim; d++) {
    if (d == skip) continue;
    g.shape[g.nd] = t.shape[d];
    g.stride[g.nd] = t.strides[d];
    g.nd++;
  }
  g.small = smallShape(g.shape, g.nd);
  return g;
}

// ---- radix keys ------------------------------------------------------------------------------

template <typename T> struct KeyOf { using type = uint32_t; };
template <> struct KeyOf<double> { using type = uint64_t; };
template <> struct KeyOf<int64_t> { using type = uint64_t; };

template <typename T> constexpr bool kIsFloatKey = std::is_floating_point_v<T> || std::is_same_v<T, Half> ||
                                                   std::is_same_v<T, BFloat16>;

// Unsigned keys whose order is the CPU's lessNan order: NaN maps to the largest key (~0, which
// no other float reaches), -0.0 to +0.0's key; integers by value.
template <typename T>
__device__ __forceinline__ typename KeyOf<T>::type radixKey(T v) {
  if constexpr (std::is_same_v<T, float>) {
    if (v != v) return ~0u;
    uint32_t b = v == 0.0f ? 0u : __float_as_uint(v);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
  } else if constexpr (std::is_same_v<T, double>) {
    if (v != v) return ~0ull;
    uint64_t b = v == 0.0 ? 0ull : (uint64_t)__double_as_longlong(v);
    return (b & 0x8000000000000000ull) ? ~b : (b | 0x8000000000000000ull);
  } else if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    constexpr uint32_t inf = std::is_same_v<T, Half> ? 0x7c00u : 0x7f80u;
    uint32_t h = v.bits;
    if ((h & 0x7fffu) > inf) return ~0u;
    if ((h & 0x7fffu) == 0) h = 0;
    return (h & 0x8000u) ? (~h & 0xffffu) : (h | 0x8000u);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return (uint32_t)v ^ 0x80000000u;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return (uint64_t)v ^ 0x8000000000000000ull;
  } else {
    return (uint32_t)v;  // uint8, bool
  }
}

// Whether v is nonzero (a NaN is; -0.0 is not), as the CPU's load(v) != 0.
template <typename T>
__device__ __forceinline__ bool isNonzero(T v) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) return (v.bits & 0x7fffu) != 0;
  else return v != T(0);
}

// ---- error record ----------------------------------------------------------------------------

// The smallest linear position (in the order the op's CPU twin checks) of a bad index; ~0 when
// every index was in range.
__device__ __forceinline__ void recordBad(unsigned long long* slot, int64_t pos) {
  atomicMin(slot, (unsigned long long)pos);
}

// ---- tiled stream compaction -----------------------------------------------------------------

constexpr int kScanThreads = 256;
constexpr int kScanItems = 8;
constexpr int kScanTile = kScanThreads * kScanItems;

template <typename T>
__device__ __forceinline__ T warpInclusiveScan(T x) {
  const int lane = threadIdx.x & 31;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    T y = __shfl_up_sync(0xffffffffu, x, o);
    if (lane >= o) x += y;
  }
  return x;
}

// Exclusive scan of v over the block (blockDim.x a multiple of 32); *total gets the block's sum.
// smem: 32 T of shared memory; every thread of the block must call it.
template <typename T>
__device__ __forceinline__ T blockExclusiveScan(T v, T* smem, T* total) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
  T x = warpInclusiveScan(v);
  __syncthreads();  // smem may still be read by a previous call
  if (lane == 31) smem[warp] = x;
  __syncthreads();
  if (warp == 0) {
    T w = lane < nwarps ? smem[lane] : T(0);
    w = warpInclusiveScan(w);
    smem[lane] = w;
  }
  __syncthreads();
  *total = smem[nwarps - 1];
  return (warp > 0 ? smem[warp - 1] : T(0)) + x - v;
}

// tileSums[b] = number of i in tile b with flag(i).
template <typename Flag>
__global__ void __launch_bounds__(kScanThreads) compactCount(Flag flag, int64_t n, int64_t* tileSums) {
  __shared__ int smem[32];
  const int64_t base = (int64_t)blockIdx.x * kScanTile + (int64_t)threadIdx.x * kScanItems;
  int c = 0;
#pragma unroll
  for (int q = 0; q < kScanItems; q++) {
    const int64_t i = base + q;
    if (i < n && flag(i)) c++;
  }
  int total;
  blockExclusiveScan(c, smem, &total);
  if (threadIdx.x == 0) tileSums[blockIdx.x] = total;
}

// tileSums[0..tiles) -> exclusive prefix sums; tileSums[tiles] = the grand total. One block of
// 1024 threads walks the tiles in chunks, carrying the running sum.
template <int kThreads>
__global__ void __launch_bounds__(kThreads) compactScanTiles(int64_t* tileSums, int64_t tiles) {
  __shared__ int64_t smem[32];
  int64_t carry = 0;
  for (int64_t start = 0; start < tiles; start += kThreads) {
    const int64_t i = start + threadIdx.x;
    const int64_t v = i < tiles ? tileSums[i] : 0;
    int64_t total;
    const int64_t ex = blockExclusiveScan(v, smem, &total);
    if (i < tiles) tileSums[i] = carry + ex;
    carry += total;
  }
  if (threadIdx.x == 0) tileSums[tiles] = carry;
}

// emit(i, position) for every flagged i, positions in increasing order of i.
template <typename Flag, typename Emit>
__global__ void __launch_bounds__(kScanThreads) compactEmit(Flag flag, Emit emit, int64_t n, const int64_t* tileOffsets) {
  __shared__ int smem[32];
  const int64_t base = (int64_t)blockIdx.x * kScanTile + (int64_t)threadIdx.x * kScanItems;
  unsigned bits = 0;
  int c = 0;
#pragma unroll
  for (int q = 0; q < kScanItems; q++) {
    const int64_t i = base + q;
    if (i < n && flag(i)) {
      bits |= 1u << q;
      c++;
    }
  }
  int total;
  int64_t pos = tileOffsets[blockIdx.x] + blockExclusiveScan(c, smem, &total);
#pragma unroll
  for (int q = 0; q < kScanItems; q++)
    if (bits & (1u << q)) emit(base + q, pos++);
}

inline int64_t compactTiles(int64_t n) { return (n + kScanTile - 1) / kScanTile; }

// Counts the flagged elements of [0, n) (n > 0): tileSums (compactTiles(n) + 1 int64 of device
// scratch) ends up holding the tile offsets; the total is copied to the host (a sync).
template <typename Flag>
int64_t compactCountAll(int device, cudaStream_t stream, const Flag& flag, int64_t n, int64_t* tileSums,
                        const char* op) {
  const int64_t tiles = compactTiles(n);
  compactCount<<<(unsigned)tiles, kScanThreads, 0, stream>>>(flag, n, tileSums);
  CINDER_CUDA_LAUNCH_CHECK("compactCount");
  compactScanTiles<1024><<<1, 1024, 0, stream>>>(tileSums, tiles);
  CINDER_CUDA_LAUNCH_CHECK("compactScanTiles");
  int64_t total = 0;
  cudaCopyDeviceToHost(&total, tileSums + tiles, device, sizeof(int64_t), op);
  return total;
}

// Writes the flagged elements after compactCountAll filled tileSums.
template <typename Flag, typename Emit>
void compactEmitAll(cudaStream_t stream, const Flag& flag, const Emit& emit, int64_t n, const int64_t* tileSums,
                    const char* op) {
  const int64_t tiles = compactTiles(n);
  compactEmit<<<(unsigned)tiles, kScanThreads, 0, stream>>>(flag, emit, n, tileSums);
  CINDER_CUDA_LAUNCH_CHECK("compactEmit");
  (void)op;
}

}  // namespace cudaidx
}  // namespace cinder
