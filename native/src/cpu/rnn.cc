// Recurrent layers over a sequence (see rnn.h).
#include "cpu/rnn.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/dtype.h"
#include "cpu/gemm.h"
#include "cpu/rnnChecks.h"
#include "cpu/vecmath.h"

namespace cinder {

int rnnGateCount(RnnMode mode) {
  switch (mode) {
    case RnnMode::Lstm: return 4;
    case RnnMode::Gru: return 3;
    default: return 1;
  }
}

int64_t rnnWorkspaceWidth(RnnMode mode, int64_t hidden) {
  switch (mode) {
    case RnnMode::Lstm: return 5 * hidden;
    case RnnMode::Gru: return 4 * hidden;
    default: return 0;
  }
}

namespace {

// Contiguous activations: the vectorised float32 kernels of vecmath.h, plain loops for float64.
template <typename T>
struct Act;

template <>
struct Act<float> {
  VecUnaryFn sig, th;
  Act() {
    const VecMathArch& v = vecMath();
    sig = v.fn[(int)VecFn::sigmoid];
    th = v.fn[(int)VecFn::tanh];
  }
  void sigmoid(const float* in, float* out, int64_t n) const { sig(in, out, n, nullptr); }
  void tanh(const float* in, float* out, int64_t n) const { th(in, out, n, nullptr); }
};

template <>
struct Act<double> {
  void sigmoid(const double* in, double* out, int64_t n) const {
    for (int64_t i = 0; i < n; i++) out[i] = 1.0 / (1.0 + std::exp(-in[i]));
  }
  void tanh(const double* in, double* out, int64_t n) const {
    for (int64_t i = 0; i < n; i++) out[i] = std::tanh(in[i]);
  }
};

using Dims = RnnDims;

template <typename T>
void forwardImpl(RnnMode mode, bool reverse, const Dims& d, const T* x, const T* h0, const T* c0, const T* w,
                 const T* b, T* out, T* hN, T* cN, T* ws) {
  const int64_t T_ = d.T, N = d.N, H = d.H, GH = d.GH, W = d.W;
  const Act<T> act;
  std::vector<T> hp((size_t)(N * GH)), tmp((size_t)H);
  // W_hh^T [H, G*H], row-major: the per-step GEMM then reads it in place (rows contiguous), with
  // no packing of B at every step.
  std::vector<T> wt((size_t)(H * GH));
  for (int64_t j0 = 0; j0 < GH; j0 += 16)
    for (int64_t p0 = 0; p0 < H; p0 += 16)
      for (int64_t p = p0; p < std::min(p0 + 16, H); p++)
        for (int64_t j = j0; j < std::min(j0 + 16, GH); j++) wt[p * GH + j] = w[j * H + p];
  const T* hprev = h0;
  const T* cprev = c0;
  int64_t cstride = H;  // row stride of cprev: H for c0, W for a workspace row
  for (int64_t s = 0; s < T_; s++) {
    const int64_t t = reverse ? T_ - 1 - s : s;
    // hp = h_prev W_hh^T.
    gemm<T>(N, GH, H, T(1), hprev, H, 1, wt.data(), GH, 1, T(0), hp.data(), GH, 1);
    T* outT = out + t * N * H;
    for (int64_t n = 0; n < N; n++) {
      T* pre = hp.data() + n * GH;
      const T* xr = x + (t * N + n) * GH;
      const T* hr = hprev + n * H;
      T* hout = outT + n * H;
      if (b)
        for (int64_t j = 0; j < GH; j++) pre[j] += b[j];
      switch (mode) {
        case RnnMode::Tanh:
        case RnnMode::Relu: {
          for (int64_t j = 0; j < H; j++) pre[j] += xr[j];
          if (mode == RnnMode::Tanh) {
            act.tanh(pre, hout, H);
          } else {
            for (int64_t j = 0; j < H; j++) hout[j] = pre[j] > T(0) ? pre[j] : T(0);
          }
          break;
        }
        case RnnMode::Lstm: {
          for (int64_t j = 0; j < GH; j++) pre[j] += xr[j];
          T* g = ws + (t * N + n) * W;
          act.sigmoid(pre, g, 2 * H);
          act.tanh(pre + 2 * H, g + 2 * H, H);
          act.sigmoid(pre + 3 * H, g + 3 * H, H);
          T* c = g + 4 * H;
          const T* cp = cprev + n * cstride;
          for (int64_t j = 0; j < H; j++) c[j] = g[H + j] * cp[j] + g[j] * g[2 * H + j];
          act.tanh(c, tmp.data(), H);
          for (int64_t j = 0; j < H; j++) hout[j] = g[3 * H + j] * tmp[j];
          break;
        }
        case RnnMode::Gru: {
          T* g = ws + (t * N + n) * W;
          std::memcpy(g + 3 * H, pre + 2 * H, sizeof(T) * H);  // W_hn h + b_hn, for backward
          for (int64_t j = 0; j < 2 * H; j++) pre[j] += xr[j];
          act.sigmoid(pre, g, 2 * H);
          for (int64_t j = 0; j < H; j++) pre[2 * H + j] = xr[2 * H + j] + g[j] * pre[2 * H + j];
          act.tanh(pre + 2 * H, g + 2 * H, H);
          for (int64_t j = 0; j < H; j++) {
            const T z = g[H + j], nn = g[2 * H + j];
            hout[j] = nn + z * (hr[j] - nn);
          }
          break;
        }
      }
    }
    hprev = outT;
    if (mode == RnnMode::Lstm) {
      cprev = ws + t * N * W + 4 * H;
      cstride = W;
    }
  }
  std::memcpy(hN, hprev, sizeof(T) * N * H);
  if (mode == RnnMode::Lstm)
    for (int64_t n = 0; n < N; n++) std::memcpy(cN + n * H, cprev + n * cstride, sizeof(T) * H);
}

template <typename T>
void backwardImpl(RnnMode mode, bool reverse, const Dims& d, const T* gOut, const int64_t* gs, const T* ghN, const T* gcN, const T* h0,
                  const T* c0, const T* w, const T* out, const T* ws, T* gx, T* dh, T* dc, T* gw, T* gb) {
  const int64_t T_ = d.T, N = d.N, H = d.H, GH = d.GH, W = d.W;
  const Act<T> act;
  std::vector<T> tmp((size_t)H);
  // The gradient of the hidden projection h W_hh^T + b_hh per step: gx itself except for the GRU,
  // whose n gate sees it through r.
  std::vector<T> gruHp(mode == RnnMode::Gru ? (size_t)(T_ * N * GH) : 0);
  T* dhp = mode == RnnMode::Gru ? gruHp.data() : gx;
  // dh, dc: the gradient flowing into the state of the step being processed.
  if (ghN) std::memcpy(dh, ghN, sizeof(T) * N * H);
  else std::fill(dh, dh + N * H, T(0));
  if (mode == RnnMode::Lstm) {
    if (gcN) std::memcpy(dc, gcN, sizeof(T) * N * H);
    else std::fill(dc, dc + N * H, T(0));
  }
  for (int64_t s = T_ - 1; s >= 0; s--) {
    const int64_t t = reverse ? T_ - 1 - s : s;
    const int64_t tp = reverse ? t + 1 : t - 1;  // the step that produced h_prev (when s > 0)
    const T* hprev = s == 0 ? h0 : out + tp * N * H;
    for (int64_t n = 0; n < N; n++) {
      const int64_t row = t * N + n;
      T* dhr = dh + n * H;
      if (gOut) {
        const T* go = gOut + t * gs[0] + n * gs[1];
        if (gs[2] == 1) {
          for (int64_t j = 0; j < H; j++) dhr[j] += go[j];
        } else {
          for (int64_t j = 0; j < H; j++) dhr[j] += go[j * gs[2]];
        }
      }
      T* gxr = gx + row * GH;
      switch (mode) {
        case RnnMode::Tanh: {
          const T* h = out + row * H;
          for (int64_t j = 0; j < H; j++) gxr[j] = dhr[j] * (T(1) - h[j] * h[j]);
          break;
        }
        case RnnMode::Relu: {
          const T* h = out + row * H;
          for (int64_t j = 0; j < H; j++) gxr[j] = h[j] > T(0) ? dhr[j] : T(0);
          break;
        }
        case RnnMode::Lstm: {
          const T* g = ws + row * W;
          const T* c = g + 4 * H;
          const T* cp = s == 0 ? c0 + n * H : ws + (tp * N + n) * W + 4 * H;
          T* dcr = dc + n * H;
          act.tanh(c, tmp.data(), H);
          for (int64_t j = 0; j < H; j++) {
            const T i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j], tc = tmp[j];
            const T dct = dcr[j] + dhr[j] * o * (T(1) - tc * tc);
            gxr[j] = dct * gg * i * (T(1) - i);
            gxr[H + j] = dct * cp[j] * f * (T(1) - f);
            gxr[2 * H + j] = dct * i * (T(1) - gg * gg);
            gxr[3 * H + j] = dhr[j] * tc * o * (T(1) - o);
            dcr[j] = dct * f;
          }
          break;
        }
        case RnnMode::Gru: {
          const T* g = ws + row * W;
          const T* hr = hprev + n * H;
          T* hpr = dhp + row * GH;
          for (int64_t j = 0; j < H; j++) {
            const T r = g[j], z = g[H + j], nn = g[2 * H + j], hn = g[3 * H + j], dht = dhr[j];
            const T dn = dht * (T(1) - z) * (T(1) - nn * nn);
            const T dz = dht * (hr[j] - nn) * z * (T(1) - z);
            const T dr = dn * hn * r * (T(1) - r);
            gxr[j] = dr;
            gxr[H + j] = dz;
            gxr[2 * H + j] = dn;
            hpr[j] = dr;
            hpr[H + j] = dz;
            hpr[2 * H + j] = dn * r;
            dhr[j] = dht * z;
          }
          break;
        }
      }
    }
    // dh_prev (+)= dHp_t W_hh.
    gemm<T>(N, H, GH, T(1), dhp + t * N * GH, GH, 1, w, H, 1, mode == RnnMode::Gru ? T(1) : T(0), dh, H, 1);
  }
  if (gw) {
    // gW_hh = sum over steps of dHp_t^T h_prev(t): the steps whose h_prev is an output row, in one
    // GEMM, then the first processed step's, against h0.
    const int64_t k = (T_ - 1) * N;
    const T* a = reverse ? dhp : dhp + N * GH;
    const T* bm = reverse ? out + N * H : out;
    gemm<T>(GH, H, k, T(1), a, 1, GH, bm, H, 1, T(0), gw, H, 1);
    const T* a0 = reverse ? dhp + (T_ - 1) * N * GH : dhp;
    gemm<T>(GH, H, N, T(1), a0, 1, GH, h0, H, 1, T(1), gw, H, 1);
  }
  if (gb) {
    std::vector<double> acc((size_t)GH, 0.0);
    for (int64_t r = 0; r < T_ * N; r++) {
      const T* p = dhp + r * GH;
      for (int64_t j = 0; j < GH; j++) acc[j] += (double)p[j];
    }
    for (int64_t j = 0; j < GH; j++) gb[j] = (T)acc[j];
  }
}

}  // namespace

