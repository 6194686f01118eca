// CUDA GEMM (cudaGemm.h).
//
// Tensor-core kernel (float32 as TF32, float16, bfloat16): block tiles of BM x BN by 128 bytes of
// k (32 or 64 elements) staged through a 3-deep cp.async pipeline in shared memory; warps own 64x32 (or 32x32) sub-tiles and issue
// mma.sync (m16n8k8 tf32 / m16n8k16 f16, bf16) with float32 accumulators. Each operand is kept in
// shared memory in its global layout (K-contiguous rows, or M/N-contiguous rows for transposed
// operands), padded so that the fragment reads of a warp hit 32 distinct banks; so no operand is
// ever transposed or copied first. Operands whose unit-stride dim, leading stride and base are
// 16-byte aligned are loaded with 16-byte cp.async (partial chunks at the matrix edge zero-fill);
// any other strides go through element loads into the same tiles.
//
// Split-K: when the output has too few tiles to fill the SMs and k is long, the tensor-core kernel
// runs once per k slice (the batch index picks the slice) into a float32 workspace, and a second
// kernel sums the slices and applies alpha, beta and the output dtype.
//
// SIMT kernel (float64, and float32 at "highest" precision): 16x16 threads, each computing a
// TM x TN register tile from double-buffered shared memory tiles filled through registers.
//
// Matrix-vector kernel (n == 1 or m == 1, float dtypes): a thread, a warp or a block per output
// element reduces over k in float32 (float64 for float64), whatever the precision setting.
//
// Integer kernel (int32, int64): one thread per element of C, wrap-around arithmetic.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "core/storage.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/cudaGemm.h"
#include "cuda/reduceUtil.cuh"

