// Pooling, upsampling and padding kernels (see pool.h). Sums accumulate in double; backward
// kernels accumulate each plane (or padded slice) on one thread, in output order.
#include "cpu/pool.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <limits>
#include <vector>

#include "core/elementwiseIter.h"
#include "core/threadPool.h"
#include "cpu/poolPlanes.h"

namespace cinder {

namespace {

// Runs fn(plane) over planes in parallel when there is enough work per call.
template <typename F>
void forPlanes(int64_t count, int64_t workPerPlane, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, workPerPlane));
  parallelFor(count, grain, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; p++) fn(p);
  });
}

}  // namespace

// ---- max pooling ------------------------------------------------------------------------------

namespace {

// Window bounds of each output position along one dim: the first in-bounds input index and the
// end (exclusive) of the dilated window, clipped to the input.
struct WindowTable {
  std::vector<int64_t> start, end;
};

WindowTable windowTable(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d) {
  WindowTable t;
  t.start.resize((size_t)out);
  t.end.resize((size_t)out);
  for (int64_t o = 0; o < out; o++) {
    int64_t b = o * s - p;
    const int64_t e = std::min(b + (k - 1) * d + 1, in);
    while (b < 0) b += d;
    t.start[(size_t)o] = b;
    t.end[(size_t)o] = e;
  }
  return t;
}

// NaN wins (and the last NaN is kept), as in PyTorch.
// Branch-free through bit masks: written as `take ? v : best` the compiler emitted branches, which
// on real (unordered) data mispredict about every other window: 13 ns per output instead of ~1
// (benchmarks that reuse one input hide this, as the predictor learns the pattern).
template <typename T>
inline void takeMax(T v, int64_t i, T& best, int64_t& bi) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  static_assert(sizeof(T) == sizeof(Bits), "takeMax: floating types only");
  const bool take = (v > best) | (v != v);
  const Bits m = Bits(0) - Bits(take);
  Bits vb, bb;
  std::memcpy(&vb, &v, sizeof(T));
  std::memcpy(&bb, &best, sizeof(T));
  bb = (vb & m) | (bb & ~m);
  std::memcpy(&best, &bb, sizeof(T));
  const int64_t im = -(int64_t)take;
  bi = (i & im) | (bi & ~im);
}

}  // namespace

void maxPool2dForward(const TensorDesc& x, const TensorDesc& values, const TensorDesc& indices,
                      const PoolGeometry& g, const char* op) {
  const PoolPlanes in = poolPlanesOf(x, op, "input");
  const PoolPlanes out = poolPlanesOf(values, op, "output");
  checkSamePoolPlanes(in, out, x, values, op);
  checkPoolDType(values, x.dtype, op, "output");
  checkPoolDType(indices, DType::Int64, op, "indices");
  CINDER_CHECK(indices.numel() == values.numel() && indices.isContiguous(), op, ": indices do not match the output");
  CINDER_CHECK(g.kH > 0 && g.kW > 0 && g.sH > 0 && g.sW > 0 && g.dH > 0 && g.dW > 0 && g.pH >= 0 && g.pW >= 0, op,
               ": invalid pooling geometry");
  const int64_t H = in.H, W = in.W, OH = out.H, OW = out.W;
  const WindowTable th = windowTable(H, OH, g.kH, g.sH, g.pH, g.dH);
  const WindowTable tw = windowTable(W, OW, g.kW, g.sW, g.pW, g.dW);
  // 2x2 windows with stride 2 and no padding inside the input: the common layer, unrolled.
  const bool pairs = g.kH == 2 && g.kW == 2 && g.sH == 2 && g.sW == 2 && g.pH == 0 && g.pW == 0 && g.dH == 1 &&
                g.dW == 1 && 2 * OH <= H && 2 * OW <= W;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* src = x.ptr<T>();
    T* dst = values.ptr<T>();
    int64_t* idx = indices.ptr<int64_t>();
    forPlanes(in.count, OH * OW * g.kH * g.kW, [&](int64_t p) {
      const T* ip = src + p * H * W;
      T* op_ = dst + p * OH * OW;
      int64_t* xp = idx + p * OH * OW;
      if (pairs) {
        for (int64_t oh = 0; oh < OH; oh++) {
          const T* r0 = ip + 2 * oh * W;
          const T* r1 = r0 + W;
          const int64_t base = 2 * oh * W;
          for (int64_t ow = 0; ow < OW; ow++) {
            const int64_t c = 2 * ow;
            T best = r0[c];
            int64_t bi = base + c;
            takeMax(r0[c + 1], base + c + 1, best, bi);
            takeMax(r1[c], base + W + c, best, bi);
            takeMax(r1[c + 1], base + W + c + 1, best, bi);
            op_[oh * OW + ow] = best;
            xp[oh * OW + ow] = bi;
          }
        }
        return;
      }
      for (int64_t oh = 0; oh < OH; oh++) {
        const int64_t hs = th.start[(size_t)oh], he = th.end[(size_t)oh];
        for (int64_t ow = 0; ow < OW; ow++) {
          const int64_t ws = tw.start[(size_t)ow], we = tw.end[(size_t)ow];
          T best = -std::numeric_limits<T>::infinity();
          int64_t bi = (hs < H && ws < W) ? hs * W + ws : 0;
          for (int64_t ih = hs; ih < he; ih += g.dH) {
            const T* row = ip + ih * W;
            for (int64_t iw = ws; iw < we; iw += g.dW) takeMax(row[iw], ih * W + iw, best, bi);
          }
          op_[oh * OW + ow] = best;
          xp[oh * OW + ow] = bi;
        }
      }
    });
  });
}

