// CUDA pooling, upsampling and padding kernels (pool.h). One thread per element written, in
// grid-stride loops; I is the index type (int32 when every decomposed size fits with room to
// spare, else int64), offsets into the operands are int64. Arithmetic mirrors cpu/pool.cc:
// average pools sum in double, interpolation weights use the CPU's formulas with unfused
// roundings (__*_rn), and backward kernels add each input element's contributions in the order
// the CPU's scatter loops do, so both devices agree to the last bit where the CPU does too.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/pool.h"
#include "cuda/reduceUtil.cuh"

namespace cinder {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kSmall = int64_t(1) << 29;

template <typename F>
void dispatchFloat(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: f(float(0)); break;
    case DType::Float64: f(double(0)); break;
    default: fail(op, ": not supported for dtype ", dtypeName(dt));
  }
}

// Runs f(I()) with I = int32_t when `small`, else int64_t.
template <typename F>
void withIndex(bool small, F&& f) {
  if (small) f(int32_t(0));
  else f(int64_t(0));
}

#define CINDER_GRID_LOOP(I, idx, total) \
  for (I idx = (I)(blockIdx.x * (int64_t)blockDim.x + threadIdx.x); idx < (total); idx += (I)gridDim.x * (I)blockDim.x)

bool planesSmall(const CudaPlanes& p) {
  return p.count * p.H * p.W < kSmall && p.count * p.OH * p.OW < kSmall && p.H < kSmall && p.W < kSmall &&
         p.OH < kSmall && p.OW < kSmall;
}