namespace cinder {
namespace {

bool gFloat32Highest = false;

// ---- small device helpers ----------------------------------------------------------------------

__device__ __forceinline__ float toF(float v) { return v; }
__device__ __forceinline__ float toF(__half v) { return __half2float(v); }
__device__ __forceinline__ float toF(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T>
__device__ __forceinline__ T fromF(float v);
template <>
__device__ __forceinline__ float fromF<float>(float v) { return v; }
template <>
__device__ __forceinline__ __half fromF<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 fromF<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

__device__ __forceinline__ void cpAsync16(void* smem, const void* gmem, int srcBytes) {
  unsigned s = (unsigned)__cvta_generic_to_shared(smem);
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(srcBytes) : "memory");
}
__device__ __forceinline__ void cpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cpAsyncWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

__device__ __forceinline__ uint32_t toTf32(float x) {
  uint32_t r;
  asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(r) : "f"(x));
  return r;
}

// D = A * B + D on one 16x8 tile; fragments in the PTX ISA's register layouts.
__device__ __forceinline__ void mma(float* d, const uint32_t* a, const uint32_t* b, float) {
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
__device__ __forceinline__ void mma(float* d, const uint32_t* a, const uint32_t* b, __half) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
__device__ __forceinline__ void mma(float* d, const uint32_t* a, const uint32_t* b, __nv_bfloat16) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

template <typename T>
__device__ __forceinline__ T zeroOf() {
  return T(0);
}
template <>
__device__ __forceinline__ __half zeroOf<__half>() {
  return __ushort_as_half((unsigned short)0);
}
template <>
__device__ __forceinline__ __nv_bfloat16 zeroOf<__nv_bfloat16>() {
  return __ushort_as_bfloat16((unsigned short)0);
}

// ---- tensor-core kernel ------------------------------------------------------------------------

// k extent of a block tile: 128 bytes of each row (32 float32, 64 float16/bfloat16 elements).
template <typename T>
constexpr int kBKOf = 128 / (int)sizeof(T);
constexpr int kStages = 3;

template <typename T>
struct MmaShape {
  static constexpr int kStep = 16;  // f16 / bf16: m16n8k16
};
template <>
struct MmaShape<float> {
  static constexpr int kStep = 8;  // tf32: m16n8k8
};

// One operand's tile in shared memory: BO rows of the outer dim (M for A, N for B) by kBK.
// KMAJOR: element (o, k) at o * kLd + k (k contiguous, as in global memory); otherwise at
// k * kLd + o. Rows are padded by 16 bytes (KMAJOR) or 8 elements so that a warp's fragment reads
// fall into distinct banks and every row start stays 16-byte aligned.
template <typename T, int BO, bool KMAJOR>
struct Tile {
  static constexpr int kBK = kBKOf<T>;
  static constexpr int kLd = KMAJOR ? kBK + (int)(16 / sizeof(T)) : BO + 8;
  static constexpr int kElems = KMAJOR ? BO * kLd : kBK * kLd;
  static __device__ __forceinline__ int at(int o, int k) { return KMAJOR ? o * kLd + k : k * kLd + o; }
};

// Fills one operand tile: X's element (o, k) is X[o * oStride + k * kStride] for o < O, k < K,
// zero elsewhere. vec: the unit-stride dim is the tile's contiguous dim and 16-byte aligned.
template <typename T, int BO, bool KMAJOR, int NT>
__device__ __forceinline__ void loadTile(T* s, const T* X, int64_t oStride, int64_t kStride, int64_t O, int64_t K,
                                         int64_t o0, int64_t k0, bool vec, int tid) {
  using L = Tile<T, BO, KMAJOR>;
  constexpr int kBK = kBKOf<T>;
  constexpr int E = 16 / (int)sizeof(T);
  if (vec) {
    // Chunks of E elements along the contiguous dim; a chunk past the edge reads only its valid
    // part (cp.async zero-fills the rest), one wholly outside reads nothing.
    constexpr int kRowLen = KMAJOR ? kBK : BO;
    constexpr int kPerRow = kRowLen / E;
    constexpr int kChunks = (KMAJOR ? BO : kBK) * kPerRow;
    static_assert(kChunks % NT == 0, "tile chunks must divide among the threads");
#pragma unroll
    for (int it = 0; it < kChunks / NT; it++) {
      int c = tid + it * NT;
      int row = c / kPerRow, col = (c % kPerRow) * E;
      int o = KMAJOR ? row : col, k = KMAJOR ? col : row;
      int64_t go = o0 + o, gk = k0 + k;
      int bytes = 0;
      const T* src = X;
      if (go < O && gk < K) {
        int64_t rem = KMAJOR ? K - gk : O - go;
        bytes = (int)(rem < E ? rem : E) * (int)sizeof(T);
        src = KMAJOR ? X + go * oStride + gk : X + gk * kStride + go;
      }
      cpAsync16(s + L::at(o, k), src, bytes);
    }
  } else {
    constexpr int kN = BO * kBK;
    static_assert(kN % NT == 0, "tile elements must divide among the threads");
#pragma unroll 4
    for (int it = 0; it < kN / NT; it++) {
      int e = tid + it * NT;
      int o = KMAJOR ? e / kBK : e % BO;
      int k = KMAJOR ? e % kBK : e / BO;
      int64_t go = o0 + o, gk = k0 + k;
      s[L::at(o, k)] = go < O && gk < K ? X[go * oStride + gk * kStride] : zeroOf<T>();
    }
  }
}

// Two consecutive-k 16-bit elements packed as one register (lower k in the low half).
template <typename T, typename L, bool KMAJOR>
__device__ __forceinline__ uint32_t pairAt(const T* s, int o, int k) {
  if (KMAJOR) return *reinterpret_cast<const uint32_t*>(s + L::at(o, k));
  const unsigned short* u = reinterpret_cast<const unsigned short*>(s);
  return (uint32_t)u[L::at(o, k)] | ((uint32_t)u[L::at(o, k + 1)] << 16);
}

template <typename T, int BM, int BN, int WARPS_M, int WARPS_N, bool AK, bool BKM>
// Split-K mode (partial != nullptr): batch index bz is k slice bz, covering k indices
// [bz * g.k, min(kTotal, (bz + 1) * g.k)) through A and B's batch strides; its raw accumulators go
// to partial[bz][m][n] (alpha, beta and C are left to splitKReduce).
__global__ void __launch_bounds__(WARPS_M* WARPS_N * 32, 1)
    gemmMma(CudaGemmArgs g, bool vecA, bool vecB, float* partial, int64_t kTotal) {
  constexpr int NT = WARPS_M * WARPS_N * 32;
  using LA = Tile<T, BM, AK>;
  using LB = Tile<T, BN, BKM>;
  constexpr int WTM = BM / WARPS_M, WTN = BN / WARPS_N;
  constexpr int MI = WTM / 16, NI = WTN / 8;
  constexpr int KS = MmaShape<T>::kStep;
  constexpr int kBK = kBKOf<T>;
  constexpr int kStageElems = LA::kElems + LB::kElems;
  static_assert(WTM % 16 == 0 && WTN % 8 == 0 && kBK % KS == 0, "bad tile shape");

  extern __shared__ __align__(16) unsigned char gemmSmem[];
  T* smem = reinterpret_cast<T*>(gemmSmem);
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int wm = (warp % WARPS_M) * WTM, wn = (warp / WARPS_M) * WTN;
  const int gq = lane >> 2, tq = lane & 3;
  const int64_t m0 = (int64_t)blockIdx.x * BM;
  const int64_t tilesN = (g.n + BN - 1) / BN;
  const float alpha = (float)g.alpha, beta = (float)g.beta;

  for (int64_t bz = blockIdx.z; bz < g.batch; bz += gridDim.z) {
    int64_t kLen = g.k;
    if (partial != nullptr) {
      int64_t left = kTotal - bz * g.k;
      kLen = left < g.k ? left : g.k;
    }
    const int ktiles = (int)((kLen + kBK - 1) / kBK);
    const T* A = static_cast<const T*>(g.a) + bz * g.aBatch;
    const T* B = static_cast<const T*>(g.b) + bz * g.bBatch;
    T* C = static_cast<T*>(g.c) + bz * g.cBatch;
    for (int64_t tn = blockIdx.y; tn < tilesN; tn += gridDim.y) {
      const int64_t n0 = tn * BN;
      auto load = [&](int stage, int kt) {
        T* s = smem + stage * kStageElems;
        int64_t k0 = (int64_t)kt * kBK;
        loadTile<T, BM, AK, NT>(s, A, g.aRow, g.aCol, g.m, kLen, m0, k0, vecA, tid);
        loadTile<T, BN, BKM, NT>(s + LA::kElems, B, g.bCol, g.bRow, g.n, kLen, n0, k0, vecB, tid);
      };
      float acc[MI][NI][4];
#pragma unroll
      for (int i = 0; i < MI; i++)
#pragma unroll
        for (int j = 0; j < NI; j++)
#pragma unroll
          for (int r = 0; r < 4; r++) acc[i][j][r] = 0.f;

      // Prologue: tiles 0 .. kStages-2 in flight (one commit group each, empty past the end).
#pragma unroll
      for (int s = 0; s < kStages - 1; s++) {
        if (s < ktiles) load(s, s);
        cpAsyncCommit();
      }
      for (int kt = 0; kt < ktiles; kt++) {
        // Groups committed so far: kStages-1+kt; at most kStages-2 pending means tile kt landed.
        cpAsyncWait<kStages - 2>();
        // Tile kt is visible to all threads, and every warp is done with tile kt-1, whose stage
        // the prefetch below overwrites.
        __syncthreads();
        int pf = kt + kStages - 1;
        if (pf < ktiles) load(pf % kStages, pf);
        cpAsyncCommit();
        const T* sA = smem + (kt % kStages) * kStageElems;
        const T* sB = sA + LA::kElems;
#pragma unroll
        for (int kk = 0; kk < kBK; kk += KS) {
          uint32_t af[MI][4], bf[NI][2];
#pragma unroll
          for (int i = 0; i < MI; i++) {
            int r = wm + i * 16 + gq;
            if constexpr (sizeof(T) == 4) {
              af[i][0] = toTf32(sA[LA::at(r, kk + tq)]);
              af[i][1] = toTf32(sA[LA::at(r + 8, kk + tq)]);
              af[i][2] = toTf32(sA[LA::at(r, kk + tq + 4)]);
              af[i][3] = toTf32(sA[LA::at(r + 8, kk + tq + 4)]);
            } else {
              af[i][0] = pairAt<T, LA, AK>(sA, r, kk + 2 * tq);
              af[i][1] = pairAt<T, LA, AK>(sA, r + 8, kk + 2 * tq);
              af[i][2] = pairAt<T, LA, AK>(sA, r, kk + 2 * tq + 8);
              af[i][3] = pairAt<T, LA, AK>(sA, r + 8, kk + 2 * tq + 8);
            }
          }
#pragma unroll
          for (int j = 0; j < NI; j++) {
            int c = wn + j * 8 + gq;
            if constexpr (sizeof(T) == 4) {
              bf[j][0] = toTf32(sB[LB::at(c, kk + tq)]);
              bf[j][1] = toTf32(sB[LB::at(c, kk + tq + 4)]);
            } else {
              bf[j][0] = pairAt<T, LB, BKM>(sB, c, kk + 2 * tq);
              bf[j][1] = pairAt<T, LB, BKM>(sB, c, kk + 2 * tq + 8);
            }
          }
#pragma unroll
          for (int i = 0; i < MI; i++)
#pragma unroll
            for (int j = 0; j < NI; j++) mma(acc[i][j], af[i], bf[j], T());
        }
      }
      cpAsyncWait<0>();
      // Every warp is done reading shared memory before the next tile's prologue refills it.
      __syncthreads();

      // Accumulator (i, j, r): row gq (+8 for r >= 2), column 2 * tq + (r & 1) of sub-tile (i, j).
#pragma unroll
      for (int i = 0; i < MI; i++) {
#pragma unroll
        for (int h = 0; h < 2; h++) {
          int64_t row = m0 + wm + i * 16 + gq + h * 8;
          if (row >= g.m) continue;
#pragma unroll
          for (int j = 0; j < NI; j++) {
#pragma unroll
            for (int e = 0; e < 2; e++) {
              int64_t col = n0 + wn + j * 8 + 2 * tq + e;
              if (col >= g.n) continue;
              if (partial != nullptr) {
                partial[(bz * g.m + row) * g.n + col] = acc[i][j][h * 2 + e];
                continue;
              }
              T* p = C + row * g.cRow + col * g.cCol;
              float v = alpha * acc[i][j][h * 2 + e];
              if (beta != 0.f) v += beta * toF(*p);
              *p = fromF<T>(v);
            }
          }
        }
      }
    }
  }
}

constexpr int kMaxDevices = 64;

// Whether X can be read with aligned 16-byte chunks along its unit-stride dim: the dim has stride
// 1, and the base, the other stride (when that dim has more than one index) and the batch stride
// (when there is more than one batch) keep every chunk start 16-byte aligned.
bool chunkable(const void* base, int64_t unit, int64_t other, int64_t otherExtent, int64_t batchStride,
               int64_t batch, int elem) {
  int64_t per = 16 / elem;
  if ((reinterpret_cast<uintptr_t>(base) & 15) != 0 || unit != 1) return false;
  if (otherExtent > 1 && other % per != 0) return false;
  if (batch > 1 && batchStride % per != 0) return false;
  return true;
}

__host__ __device__ inline int64_t absl(int64_t v) { return v < 0 ? -v : v; }

int smCount(int device) {
  static int cached[kMaxDevices] = {};
  if (device < kMaxDevices && cached[device] > 0) return cached[device];
  int v = 0;
  if (cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, device) != cudaSuccess || v <= 0) {
    cudaGetLastError();
    v = 108;
  }
  if (device < kMaxDevices) cached[device] = v;
  return v;
}

unsigned clampGrid(int64_t v) { return (unsigned)(v < 1 ? 1 : v > 65535 ? 65535 : v); }

// C = alpha * sum over the slices of partial + beta * C.
template <typename T>
__global__ void splitKReduce(const float* partial, int64_t slices, CudaGemmArgs g) {
  const int64_t mn = g.m * g.n;
  T* C = static_cast<T*>(g.c);
  const float alpha = (float)g.alpha, beta = (float)g.beta;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < mn; idx += (int64_t)gridDim.x * blockDim.x) {
    float sum = 0.f;
    for (int64_t s = 0; s < slices; s++) sum += partial[s * mn + idx];
    T* p = C + (idx / g.n) * g.cRow + (idx % g.n) * g.cCol;
    float v = alpha * sum;
    if (beta != 0.f) v += beta * toF(*p);
    *p = fromF<T>(v);
  }
}

