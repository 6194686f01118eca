// The per-element work of the CUDA pooling, upsampling and padding kernels (pool.cu), as
// host-and-device functions: each computes the element a kernel's thread writes at linear index
// idx (outputs of forward ops, inputs of backward ones, which gather), so the kernels are grid
// loops around them and a host harness can run the same arithmetic. No CUDA headers.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/hostDevice.h"
#include "cpu/pool.h"
#include "cuda/pool.h"

namespace cinder {
namespace poolel {

// Unfused float arithmetic (the CPU's, compiled without FMA contraction): mulRn, addRn and subRn
// for float and double, the round-to-nearest intrinsics on the device, the plain operator on the
// host.
#ifdef __CUDA_ARCH__
#define CINDER_POOL_RN(name, T, intrinsic, op) \
  CINDER_HD inline T name(T a, T b) { return intrinsic(a, b); }
#else
#define CINDER_POOL_RN(name, T, intrinsic, op) \
  CINDER_HD inline T name(T a, T b) { return a op b; }
#endif
CINDER_POOL_RN(mulRn, float, __fmul_rn, *)
CINDER_POOL_RN(mulRn, double, __dmul_rn, *)
CINDER_POOL_RN(addRn, float, __fadd_rn, +)
CINDER_POOL_RN(addRn, double, __dadd_rn, +)
CINDER_POOL_RN(subRn, float, __fsub_rn, -)
CINDER_POOL_RN(subRn, double, __dsub_rn, -)
#undef CINDER_POOL_RN

template <typename I>
CINDER_HD inline I imin(I a, I b) {
  return a < b ? a : b;
}
template <typename I>
CINDER_HD inline I imax(I a, I b) {
  return a < b ? b : a;
}

template <typename T>
CINDER_HD inline T negInf() {
  return (T)(-INFINITY);
}

// ---- max pooling ------------------------------------------------------------------------------

template <typename I>
struct Win {
  I kH, kW, sH, sW, pH, pW, dH, dW;
};

template <typename I>
inline Win<I> winOf(const PoolGeometry& g) {
  return Win<I>{(I)g.kH, (I)g.kW, (I)g.sH, (I)g.sW, (I)g.pH, (I)g.pW, (I)g.dH, (I)g.dW};
}

// First in-bounds index of a dilated window starting at b (stepping by d), and its clipped end.
template <typename I>
CINDER_HD inline void windowBounds(I o, I s, I p, I k, I d, I in, I& start, I& end) {
  I b = o * s - p;
  const I e = b + (k - 1) * d + 1;
  end = e < in ? e : in;
  if (b < 0) b += ((-b + d - 1) / d) * d;
  start = b;
}

// ---- average pooling --------------------------------------------------------------------------

template <typename I>
struct AvgWin {
  I hs, he, ws, we;
  double div;
};

// cpu/pool.cc's avgWindow.
template <typename I>
CINDER_HD inline AvgWin<I> avgWindow(I oh, I ow, I H, I W, const Win<I>& g, bool countIncludePad,
                                               int64_t divisorOverride) {
  AvgWin<I> w;
  I hs = oh * g.sH - g.pH, ws = ow * g.sW - g.pW;
  I he = imin(hs + g.kH, H + g.pH), we = imin(ws + g.kW, W + g.pW);
  const int64_t poolSize = (int64_t)(he - hs) * (we - ws);
  hs = imax(hs, (I)0);
  ws = imax(ws, (I)0);
  he = imin(he, H);
  we = imin(we, W);
  w.hs = hs;
  w.he = he;
  w.ws = ws;
  w.we = we;
  if (divisorOverride != 0) w.div = (double)divisorOverride;
  else if (countIncludePad) w.div = (double)poolSize;
  else w.div = (double)((int64_t)(he - hs) * (we - ws));
  return w;
}

// ceil(a / b) for b > 0 and any a.
template <typename I>
CINDER_HD inline I ceilDivSigned(I a, I b) {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

// ---- adaptive pooling -------------------------------------------------------------------------

template <typename I>
CINDER_HD inline I adaptiveStart(I o, I in, I out) {
  return (I)(((int64_t)o * in) / out);
}
template <typename I>
CINDER_HD inline I adaptiveEnd(I o, I in, I out) {
  return (I)((((int64_t)o + 1) * in + out - 1) / out);
}

// The outputs o (of `out`) whose adaptive window holds input index i: [lo, hi], found from
// start(o) <= i < end(o), widened by one each way and checked by the caller.
template <typename I>
CINDER_HD inline void adaptiveRange(I i, I in, I out, I& lo, I& hi) {
  lo = (I)(((int64_t)i * out) / in) - 1;
  hi = (I)((((int64_t)i + 1) * out - 1) / in) + 1;
  if (lo < 0) lo = 0;
  if (hi > out - 1) hi = out - 1;
}

// ---- upsampling -------------------------------------------------------------------------------

// cpu/pool.cc's nearestTable entry: the input index output o reads.
template <typename I>
CINDER_HD inline I nearestSource(I o, I in, I out, float s) {
  if (out == in) return o;
  if (out == 2 * in) return o >> 1;
  const I i = (I)floorf(mulRn((float)o, s));
  return i < in - 1 ? i : in - 1;
}

// The first o in [0, n) with f(o) >= target (n when none), for f non-decreasing.
template <typename I, typename F>
CINDER_HD inline I firstAtLeast(I target, I n, F f) {
  I lo = 0, hi = n;
  while (lo < hi) {
    const I mid = lo + (hi - lo) / 2;
    if (f(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// One entry of cpu/pool.cc's linearTable: source index, neighbour step (0 or 1), the two weights.
template <typename T, typename I>
struct Lin {
  I i, step;
  T l0, l1;
};

// The source coordinate output coordinate o reads (cpu/pool.cc's linearTable).
template <typename T, typename I>
CINDER_HD inline T linearSource(I o, bool alignCorners, T sc) {
  if (alignCorners) return mulRn(sc, (T)o);
  const T src = subRn(mulRn(sc, addRn((T)o, T(0.5))), T(0.5));
  return src < 0 ? T(0) : src;
}

template <typename T, typename I>
CINDER_HD inline I linearIndex(I o, I in, bool alignCorners, T sc) {
  const T src = linearSource(o, alignCorners, sc);
  const I i = (I)floor(src);
  return i < in - 1 ? i : in - 1;
}

template <typename T, typename I>
CINDER_HD inline Lin<T, I> linearAt(I o, I in, bool alignCorners, T sc) {
  const T src = linearSource(o, alignCorners, sc);
  Lin<T, I> r;
  const I i0 = (I)floor(src);
  r.i = i0 < in - 1 ? i0 : in - 1;
  T lambda = subRn(src, (T)r.i);
  lambda = lambda < T(0) ? T(0) : (lambda > T(1) ? T(1) : lambda);
  r.step = r.i < in - 1 ? 1 : 0;
  r.l1 = lambda;
  r.l0 = subRn(T(1), lambda);
  return r;
}

// PyTorch's compute_scales_value (cpu/pool.cc's scalesValue).
template <typename S>
inline S scalesValue(double scale, int64_t in, int64_t out) {
  return scale > 0 ? (S)(1.0 / scale) : (S)in / (S)out;
}

template <typename S>
inline S linearScale(bool alignCorners, double scale, int64_t in, int64_t out) {
  if (alignCorners) return out > 1 ? (S)(in - 1) / (S)(out - 1) : S(0);
  return scalesValue<S>(scale, in, out);
}

// ---- padding ----------------------------------------------------------------------------------

template <typename I>
struct PadK {
  int nd, mode;
  I inShape[kMaxDims], outShape[kMaxDims], before[kMaxDims];
  int64_t strides[kMaxDims];
};

template <typename I>
inline PadK<I> padOf(const CudaPadArgs& a) {
  PadK<I> k;
  k.nd = a.nd;
  k.mode = a.mode;
  for (int d = 0; d < a.nd; d++) {
    k.inShape[d] = (I)a.inShape[d];
    k.outShape[d] = (I)a.outShape[d];
    k.before[d] = (I)a.before[d];
    k.strides[d] = a.strides[d];
  }
  return k;
}

// The output indices along one dim that read input index i, as up to three runs {first, count,
// step} in increasing order (each checked against padSourceIndex).
template <typename I>
struct Runs {
  int n;
  I first[3], count[3], step[3];
};

template <typename I>
CINDER_HD inline void addPoint(Runs<I>& r, I o, I i, I b, I n, I m, int mode) {
  if (o >= 0 && o < m && (I)padSourceIndex(o, b, n, m, mode) == i) {
    r.first[r.n] = o;
    r.count[r.n] = 1;
    r.step[r.n] = 1;
    r.n++;
  }
}

template <typename I>
CINDER_HD inline Runs<I> readersOf(I i, I b, I n, I m, int mode) {
  Runs<I> r;
  r.n = 0;
  if ((b == 0 && n == m) || mode == (int)PadMode::Constant) {
    addPoint(r, i + b, i, b, n, m, mode);
  } else if (mode == (int)PadMode::Replicate) {
    I lo = i == 0 ? 0 : i + b;
    I hi = i == n - 1 ? m : i + b + 1;
    if (lo < 0) lo = 0;
    if (hi > m) hi = m;
    if (lo < hi) {
      r.first[0] = lo;
      r.count[0] = hi - lo;
      r.step[0] = 1;
      r.n = 1;
    }
  } else if (mode == (int)PadMode::Reflect) {
    if (i > 0) addPoint(r, b - i, i, b, n, m, mode);
    addPoint(r, b + i, i, b, n, m, mode);
    if (i < n - 1) addPoint(r, b + 2 * (n - 1) - i, i, b, n, m, mode);
  } else {  // circular: o = i + b + k * n
    const I base = i + b;
    const I k0 = ceilDivSigned<I>(-base, n);
    const I last = m - 1 - base;  // k * n <= last
    const I k1 = last >= 0 ? last / n : -ceilDivSigned<I>(-last, n);
    if (k1 >= k0) {
      r.first[0] = base + k0 * n;
      r.count[0] = k1 - k0 + 1;
      r.step[0] = n;
      r.n = 1;
    }
  }
  return r;
}

// ---- elements -------------------------------------------------------------------------------

// The maximum of plane ip (width W) over rows [hs, he) step dh and columns [ws, we) step dw, NaN
// winning, into value, and its flat position (bi0 when the window is empty) into index.
template <typename T, typename I>
CINDER_HD inline void windowMax(const T* ip, I W, I hs, I he, I dh, I ws, I we, I dw, I bi0, T& value,
                                int64_t& index) {
  T best = negInf<T>();
  I bi = bi0;
  for (I ih = hs; ih < he; ih += dh) {
    for (I iw = ws; iw < we; iw += dw) {
      const T v = ip[ih * W + iw];
      if (v > best || v != v) {
        best = v;
        bi = ih * W + iw;
      }
    }
  }
  value = best;
  index = (int64_t)bi;
}

template <typename T, typename I>
CINDER_HD inline void maxPoolAt(I idx, const T* __restrict__ x, T* __restrict__ values, int64_t* __restrict__ indices,
                                I total, I H, I W, I OH, I OW, Win<I> g) {
  const I ow = idx % OW;
  const I t = idx / OW;
  const I oh = t % OH, p = t / OH;
  I hs, he, ws, we;
  windowBounds(oh, g.sH, g.pH, g.kH, g.dH, H, hs, he);
  windowBounds(ow, g.sW, g.pW, g.kW, g.dW, W, ws, we);
  const T* ip = x + (int64_t)p * H * W;
  windowMax(ip, W, hs, he, g.dH, ws, we, g.dW, (hs < H && ws < W) ? hs * W + ws : 0, values[idx], indices[idx]);
}

template <typename T, typename I>
CINDER_HD inline void avgPoolAt(I idx, const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW,
                                Win<I> g, bool countIncludePad, int64_t divisorOverride) {
  const I ow = idx % OW;
  const I t = idx / OW;
  const I oh = t % OH, p = t / OH;
  const AvgWin<I> w = avgWindow(oh, ow, H, W, g, countIncludePad, divisorOverride);
  if (w.hs >= w.he || w.ws >= w.we) {
    out[idx] = T(0);
    return;
  }
  const T* ip = x + (int64_t)p * H * W;
  double s = 0;
  for (I ih = w.hs; ih < w.he; ih++)
    for (I iw = w.ws; iw < w.we; iw++) s += (double)ip[ih * W + iw];
  out[idx] = (T)(s / w.div);
}

template <typename T, typename I>
CINDER_HD inline void avgPoolBackwardAt(I idx, const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH,
                                        I OW, Win<I> w, bool countIncludePad, int64_t divisorOverride) {
  const I iw = idx % W;
  const I t = idx / W;
  const I ih = t % H, p = t / H;
  // Outputs whose window [o * s - pad, o * s - pad + k) holds the element.
  const I oh0 = imax((I)0, ceilDivSigned<I>(ih + w.pH - w.kH + 1, w.sH)), oh1 = imin(OH - 1, (ih + w.pH) / w.sH);
  const I ow0 = imax((I)0, ceilDivSigned<I>(iw + w.pW - w.kW + 1, w.sW)), ow1 = imin(OW - 1, (iw + w.pW) / w.sW);
  const T* gp = g + (int64_t)p * OH * OW;
  T acc = T(0);
  for (I oh = oh0; oh <= oh1; oh++) {
    for (I ow = ow0; ow <= ow1; ow++) {
      const AvgWin<I> a = avgWindow(oh, ow, H, W, w, countIncludePad, divisorOverride);
      if (ih < a.hs || ih >= a.he || iw < a.ws || iw >= a.we) continue;
      acc += (T)((double)gp[oh * OW + ow] / a.div);
    }
  }
  gi[idx] = acc;
}

template <typename T, typename I>
CINDER_HD inline void adaptiveAvgAt(I idx, const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH,
                                    I OW) {
  const I ow = idx % OW;
  const I t = idx / OW;
  const I oh = t % OH, p = t / OH;
  const I hs = adaptiveStart(oh, H, OH), he = adaptiveEnd(oh, H, OH);
  const I ws = adaptiveStart(ow, W, OW), we = adaptiveEnd(ow, W, OW);
  const T* ip = x + (int64_t)p * H * W;
  double s = 0;
  for (I ih = hs; ih < he; ih++)
    for (I iw = ws; iw < we; iw++) s += (double)ip[ih * W + iw];
  out[idx] = (T)(s / (double)((int64_t)(he - hs) * (we - ws)));
}

template <typename T, typename I>
CINDER_HD inline void adaptiveAvgBackwardAt(I idx, const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH,
                                            I OW) {
  const I iw = idx % W;
  const I t = idx / W;
  const I ih = t % H, p = t / H;
  I oh0, oh1, ow0, ow1;
  adaptiveRange(ih, H, OH, oh0, oh1);
  adaptiveRange(iw, W, OW, ow0, ow1);
  const T* gp = g + (int64_t)p * OH * OW;
  T acc = T(0);
  for (I oh = oh0; oh <= oh1; oh++) {
    const I hs = adaptiveStart(oh, H, OH), he = adaptiveEnd(oh, H, OH);
    if (ih < hs || ih >= he) continue;
    for (I ow = ow0; ow <= ow1; ow++) {
      const I ws = adaptiveStart(ow, W, OW), we = adaptiveEnd(ow, W, OW);
      if (iw < ws || iw >= we) continue;
      acc += (T)((double)gp[oh * OW + ow] / (double)((int64_t)(he - hs) * (we - ws)));
    }
  }
  gi[idx] = acc;
}

template <typename T, typename I>
CINDER_HD inline void adaptiveMaxAt(I idx, const T* __restrict__ x, T* __restrict__ values,
                                    int64_t* __restrict__ indices, I total, I H, I W, I OH, I OW) {
  const I ow = idx % OW;
  const I t = idx / OW;
  const I oh = t % OH, p = t / OH;
  const I hs = adaptiveStart(oh, H, OH), he = adaptiveEnd(oh, H, OH);
  const I ws = adaptiveStart(ow, W, OW), we = adaptiveEnd(ow, W, OW);
  const T* ip = x + (int64_t)p * H * W;
  windowMax(ip, W, hs, he, I(1), ws, we, I(1), hs * W + ws, values[idx], indices[idx]);
}

template <typename T, typename I>
CINDER_HD inline void nearestAt(I idx, const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW,
                                float sh, float sw) {
  const I ow = idx % OW;
  const I t = idx / OW;
  const I oh = t % OH, p = t / OH;
  out[idx] = x[(int64_t)p * H * W + nearestSource(oh, H, OH, sh) * W + nearestSource(ow, W, OW, sw)];
}

template <typename T, typename I>
CINDER_HD inline void nearestBackwardAt(I idx, const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH,
                                        I OW, float sh, float sw) {
  const I iw = idx % W;
  const I t = idx / W;
  const I ih = t % H, p = t / H;
  const I oh0 = firstAtLeast<I>(ih, OH, [&](I o) { return nearestSource(o, H, OH, sh); });
  const I ow0 = firstAtLeast<I>(iw, OW, [&](I o) { return nearestSource(o, W, OW, sw); });
  const T* gp = g + (int64_t)p * OH * OW;
  T acc = T(0);
  for (I oh = oh0; oh < OH && nearestSource(oh, H, OH, sh) == ih; oh++)
    for (I ow = ow0; ow < OW && nearestSource(ow, W, OW, sw) == iw; ow++) acc += gp[oh * OW + ow];
  gi[idx] = acc;
}

template <typename T, typename I>
CINDER_HD inline void bilinearAt(I idx, const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW,
                                 bool alignCorners, T sh, T sw) {
  const I ow = idx % OW;
  const I t = idx / OW;
  const I oh = t % OH, p = t / OH;
  const Lin<T, I> h = linearAt<T, I>(oh, H, alignCorners, sh);
  const Lin<T, I> w = linearAt<T, I>(ow, W, alignCorners, sw);
  const T* r0 = x + (int64_t)p * H * W + (int64_t)h.i * W;
  const T* r1 = r0 + (int64_t)h.step * W;
  const I i = w.i, j = w.i + w.step;
  const T a = addRn(mulRn(w.l0, r0[i]), mulRn(w.l1, r0[j]));
  const T b = addRn(mulRn(w.l0, r1[i]), mulRn(w.l1, r1[j]));
  out[idx] = addRn(mulRn(h.l0, a), mulRn(h.l1, b));
}

template <typename T, typename I>
CINDER_HD inline void bilinearBackwardAt(I idx, const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH,
                                         I OW, bool alignCorners, T sh, T sw) {
  const I iw = idx % W;
  const I t = idx / W;
  const I ih = t % H, p = t / H;
  // Outputs whose source index is ih - 1 or ih (the rows reading ih as r0 or r1).
  const I oh0 = firstAtLeast<I>(ih - 1, OH, [&](I o) { return linearIndex<T, I>(o, H, alignCorners, sh); });
  const I ow0 = firstAtLeast<I>(iw - 1, OW, [&](I o) { return linearIndex<T, I>(o, W, alignCorners, sw); });
  const T* gp = g + (int64_t)p * OH * OW;
  T acc = T(0);
  for (I oh = oh0; oh < OH; oh++) {
    const Lin<T, I> h = linearAt<T, I>(oh, H, alignCorners, sh);
    if (h.i > ih) break;
    const bool top = h.i == ih, bottom = h.i + h.step == ih;
    if (!top && !bottom) continue;
    for (I ow = ow0; ow < OW; ow++) {
      const Lin<T, I> w = linearAt<T, I>(ow, W, alignCorners, sw);
      if (w.i > iw) break;
      const bool left = w.i == iw, right = w.i + w.step == iw;
      if (!left && !right) continue;
      const T gv = gp[oh * OW + ow];
      // The CPU's four adds of this output, in its order.
      if (top && left) acc = addRn(acc, mulRn(mulRn(h.l0, w.l0), gv));
      if (top && right) acc = addRn(acc, mulRn(mulRn(h.l0, w.l1), gv));
      if (bottom && left) acc = addRn(acc, mulRn(mulRn(h.l1, w.l0), gv));
      if (bottom && right) acc = addRn(acc, mulRn(mulRn(h.l1, w.l1), gv));
    }
  }
  gi[idx] = acc;
}

template <typename W, typename I>
CINDER_HD inline void padAt(I idx, PadK<I> a, const W* __restrict__ x, W* __restrict__ out, I total, W fill) {
  I rem = idx;
  int64_t off = 0;
  bool outside = false;
  for (int d = a.nd - 1; d >= 0; d--) {
    const I o = rem % a.outShape[d];
    rem /= a.outShape[d];
    const I i = (I)padSourceIndex(o, a.before[d], a.inShape[d], a.outShape[d], a.mode);
    if (i < 0) outside = true;
    off += (int64_t)i * a.strides[d];
  }
  out[idx] = outside ? fill : x[off];
}

template <typename T, typename I>
CINDER_HD inline void padBackwardAt(I idx, PadK<I> a, const T* __restrict__ g, T* __restrict__ gi, I total) {
  // Dims with one reader go into the base offset; the others are walked as an odometer over
  // their readers, the last dim fastest (the CPU's output order).
  Runs<I> runs[kMaxDims];
  int multi[kMaxDims];
  int nm = 0;
  int64_t base = 0;
  bool none = false;
  I rem = idx;
  for (int d = a.nd - 1; d >= 0; d--) {
    const I i = rem % a.inShape[d];
    rem /= a.inShape[d];
    runs[d] = readersOf<I>(i, a.before[d], a.inShape[d], a.outShape[d], a.mode);
    I total_d = 0;
    for (int s = 0; s < runs[d].n; s++) total_d += runs[d].count[s];
    if (total_d == 0) none = true;
    else if (total_d == 1) base += (int64_t)runs[d].first[0] * a.strides[d];
    else multi[nm++] = d;  // innermost first
  }
  T acc = T(0);
  if (!none) {
    // Odometer state per multi dim: run index and position within it.
    int run[kMaxDims];
    I pos[kMaxDims];
    for (int q = 0; q < nm; q++) {
      run[q] = 0;
      pos[q] = 0;
    }
    while (true) {
      int64_t off = base;
      for (int q = 0; q < nm; q++) {
        const Runs<I>& r = runs[multi[q]];
        off += (int64_t)(r.first[run[q]] + pos[q] * r.step[run[q]]) * a.strides[multi[q]];
      }
      acc += g[off];
      int q = 0;
      for (; q < nm; q++) {
        const Runs<I>& r = runs[multi[q]];
        if (++pos[q] < r.count[run[q]]) break;
        pos[q] = 0;
        if (++run[q] < r.n) break;
        run[q] = 0;
      }
      if (q == nm) break;
    }
  }
  gi[idx] = acc;
}

}  // namespace poolel
}  // namespace cinder