void maxPool2dBackward(const TensorDesc& gradOutput, const TensorDesc& indices, const TensorDesc& gradInput,
                       const char* op) {
  const PoolPlanes go = poolPlanesOf(gradOutput, op, "gradOutput");
  const PoolPlanes gi = poolPlanesOf(gradInput, op, "gradInput");
  checkSamePoolPlanes(go, gi, gradOutput, gradInput, op);
  checkPoolDType(gradInput, gradOutput.dtype, op, "gradInput");
  checkPoolDType(indices, DType::Int64, op, "indices");
  CINDER_CHECK(indices.numel() == gradOutput.numel() && indices.isContiguous(), op,
               ": indices of shape ", indices.shapeString(), " do not match gradOutput ", gradOutput.shapeString());
  const int64_t plane = gi.H * gi.W, oplane = go.H * go.W;
  CINDER_DISPATCH_FLOAT(gradOutput.dtype, op, [&] {
    using T = scalar_t;
    const T* g = gradOutput.ptr<T>();
    const int64_t* idx = indices.ptr<int64_t>();
    T* out = gradInput.ptr<T>();
    forPlanes(gi.count, oplane + plane, [&](int64_t p) {
      T* o = out + p * plane;
      std::fill(o, o + plane, T(0));
      const T* gp = g + p * oplane;
      const int64_t* xp = idx + p * oplane;
      for (int64_t k = 0; k < oplane; k++) {
        const int64_t i = xp[k];
        CINDER_CHECK(i >= 0 && i < plane, op, ": index ", i, " is out of bounds for an input plane of ", gi.H, " x ",
                     gi.W);
        o[i] += gp[k];
      }
    });
  });
}

// ---- average pooling --------------------------------------------------------------------------

namespace {

// One average-pooling window: its clipped bounds and its divisor.
struct AvgWindow {
  int64_t hs, he, ws, we;
  double div;
};

inline AvgWindow avgWindow(int64_t oh, int64_t ow, int64_t H, int64_t W, const PoolGeometry& g,
                           const AvgPoolOptions& o) {
  AvgWindow w;
  int64_t hs = oh * g.sH - g.pH, ws = ow * g.sW - g.pW;
  int64_t he = std::min(hs + g.kH, H + g.pH), we = std::min(ws + g.kW, W + g.pW);
  const int64_t poolSize = (he - hs) * (we - ws);
  hs = std::max<int64_t>(hs, 0);
  ws = std::max<int64_t>(ws, 0);
  he = std::min(he, H);
  we = std::min(we, W);
  w.hs = hs;
  w.he = he;
  w.ws = ws;
  w.we = we;
  if (o.divisorOverride != 0) w.div = (double)o.divisorOverride;
  else if (o.countIncludePad) w.div = (double)poolSize;
  else w.div = (double)((he - hs) * (we - ws));
  return w;
}

}  // namespace