template <typename T, int BM, int BN, int WM, int WN, bool AK, bool BKM>
void launchMmaCfg(int device, const CudaGemmArgs& g, bool vecA, bool vecB, cudaStream_t s, const char* op,
                  float* partial, int64_t kTotal) {
  auto kern = gemmMma<T, BM, BN, WM, WN, AK, BKM>;
  constexpr size_t smem = (size_t)kStages * (Tile<T, BM, AK>::kElems + Tile<T, BN, BKM>::kElems) * sizeof(T);
  static bool attrSet[kMaxDevices] = {};
  if (device >= kMaxDevices || !attrSet[device]) {
    CINDER_CUDA_CHECK(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem), op,
                      ": gemm shared memory");
    if (device < kMaxDevices) attrSet[device] = true;
  }
  int64_t tilesM = (g.m + BM - 1) / BM, tilesN = (g.n + BN - 1) / BN;
  CINDER_CHECK(tilesM <= 0x7fffffff, op, ": matrix too large for the CUDA GEMM (", g.m, " rows)");
  dim3 grid((unsigned)tilesM, clampGrid(tilesN), clampGrid(g.batch));
  kern<<<grid, WM * WN * 32, smem, s>>>(g, vecA, vecB, partial, kTotal);
  CINDER_CUDA_LAUNCH_CHECK("gemmMma");
}

