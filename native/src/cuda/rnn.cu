// CUDA recurrent layers (see cuda/rnn.h; cpu/rnn.cc is the twin, with the same gate formulas,
// order of operations and workspace layout). The matrix products go through cudaGemm; the gate
// kernels run one thread per (batch row, hidden unit), reading that unit's G gates, so loads
// and stores of a warp are contiguous along the hidden dimension.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>

#include "core/dtype.h"
#include "core/storage.h"
#include "cpu/rnnChecks.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/deviceScratch.h"
#include "cuda/cudaGemm.h"
#include "cuda/rnn.h"

namespace cinder {
namespace {

constexpr int kThreads = 256;

using Scratch = DeviceScratch;

using Dims = RnnDims;  // checks and geometry: cpu/rnnChecks.h

// ---- activations -------------------------------------------------------------------------------

__device__ __forceinline__ float sigmoidOf(float v) { return 1.0f / (1.0f + expf(-v)); }
__device__ __forceinline__ double sigmoidOf(double v) { return 1.0 / (1.0 + exp(-v)); }
__device__ __forceinline__ float tanhOf(float v) { return tanhf(v); }
__device__ __forceinline__ double tanhOf(double v) { return tanh(v); }

// (row, unit) of a linear index over [N, H].
__device__ __forceinline__ void splitIndex(int64_t i, int64_t H, bool narrow, int64_t& n, int64_t& j) {
  if (narrow) {
    n = (int64_t)((uint32_t)i / (uint32_t)H);
    j = (int64_t)((uint32_t)i - (uint32_t)n * (uint32_t)H);
  } else {
    n = i / H;
    j = i - n * H;
  }
}

// One step forward. x: this step's input projection [N, GH]; hp: h_prev W_hh^T [N, GH]; b: b_hh or
// null; hprev [N, H]; cprev: rows of stride cstride (LSTM); out: this step's h [N, H]; ws: this
// step's workspace rows [N, W].
template <typename T, int MODE>
__global__ void gatesForward(const T* __restrict__ x, const T* __restrict__ hp, const T* __restrict__ b,
                             const T* __restrict__ hprev, const T* __restrict__ cprev, int64_t cstride, T* __restrict__ out,
                             T* __restrict__ ws, int64_t N, int64_t H) {
  const int64_t total = N * H, GH = (MODE == (int)RnnMode::Lstm ? 4 : MODE == (int)RnnMode::Gru ? 3 : 1) * H;
  const int64_t W = MODE == (int)RnnMode::Lstm ? 5 * H : 4 * H;
  const bool narrow = total <= (int64_t)UINT32_MAX;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += step) {
    int64_t n, j;
    splitIndex(i, H, narrow, n, j);
    const T* xr = x + n * GH;
    const T* pr = hp + n * GH;
    // (h W_hh^T + b_hh) of gate q, as the CPU adds them.
    auto hidden = [&](int q) { return b ? pr[q * H + j] + b[q * H + j] : pr[q * H + j]; };
    if constexpr (MODE == (int)RnnMode::Tanh || MODE == (int)RnnMode::Relu) {
      const T v = hidden(0) + xr[j];
      out[i] = MODE == (int)RnnMode::Tanh ? tanhOf(v) : (v > T(0) ? v : T(0));
    } else if constexpr (MODE == (int)RnnMode::Lstm) {
      T* g = ws + n * W;
      const T ig = sigmoidOf(hidden(0) + xr[j]);
      const T fg = sigmoidOf(hidden(1) + xr[H + j]);
      const T gg = tanhOf(hidden(2) + xr[2 * H + j]);
      const T og = sigmoidOf(hidden(3) + xr[3 * H + j]);
      const T c = fg * cprev[n * cstride + j] + ig * gg;
      g[j] = ig;
      g[H + j] = fg;
      g[2 * H + j] = gg;
      g[3 * H + j] = og;
      g[4 * H + j] = c;
      out[i] = og * tanhOf(c);
    } else {
      T* g = ws + n * W;
      const T hn = hidden(2);
      const T r = sigmoidOf(hidden(0) + xr[j]);
      const T z = sigmoidOf(hidden(1) + xr[H + j]);
      const T nn = tanhOf(xr[2 * H + j] + r * hn);
      g[j] = r;
      g[H + j] = z;
      g[2 * H + j] = nn;
      g[3 * H + j] = hn;  // W_hn h + b_hn, for backward
      out[i] = nn + z * (hprev[i] - nn);
    }
  }
}

// One step backward. dh [N, H]: the gradient flowing into this step's h (the output gradient of
// the step, go with element strides gs, is added here); dc [N, H] likewise for the LSTM cell. gx:
// this step's rows of the input-projection gradient [N, GH]; dhp (GRU): the gradient of the
// hidden projection, whose n gate sees it through r. Non-GRU modes leave dh to the GEMM that
// follows (which overwrites it); the GRU keeps dh * z there and the GEMM adds to it.
template <typename T, int MODE>
__global__ void gatesBackward(const T* __restrict__ go, int64_t gs0, int64_t gs1, int64_t gs2, T* __restrict__ dh,
                              T* __restrict__ dc, const T* __restrict__ h, const T* __restrict__ ws,
                              const T* __restrict__ hprev, const T* __restrict__ cprev, int64_t cstride,
                              T* __restrict__ gx, T* __restrict__ dhp, int64_t N, int64_t H) {
  const int64_t total = N * H, GH = (MODE == (int)RnnMode::Lstm ? 4 : MODE == (int)RnnMode::Gru ? 3 : 1) * H;
  const int64_t W = MODE == (int)RnnMode::Lstm ? 5 * H : 4 * H;
  const bool narrow = total <= (int64_t)UINT32_MAX;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += step) {
    int64_t n, j;
    splitIndex(i, H, narrow, n, j);
    T dht = dh[i];
    if (go) dht = dht + go[n * gs1 + j * gs2 + gs0];
    T* gxr = gx + n * GH;
    if constexpr (MODE == (int)RnnMode::Tanh) {
      const T hv = h[i];
      gxr[j] = dht * (T(1) - hv * hv);
    } else if constexpr (MODE == (int)RnnMode::Relu) {
      gxr[j] = h[i] > T(0) ? dht : T(0);
    } else if constexpr (MODE == (int)RnnMode::Lstm) {
      const T* g = ws + n * W;
      const T ig = g[j], fg = g[H + j], gg = g[2 * H + j], og = g[3 * H + j];
      const T tc = tanhOf(g[4 * H + j]);
      const T cp = cprev[n * cstride + j];
      const T dct = dc[i] + dht * og * (T(1) - tc * tc);
      gxr[j] = dct * gg * ig * (T(1) - ig);
      gxr[H + j] = dct * cp * fg * (T(1) - fg);
      gxr[2 * H + j] = dct * ig * (T(1) - gg * gg);
      gxr[3 * H + j] = dht * tc * og * (T(1) - og);
      dc[i] = dct * fg;
    } else {
      const T* g = ws + n * W;
      const T r = g[j], z = g[H + j], nn = g[2 * H + j], hn = g[3 * H + j];
      const T dn = dht * (T(1) - z) * (T(1) - nn * nn);
      const T dz = dht * (hprev[i] - nn) * z * (T(1) - z);
      const T dr = dn * hn * r * (T(1) - r);
      gxr[j] = dr;
      gxr[H + j] = dz;
      gxr[2 * H + j] = dn;
      T* hpr = dhp + n * GH;
      hpr[j] = dr;
      hpr[H + j] = dz;
      hpr[2 * H + j] = dn * r;
      dh[i] = dht * z;
    }
  }
}

