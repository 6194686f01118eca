// The register-blocked GEMM micro-kernel and the SIMD packing routines, written once over a
// vector-traits type V and compiled in each ISA's translation unit (gemm_avx2.cc, gemm_avx512.cc)
// with that ISA's flags. V provides the element type T, the register type R, the lane count W, a
// lane-mask type M and inline wrappers: zero/loadu/storeu/set1/fma/mul, mask(n) (the first n
// lanes, n clamped to [0, W]), maskLoad (zeros in the other lanes, which are never touched in
// memory), maskStore, and transpose (a W x W block held in W registers).
//
// C[rows x 2W] = alpha * A-panel(rows x k) * B-panel(k x 2W) + beta * C: `rows` rows of two vectors
// of accumulators, one broadcast and two FMAs per row and k step (see gemmKernels.h).
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "cpu/gemmKernels.h"

namespace cinder {
namespace {

template <typename V, int MR, bool Edge>
__attribute__((always_inline)) inline void microLoop(int64_t k, const typename V::T* a, const typename V::T* b,
                                                     int64_t ldb, typename V::R (&acc)[MR][2], typename V::M m0,
                                                     typename V::M m1) {
  using R = typename V::R;
  constexpr int W = V::W;
#pragma GCC unroll 2
  for (int64_t p = 0; p < k; p++) {
    R b0, b1;
    if (Edge) {
      b0 = V::maskLoad(b, m0);
      b1 = V::maskLoad(b + W, m1);
    } else {
      b0 = V::loadu(b);
      b1 = V::loadu(b + W);
    }
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      R ai = V::set1(a[i]);
      acc[i][0] = V::fma(ai, b0, acc[i][0]);
      acc[i][1] = V::fma(ai, b1, acc[i][1]);
    }
    a += MR;
    b += ldb;
  }
}

template <typename V, int MR>
void gemmMicroKernel(int64_t k, const typename V::T* a, const typename V::T* b, int64_t ldb, typename V::T* c,
                     int64_t ldc, typename V::T alpha, typename V::T beta, int64_t cols) {
  using T = typename V::T;
  using R = typename V::R;
  using M = typename V::M;
  constexpr int W = V::W;
  R acc[MR][2];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = V::zero();
#if XCPF == 1
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 2 * W - 1), _MM_HINT_T0);
  }
#endif
  const R va = V::set1(alpha), vb = V::set1(beta);
  if (cols >= 2 * W) {
#if XCPF == 2
    int64_t k1 = k > XLATE ? k - XLATE : 0;
    microLoop<V, MR, false>(k1, a, b, ldb, acc, V::mask(W), V::mask(W));
    if (beta != T(0)) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 2 * W - 1), _MM_HINT_T0);
    }
    }
    microLoop<V, MR, false>(k - k1, a + k1 * MR, b + k1 * ldb, ldb, acc, V::mask(W), V::mask(W));
#else
    microLoop<V, MR, false>(k, a, b, ldb, acc, V::mask(W), V::mask(W));
#endif
    if (beta == T(0)) {
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        V::storeu(c + i * ldc, V::mul(va, acc[i][0]));
        V::storeu(c + i * ldc + W, V::mul(va, acc[i][1]));
      }
    } else {
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        T* ci = c + i * ldc;
        V::storeu(ci, V::fma(va, acc[i][0], V::mul(vb, V::loadu(ci))));
        V::storeu(ci + W, V::fma(va, acc[i][1], V::mul(vb, V::loadu(ci + W))));
      }
    }
  } else {
    // Edge panel: masked loads (never past column `cols` of B) and masked stores.
    const M m0 = V::mask(cols), m1 = V::mask(cols - W);
    microLoop<V, MR, true>(k, a, b, ldb, acc, m0, m1);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      T* ci = c + i * ldc;
      R r0 = V::mul(va, acc[i][0]), r1 = V::mul(va, acc[i][1]);
      if (beta != T(0)) {
        r0 = V::fma(va, acc[i][0], V::mul(vb, V::maskLoad(ci, m0)));
        r1 = V::fma(va, acc[i][1], V::mul(vb, V::maskLoad(ci + W, m1)));
      }
      V::maskStore(ci, m0, r0);
      V::maskStore(ci + W, m1, r1);
    }
  }
}

// kernel[r] = the r-row kernel for r in 1..mr; kernel[0] and rows above mr stay null.
template <typename V, int... Rs>
void fillKernels(MicroKernel<typename V::T>* kernel, std::integer_sequence<int, Rs...>) {
  ((kernel[Rs + 1] = gemmMicroKernel<V, Rs + 1>), ...);
}