template <typename T, int BM, int BN, int WM, int WN>
void launchMmaLayouts(int device, const CudaGemmArgs& g, cudaStream_t s, const char* op, float* partial = nullptr,
                      int64_t kTotal = 0) {
  // Each operand's tile follows its smaller stride (its contiguous dim for dense operands).
  bool ak = g.aCol == 1 || (g.aRow != 1 && absl(g.aCol) <= absl(g.aRow));
  bool bk = g.bRow == 1 || (g.bCol != 1 && absl(g.bRow) <= absl(g.bCol));
  int el = (int)sizeof(T);
  bool vecA = ak ? chunkable(g.a, g.aCol, g.aRow, g.m, g.aBatch, g.batch, el)
                 : chunkable(g.a, g.aRow, g.aCol, g.k, g.aBatch, g.batch, el);
  bool vecB = bk ? chunkable(g.b, g.bRow, g.bCol, g.n, g.bBatch, g.batch, el)
                 : chunkable(g.b, g.bCol, g.bRow, g.k, g.bBatch, g.batch, el);
  if (ak && bk) return launchMmaCfg<T, BM, BN, WM, WN, true, true>(device, g, vecA, vecB, s, op, partial, kTotal);
  if (ak) return launchMmaCfg<T, BM, BN, WM, WN, true, false>(device, g, vecA, vecB, s, op, partial, kTotal);
  if (bk) return launchMmaCfg<T, BM, BN, WM, WN, false, true>(device, g, vecA, vecB, s, op, partial, kTotal);
  return launchMmaCfg<T, BM, BN, WM, WN, false, false>(device, g, vecA, vecB, s, op, partial, kTotal);
}