// Column sums of a [rows, cols] matrix in double, deterministic: blocks of 32 columns x 8 row
// lanes over a split of the rows write partials, a second kernel adds them in split order.
constexpr int kTileRows = 8;

template <typename T>
__global__ void columnPartials(const T* __restrict__ a, int64_t rows, int64_t cols, int64_t splits,
                               double* __restrict__ part) {
  __shared__ double sa[kTileRows][33];
  const int64_t col = (int64_t)blockIdx.x * 32 + threadIdx.x;
  const int64_t split = blockIdx.y;
  const int64_t r0 = rows * split / splits, r1 = rows * (split + 1) / splits;
  double acc = 0;
  if (col < cols)
    for (int64_t r = r0 + threadIdx.y; r < r1; r += kTileRows) acc += (double)a[r * cols + col];
  sa[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && col < cols) {
    double t = 0;
#pragma unroll
    for (int k = 0; k < kTileRows; k++) t += sa[k][threadIdx.x];
    part[split * cols + col] = t;
  }
}

template <typename T>
__global__ void columnFinalize(const double* __restrict__ part, int64_t splits, int64_t cols, T* __restrict__ out) {
  const int64_t col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (col >= cols) return;
  double t = 0;
  for (int64_t s = 0; s < splits; s++) t += part[s * cols + col];
  out[col] = (T)t;
}