// Unfused float arithmetic (the CPU's, compiled without FMA contraction).
__device__ __forceinline__ float mulRn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mulRn(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float addRn(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double addRn(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float subRn(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ double subRn(double a, double b) { return __dsub_rn(a, b); }

template <typename I>
__device__ __forceinline__ I imin(I a, I b) {
  return a < b ? a : b;
}
template <typename I>
__device__ __forceinline__ I imax(I a, I b) {
  return a < b ? b : a;
}

template <typename T>
__device__ __forceinline__ T negInf() {
  return (T)(-INFINITY);
}

// ---- max pooling ------------------------------------------------------------------------------

template <typename I>
struct Win {
  I kH, kW, sH, sW, pH, pW, dH, dW;
};

template <typename I>
Win<I> winOf(const PoolGeometry& g) {
  return Win<I>{(I)g.kH, (I)g.kW, (I)g.sH, (I)g.sW, (I)g.pH, (I)g.pW, (I)g.dH, (I)g.dW};
}

bool windowSmall(const CudaPlanes& p, const PoolGeometry& g) {
  return planesSmall(p) && p.OH * g.sH + g.kH * g.dH + g.pH < kSmall && p.OW * g.sW + g.kW * g.dW + g.pW < kSmall &&
         p.H + g.pH < kSmall && p.W + g.pW < kSmall;
}

// First in-bounds index of a dilated window starting at b (stepping by d), and its clipped end.
template <typename I>
__device__ __forceinline__ void windowBounds(I o, I s, I p, I k, I d, I in, I& start, I& end) {
  I b = o * s - p;
  const I e = b + (k - 1) * d + 1;
  end = e < in ? e : in;
  if (b < 0) b += ((-b + d - 1) / d) * d;
  start = b;
}

template <typename T, typename I>
__global__ void maxPoolKernel(const T* __restrict__ x, T* __restrict__ values, int64_t* __restrict__ indices,
                              I total, I H, I W, I OH, I OW, Win<I> g) {
  CINDER_GRID_LOOP(I, idx, total) {
    const I ow = idx % OW;
    const I t = idx / OW;
    const I oh = t % OH, p = t / OH;
    I hs, he, ws, we;
    windowBounds(oh, g.sH, g.pH, g.kH, g.dH, H, hs, he);
    windowBounds(ow, g.sW, g.pW, g.kW, g.dW, W, ws, we);
    const T* ip = x + (int64_t)p * H * W;
    T best = negInf<T>();
    I bi = (hs < H && ws < W) ? hs * W + ws : 0;
    for (I ih = hs; ih < he; ih += g.dH) {
      for (I iw = ws; iw < we; iw += g.dW) {
        const T v = ip[ih * W + iw];
        if (v > best || v != v) {
          best = v;
          bi = ih * W + iw;
        }
      }
    }
    values[idx] = best;
    indices[idx] = (int64_t)bi;
  }
}

// One warp per plane: the plane is zeroed, then the outputs are taken 32 at a time in order; the
// lanes aiming at one input element are matched and the lowest of them adds their values in lane
// order, so every element receives its contributions in output order (the CPU's).
constexpr int kWarpsPerBlock = kThreads / 32;

template <typename T>
__global__ void maxPoolBackwardKernel(const T* __restrict__ g, const int64_t* __restrict__ idx, T* __restrict__ gi,
                                      int64_t planes, int64_t plane, int64_t oplane,
                                      unsigned long long* __restrict__ bad) {
  __shared__ T vals[kWarpsPerBlock][32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int64_t stride = (int64_t)gridDim.x * kWarpsPerBlock;
  for (int64_t p = (int64_t)blockIdx.x * kWarpsPerBlock + warp; p < planes; p += stride) {
    T* o = gi + p * plane;
    for (int64_t i = lane; i < plane; i += 32) o[i] = T(0);
    __syncwarp();
    const T* gp = g + p * oplane;
    const int64_t* xp = idx + p * oplane;
    for (int64_t k0 = 0; k0 < oplane; k0 += 32) {
      const int64_t k = k0 + lane;
      int64_t target = -1;
      T v = T(0);
      if (k < oplane) {
        target = xp[k];
        v = gp[k];
        if (target < 0 || target >= plane) {
          if (atomicCAS(&bad[0], 0ull, 1ull) == 0ull) bad[1] = (unsigned long long)target;
          target = -1;
        }
      }
      vals[warp][lane] = v;
      const unsigned peers = __match_any_sync(kFullWarp, (unsigned long long)target);
      __syncwarp();
      if (target >= 0 && lane == __ffs(peers) - 1) {
        T acc = o[target];
        for (unsigned m = peers; m != 0; m &= m - 1) acc += vals[warp][__ffs(m) - 1];
        o[target] = acc;
      }
      __syncwarp();
    }
  }
}

// ---- average pooling --------------------------------------------------------------------------

template <typename I>
struct AvgWin {
  I hs, he, ws, we;
  double div;
};

// cpu/pool.cc's avgWindow.
template <typename I>
__device__ __forceinline__ AvgWin<I> avgWindow(I oh, I ow, I H, I W, const Win<I>& g, bool countIncludePad,
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

template <typename T, typename I>
__global__ void avgPoolKernel(const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW, Win<I> g,
                              bool countIncludePad, int64_t divisorOverride) {
  CINDER_GRID_LOOP(I, idx, total) {
    const I ow = idx % OW;
    const I t = idx / OW;
    const I oh = t % OH, p = t / OH;
    const AvgWin<I> w = avgWindow(oh, ow, H, W, g, countIncludePad, divisorOverride);
    if (w.hs >= w.he || w.ws >= w.we) {
      out[idx] = T(0);
      continue;
    }
    const T* ip = x + (int64_t)p * H * W;
    double s = 0;
    for (I ih = w.hs; ih < w.he; ih++)
      for (I iw = w.ws; iw < w.we; iw++) s += (double)ip[ih * W + iw];
    out[idx] = (T)(s / w.div);
  }
}

// ceil(a / b) for b > 0 and any a.
template <typename I>
__device__ __forceinline__ I ceilDivSigned(I a, I b) {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

template <typename T, typename I>
__global__ void avgPoolBackwardKernel(const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH, I OW,
                                      Win<I> w, bool countIncludePad, int64_t divisorOverride) {
  CINDER_GRID_LOOP(I, idx, total) {
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
}

// ---- adaptive pooling -------------------------------------------------------------------------

template <typename I>
__device__ __forceinline__ I adaptiveStart(I o, I in, I out) {
  return (I)(((int64_t)o * in) / out);
}
template <typename I>
__device__ __forceinline__ I adaptiveEnd(I o, I in, I out) {
  return (I)((((int64_t)o + 1) * in + out - 1) / out);
}

template <typename T, typename I>
__global__ void adaptiveAvgKernel(const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW) {
  CINDER_GRID_LOOP(I, idx, total) {
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
}

// The outputs o (of `out`) whose adaptive window holds input index i: [lo, hi], found from
// start(o) <= i < end(o), widened by one each way and checked by the caller.
template <typename I>
__device__ __forceinline__ void adaptiveRange(I i, I in, I out, I& lo, I& hi) {
  lo = (I)(((int64_t)i * out) / in) - 1;
  hi = (I)((((int64_t)i + 1) * out - 1) / in) + 1;
  if (lo < 0) lo = 0;
  if (hi > out - 1) hi = out - 1;
}

template <typename T, typename I>
__global__ void adaptiveAvgBackwardKernel(const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH,
                                          I OW) {
  CINDER_GRID_LOOP(I, idx, total) {
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
}

template <typename T, typename I>
__global__ void adaptiveMaxKernel(const T* __restrict__ x, T* __restrict__ values, int64_t* __restrict__ indices,
                                  I total, I H, I W, I OH, I OW) {
  CINDER_GRID_LOOP(I, idx, total) {
    const I ow = idx % OW;
    const I t = idx / OW;
    const I oh = t % OH, p = t / OH;
    const I hs = adaptiveStart(oh, H, OH), he = adaptiveEnd(oh, H, OH);
    const I ws = adaptiveStart(ow, W, OW), we = adaptiveEnd(ow, W, OW);
    const T* ip = x + (int64_t)p * H * W;
    T best = negInf<T>();
    I bi = hs * W + ws;
    for (I ih = hs; ih < he; ih++) {
      for (I iw = ws; iw < we; iw++) {
        const T v = ip[ih * W + iw];
        if (v > best || v != v) {
          best = v;
          bi = ih * W + iw;
        }
      }
    }
    values[idx] = best;
    indices[idx] = (int64_t)bi;
  }
}

// ---- upsampling -------------------------------------------------------------------------------

// cpu/pool.cc's nearestTable entry: the input index output o reads.
template <typename I>
__device__ __forceinline__ I nearestSource(I o, I in, I out, float s) {
  if (out == in) return o;
  if (out == 2 * in) return o >> 1;
  const I i = (I)floorf(__fmul_rn((float)o, s));
  return i < in - 1 ? i : in - 1;
}

// The first o in [0, n) with f(o) >= target (n when none), for f non-decreasing.
template <typename I, typename F>
__device__ __forceinline__ I firstAtLeast(I target, I n, F f) {
  I lo = 0, hi = n;
  while (lo < hi) {
    const I mid = lo + (hi - lo) / 2;
    if (f(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

template <typename T, typename I>
__global__ void nearestKernel(const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW, float sh,
                              float sw) {
  CINDER_GRID_LOOP(I, idx, total) {
    const I ow = idx % OW;
    const I t = idx / OW;
    const I oh = t % OH, p = t / OH;
    out[idx] = x[(int64_t)p * H * W + nearestSource(oh, H, OH, sh) * W + nearestSource(ow, W, OW, sw)];
  }
}

template <typename T, typename I>
__global__ void nearestBackwardKernel(const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH, I OW,
                                      float sh, float sw) {
  CINDER_GRID_LOOP(I, idx, total) {
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
}

// One entry of cpu/pool.cc's linearTable: source index, neighbour step (0 or 1), the two weights.
template <typename T, typename I>
struct Lin {
  I i, step;
  T l0, l1;
};

template <typename T, typename I>
__device__ __forceinline__ I linearIndex(I o, I in, bool alignCorners, T sc) {
  T src;
  if (alignCorners) {
    src = mulRn(sc, (T)o);
  } else {
    src = subRn(mulRn(sc, addRn((T)o, T(0.5))), T(0.5));
    if (src < 0) src = 0;
  }
  const I i = (I)floor(src);
  return i < in - 1 ? i : in - 1;
}

template <typename T, typename I>
__device__ __forceinline__ Lin<T, I> linearAt(I o, I in, bool alignCorners, T sc) {
  T src;
  if (alignCorners) {
    src = mulRn(sc, (T)o);
  } else {
    src = subRn(mulRn(sc, addRn((T)o, T(0.5))), T(0.5));
    if (src < 0) src = 0;
  }
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

template <typename T, typename I>
__global__ void bilinearKernel(const T* __restrict__ x, T* __restrict__ out, I total, I H, I W, I OH, I OW,
                               bool alignCorners, T sh, T sw) {
  CINDER_GRID_LOOP(I, idx, total) {
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
}

template <typename T, typename I>
__global__ void bilinearBackwardKernel(const T* __restrict__ g, T* __restrict__ gi, I total, I H, I W, I OH, I OW,
                                       bool alignCorners, T sh, T sw) {
  CINDER_GRID_LOOP(I, idx, total) {
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
}

// PyTorch's compute_scales_value (cpu/pool.cc's scalesValue).
template <typename S>
S scalesValue(double scale, int64_t in, int64_t out) {
  return scale > 0 ? (S)(1.0 / scale) : (S)in / (S)out;
}

template <typename S>
S linearScale(bool alignCorners, double scale, int64_t in, int64_t out) {
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
PadK<I> padOf(const CudaPadArgs& a) {
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

bool padSmall(const CudaPadArgs& a) {
  int64_t in = 1, out = 1;
  for (int d = 0; d < a.nd; d++) {
    in *= a.inShape[d];
    out *= a.outShape[d];
    if (a.inShape[d] >= kSmall || a.outShape[d] >= kSmall || a.before[d] >= kSmall || a.before[d] <= -kSmall)
      return false;
  }
  return in < kSmall && out < kSmall;
}

template <typename W, typename I>
__global__ void padKernel(PadK<I> a, const W* __restrict__ x, W* __restrict__ out, I total, W fill) {
  CINDER_GRID_LOOP(I, idx, total) {
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
}

// The output indices along one dim that read input index i, as up to three runs {first, count,
// step} in increasing order (each checked against padSourceIndex).
template <typename I>
struct Runs {
  int n;
  I first[3], count[3], step[3];
};

template <typename I>
__device__ __forceinline__ void addPoint(Runs<I>& r, I o, I i, I b, I n, I m, int mode) {
  if (o >= 0 && o < m && (I)padSourceIndex(o, b, n, m, mode) == i) {
    r.first[r.n] = o;
    r.count[r.n] = 1;
    r.step[r.n] = 1;
    r.n++;
  }
}

template <typename I>
__device__ __forceinline__ Runs<I> readersOf(I i, I b, I n, I m, int mode) {
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

template <typename T, typename I>
__global__ void padBackwardKernel(PadK<I> a, const T* __restrict__ g, T* __restrict__ gi, I total) {
  CINDER_GRID_LOOP(I, idx, total) {
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
}

}  // namespace

// ---- launchers --------------------------------------------------------------------------------

void cudaMaxPool2d(int device, DType dt, const void* x, void* values, int64_t* indices, const CudaPlanes& pl,
                   const PoolGeometry& g, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(windowSmall(pl, g), [&](auto itag) {
      using I = decltype(itag);
      maxPoolKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(x), static_cast<T*>(values), indices, (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
          (I)pl.OW, winOf<I>(g));
      CINDER_CUDA_LAUNCH_CHECK("maxPoolKernel");
    });
  });
}

void cudaMaxPool2dBackward(int device, DType dt, const void* gradOutput, const int64_t* indices, void* gradInput,
                           const CudaPlanes& pl, void* flagScratch, const char* op) {
  const int64_t plane = pl.H * pl.W, oplane = pl.OH * pl.OW;
  if (pl.count == 0 || plane == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  unsigned long long* bad = static_cast<unsigned long long*>(flagScratch);
  CINDER_CUDA_CHECK(cudaMemsetAsync(bad, 0, 2 * sizeof(unsigned long long), s), op);
  const int64_t blocks = std::min<int64_t>((pl.count + kWarpsPerBlock - 1) / kWarpsPerBlock, kMaxGridBlocks);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    maxPoolBackwardKernel<T><<<(unsigned)blocks, kThreads, 0, s>>>(static_cast<const T*>(gradOutput), indices,
                                                                     static_cast<T*>(gradInput), pl.count, plane,
                                                                     oplane, bad);
    CINDER_CUDA_LAUNCH_CHECK("maxPoolBackwardKernel");
  });
  unsigned long long host[2] = {0, 0};
  cudaCopyDeviceToHost(host, bad, device, sizeof(host), op);
  if (host[0] != 0) {
    fail(op, ": index ", (int64_t)host[1], " is out of bounds for an input plane of ", pl.H, " x ", pl.W);
  }
}

void cudaAvgPool2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, const PoolGeometry& g,
                   const AvgPoolOptions& o, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(windowSmall(pl, g), [&](auto itag) {
      using I = decltype(itag);
      avgPoolKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(x), static_cast<T*>(out), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH, (I)pl.OW,
          winOf<I>(g), o.countIncludePad, o.divisorOverride);
      CINDER_CUDA_LAUNCH_CHECK("avgPoolKernel");
    });
  });
}

void cudaAvgPool2dBackward(int device, DType dt, const void* gradOutput, void* gradInput, const CudaPlanes& pl,
                           const PoolGeometry& g, const AvgPoolOptions& o, const char* op) {
  const int64_t total = pl.count * pl.H * pl.W;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(windowSmall(pl, g), [&](auto itag) {
      using I = decltype(itag);
      avgPoolBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
          (I)pl.OW, winOf<I>(g), o.countIncludePad, o.divisorOverride);
      CINDER_CUDA_LAUNCH_CHECK("avgPoolBackwardKernel");
    });
  });
}

void cudaAdaptiveAvgPool2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(planesSmall(pl), [&](auto itag) {
      using I = decltype(itag);
      adaptiveAvgKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(x), static_cast<T*>(out), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH, (I)pl.OW);
      CINDER_CUDA_LAUNCH_CHECK("adaptiveAvgKernel");
    });
  });
}

void cudaAdaptiveAvgPool2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                   const CudaPlanes& pl, const char* op) {
  const int64_t total = pl.count * pl.H * pl.W;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(planesSmall(pl), [&](auto itag) {
      using I = decltype(itag);
      adaptiveAvgBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
          (I)pl.OW);
      CINDER_CUDA_LAUNCH_CHECK("adaptiveAvgBackwardKernel");
    });
  });
}

void cudaAdaptiveMaxPool2d(int device, DType dt, const void* x, void* values, int64_t* indices, const CudaPlanes& pl,
                           const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(planesSmall(pl), [&](auto itag) {
      using I = decltype(itag);
      adaptiveMaxKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(x), static_cast<T*>(values), indices, (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
          (I)pl.OW);
      CINDER_CUDA_LAUNCH_CHECK("adaptiveMaxKernel");
    });
  });
}

void cudaUpsampleNearest2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, double scaleH,
                           double scaleW, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const float sh = scalesValue<float>(scaleH, pl.H, pl.OH), sw = scalesValue<float>(scaleW, pl.W, pl.OW);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(planesSmall(pl), [&](auto itag) {
      using I = decltype(itag);
      nearestKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(x), static_cast<T*>(out), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH, (I)pl.OW, sh, sw);
      CINDER_CUDA_LAUNCH_CHECK("nearestKernel");
    });
  });
}