template <typename T>
void launchMma(int device, const CudaGemmArgs& g, cudaStream_t s, const char* op) {
  // 128x128 tiles (8 warps of 64x32) unless that leaves SMs idle or the matrices are small; then
  // 64x64 (4 warps).
  const int sms = smCount(device);
  int64_t bigTiles = ((g.m + 127) / 128) * ((g.n + 127) / 128) * g.batch;
  if (bigTiles >= sms && g.m > 64 && g.n > 64) return launchMmaLayouts<T, 128, 128, 2, 4>(device, g, s, op);
  int64_t smallTiles = ((g.m + 63) / 64) * ((g.n + 63) / 64) * g.batch;
  if (g.batch == 1 && smallTiles < sms && g.k >= 1024) {
    // Split-K: about two waves of blocks, slices of at least 256, at most 32 slices.
    int64_t slices = (2 * sms + smallTiles - 1) / smallTiles;
    if (slices > g.k / 256) slices = g.k / 256;
    if (slices > 32) slices = 32;
    if (slices >= 2) {
      int64_t kc = (g.k + slices - 1) / slices;
      kc = (kc + kBKOf<T> - 1) / kBKOf<T> * kBKOf<T>;  // whole tiles; slice starts stay 16-byte aligned
      slices = (g.k + kc - 1) / kc;
      struct Workspace {
        Storage* st;
        ~Workspace() { releaseStorage(st); }
      } ws{newDeviceStorage(device, (size_t)(slices * g.m * g.n) * sizeof(float), op)};
      float* partial = static_cast<float*>(ws.st->data);
      CudaGemmArgs sg = g;
      sg.k = kc;
      sg.batch = slices;
      sg.aBatch = kc * g.aCol;
      sg.bBatch = kc * g.bRow;
      launchMmaLayouts<T, 64, 64, 2, 2>(device, sg, s, op, partial, g.k);
      splitKReduce<T><<<gridFor(g.m * g.n, 256), 256, 0, s>>>(partial, slices, g);
      CINDER_CUDA_LAUNCH_CHECK("splitKReduce");
      return;
    }
  }
  return launchMmaLayouts<T, 64, 64, 2, 2>(device, g, s, op);
}

// ---- SIMT kernel (float64; exact float32) ------------------------------------------------------