template <typename F>
void launchMode(RnnMode mode, F f) {
  switch (mode) {
    case RnnMode::Tanh: f(std::integral_constant<int, (int)RnnMode::Tanh>()); break;
    case RnnMode::Relu: f(std::integral_constant<int, (int)RnnMode::Relu>()); break;
    case RnnMode::Lstm: f(std::integral_constant<int, (int)RnnMode::Lstm>()); break;
    case RnnMode::Gru: f(std::integral_constant<int, (int)RnnMode::Gru>()); break;
  }
}

CudaGemmArgs gemmArgs(DType dt, int64_t m, int64_t n, int64_t k) {
  CudaGemmArgs g;
  g.dtype = dt;
  g.m = m;
  g.n = n;
  g.k = k;
  return g;
}

template <typename T>
void forwardImpl(int device, RnnMode mode, bool reverse, const Dims& d, DType dt, const T* x, const T* h0,
                 const T* c0, const T* w, const T* b, T* out, T* hN, T* cN, T* ws, const char* op) {
  const int64_t T_ = d.T, N = d.N, H = d.H, GH = d.GH, W = d.W;
  const bool lstm = mode == RnnMode::Lstm;
  if (N * H == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  Scratch hp(device, (size_t)(N * GH) * sizeof(T), op);
  const T* hprev = h0;
  const T* cprev = c0;
  int64_t cstride = H;  // row stride of cprev: H for c0, W for a workspace row
  for (int64_t s = 0; s < T_; s++) {
    const int64_t t = reverse ? T_ - 1 - s : s;
    // hp = h_prev W_hh^T: B[p][j] = W_hh[j][p].
    CudaGemmArgs g = gemmArgs(dt, N, GH, H);
    g.a = hprev;
    g.aRow = H;
    g.aCol = 1;
    g.b = w;
    g.bRow = 1;
    g.bCol = H;
    g.c = hp.as<T>();
    g.cRow = GH;
    g.cCol = 1;
    cudaGemm(device, g, op);
    T* outT = out + t * N * H;
    launchMode(mode, [&](auto m) {
      gatesForward<T, decltype(m)::value><<<gridFor(N * H, kThreads), kThreads, 0, stream>>>(
          x + t * N * GH, hp.as<T>(), b, hprev, cprev, cstride, outT, ws + t * N * W, N, H);
      CINDER_CUDA_LAUNCH_CHECK("gatesForward");
    });
    hprev = outT;
    if (lstm) {
      cprev = ws + t * N * W + 4 * H;
      cstride = W;
    }
  }
  CINDER_CUDA_CHECK(cudaMemcpyAsync(hN, hprev, sizeof(T) * N * H, cudaMemcpyDeviceToDevice, stream), op);
  if (lstm)
    CINDER_CUDA_CHECK(cudaMemcpy2DAsync(cN, sizeof(T) * H, cprev, sizeof(T) * cstride, sizeof(T) * H, N,
                                        cudaMemcpyDeviceToDevice, stream),
                      op);
}

template <typename T>
void backwardImpl(int device, RnnMode mode, bool reverse, const Dims& d, DType dt, const T* gOut, const int64_t* gs,
                  const T* ghN, const T* gcN, const T* h0, const T* c0, const T* w, const T* out, const T* ws, T* gx,
                  T* dh, T* dc, T* gw, T* gb, const char* op) {
  const int64_t T_ = d.T, N = d.N, H = d.H, GH = d.GH, W = d.W;
  const bool lstm = mode == RnnMode::Lstm, gru = mode == RnnMode::Gru;
  CudaDeviceGuard guard(device, op);
  cudaStream_t stream = cudaStreamOf(device, op);
  if (N * H == 0) {
    // Nothing flows: the weight and bias gradients are zero (the other outputs are empty).
    if (gw) CINDER_CUDA_CHECK(cudaMemsetAsync(gw, 0, sizeof(T) * GH * H, stream), op);
    if (gb) CINDER_CUDA_CHECK(cudaMemsetAsync(gb, 0, sizeof(T) * GH, stream), op);
    return;
  }
  // The gradient of the hidden projection h W_hh^T + b_hh per step: gx itself except for the GRU.
  Scratch gruHp(device, gru ? (size_t)(T_ * N * GH) * sizeof(T) : 0, op);
  T* dhp = gru ? gruHp.as<T>() : gx;
  if (ghN) CINDER_CUDA_CHECK(cudaMemcpyAsync(dh, ghN, sizeof(T) * N * H, cudaMemcpyDeviceToDevice, stream), op);
  else CINDER_CUDA_CHECK(cudaMemsetAsync(dh, 0, sizeof(T) * N * H, stream), op);
  if (lstm) {
    if (gcN) CINDER_CUDA_CHECK(cudaMemcpyAsync(dc, gcN, sizeof(T) * N * H, cudaMemcpyDeviceToDevice, stream), op);
    else CINDER_CUDA_CHECK(cudaMemsetAsync(dc, 0, sizeof(T) * N * H, stream), op);
  }
  for (int64_t s = T_ - 1; s >= 0; s--) {
    const int64_t t = reverse ? T_ - 1 - s : s;
    const int64_t tp = reverse ? t + 1 : t - 1;  // the step that produced h_prev (when s > 0)
    const T* hprev = s == 0 ? h0 : out + tp * N * H;
    const T* cprev = lstm ? (s == 0 ? c0 : ws + tp * N * W + 4 * H) : nullptr;
    const int64_t cstride = s == 0 ? H : W;
    launchMode(mode, [&](auto m) {
      gatesBackward<T, decltype(m)::value><<<gridFor(N * H, kThreads), kThreads, 0, stream>>>(
          gOut, gOut ? t * gs[0] : 0, gOut ? gs[1] : 0, gOut ? gs[2] : 0, dh, dc, out + t * N * H, ws + t * N * W,
          hprev, cprev, cstride, gx + t * N * GH, gru ? dhp + t * N * GH : nullptr, N, H);
      CINDER_CUDA_LAUNCH_CHECK("gatesBackward");
    });
    // dh_prev (+)= dHp_t W_hh.
    CudaGemmArgs g = gemmArgs(dt, N, H, GH);
    g.a = dhp + t * N * GH;
    g.aRow = GH;
    g.aCol = 1;
    g.b = w;
    g.bRow = H;
    g.bCol = 1;
    g.c = dh;
    g.cRow = H;
    g.cCol = 1;
    g.beta = gru ? 1 : 0;
    cudaGemm(device, g, op);
  }
  if (gw) {
    // gW_hh = sum over steps of dHp_t^T h_prev(t): the steps whose h_prev is an output row, in one
    // GEMM, then the first processed step's, against h0.
    const int64_t k = (T_ - 1) * N;
    if (k > 0) {
      CudaGemmArgs g = gemmArgs(dt, GH, H, k);
      g.a = reverse ? dhp : dhp + N * GH;
      g.aRow = 1;
      g.aCol = GH;
      g.b = reverse ? out + N * H : out;
      g.bRow = H;
      g.bCol = 1;
      g.c = gw;
      g.cRow = H;
      g.cCol = 1;
      cudaGemm(device, g, op);
    }
    CudaGemmArgs g = gemmArgs(dt, GH, H, N);
    g.a = reverse ? dhp + (T_ - 1) * N * GH : dhp;
    g.aRow = 1;
    g.aCol = GH;
    g.b = h0;
    g.bRow = H;
    g.bCol = 1;
    g.c = gw;
    g.cRow = H;
    g.cCol = 1;
    g.beta = k > 0 ? 1 : 0;
    cudaGemm(device, g, op);
  }
  if (gb) {
    const int64_t rows = T_ * N;
    const int64_t gxBlocks = (GH + 31) / 32;
    const int64_t splits = std::max<int64_t>(1, std::min<int64_t>({(1024 + gxBlocks - 1) / gxBlocks, rows / 32, 1024}));
    Scratch part(device, (size_t)(splits * GH) * sizeof(double), op);
    columnPartials<T><<<dim3((unsigned)gxBlocks, (unsigned)splits), dim3(32, kTileRows), 0, stream>>>(dhp, rows, GH, splits,
                                                                                                  part.as<double>());
    CINDER_CUDA_LAUNCH_CHECK("columnPartials");
    columnFinalize<T><<<gridFor(GH, kThreads), kThreads, 0, stream>>>(part.as<double>(), splits, GH, gb);
    CINDER_CUDA_LAUNCH_CHECK("columnFinalize");
  }
}

}  // namespace