void avgPool2dForward(const TensorDesc& x, const TensorDesc& out, const PoolGeometry& g, const AvgPoolOptions& o,
                      const char* op) {
  const PoolPlanes in = poolPlanesOf(x, op, "input");
  const PoolPlanes po = poolPlanesOf(out, op, "output");
  checkSamePoolPlanes(in, po, x, out, op);
  checkPoolDType(out, x.dtype, op, "output");
  CINDER_CHECK(g.kH > 0 && g.kW > 0 && g.sH > 0 && g.sW > 0 && g.pH >= 0 && g.pW >= 0, op, ": invalid pooling geometry");
  const int64_t H = in.H, W = in.W, OH = po.H, OW = po.W;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* src = x.ptr<T>();
    T* dst = out.ptr<T>();
    forPlanes(in.count, OH * OW * g.kH * g.kW, [&](int64_t p) {
      const T* ip = src + p * H * W;
      T* q = dst + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        for (int64_t ow = 0; ow < OW; ow++) {
          const AvgWindow w = avgWindow(oh, ow, H, W, g, o);
          if (w.hs >= w.he || w.ws >= w.we) {
            q[oh * OW + ow] = T(0);
            continue;
          }
          double s = 0;
          for (int64_t ih = w.hs; ih < w.he; ih++)
            for (int64_t iw = w.ws; iw < w.we; iw++) s += (double)ip[ih * W + iw];
          q[oh * OW + ow] = (T)(s / w.div);
        }
      }
    });
  });
}

void avgPool2dBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, const PoolGeometry& g,
                       const AvgPoolOptions& o, const char* op) {
  const PoolPlanes go = poolPlanesOf(gradOutput, op, "gradOutput");
  const PoolPlanes gi = poolPlanesOf(gradInput, op, "gradInput");
  checkSamePoolPlanes(go, gi, gradOutput, gradInput, op);
  checkPoolDType(gradInput, gradOutput.dtype, op, "gradInput");
  CINDER_CHECK(g.kH > 0 && g.kW > 0 && g.sH > 0 && g.sW > 0 && g.pH >= 0 && g.pW >= 0, op, ": invalid pooling geometry");
  const int64_t H = gi.H, W = gi.W, OH = go.H, OW = go.W;
  CINDER_DISPATCH_FLOAT(gradOutput.dtype, op, [&] {
    using T = scalar_t;
    const T* gsrc = gradOutput.ptr<T>();
    T* dst = gradInput.ptr<T>();
    forPlanes(gi.count, OH * OW * g.kH * g.kW + H * W, [&](int64_t p) {
      T* q = dst + p * H * W;
      std::fill(q, q + H * W, T(0));
      const T* gp = gsrc + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        for (int64_t ow = 0; ow < OW; ow++) {
          const AvgWindow w = avgWindow(oh, ow, H, W, g, o);
          const T v = (T)((double)gp[oh * OW + ow] / w.div);
          for (int64_t ih = w.hs; ih < w.he; ih++)
            for (int64_t iw = w.ws; iw < w.we; iw++) q[ih * W + iw] += v;
        }
      }
    });
  });
}

// ---- adaptive pooling -------------------------------------------------------------------------