template <typename T, int TM, int TN, int BK>
__global__ void __launch_bounds__(256) gemmSimt(CudaGemmArgs g) {
  constexpr int BM = 16 * TM, BN = 16 * TN, PAD = 4;
  constexpr int LA = BM * BK / 256, LB = BN * BK / 256;
  static_assert(BM * BK % 256 == 0 && BN * BK % 256 == 0, "bad SIMT tile");
  __shared__ T sA[2][BK][BM + PAD];
  __shared__ T sB[2][BK][BN + PAD];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const bool aKFast = absl(g.aCol) <= absl(g.aRow);  // consecutive threads walk A's smaller stride
  const bool bKFast = absl(g.bRow) <= absl(g.bCol);
  const int64_t m0 = (int64_t)blockIdx.x * BM;
  const int64_t tilesN = (g.n + BN - 1) / BN;
  const int ktiles = (int)((g.k + BK - 1) / BK);
  const T alpha = (T)g.alpha, beta = (T)g.beta;

  for (int64_t bz = blockIdx.z; bz < g.batch; bz += gridDim.z) {
    const T* A = static_cast<const T*>(g.a) + bz * g.aBatch;
    const T* B = static_cast<const T*>(g.b) + bz * g.bBatch;
    T* C = static_cast<T*>(g.c) + bz * g.cBatch;
    for (int64_t tn = blockIdx.y; tn < tilesN; tn += gridDim.y) {
      const int64_t n0 = tn * BN;
      T ra[LA], rb[LB];
      auto gload = [&](int kt) {
        int64_t k0 = (int64_t)kt * BK;
#pragma unroll
        for (int l = 0; l < LA; l++) {
          int e = tid + 256 * l;
          int mm = aKFast ? e / BK : e % BM, kk = aKFast ? e % BK : e / BM;
          int64_t gm = m0 + mm, gk = k0 + kk;
          ra[l] = gm < g.m && gk < g.k ? A[gm * g.aRow + gk * g.aCol] : T(0);
        }
#pragma unroll
        for (int l = 0; l < LB; l++) {
          int e = tid + 256 * l;
          int nn = bKFast ? e / BK : e % BN, kk = bKFast ? e % BK : e / BN;
          int64_t gn = n0 + nn, gk = k0 + kk;
          rb[l] = gn < g.n && gk < g.k ? B[gk * g.bRow + gn * g.bCol] : T(0);
        }
      };
      auto sstore = [&](int buf) {
#pragma unroll
        for (int l = 0; l < LA; l++) {
          int e = tid + 256 * l;
          int mm = aKFast ? e / BK : e % BM, kk = aKFast ? e % BK : e / BM;
          sA[buf][kk][mm] = ra[l];
        }
#pragma unroll
        for (int l = 0; l < LB; l++) {
          int e = tid + 256 * l;
          int nn = bKFast ? e / BK : e % BN, kk = bKFast ? e % BK : e / BN;
          sB[buf][kk][nn] = rb[l];
        }
      };
      T acc[TM][TN];
#pragma unroll
      for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = T(0);
      if (ktiles > 0) {
        gload(0);
        sstore(0);
      }
      __syncthreads();
      for (int kt = 0; kt < ktiles; kt++) {
        const int cur = kt & 1;
        const bool more = kt + 1 < ktiles;
        if (more) gload(kt + 1);  // global loads in flight during the FMAs below
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
          T a[TM], b[TN];
#pragma unroll
          for (int i = 0; i < TM; i++) a[i] = sA[cur][kk][ty + 16 * i];
#pragma unroll
          for (int j = 0; j < TN; j++) b[j] = sB[cur][kk][tx + 16 * j];
#pragma unroll
          for (int i = 0; i < TM; i++)
#pragma unroll
            for (int j = 0; j < TN; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        // The other buffer was last read in iteration kt-1, which every thread has finished.
        if (more) sstore(cur ^ 1);
        __syncthreads();
      }
#pragma unroll
      for (int i = 0; i < TM; i++) {
        int64_t row = m0 + ty + 16 * i;
        if (row >= g.m) continue;
#pragma unroll
        for (int j = 0; j < TN; j++) {
          int64_t col = n0 + tx + 16 * j;
          if (col >= g.n) continue;
          T* p = C + row * g.cRow + col * g.cCol;
          T v = alpha * acc[i][j];
          if (beta != T(0)) v += beta * *p;
          *p = v;
        }
      }
    }
  }
}

template <typename T, int TM, int TN, int BK>
void launchSimt(const CudaGemmArgs& g, cudaStream_t s, const char* op) {
  constexpr int BM = 16 * TM, BN = 16 * TN;
  int64_t tilesM = (g.m + BM - 1) / BM, tilesN = (g.n + BN - 1) / BN;
  CINDER_CHECK(tilesM <= 0x7fffffff, op, ": matrix too large for the CUDA GEMM (", g.m, " rows)");
  dim3 grid((unsigned)tilesM, clampGrid(tilesN), clampGrid(g.batch));
  gemmSimt<T, TM, TN, BK><<<grid, 256, 0, s>>>(g);
  CINDER_CUDA_LAUNCH_CHECK("gemmSimt");
}


// ---- matrix-vector kernel ----------------------------------------------------------------------

// out[b][r] = alpha * sum_p mat[b][r][p] * vec[b][p] + beta * out[b][r] (strides in elements).
struct GemvArgs {
  const void* mat = nullptr;
  int64_t rows = 0, k = 0, rowStride = 0, kStride = 0, matBatch = 0;
  const void* vec = nullptr;
  int64_t vecStride = 0, vecBatch = 0;
  void* out = nullptr;
  int64_t outStride = 0, outBatch = 0, batch = 1;
  double alpha = 1, beta = 0;
};

template <typename T>
struct AccOf {
  using type = float;
};
template <>
struct AccOf<double> {
  using type = double;
};
__device__ __forceinline__ double toF(double v) { return v; }
__device__ __forceinline__ void storeAcc(float* p, float v) { *p = v; }
__device__ __forceinline__ void storeAcc(double* p, double v) { *p = v; }
__device__ __forceinline__ void storeAcc(__half* p, float v) { *p = __float2half_rn(v); }
__device__ __forceinline__ void storeAcc(__nv_bfloat16* p, float v) { *p = __float2bfloat16_rn(v); }

// GROUP threads per output: 1 (threads walk rows: for column-major matrices), 32 (a warp) or
// blockDim.x (the whole block, for long reductions over few outputs).
template <typename T, int GROUP>
__global__ void __launch_bounds__(256) gemvKernel(GemvArgs g) {
  using A = typename AccOf<T>::type;
  __shared__ A scratch[32];
  const T* M = static_cast<const T*>(g.mat);
  const T* V = static_cast<const T*>(g.vec);
  T* O = static_cast<T*>(g.out);
  const int64_t outputs = g.rows * g.batch;
  const int groupsPerBlock = (int)blockDim.x / GROUP;
  const int lane = (int)threadIdx.x % GROUP;
  const int64_t stride = (int64_t)gridDim.x * groupsPerBlock;
  // GROUP == blockDim.x: every thread of a block walks the same outputs (blockAllReduce needs all).
  for (int64_t o = (int64_t)blockIdx.x * groupsPerBlock + (int)threadIdx.x / GROUP; o < outputs; o += stride) {
    const int64_t b = o / g.rows, r = o % g.rows;
    const T* row = M + b * g.matBatch + r * g.rowStride;
    const T* vec = V + b * g.vecBatch;
    A acc = 0;
    for (int64_t p = lane; p < g.k; p += GROUP) acc += toF(row[p * g.kStride]) * toF(vec[p * g.vecStride]);
    if constexpr (GROUP == 32) acc = warpAllReduce(acc, SumOp());
    else if constexpr (GROUP > 32) acc = blockAllReduce(acc, SumOp(), A(0), scratch);
    if (lane == 0) {
      T* p = O + b * g.outBatch + r * g.outStride;
      A v = (A)g.alpha * acc;
      if (g.beta != 0) v += (A)g.beta * toF(*p);
      storeAcc(p, v);
    }
  }
}

template <typename T>
void launchGemv(const CudaGemmArgs& c, cudaStream_t s) {
  GemvArgs g;
  if (c.n == 1) {  // C[:, 0] = A @ B[:, 0]
    g.mat = c.a;
    g.rows = c.m;
    g.rowStride = c.aRow;
    g.kStride = c.aCol;
    g.matBatch = c.aBatch;
    g.vec = c.b;
    g.vecStride = c.bRow;
    g.vecBatch = c.bBatch;
    g.outStride = c.cRow;
  } else {  // m == 1: C[0, :] = B^T @ A[0, :]
    g.mat = c.b;
    g.rows = c.n;
    g.rowStride = c.bCol;
    g.kStride = c.bRow;
    g.matBatch = c.bBatch;
    g.vec = c.a;
    g.vecStride = c.aCol;
    g.vecBatch = c.aBatch;
    g.outStride = c.cCol;
  }
  g.k = c.k;
  g.out = c.c;
  g.outBatch = c.cBatch;
  g.batch = c.batch;
  g.alpha = c.alpha;
  g.beta = c.beta;
  const int64_t outputs = g.rows * g.batch;
  if (g.rowStride == 1 && g.kStride != 1 && g.rows > 1) {
    gemvKernel<T, 1><<<gridFor(outputs, 256), 256, 0, s>>>(g);
  } else if (g.k >= 2048 && outputs < 2048) {
    gemvKernel<T, 256><<<gridFor(outputs, 1), 256, 0, s>>>(g);
  } else {
    gemvKernel<T, 32><<<gridFor(outputs, 8), 256, 0, s>>>(g);
  }
  CINDER_CUDA_LAUNCH_CHECK("gemvKernel");
}

// ---- integer kernel ----------------------------------------------------------------------------

template <typename T, typename U>
__global__ void gemmInt(CudaGemmArgs g, T alpha, T beta) {
  const T* A = static_cast<const T*>(g.a);
  const T* B = static_cast<const T*>(g.b);
  T* C = static_cast<T*>(g.c);
  const int64_t total = g.m * g.n * g.batch;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total;
       idx += (int64_t)gridDim.x * blockDim.x) {
    int64_t j = idx % g.n, t = idx / g.n, i = t % g.m, b = t / g.m;
    const T* a = A + b * g.aBatch + i * g.aRow;
    const T* bp = B + b * g.bBatch + j * g.bCol;
    U acc = 0;
    for (int64_t p = 0; p < g.k; p++) acc += (U)a[p * g.aCol] * (U)bp[p * g.bRow];
    T* c = C + b * g.cBatch + i * g.cRow + j * g.cCol;
    U r = (U)alpha * acc;
    if (beta != 0) r += (U)beta * (U)*c;
    *c = (T)r;
  }
}

