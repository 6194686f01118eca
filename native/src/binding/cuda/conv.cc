// CUDA convolution bindings: the same frames, checks and outputs as binding/conv.cc (the checks
// and geometry are the CPU's own, from cpu/convDirect.h), plus the device index.
//
// Lowering, per group of a chunk of the batch:
//   forward          y[n, group]  = W_g [Cout_g, K] * col[n, group] [K, L]
//   input gradient   dcol         = W_g^T [K, Cout_g] * gy[n, group],   then col2im (a gather:
//                                   every input element sums its own taps, no atomics)
//   weight gradient  gW_g        += gyT[group] [Cout_g, nb * L] * col[group]^T [nb * L, K]
// with col the im2col matrix. The weight gradient lays the columns of a whole chunk of samples
// side by side, so one GEMM sums over the chunk and chunks add into gW in order (deterministic).
// Layers with few output positions per sample (L < kWideBelow) run the forward and input-gradient
// GEMMs over a chunk's samples side by side too ([K, nb * L] columns), so the GEMM's n is not just
// L. Otherwise a 1x1, stride-1, unpadded kernel multiplies x (or gy) directly. Depthwise
// convolutions (one input channel per group) run as direct kernels instead. Chunks keep the column buffers
// within kColBudgetBytes: several whole samples, or column blocks of one sample.
#include <algorithm>

#include "binding/convFrame.h"
#include "binding/cuda/common.h"
#include "cpu/convDirect.h"
#include "cuda/conv.h"
#include "cuda/cudaGemm.h"