// Panel copy (see PackFn): each out row takes `lines` contiguous values of src, zero-padded to w.
template <typename V>
void packCopyV(int64_t k, const typename V::T* src, int64_t ld, int lines, int w, typename V::T* out) {
  using R = typename V::R;
  using M = typename V::M;
  constexpr int W = V::W;
  const int n0 = std::min(lines, W), n1 = std::max(0, std::min(lines - W, W));
  const M l0 = V::mask(n0), l1 = V::mask(n1), s0 = V::mask(std::min(w, W)), s1 = V::mask(w - W);
  if (w == 2 * W && lines == 2 * W) {
    for (int64_t p = 0; p < k; p++, src += ld, out += w) {
      V::storeu(out, V::loadu(src));
      V::storeu(out + W, V::loadu(src + W));
    }
    return;
  }
  for (int64_t p = 0; p < k; p++, src += ld, out += w) {
    R v0 = V::maskLoad(src, l0);
    V::maskStore(out, s0, v0);
    if (w > W) {
      R v1 = n1 > 0 ? V::maskLoad(src + W, l1) : V::zero();
      V::maskStore(out + W, s1, v1);
    }
  }
}

// One W x W block of a panel transpose: depth steps [p0, p0 + depth) (depth <= W, masked loads
// when short) of lines [c0, c0 + W), stored into lanes [c0, c0 + W) of the out rows.
template <typename V, bool Short>
__attribute__((always_inline)) inline void transposeBlock(const typename V::T* src, int64_t ld, int lines, int w,
                                                          int64_t p0, int depth, int c0, typename V::T* out) {
  using T = typename V::T;
  using R = typename V::R;
  constexpr int W = V::W;
  const int n = std::max(0, std::min(lines - c0, W));
  const int wn = std::min(W, w - c0);
  const auto dm = V::mask(depth);
  R r[W];
#pragma GCC unroll 16
  for (int l = 0; l < W; l++) {
    const T* s = src + (c0 + l) * ld + p0;
    r[l] = l >= n ? V::zero() : Short ? V::maskLoad(s, dm) : V::loadu(s);
  }
  V::transpose(r);
  T* o = out + p0 * w + c0;
  const int steps = Short ? depth : W;
  if (wn == W) {
#pragma GCC unroll 16
    for (int pp = 0; pp < W; pp++)
      if (pp < steps) V::storeu(o + pp * w, r[pp]);
  } else {
    const auto mk = V::mask(wn);
#pragma GCC unroll 16
    for (int pp = 0; pp < W; pp++)
      if (pp < steps) V::maskStore(o + pp * w, mk, r[pp]);
  }
}

// Panel transpose (see PackFn): W x W blocks through registers; the last k % W steps with masked
// loads, or one value at a time when they are too few to pay for a block transpose.
template <typename V>
void packTransposeV(int64_t k, const typename V::T* src, int64_t ld, int lines, int w, typename V::T* out) {
  using T = typename V::T;
  constexpr int W = V::W;
  int64_t p0 = 0;
  for (; p0 + W <= k; p0 += W)
    for (int c0 = 0; c0 < w; c0 += W) transposeBlock<V, false>(src, ld, lines, w, p0, W, c0, out);
  if (k - p0 >= W / 2) {
    for (int c0 = 0; c0 < w; c0 += W) transposeBlock<V, true>(src, ld, lines, w, p0, (int)(k - p0), c0, out);
    return;
  }
  for (; p0 < k; p0++) {
    T* o = out + p0 * w;
    int l = 0;
    for (; l < lines; l++) o[l] = src[l * ld + p0];
    for (; l < w; l++) o[l] = T(0);
  }
}

// 12 independent FMA chains per round: enough to cover the FMA latency on every x86 core.
template <typename V>
double fmaLoopV(int64_t iters) {
  using R = typename V::R;
  R acc[12];
  const R x = V::set1(typename V::T(0.999999)), y = V::set1(typename V::T(1e-7));
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) acc[i] = V::set1(typename V::T(i));
  for (int64_t t = 0; t < iters; t++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) acc[i] = V::fma(acc[i], x, y);
  }
  R s = acc[0];
  for (int i = 1; i < 12; i++) s = V::fma(s, x, acc[i]);
  alignas(64) typename V::T out[V::W];
  V::storeu(out, s);
  volatile typename V::T sink = out[0];
  (void)sink;
  return 2.0 * 12 * V::W * (double)iters;
}

}  // namespace
}  // namespace cinder