template <typename T, typename U>
void launchInt(const CudaGemmArgs& g, cudaStream_t s) {
  gemmInt<T, U><<<gridFor(g.m * g.n * g.batch, 256), 256, 0, s>>>(g, (T)g.alpha, (T)g.beta);
  CINDER_CUDA_LAUNCH_CHECK("gemmInt");
}

bool exactFloat32(const CudaGemmArgs& g) { return g.exactFloat32 || gFloat32Highest; }

}  // namespace

void cudaSetFloat32MatmulHighest(bool highest) { gFloat32Highest = highest; }
bool cudaFloat32MatmulHighest() { return gFloat32Highest; }

const char* cudaGemmPath(DType dt) {
  switch (dt) {
    case DType::Float32:
      return gFloat32Highest ? "float32 SIMT FMA (exact float32, 128x128 tiles)"
                             : "tf32 tensor cores (mma.sync m16n8k8, float32 accumulate, cp.async 3-stage)";
    case DType::Float16: return "float16 tensor cores (mma.sync m16n8k16, float32 accumulate, cp.async 3-stage)";
    case DType::BFloat16: return "bfloat16 tensor cores (mma.sync m16n8k16, float32 accumulate, cp.async 3-stage)";
    case DType::Float64: return "float64 SIMT FMA (64x64 tiles)";
    case DType::Int32:
    case DType::Int64: return "integer SIMT (exact, wrap-around)";
    default: return "none";
  }
}

