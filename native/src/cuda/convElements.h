// The per-element work of the CUDA convolution kernels (conv.cu), as host-and-device functions:
// each computes the element a kernel's thread writes at linear index idx, so the kernels are grid
// loops around them and a host harness can run the same index arithmetic. No CUDA headers.
#pragma once
#include <cstdint>

#include "core/hostDevice.h"
#include "cpu/convDirect.h"
#include "cuda/conv.h"

namespace cinder {
namespace convel {

// The geometry in the index type of a launch (int32 or int64).
template <typename I>
struct Geo {
  I Cin, G, Cig, K, kvol, L;
  I X[kConvS], Y[kConvS], Kk[kConvS], S[kConvS], P[kConvS], D[kConvS];
};

template <typename I>
inline Geo<I> geoOf(const ConvGeom& g) {
  Geo<I> r;
  r.Cin = (I)g.Cin;
  r.G = (I)g.G;
  r.Cig = (I)g.Cig;
  r.K = (I)g.K;
  r.kvol = (I)g.kvol;
  r.L = (I)g.L;
  for (int i = 0; i < kConvS; i++) {
    r.X[i] = (I)g.X[i];
    r.Y[i] = (I)g.Y[i];
    r.Kk[i] = (I)g.Kk[i];
    r.S[i] = (I)g.S[i];
    r.P[i] = (I)g.P[i];
    r.D[i] = (I)g.D[i];
  }
  return r;
}

// col element idx of a chunk ([nb][Cin * kvol][lc] in index order, stored through `lay`).
template <typename T, typename I>
CINDER_HD inline void im2colAt(I idx, const Geo<I>& g, const T* x, const CudaConvInput& xs, int64_t n0, I l0, I lc,
                               T* col, const CudaColLayout& lay) {
  const I rows = g.Cin * g.kvol;
  const I Y12 = g.Y[1] * g.Y[2], K12 = g.Kk[1] * g.Kk[2];
  const I l = idx % lc;
  const I t = idx / lc;
  const I row = t % rows;  // c * kvol + kk
  const I n = t / rows;
  const I c = row / g.kvol, kk = row - c * g.kvol;
  const I kz = kk / K12, ky = (kk / g.Kk[2]) % g.Kk[1], kx = kk % g.Kk[2];
  const I lg = l0 + l;
  const I oz = lg / Y12, oy = (lg / g.Y[2]) % g.Y[1], ox = lg % g.Y[2];
  const I iz = oz * g.S[0] - g.P[0] + kz * g.D[0];
  const I iy = oy * g.S[1] - g.P[1] + ky * g.D[1];
  const I ix = ox * g.S[2] - g.P[2] + kx * g.D[2];
  T v = T(0);
  if (iz >= 0 && iz < g.X[0] && iy >= 0 && iy < g.X[1] && ix >= 0 && ix < g.X[2]) {
    v = x[(n0 + (int64_t)n) * xs.sn + (int64_t)c * xs.sc + (int64_t)iz * xs.ss[0] + (int64_t)iy * xs.ss[1] +
          (int64_t)ix * xs.ss[2]];
  }
  const I gi = c / g.Cig;
  col[(int64_t)n * lay.sN + (int64_t)gi * lay.sG + (int64_t)(row - gi * g.K) * lay.sK + l] = v;
}

// The output position coordinate that input coordinate i is read at by kernel tap k: o with
// o * S - P + k * D == i, if any (-1 otherwise; `stop` once no larger tap can reach one).
template <typename I>
CINDER_HD inline I tapSource(I i, I k, I S, I P, I D, I Y, bool& stop) {
  const I t = i + P - k * D;
  if (t < 0) {
    stop = true;
    return -1;
  }
  if (t % S != 0) return -1;
  const I o = t / S;
  return o < Y ? o : -1;
}

// Calls f(tap, l) for every kernel tap (flattened (kz * Kk[1] + ky) * Kk[2] + kx) that some output
// position l (flattened over Y) reads input position (iz, iy, ix) through, in tap order.
template <typename I, typename F>
CINDER_HD inline void forEachTapOf(const Geo<I>& g, I iz, I iy, I ix, F&& f) {
  bool stopZ = false;
  for (I kz = 0; kz < g.Kk[0] && !stopZ; kz++) {
    const I oz = tapSource(iz, kz, g.S[0], g.P[0], g.D[0], g.Y[0], stopZ);
    if (oz < 0) continue;
    bool stopY = false;
    for (I ky = 0; ky < g.Kk[1] && !stopY; ky++) {
      const I oy = tapSource(iy, ky, g.S[1], g.P[1], g.D[1], g.Y[1], stopY);
      if (oy < 0) continue;
      const I kb = (kz * g.Kk[1] + ky) * g.Kk[2];
      const I lrow = (oz * g.Y[1] + oy) * g.Y[2];
      bool stopX = false;
      for (I kx = 0; kx < g.Kk[2] && !stopX; kx++) {
        const I ox = tapSource(ix, kx, g.S[2], g.P[2], g.D[2], g.Y[2], stopX);
        if (ox < 0) continue;
        f(kb + kx, lrow + ox);
      }
    }
  }
}

// gx element idx of a chunk (contiguous [nb][Cin][Xvol]) from col, whose element (sample n, row
// c * kvol + tap, column l - l0) is at n * lay.sN + row * lay.sK + (l - l0).
template <typename T, typename I>
CINDER_HD inline void col2imAt(I idx, const Geo<I>& g, const T* col, const CudaColLayout& lay, I l0, I lc,
                               bool accumulate, T* gx) {
  const I X12 = g.X[1] * g.X[2], Xvol = g.X[0] * X12;
  const I ix = idx % g.X[2];
  const I iy = (idx / g.X[2]) % g.X[1];
  const I iz = (idx / X12) % g.X[0];
  const I nc = idx / Xvol;  // n * Cin + c
  const I n = nc / g.Cin, c = nc - n * g.Cin;
  const T* cp = col + (int64_t)n * lay.sN;
  const int64_t rowOff = (int64_t)c * g.kvol;  // the element's first im2col row
  T acc = T(0);
  forEachTapOf(g, iz, iy, ix, [&](I tap, I l) {
    if (l >= l0 && l < l0 + lc) acc += cp[(rowOff + tap) * lay.sK + (l - l0)];
  });
  gx[idx] = accumulate ? gx[idx] + acc : acc;
}

// dst element idx ([C][nb * lc]).
template <typename T, typename I>
CINDER_HD inline void gatherRowsAt(I idx, const T* gy, int64_t gsn, int64_t gsc, int64_t gls, int64_t n0, I nb, I l0,
                                   I lc, T* dst) {
  const I l = idx % lc;
  const I t = idx / lc;
  const I n = t % nb, c = t / nb;
  dst[idx] = gy[(n0 + (int64_t)n) * gsn + (int64_t)c * gsc + (int64_t)(l0 + l) * gls];
}

template <typename T, typename I>
CINDER_HD inline void addBiasAt(I idx, T* out, I C, I inner, const T* bias, int64_t bs) {
  const I c = (idx / inner) % C;
  out[idx] += bias[(int64_t)c * bs];
}

// y element idx (contiguous [N][Cout][L]) of a depthwise convolution.
template <typename T, typename I>
CINDER_HD inline void depthwiseForwardAt(I idx, const Geo<I>& g, I Cout, I Cog, const T* x, const CudaConvInput& xs,
                                         const T* w, int64_t ws0, int64_t wsK, T* y) {
  const I Y12 = g.Y[1] * g.Y[2];
  const I l = idx % g.L;
  const I t = idx / g.L;
  const I co = t % Cout, n = t / Cout;
  const I c = co / Cog;
  const I oz = l / Y12, oy = (l / g.Y[2]) % g.Y[1], ox = l % g.Y[2];
  const T* xc = x + (int64_t)n * xs.sn + (int64_t)c * xs.sc;
  const T* wc = w + (int64_t)co * ws0;
  T acc = T(0);
  for (I kz = 0; kz < g.Kk[0]; kz++) {
    const I iz = oz * g.S[0] - g.P[0] + kz * g.D[0];
    if (iz < 0 || iz >= g.X[0]) continue;
    for (I ky = 0; ky < g.Kk[1]; ky++) {
      const I iy = oy * g.S[1] - g.P[1] + ky * g.D[1];
      if (iy < 0 || iy >= g.X[1]) continue;
      const T* xr = xc + (int64_t)iz * xs.ss[0] + (int64_t)iy * xs.ss[1];
      const I kb = (kz * g.Kk[1] + ky) * g.Kk[2];
      for (I kx = 0; kx < g.Kk[2]; kx++) {
        const I ix = ox * g.S[2] - g.P[2] + kx * g.D[2];
        if (ix < 0 || ix >= g.X[2]) continue;
        acc += wc[(int64_t)(kb + kx) * wsK] * xr[(int64_t)ix * xs.ss[2]];
      }
    }
  }
  y[idx] = acc;
}

// gx element idx (contiguous [N][Cin][Xvol]) of a depthwise convolution's input gradient.
template <typename T, typename I>
CINDER_HD inline void depthwiseBackwardInputAt(I idx, const Geo<I>& g, I Cog, const T* gy, int64_t gsn, int64_t gsc,
                                               int64_t gls, const T* w, int64_t ws0, int64_t wsK, T* gx) {
  const I X12 = g.X[1] * g.X[2], Xvol = g.X[0] * X12;
  const I ix = idx % g.X[2];
  const I iy = (idx / g.X[2]) % g.X[1];
  const I iz = (idx / X12) % g.X[0];
  const I nc = idx / Xvol;
  const I c = nc % g.Cin, n = nc / g.Cin;
  T acc = T(0);
  for (I j = 0; j < Cog; j++) {
    const I co = c * Cog + j;
    const T* gyc = gy + (int64_t)n * gsn + (int64_t)co * gsc;
    const T* wc = w + (int64_t)co * ws0;
    forEachTapOf(g, iz, iy, ix, [&](I tap, I l) { acc += wc[(int64_t)tap * wsK] * gyc[(int64_t)l * gls]; });
  }
  gx[idx] = acc;
}

// The term of (sample, position) pair e in the depthwise weight gradient of weight element
// item = co * kvol + tap: gy[n, co, l] * x[n, co / Cog, position read by the tap] (0 outside).
template <typename T, typename I>
CINDER_HD inline T depthwiseWeightTerm(I item, I e, const Geo<I>& g, I Cog, const T* x, const CudaConvInput& xs,
                                       const T* gy, int64_t gsn, int64_t gsc, int64_t gls) {
  const I Y12 = g.Y[1] * g.Y[2], K12 = g.Kk[1] * g.Kk[2];
  const I co = item / g.kvol, kk = item % g.kvol;
  const I kz = kk / K12, ky = (kk / g.Kk[2]) % g.Kk[1], kx = kk % g.Kk[2];
  const I c = co / Cog;
  const I l = e % g.L, n = e / g.L;
  const I oz = l / Y12, oy = (l / g.Y[2]) % g.Y[1], ox = l % g.Y[2];
  const I iz = oz * g.S[0] - g.P[0] + kz * g.D[0];
  const I iy = oy * g.S[1] - g.P[1] + ky * g.D[1];
  const I ix = ox * g.S[2] - g.P[2] + kx * g.D[2];
  if (iz < 0 || iz >= g.X[0] || iy < 0 || iy >= g.X[1] || ix < 0 || ix >= g.X[2]) return T(0);
  return gy[(int64_t)n * gsn + (int64_t)co * gsc + (int64_t)l * gls] *
         x[(int64_t)n * xs.sn + (int64_t)c * xs.sc + (int64_t)iz * xs.ss[0] + (int64_t)iy * xs.ss[1] +
           (int64_t)ix * xs.ss[2]];
}

}  // namespace convel
}  // namespace cinder