void cudaRnnLayerForward(int device, RnnMode mode, bool reverse, const TensorDesc& xProj, const TensorDesc& h0,
                         const TensorDesc* c0, const TensorDesc& wHh, const TensorDesc* bHh, const TensorDesc& out,
                         const TensorDesc& hN, const TensorDesc* cN, const TensorDesc& ws, const char* op) {
  const Dims d = checkRnnLayerForward(mode, xProj, h0, c0, wHh, bHh, out, hN, cN, ws, op);
  const DType dt = xProj.dtype;
  CINDER_CHECK(dt == DType::Float32 || dt == DType::Float64, op, ": not supported for dtype ", dtypeName(dt));
  auto run = [&](auto tag) {
    using S = decltype(tag);
    forwardImpl<S>(device, mode, reverse, d, dt, xProj.ptr<S>(), h0.ptr<S>(), c0 ? c0->ptr<S>() : nullptr, wHh.ptr<S>(),
                   bHh ? bHh->ptr<S>() : nullptr, out.ptr<S>(), hN.ptr<S>(), cN ? cN->ptr<S>() : nullptr, ws.ptr<S>(),
                   op);
  };
  if (dt == DType::Float32) run(float());
  else run(double());
}

void cudaRnnLayerBackward(int device, RnnMode mode, bool reverse, const TensorDesc* gOut, const TensorDesc* ghN,
                          const TensorDesc* gcN, const TensorDesc& h0, const TensorDesc* c0, const TensorDesc& wHh,
                          const TensorDesc* bHh, const TensorDesc& out, const TensorDesc& ws, const TensorDesc& gXProj,
                          const TensorDesc& gh0, const TensorDesc* gc0, const TensorDesc* gWhh, const TensorDesc* gbHh,
                          const char* op) {
  const Dims d =
      checkRnnLayerBackward(mode, gOut, ghN, gcN, h0, c0, wHh, bHh, out, ws, gXProj, gh0, gc0, gWhh, gbHh, op);
  const DType dt = h0.dtype;
  CINDER_CHECK(dt == DType::Float32 || dt == DType::Float64, op, ": not supported for dtype ", dtypeName(dt));
  auto p = [](const TensorDesc* t) { return t ? t->data : nullptr; };
  auto run = [&](auto tag) {
    using S = decltype(tag);
    backwardImpl<S>(device, mode, reverse, d, dt, (const S*)p(gOut), gOut ? gOut->strides : nullptr, (const S*)p(ghN),
                    (const S*)p(gcN), h0.ptr<S>(), (const S*)p(c0), wHh.ptr<S>(), out.ptr<S>(), ws.ptr<S>(),
                    gXProj.ptr<S>(), gh0.ptr<S>(), (S*)p(gc0), (S*)p(gWhh), (S*)p(gbHh), op);
  };
  if (dt == DType::Float32) run(float());
  else run(double());
}

}  // namespace cinder