void cudaUpsampleNearest2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                   const CudaPlanes& pl, double scaleH, double scaleW, const char* op) {
  const int64_t total = pl.count * pl.H * pl.W;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  const float sh = scalesValue<float>(scaleH, pl.H, pl.OH), sw = scalesValue<float>(scaleW, pl.W, pl.OW);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(planesSmall(pl), [&](auto itag) {
      using I = decltype(itag);
      nearestBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
          (I)pl.OW, sh, sw);
      CINDER_CUDA_LAUNCH_CHECK("nearestBackwardKernel");
    });
  });
}

void cudaUpsampleBilinear2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, bool alignCorners,
                            double scaleH, double scaleW, const char* op) {
  const int64_t total = pl.count * pl.OH * pl.OW;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    const T sh = linearScale<T>(alignCorners, scaleH, pl.H, pl.OH), sw = linearScale<T>(alignCorners, scaleW, pl.W, pl.OW);
    withIndex(planesSmall(pl), [&](auto itag) {
      using I = decltype(itag);
      bilinearKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(x), static_cast<T*>(out), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH, (I)pl.OW,
          alignCorners, sh, sw);
      CINDER_CUDA_LAUNCH_CHECK("bilinearKernel");
    });
  });
}

void cudaUpsampleBilinear2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                    const CudaPlanes& pl, bool alignCorners, double scaleH, double scaleW,
                                    const char* op) {
  const int64_t total = pl.count * pl.H * pl.W;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    const T sh = linearScale<T>(alignCorners, scaleH, pl.H, pl.OH), sw = linearScale<T>(alignCorners, scaleW, pl.W, pl.OW);
    withIndex(planesSmall(pl), [&](auto itag) {
      using I = decltype(itag);
      bilinearBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total, (I)pl.H, (I)pl.W, (I)pl.OH,
          (I)pl.OW, alignCorners, sh, sw);
      CINDER_CUDA_LAUNCH_CHECK("bilinearBackwardKernel");
    });
  });
}