void rnnLayerForward(RnnMode mode, bool reverse, const TensorDesc& xProj, const TensorDesc& h0, const TensorDesc* c0,
                     const TensorDesc& wHh, const TensorDesc* bHh, const TensorDesc& out, const TensorDesc& hN,
                     const TensorDesc* cN, const TensorDesc& ws, const char* op) {
  const Dims d = checkRnnLayerForward(mode, xProj, h0, c0, wHh, bHh, out, hN, cN, ws, op);
  const DType dt = xProj.dtype;
  CINDER_DISPATCH_FLOAT(dt, op, [&] {
    forwardImpl<scalar_t>(mode, reverse, d, xProj.ptr<scalar_t>(), h0.ptr<scalar_t>(),
                          c0 ? c0->ptr<scalar_t>() : nullptr, wHh.ptr<scalar_t>(), bHh ? bHh->ptr<scalar_t>() : nullptr,
                          out.ptr<scalar_t>(), hN.ptr<scalar_t>(), cN ? cN->ptr<scalar_t>() : nullptr,
                          ws.ptr<scalar_t>());
  });
}

void rnnLayerBackward(RnnMode mode, bool reverse, const TensorDesc* gOut, const TensorDesc* ghN, const TensorDesc* gcN,
                      const TensorDesc& h0, const TensorDesc* c0, const TensorDesc& wHh, const TensorDesc* bHh,
                      const TensorDesc& out, const TensorDesc& ws, const TensorDesc& gXProj, const TensorDesc& gh0,
                      const TensorDesc* gc0, const TensorDesc* gWhh, const TensorDesc* gbHh, const char* op) {
  const Dims d =
      checkRnnLayerBackward(mode, gOut, ghN, gcN, h0, c0, wHh, bHh, out, ws, gXProj, gh0, gc0, gWhh, gbHh, op);
  const DType dt = h0.dtype;
  auto p = [](const TensorDesc* t) { return t ? t->data : nullptr; };
  CINDER_DISPATCH_FLOAT(dt, op, [&] {
    using S = scalar_t;
    backwardImpl<S>(mode, reverse, d, (const S*)p(gOut), gOut ? gOut->strides : nullptr, (const S*)p(ghN), (const S*)p(gcN), h0.ptr<S>(),
                    (const S*)p(c0), wHh.ptr<S>(), out.ptr<S>(), ws.ptr<S>(), gXProj.ptr<S>(), gh0.ptr<S>(),
                    (S*)p(gc0), (S*)p(gWhh), (S*)p(gbHh));
  });
}

}  // namespace cinder