namespace cinder {
namespace {

constexpr int64_t kColBudgetBytes = int64_t(256) << 20;

// A chunk of the batch: nb whole samples (lc == L), or columns of one sample (nb == 1).
struct Chunks {
  int64_t nb = 1, lc = 1;
};

Chunks planChunks(const ConvGeom& g, int64_t bytesPerColumn) {
  Chunks c;
  const int64_t cols = std::max<int64_t>(1, kColBudgetBytes / std::max<int64_t>(bytesPerColumn, 1));
  if (cols >= g.L) {
    c.nb = std::max<int64_t>(1, std::min(g.N, cols / g.L));
    c.lc = g.L;
  } else {
    c.nb = 1;
    c.lc = cols >= 128 ? cols / 128 * 128 : cols;
  }
  return c;
}

// Calls f(n0, nb, l0, lc, first) for every chunk, in order.
template <typename F>
void forChunks(const ConvGeom& g, const Chunks& c, F&& f) {
  bool first = true;
  for (int64_t n0 = 0; n0 < g.N; n0 += c.nb) {
    const int64_t nb = std::min(c.nb, g.N - n0);
    for (int64_t l0 = 0; l0 < g.L; l0 += c.lc) {
      f(n0, nb, l0, std::min(c.lc, g.L - l0), first);
      first = false;
    }
  }
}

// A GEMM operand of every (sample, group) pair: element strides within the matrix, and the
// offsets of the next sample and the next group.
struct Mat {
  const void* p;
  int64_t row, col, perN, perG;
};

// C[n, gi] = A[n, gi] * B[n, gi] (+ beta * C) for n < nb, gi < G: batched along the larger of the
// two, looping over the other.
void gemmGrid(int dev, DType dt, int64_t m, int64_t n, int64_t k, int64_t nb, int64_t G, const Mat& A, const Mat& B,
              const Mat& C, double beta, const char* op) {
  const int64_t es = (int64_t)itemSize(dt);
  const bool batchN = nb >= G;
  const int64_t loops = batchN ? G : nb;
  for (int64_t i = 0; i < loops; i++) {
    auto at = [&](const Mat& M) { return (const char*)M.p + (batchN ? M.perG : M.perN) * i * es; };
    CudaGemmArgs a;
    a.dtype = dt;
    a.m = m;
    a.n = n;
    a.k = k;
    a.batch = batchN ? nb : G;
    a.a = at(A);
    a.aRow = A.row;
    a.aCol = A.col;
    a.aBatch = batchN ? A.perN : A.perG;
    a.b = at(B);
    a.bRow = B.row;
    a.bCol = B.col;
    a.bBatch = batchN ? B.perN : B.perG;
    a.c = const_cast<char*>(at(C));
    a.cRow = C.row;
    a.cCol = C.col;
    a.cBatch = batchN ? C.perN : C.perG;
    a.beta = beta;
    cudaGemm(dev, a, op);
  }
}

// The im2col layout of a chunk of nb samples and lc positions whose samples sit side by side in
// each row (nb * lc columns: sample n's columns start at n * lc).
CudaColLayout sideBySideLayout(const ConvGeom& g, int64_t nb, int64_t lc) {
  CudaColLayout lay;
  lay.sN = lc;
  lay.sK = nb * lc;
  lay.sG = g.K * lay.sK;
  return lay;
}

// The im2col layout of a chunk whose samples follow one another, a [G][K][lc] block each.
CudaColLayout perSampleLayout(const ConvGeom& g, int64_t lc) {
  CudaColLayout lay;
  lay.sK = lc;
  lay.sG = g.K * lc;
  lay.sN = g.G * g.K * lc;
  return lay;
}

CudaConvInput inputOf(const TensorDesc& x, int s) {
  CudaConvInput in;
  in.data = x.data;
  in.sn = x.strides[0];
  in.sc = x.strides[1];
  for (int i = 0; i < kConvS; i++) in.ss[i] = i < kConvS - s ? 0 : x.strides[2 + i - (kConvS - s)];
  return in;
}

// One input channel per group and several groups: a GEMM per group would be a matrix-vector
// product over a handful of taps, so these run as direct kernels.
bool isDepthwise(const ConvGeom& g) { return g.Cig == 1 && g.G > 1; }

// Output positions per sample below which the forward and input-gradient GEMMs run over a chunk's
// samples side by side (n = nb * L) rather than per sample (n = L, most of a wide tile empty).
constexpr int64_t kWideBelow = 1024;

bool wideChunks(const ConvGeom& g, int64_t es) {
  if (g.L >= kWideBelow || g.N < 2) return false;
  const int64_t perColumn = (g.Cin * g.kvol + g.Cout) * es;
  return kColBudgetBytes / perColumn >= 2 * g.L;  // chunks of at least two whole samples
}

char* at(const TensorDesc& t, int64_t offset) { return t.data + offset * (int64_t)itemSize(t.dtype); }

void forward(int dev, const ConvGeom& g, int s, const TensorDesc& x, const TensorDesc& w, const TensorDesc* bias,
             const TensorDesc& y, const char* op) {
  const DType dt = x.dtype;
  const int64_t es = (int64_t)itemSize(dt);
  const Mat A{w.data, g.ws0, g.wsK, 0, g.Cog * g.ws0};
  int64_t xls = 1;
  if (g.K == 0) {
    cudaConvZero(dev, y.data, (size_t)(y.numel() * es), op);
  } else if (isDepthwise(g)) {
    cudaConvDepthwiseForward(dev, dt, g, inputOf(x, s), w.data, y.data, op);
  } else if (wideChunks(g, es)) {
    // Few positions per sample: the columns of a chunk's samples side by side make one wide GEMM
    // per group into out [Cout][nb * L], whose rows then move to y.
    DeviceTemps temps(dev, op);
    const Chunks c = planChunks(g, (g.Cin * g.kvol + g.Cout) * es);
    void* col = temps.bytes((size_t)(c.nb * g.Cin * g.kvol * g.L * es));
    void* out = temps.bytes((size_t)(g.Cout * c.nb * g.L * es));
    const CudaConvInput in = inputOf(x, s);
    forChunks(g, c, [&](int64_t n0, int64_t nb, int64_t l0, int64_t lc, bool) {
      const int64_t cols = nb * lc;
      const CudaColLayout lay = sideBySideLayout(g, nb, lc);
      cudaConvIm2col(dev, dt, g, in, n0, nb, l0, lc, col, lay, op);
      const Mat B{col, cols, 1, 0, g.K * cols};
      const Mat C{out, cols, 1, 0, g.Cog * cols};
      gemmGrid(dev, dt, g.Cog, cols, g.K, 1, g.G, A, B, C, 0.0, op);
      // y[n0 + n, co, l] <- out[co][n * L + l]: the row gather with the roles of samples and
      // channels swapped (nb "channels" of Cout rows, the sample stride L, the channel stride cols).
      cudaConvGatherRows(dev, dt, out, cols, lc, 1, nb, 0, g.Cout, 0, lc, at(y, n0 * g.Cout * g.L), op);
    });
  } else if (g.oneByOne && coalesceDims(x, 2, &xls)) {
    const Mat B{x.data, x.strides[1], xls, x.strides[0], g.Cig * x.strides[1]};
    const Mat C{y.data, g.L, 1, g.Cout * g.L, g.Cog * g.L};
    gemmGrid(dev, dt, g.Cog, g.L, g.K, g.N, g.G, A, B, C, 0.0, op);
  } else {
    DeviceTemps temps(dev, op);
    const Chunks c = planChunks(g, g.Cin * g.kvol * es);
    void* col = temps.bytes((size_t)(c.nb * g.Cin * g.kvol * c.lc * es));
    const CudaConvInput in = inputOf(x, s);
    forChunks(g, c, [&](int64_t n0, int64_t nb, int64_t l0, int64_t lc, bool) {
      const CudaColLayout lay = perSampleLayout(g, lc);
      cudaConvIm2col(dev, dt, g, in, n0, nb, l0, lc, col, lay, op);
      const Mat B{col, lc, 1, lay.sN, lay.sG};
      const Mat C{at(y, n0 * g.Cout * g.L + l0), g.L, 1, g.Cout * g.L, g.Cog * g.L};
      gemmGrid(dev, dt, g.Cog, lc, g.K, nb, g.G, A, B, C, 0.0, op);
    });
  }
  if (bias) cudaConvAddBias(dev, dt, y.data, g.N, g.Cout, g.L, bias->data, bias->strides[0], op);
}

void backwardInput(int dev, const ConvGeom& g, const TensorDesc& gy, int64_t gls, const TensorDesc& w,
                   const TensorDesc* bias, const TensorDesc& gx, const char* op) {
  const DType dt = gx.dtype;
  const int64_t es = (int64_t)itemSize(dt);
  // W_g^T: [K, Cout_g].
  const Mat A{w.data, g.wsK, g.ws0, 0, g.Cog * g.ws0};
  const int64_t gsn = gy.strides[0], gsc = gy.strides[1];
  if (g.Cog == 0) {
    cudaConvZero(dev, gx.data, (size_t)(gx.numel() * es), op);
  } else if (isDepthwise(g)) {
    cudaConvDepthwiseBackwardInput(dev, dt, g, gy.data, gsn, gsc, gls, w.data, gx.data, op);
  } else if (wideChunks(g, es)) {
    // Few positions per sample: gy's rows of a chunk side by side, one wide GEMM per group into
    // dcol [G][K][nb * L], and col2im reads that layout.
    DeviceTemps temps(dev, op);
    const Chunks c = planChunks(g, (g.Cin * g.kvol + g.Cout) * es);
    void* dcol = temps.bytes((size_t)(c.nb * g.Cin * g.kvol * g.L * es));
    void* gyT = temps.bytes((size_t)(g.Cout * c.nb * g.L * es));
    forChunks(g, c, [&](int64_t n0, int64_t nb, int64_t l0, int64_t lc, bool) {
      const int64_t cols = nb * lc;
      cudaConvGatherRows(dev, dt, gy.data, gsn, gsc, gls, g.Cout, n0, nb, l0, lc, gyT, op);
      const Mat B{gyT, cols, 1, 0, g.Cog * cols};
      const Mat C{dcol, cols, 1, 0, g.K * cols};
      gemmGrid(dev, dt, g.K, cols, g.Cog, 1, g.G, A, B, C, 0.0, op);
      const CudaColLayout lay = sideBySideLayout(g, nb, lc);
      cudaConvCol2im(dev, dt, g, dcol, lay, nb, l0, lc, false, at(gx, n0 * g.Cin * g.Xvol), op);
    });
  } else if (g.oneByOne) {
    const Mat B{gy.data, gsc, gls, gsn, g.Cog * gsc};
    const Mat C{gx.data, g.Xvol, 1, g.Cin * g.Xvol, g.Cig * g.Xvol};
    gemmGrid(dev, dt, g.Cig, g.L, g.Cog, g.N, g.G, A, B, C, 0.0, op);
  } else {
    DeviceTemps temps(dev, op);
    const Chunks c = planChunks(g, g.Cin * g.kvol * es);
    void* dcol = temps.bytes((size_t)(c.nb * g.Cin * g.kvol * c.lc * es));
    forChunks(g, c, [&](int64_t n0, int64_t nb, int64_t l0, int64_t lc, bool) {
      const Mat B{at(gy, n0 * gsn + l0 * gls), gsc, gls, gsn, g.Cog * gsc};
      const Mat C{dcol, lc, 1, g.G * g.K * lc, g.K * lc};
      gemmGrid(dev, dt, g.K, lc, g.Cog, nb, g.G, A, B, C, 0.0, op);
      const CudaColLayout lay = perSampleLayout(g, lc);
      cudaConvCol2im(dev, dt, g, dcol, lay, nb, l0, lc, l0 > 0, at(gx, n0 * g.Cin * g.Xvol), op);
    });
  }
  if (bias) cudaConvAddBias(dev, dt, gx.data, g.N, g.Cin, g.Xvol, bias->data, bias->strides[0], op);
}

void backwardWeight(int dev, const ConvGeom& g, int s, const TensorDesc& x, const TensorDesc& gy, int64_t gls,
                    const TensorDesc& gw, const char* op) {
  const DType dt = gw.dtype;
  const int64_t es = (int64_t)itemSize(dt);
  if (g.N == 0) {
    cudaConvZero(dev, gw.data, (size_t)(gw.numel() * es), op);
    return;
  }
  if (isDepthwise(g)) {
    cudaConvDepthwiseBackwardWeight(dev, dt, g, inputOf(x, s), gy.data, gy.strides[0], gy.strides[1], gls, gw.data,
                                    op);
    return;
  }
  DeviceTemps temps(dev, op);
  const Chunks c = planChunks(g, (g.Cin * g.kvol + g.Cout) * es);
  void* col = temps.bytes((size_t)(c.nb * g.Cin * g.kvol * c.lc * es));
  void* gyT = temps.bytes((size_t)(g.Cout * c.nb * c.lc * es));
  const CudaConvInput in = inputOf(x, s);
  forChunks(g, c, [&](int64_t n0, int64_t nb, int64_t l0, int64_t lc, bool first) {
    const int64_t cols = nb * lc;
    const CudaColLayout lay = sideBySideLayout(g, nb, lc);
    cudaConvIm2col(dev, dt, g, in, n0, nb, l0, lc, col, lay, op);
    cudaConvGatherRows(dev, dt, gy.data, gy.strides[0], gy.strides[1], gls, g.Cout, n0, nb, l0, lc, gyT, op);
    CudaGemmArgs a;
    a.dtype = dt;
    a.m = g.Cog;
    a.n = g.K;
    a.k = cols;
    a.batch = g.G;
    a.a = gyT;
    a.aRow = cols;
    a.aCol = 1;
    a.aBatch = g.Cog * cols;
    a.b = col;
    a.bRow = 1;
    a.bCol = cols;
    a.bBatch = g.K * cols;
    a.c = gw.data;
    a.cRow = g.K;
    a.cCol = 1;
    a.cBatch = g.Cog * g.K;
    a.beta = first ? 0.0 : 1.0;
    cudaGemm(dev, a, op);
  });
}

// convolution, or convolutionBackwardInput when `gradInput` (their frames are alike).
Napi::Value convolutionOrGradInput(const Napi::CallbackInfo& info, bool gradInput) {
  Context* ctx = contextOf(info);
  const char* name = convOpName(ctx);
  const int dev = cudaDeviceArg(info, name);
  FrameReader r(ctx, name, dev);
  ConvFrame f;
  readConv(r, f);
  if (gradInput) {
    int64_t gls = 1;
    const ConvGeom g = convBackwardInputGeometry(f.in, f.w, f.bias, f.out, f.p, name, &gls);
    if (f.out.numel() > 0) backwardInput(dev, g, f.in, gls, f.w, f.bias, f.out, name);
  } else {
    const ConvGeom g = convForwardGeometry(f.in, f.w, f.bias, f.out, f.p, name);
    if (f.out.numel() > 0) forward(dev, g, f.p.spatial, f.in, f.w, f.bias, f.out, name);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value convolution(const Napi::CallbackInfo& info) { return convolutionOrGradInput(info, false); }
Napi::Value convolutionBackwardInput(const Napi::CallbackInfo& info) { return convolutionOrGradInput(info, true); }

Napi::Value convolutionBackwardWeight(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* name = convOpName(ctx);
  const int dev = cudaDeviceArg(info, name);
  FrameReader r(ctx, name, dev);
  ConvWeightFrame f;
  readConvWeight(r, f);
  int64_t gls = 1;
  const ConvGeom g = convBackwardWeightGeometry(f.x, f.gy, f.gw, f.p, name, &gls);
  if (f.gw.numel() > 0) backwardWeight(dev, g, f.p.spatial, f.x, f.gy, gls, f.gw, name);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaConvolution", convolution);
CINDER_CUDA_BINDING("cudaConvolutionBackwardInput", convolutionBackwardInput);
CINDER_CUDA_BINDING("cudaConvolutionBackwardWeight", convolutionBackwardWeight);

}  // namespace cinder