void cudaPad(int device, int itemBytes, const CudaPadArgs& a, const void* x, void* out, uint64_t fillBits,
             const char* op) {
  int64_t total = 1;
  for (int d = 0; d < a.nd; d++) total *= a.outShape[d];
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  auto run = [&](auto wtag) {
    using W = decltype(wtag);
    W fill;
    std::memcpy(&fill, &fillBits, sizeof(W));  // little-endian: the low bytes
    withIndex(padSmall(a), [&](auto itag) {
      using I = decltype(itag);
      padKernel<W, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(padOf<I>(a), static_cast<const W*>(x),
                                                                   static_cast<W*>(out), (I)total, fill);
      CINDER_CUDA_LAUNCH_CHECK("padKernel");
    });
  };
  switch (itemBytes) {
    case 1: run(uint8_t(0)); break;
    case 2: run(uint16_t(0)); break;
    case 4: run(uint32_t(0)); break;
    case 8: run(uint64_t(0)); break;
    default: fail(op, ": internal error: elements of ", itemBytes, " bytes");
  }
}

void cudaPadBackward(int device, DType dt, const CudaPadArgs& a, const void* gradOutput, void* gradInput,
                     const char* op) {
  int64_t total = 1;
  for (int d = 0; d < a.nd; d++) total *= a.inShape[d];
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  dispatchFloat(dt, op, [&](auto tag) {
    using T = decltype(tag);
    withIndex(padSmall(a), [&](auto itag) {
      using I = decltype(itag);
      padBackwardKernel<T, I><<<gridFor(total, kThreads), kThreads, 0, s>>>(
          padOf<I>(a), static_cast<const T*>(gradOutput), static_cast<T*>(gradInput), (I)total);
      CINDER_CUDA_LAUNCH_CHECK("padBackwardKernel");
    });
  });
}

}  // namespace cinder