void cudaGemm(int device, const CudaGemmArgs& g, const char* op) {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  CINDER_CHECK(g.m > 0 && g.n > 0 && g.k >= 0 && g.batch > 0, op, ": invalid GEMM sizes");
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  if (g.m == 1 || g.n == 1) {
    switch (g.dtype) {
      case DType::Float32: return launchGemv<float>(g, s);
      case DType::Float64: return launchGemv<double>(g, s);
      case DType::Float16: return launchGemv<__half>(g, s);
      case DType::BFloat16: return launchGemv<__nv_bfloat16>(g, s);
      default: break;
    }
  }
  switch (g.dtype) {
    case DType::Float32:
      if (exactFloat32(g)) return launchSimt<float, 8, 8, 8>(g, s, op);
      return launchMma<float>(device, g, s, op);
    case DType::Float64: return launchSimt<double, 4, 4, 16>(g, s, op);
    case DType::Float16: return launchMma<__half>(device, g, s, op);
    case DType::BFloat16: return launchMma<__nv_bfloat16>(device, g, s, op);
    case DType::Int32: return launchInt<int32_t, uint32_t>(g, s);
    case DType::Int64: return launchInt<int64_t, uint64_t>(g, s);
    default:
      fail(op, ": matrix products on CUDA take float32, float64, float16, bfloat16, int32 or int64, got ",
           dtypeName(g.dtype));
  }
}

}  // namespace cinder