namespace {

inline int64_t adaptiveStart(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
inline int64_t adaptiveEnd(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

void checkAdaptive(const PoolPlanes& in, const PoolPlanes& out, const char* op) {
  CINDER_CHECK((out.H > 0 && out.W > 0) || in.count == 0, op, ": output size must be positive");
  CINDER_CHECK((in.H > 0 && in.W > 0) || in.count == 0, op, ": input planes must not be empty");
}

}  // namespace

void adaptiveAvgPool2dForward(const TensorDesc& x, const TensorDesc& out, const char* op) {
  const PoolPlanes in = poolPlanesOf(x, op, "input");
  const PoolPlanes po = poolPlanesOf(out, op, "output");
  checkSamePoolPlanes(in, po, x, out, op);
  checkPoolDType(out, x.dtype, op, "output");
  checkAdaptive(in, po, op);
  const int64_t H = in.H, W = in.W, OH = po.H, OW = po.W;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* src = x.ptr<T>();
    T* dst = out.ptr<T>();
    forPlanes(in.count, H * W + OH * OW, [&](int64_t p) {
      const T* ip = src + p * H * W;
      T* q = dst + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        const int64_t hs = adaptiveStart(oh, H, OH), he = adaptiveEnd(oh, H, OH);
        for (int64_t ow = 0; ow < OW; ow++) {
          const int64_t ws = adaptiveStart(ow, W, OW), we = adaptiveEnd(ow, W, OW);
          double s = 0;
          for (int64_t ih = hs; ih < he; ih++)
            for (int64_t iw = ws; iw < we; iw++) s += (double)ip[ih * W + iw];
          q[oh * OW + ow] = (T)(s / (double)((he - hs) * (we - ws)));
        }
      }
    });
  });
}

void adaptiveAvgPool2dBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, const char* op) {
  const PoolPlanes go = poolPlanesOf(gradOutput, op, "gradOutput");
  const PoolPlanes gi = poolPlanesOf(gradInput, op, "gradInput");
  checkSamePoolPlanes(go, gi, gradOutput, gradInput, op);
  checkPoolDType(gradInput, gradOutput.dtype, op, "gradInput");
  checkAdaptive(gi, go, op);
  const int64_t H = gi.H, W = gi.W, OH = go.H, OW = go.W;
  CINDER_DISPATCH_FLOAT(gradOutput.dtype, op, [&] {
    using T = scalar_t;
    const T* gsrc = gradOutput.ptr<T>();
    T* dst = gradInput.ptr<T>();
    forPlanes(gi.count, H * W + OH * OW, [&](int64_t p) {
      T* q = dst + p * H * W;
      std::fill(q, q + H * W, T(0));
      const T* gp = gsrc + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        const int64_t hs = adaptiveStart(oh, H, OH), he = adaptiveEnd(oh, H, OH);
        for (int64_t ow = 0; ow < OW; ow++) {
          const int64_t ws = adaptiveStart(ow, W, OW), we = adaptiveEnd(ow, W, OW);
          const T v = (T)((double)gp[oh * OW + ow] / (double)((he - hs) * (we - ws)));
          for (int64_t ih = hs; ih < he; ih++)
            for (int64_t iw = ws; iw < we; iw++) q[ih * W + iw] += v;
        }
      }
    });
  });
}

void adaptiveMaxPool2dForward(const TensorDesc& x, const TensorDesc& values, const TensorDesc& indices,
                              const char* op) {
  const PoolPlanes in = poolPlanesOf(x, op, "input");
  const PoolPlanes po = poolPlanesOf(values, op, "output");
  checkSamePoolPlanes(in, po, x, values, op);
  checkPoolDType(values, x.dtype, op, "output");
  checkPoolDType(indices, DType::Int64, op, "indices");
  CINDER_CHECK(indices.numel() == values.numel() && indices.isContiguous(), op, ": indices do not match the output");
  checkAdaptive(in, po, op);
  const int64_t H = in.H, W = in.W, OH = po.H, OW = po.W;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* src = x.ptr<T>();
    T* dst = values.ptr<T>();
    int64_t* idx = indices.ptr<int64_t>();
    forPlanes(in.count, H * W + OH * OW, [&](int64_t p) {
      const T* ip = src + p * H * W;
      T* q = dst + p * OH * OW;
      int64_t* xp = idx + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        const int64_t hs = adaptiveStart(oh, H, OH), he = adaptiveEnd(oh, H, OH);
        for (int64_t ow = 0; ow < OW; ow++) {
          const int64_t ws = adaptiveStart(ow, W, OW), we = adaptiveEnd(ow, W, OW);
          T best = -std::numeric_limits<T>::infinity();
          int64_t bi = hs * W + ws;
          for (int64_t ih = hs; ih < he; ih++) {
            for (int64_t iw = ws; iw < we; iw++) {
              const T v = ip[ih * W + iw];
              if (v > best || v != v) {
                best = v;
                bi = ih * W + iw;
              }
            }
          }
          q[oh * OW + ow] = best;
          xp[oh * OW + ow] = bi;
        }
      }
    });
  });
}

