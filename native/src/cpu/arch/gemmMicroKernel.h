// The register-blocked GEMM micro-kernel, written once over a vector-traits type V and compiled in
// each ISA's translation unit (gemm_avx2.cc, gemm_avx512.cc) with that ISA's flags. V provides the
// element type T, the register type R, the lane count W and inline zero/load/loadu/storeu/set1/
// fma/mul wrappers around the intrinsics.
//
// C[MR x 2W] = alpha * A-panel(MR x k) * B-panel(k x 2W) + beta * C: MR rows of two vectors of
// accumulators, one broadcast and two FMAs per row and k step.
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace cinder {

template <typename V, int MR>
static void gemmMicroKernel(int64_t k, const typename V::T* a, const typename V::T* b, typename V::T* c, int64_t ldc,
                            typename V::T alpha, typename V::T beta) {
  using T = typename V::T;
  using R = typename V::R;
  constexpr int W = V::W;
  R acc[MR][2];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = V::zero();
  // The C tile is read at the end: start fetching it now so the write-back does not stall.
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc) + 64, _MM_HINT_T0);
  }
#pragma GCC unroll 2
  for (int64_t p = 0; p < k; p++) {
    R b0 = V::load(b), b1 = V::load(b + W);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      R ai = V::set1(a[i]);
      acc[i][0] = V::fma(ai, b0, acc[i][0]);
      acc[i][1] = V::fma(ai, b1, acc[i][1]);
    }
    a += MR;
    b += 2 * W;
  }
  R va = V::set1(alpha);
  if (beta == T(0)) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      V::storeu(c + i * ldc, V::mul(va, acc[i][0]));
      V::storeu(c + i * ldc + W, V::mul(va, acc[i][1]));
    }
  } else {
    R vb = V::set1(beta);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      T* ci = c + i * ldc;
      V::storeu(ci, V::fma(va, acc[i][0], V::mul(vb, V::loadu(ci))));
      V::storeu(ci + W, V::fma(va, acc[i][1], V::mul(vb, V::loadu(ci + W))));
    }
  }
}

}  // namespace cinder