// ---- upsampling -------------------------------------------------------------------------------

namespace {

// PyTorch's compute_scales_value: 1 / scale when a scale factor was given, else in / out.
template <typename S>
S scalesValue(double scale, int64_t in, int64_t out) {
  return scale > 0 ? (S)(1.0 / scale) : (S)in / (S)out;
}

// Source index of each output position, nearest mode (floor(o * scale), computed in float).
std::vector<int64_t> nearestTable(int64_t in, int64_t out, double scale) {
  std::vector<int64_t> t((size_t)out);
  if (out == in) {
    for (int64_t o = 0; o < out; o++) t[(size_t)o] = o;
  } else if (out == 2 * in) {
    for (int64_t o = 0; o < out; o++) t[(size_t)o] = o >> 1;
  } else {
    const float s = scalesValue<float>(scale, in, out);
    for (int64_t o = 0; o < out; o++) t[(size_t)o] = std::min((int64_t)std::floor((float)o * s), in - 1);
  }
  return t;
}

template <typename S>
struct LinearTable {
  std::vector<int64_t> i0, step;  // source index and the offset (0 or 1) of its neighbour
  std::vector<S> l0, l1;          // weights of the two
};

template <typename S>
LinearTable<S> linearTable(int64_t in, int64_t out, bool alignCorners, double scale) {
  LinearTable<S> t;
  t.i0.resize((size_t)out);
  t.step.resize((size_t)out);
  t.l0.resize((size_t)out);
  t.l1.resize((size_t)out);
  S sc;
  if (alignCorners) sc = out > 1 ? (S)(in - 1) / (S)(out - 1) : S(0);
  else sc = scalesValue<S>(scale, in, out);
  for (int64_t o = 0; o < out; o++) {
    S src;
    if (alignCorners) {
      src = sc * (S)o;
    } else {
      src = sc * ((S)o + S(0.5)) - S(0.5);
      if (src < 0) src = 0;
    }
    const int64_t i = std::min((int64_t)std::floor(src), in - 1);
    const S lambda = std::min(std::max(src - (S)i, S(0)), S(1));
    t.i0[(size_t)o] = i;
    t.step[(size_t)o] = i < in - 1 ? 1 : 0;
    t.l1[(size_t)o] = lambda;
    t.l0[(size_t)o] = S(1) - lambda;
  }
  return t;
}

void checkUpsample(const PoolPlanes& in, const PoolPlanes& out, const char* op) {
  CINDER_CHECK(in.count == 0 || (in.H > 0 && in.W > 0 && out.H > 0 && out.W > 0), op,
               ": input and output sizes should be greater than 0, got input (", in.H, ", ", in.W, ") and output (",
               out.H, ", ", out.W, ")");
}

}  // namespace

void upsampleNearest2d(const TensorDesc& x, const TensorDesc& out, double scaleH, double scaleW, const char* op) {
  const PoolPlanes in = poolPlanesOf(x, op, "input");
  const PoolPlanes po = poolPlanesOf(out, op, "output");
  checkSamePoolPlanes(in, po, x, out, op);
  checkPoolDType(out, x.dtype, op, "output");
  checkUpsample(in, po, op);
  if (in.count == 0) return;
  const auto th = nearestTable(in.H, po.H, scaleH);
  const auto tw = nearestTable(in.W, po.W, scaleW);
  const int64_t H = in.H, W = in.W, OH = po.H, OW = po.W;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* src = x.ptr<T>();
    T* dst = out.ptr<T>();
    forPlanes(in.count, OH * OW, [&](int64_t p) {
      const T* ip = src + p * H * W;
      T* q = dst + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        const T* row = ip + th[(size_t)oh] * W;
        T* qr = q + oh * OW;
        for (int64_t ow = 0; ow < OW; ow++) qr[ow] = row[tw[(size_t)ow]];
      }
    });
  });
}

void upsampleNearest2dBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, double scaleH,
                               double scaleW, const char* op) {
  const PoolPlanes go = poolPlanesOf(gradOutput, op, "gradOutput");
  const PoolPlanes gi = poolPlanesOf(gradInput, op, "gradInput");
  checkSamePoolPlanes(go, gi, gradOutput, gradInput, op);
  checkPoolDType(gradInput, gradOutput.dtype, op, "gradInput");
  checkUpsample(gi, go, op);
  if (gi.count == 0) return;
  const auto th = nearestTable(gi.H, go.H, scaleH);
  const auto tw = nearestTable(gi.W, go.W, scaleW);
  const int64_t H = gi.H, W = gi.W, OH = go.H, OW = go.W;
  CINDER_DISPATCH_FLOAT(gradOutput.dtype, op, [&] {
    using T = scalar_t;
    const T* gsrc = gradOutput.ptr<T>();
    T* dst = gradInput.ptr<T>();
    forPlanes(gi.count, OH * OW + H * W, [&](int64_t p) {
      T* q = dst + p * H * W;
      std::fill(q, q + H * W, T(0));
      const T* gp = gsrc + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        T* row = q + th[(size_t)oh] * W;
        const T* gr = gp + oh * OW;
        for (int64_t ow = 0; ow < OW; ow++) row[tw[(size_t)ow]] += gr[ow];
      }
    });
  });
}

void upsampleBilinear2d(const TensorDesc& x, const TensorDesc& out, bool alignCorners, double scaleH,
                        double scaleW, const char* op) {
  const PoolPlanes in = poolPlanesOf(x, op, "input");
  const PoolPlanes po = poolPlanesOf(out, op, "output");
  checkSamePoolPlanes(in, po, x, out, op);
  checkPoolDType(out, x.dtype, op, "output");
  checkUpsample(in, po, op);
  if (in.count == 0) return;
  const int64_t H = in.H, W = in.W, OH = po.H, OW = po.W;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const auto th = linearTable<T>(H, OH, alignCorners, scaleH);
    const auto tw = linearTable<T>(W, OW, alignCorners, scaleW);
    const T* src = x.ptr<T>();
    T* dst = out.ptr<T>();
    forPlanes(in.count, 4 * OH * OW, [&](int64_t p) {
      const T* ip = src + p * H * W;
      T* q = dst + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        const T* r0 = ip + th.i0[(size_t)oh] * W;
        const T* r1 = r0 + th.step[(size_t)oh] * W;
        const T h0 = th.l0[(size_t)oh], h1 = th.l1[(size_t)oh];
        T* qr = q + oh * OW;
        for (int64_t ow = 0; ow < OW; ow++) {
          const int64_t i = tw.i0[(size_t)ow], j = i + tw.step[(size_t)ow];
          const T w0 = tw.l0[(size_t)ow], w1 = tw.l1[(size_t)ow];
          qr[ow] = h0 * (w0 * r0[i] + w1 * r0[j]) + h1 * (w0 * r1[i] + w1 * r1[j]);
        }
      }
    });
  });
}

void upsampleBilinear2dBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, bool alignCorners,
                                double scaleH, double scaleW, const char* op) {
  const PoolPlanes go = poolPlanesOf(gradOutput, op, "gradOutput");
  const PoolPlanes gi = poolPlanesOf(gradInput, op, "gradInput");
  checkSamePoolPlanes(go, gi, gradOutput, gradInput, op);
  checkPoolDType(gradInput, gradOutput.dtype, op, "gradInput");
  checkUpsample(gi, go, op);
  if (gi.count == 0) return;
  const int64_t H = gi.H, W = gi.W, OH = go.H, OW = go.W;
  CINDER_DISPATCH_FLOAT(gradOutput.dtype, op, [&] {
    using T = scalar_t;
    const auto th = linearTable<T>(H, OH, alignCorners, scaleH);
    const auto tw = linearTable<T>(W, OW, alignCorners, scaleW);
    const T* gsrc = gradOutput.ptr<T>();
    T* dst = gradInput.ptr<T>();
    forPlanes(gi.count, 4 * OH * OW + H * W, [&](int64_t p) {
      T* q = dst + p * H * W;
      std::fill(q, q + H * W, T(0));
      const T* gp = gsrc + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++) {
        T* r0 = q + th.i0[(size_t)oh] * W;
        T* r1 = r0 + th.step[(size_t)oh] * W;
        const T h0 = th.l0[(size_t)oh], h1 = th.l1[(size_t)oh];
        const T* gr = gp + oh * OW;
        for (int64_t ow = 0; ow < OW; ow++) {
          const int64_t i = tw.i0[(size_t)ow], j = i + tw.step[(size_t)ow];
          const T w0 = tw.l0[(size_t)ow], w1 = tw.l1[(size_t)ow];
          const T g = gr[ow];
          r0[i] += h0 * w0 * g;
          r0[j] += h0 * w1 * g;
          r1[i] += h1 * w0 * g;
          r1[j] += h1 * w1 * g;
        }
      }
    });
  });
}

// ---- padding ----------------------------------------------------------------------------------

namespace {

// Per-dim source tables: src[d][o] is the input index read by output index o along dim d, or -1
// (a constant pad). Dims with no padding map o -> o.
struct PadTables {
  std::vector<std::vector<int64_t>> src;
  bool identity[kMaxDims];
};

PadTables padTables(const TensorDesc& in, const TensorDesc& out, const int64_t* before, PadMode mode, const char* op) {
  CINDER_CHECK(in.ndim == out.ndim, op, ": input ", in.shapeString(), " and output ", out.shapeString(),
               " have different ranks");
  PadTables t;
  t.src.resize((size_t)in.ndim);
  for (int d = 0; d < in.ndim; d++) {
    const int64_t n = in.shape[d], m = out.shape[d], b = before[d];
    t.identity[d] = b == 0 && n == m;
    auto& s = t.src[(size_t)d];
    s.resize((size_t)m);
    for (int64_t o = 0; o < m; o++) {
      int64_t i = o - b;
      if (!t.identity[d]) {
        switch (mode) {
          case PadMode::Constant:
            if (i < 0 || i >= n) i = -1;
            break;
          case PadMode::Reflect:
            if (i < 0) i = -i;
            if (i >= n) i = 2 * (n - 1) - i;
            break;
          case PadMode::Replicate:
            i = std::min(std::max<int64_t>(i, 0), n - 1);
            break;
          case PadMode::Circular:
            if (n > 0) i = ((i % n) + n) % n;
            break;
        }
      }
      CINDER_CHECK((i >= 0 && i < n) || (mode == PadMode::Constant && i == -1), op, ": padding of ", b,
                   " before a dim of size ", n, " is out of range for this mode (output size ", m, ")");
      s[(size_t)o] = i;
    }
  }
  return t;
}

}  // namespace

void padForward(const TensorDesc& x, const TensorDesc& out, const int64_t* before, PadMode mode, double value,
                const char* op) {
  checkPoolDType(out, x.dtype, op, "output");
  CINDER_CHECK(out.isContiguous(), op, ": output must be contiguous");
  const int nd = x.ndim;
  CINDER_CHECK(nd >= 1, op, ": cannot pad a 0-d tensor");
  if (out.numel() == 0) return;
  const PadTables t = padTables(x, out, before, mode, op);
  const int64_t last = out.shape[nd - 1];
  const int64_t rows = out.numel() / last;
  CINDER_DISPATCH_ALL(x.dtype, op, [&] {
    using T = scalar_t;
    const T* src = x.ptr<T>();
    T* dst = out.ptr<T>();
    const T fill = (T)value;
    const int64_t sLast = x.strides[nd - 1];
    const int64_t* tl = t.src[(size_t)nd - 1].data();
    const bool lastIdentity = t.identity[nd - 1] && sLast == 1;
    parallelFor(rows, std::max<int64_t>(1, kParallelGrain / last), [&](int64_t rb, int64_t re) {
      for (int64_t r = rb; r < re; r++) {
        int64_t rem = r, base = 0;
        bool outside = false;
        for (int d = nd - 2; d >= 0; d--) {
          const int64_t o = rem % out.shape[d];
          rem /= out.shape[d];
          const int64_t i = t.src[(size_t)d][(size_t)o];
          if (i < 0) outside = true;
          base += i * x.strides[d];
        }
        T* q = dst + r * last;
        if (outside) {
          std::fill(q, q + last, fill);
          continue;
        }
        const T* p = src + base;
        if (lastIdentity) {
          std::copy(p, p + last, q);
          continue;
        }
        for (int64_t o = 0; o < last; o++) {
          const int64_t i = tl[o];
          q[o] = i < 0 ? fill : p[i * sLast];
        }
      }
    });
  });
}

void padBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, const int64_t* before, PadMode mode,
                 const char* op) {
  checkPoolDType(gradInput, gradOutput.dtype, op, "gradInput");
  CINDER_CHECK(gradInput.isContiguous(), op, ": gradInput must be contiguous");
  const int nd = gradInput.ndim;
  CINDER_CHECK(nd >= 1, op, ": cannot pad a 0-d tensor");
  const PadTables t = padTables(gradInput, gradOutput, before, mode, op);
  // Leading dims that are not padded split the work: each slice of them is accumulated by one thread.
  int lead = 0;
  while (lead < nd - 1 && t.identity[lead]) lead++;
  int64_t slices = 1;
  for (int d = 0; d < lead; d++) slices *= gradInput.shape[d];
  int64_t inSlice = 1, outRowsPerSlice = 1;
  for (int d = lead; d < nd; d++) inSlice *= gradInput.shape[d];
  for (int d = lead; d < nd - 1; d++) outRowsPerSlice *= gradOutput.shape[d];
  const int64_t last = gradOutput.shape[nd - 1];
  CINDER_DISPATCH_FLOAT(gradOutput.dtype, op, [&] {
    using T = scalar_t;
    const T* g = gradOutput.ptr<T>();
    T* dst = gradInput.ptr<T>();
    const int64_t* tl = t.src[(size_t)nd - 1].data();
    const int64_t gLast = gradOutput.strides[nd - 1];
    // Contiguous strides of gradInput.
    int64_t inStrides[kMaxDims];
    int64_t acc = 1;
    for (int d = nd - 1; d >= 0; d--) {
      inStrides[d] = acc;
      acc *= gradInput.shape[d];
    }
    parallelFor(slices, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, inSlice)), [&](int64_t sb, int64_t se) {
      for (int64_t s = sb; s < se; s++) {
        // The slice's leading index, both in gradInput (contiguous) and gradOutput (strided).
        int64_t rem = s, gBase = 0;
        for (int d = lead - 1; d >= 0; d--) {
          const int64_t o = rem % gradInput.shape[d];
          rem /= gradInput.shape[d];
          gBase += o * gradOutput.strides[d];
        }
        T* q = dst + s * inSlice;
        std::fill(q, q + inSlice, T(0));
        if (last == 0) continue;
        for (int64_t r = 0; r < outRowsPerSlice; r++) {
          int64_t rr = r, inOff = 0, gOff = gBase;
          bool outside = false;
          for (int d = nd - 2; d >= lead; d--) {
            const int64_t o = rr % gradOutput.shape[d];
            rr /= gradOutput.shape[d];
            const int64_t i = t.src[(size_t)d][(size_t)o];
            if (i < 0) outside = true;
            inOff += i * inStrides[d];
            gOff += o * gradOutput.strides[d];
          }
          if (outside) continue;
          T* qr = q + inOff;
          const T* gr = g + gOff;
          for (int64_t o = 0; o < last; o++) {
            const int64_t i = tl[o];
            if (i >= 0) qr[i] += gr[o * gLast];
          }
        }
      }
    });
  });
}

}  // namespace cinder
