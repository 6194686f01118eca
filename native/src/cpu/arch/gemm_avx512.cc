// AVX-512 micro-kernels: MR rows x 2 zmm vectors of accumulators, broadcast-FMA.
#include <immintrin.h>

#include "cpu/gemmKernels.h"
#include "cpu/gemmSmall.h"

namespace cinder {

template <int MR>
static void kernelF32(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  __m512 acc[MR][2];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  // The C tile is read at the end: start fetching it now so the write-back does not stall.
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc) + 64, _MM_HINT_T0);
  }
#pragma GCC unroll 2
  for (int64_t p = 0; p < k; p++) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += MR;
    b += 32;
  }
  __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, acc[i][0]));
      _mm512_storeu_ps(c + i * ldc + 16, _mm512_mul_ps(va, acc[i][1]));
    }
  } else {
    __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      float* ci = c + i * ldc;
      _mm512_storeu_ps(ci, _mm512_fmadd_ps(va, acc[i][0], _mm512_mul_ps(vb, _mm512_loadu_ps(ci))));
      _mm512_storeu_ps(ci + 16, _mm512_fmadd_ps(va, acc[i][1], _mm512_mul_ps(vb, _mm512_loadu_ps(ci + 16))));
    }
  }
}

template <int MR>
static void kernelF64(int64_t k, const double* a, const double* b, double* c, int64_t ldc, double alpha, double beta) {
  __m512d acc[MR][2];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_pd();
  // The C tile is read at the end: start fetching it now so the write-back does not stall.
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc) + 64, _MM_HINT_T0);
  }
#pragma GCC unroll 2
  for (int64_t p = 0; p < k; p++) {
    __m512d b0 = _mm512_load_pd(b), b1 = _mm512_load_pd(b + 8);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      __m512d ai = _mm512_set1_pd(a[i]);
      acc[i][0] = _mm512_fmadd_pd(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_pd(ai, b1, acc[i][1]);
    }
    a += MR;
    b += 16;
  }
  __m512d va = _mm512_set1_pd(alpha);
  if (beta == 0.0) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      _mm512_storeu_pd(c + i * ldc, _mm512_mul_pd(va, acc[i][0]));
      _mm512_storeu_pd(c + i * ldc + 8, _mm512_mul_pd(va, acc[i][1]));
    }
  } else {
    __m512d vb = _mm512_set1_pd(beta);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      double* ci = c + i * ldc;
      _mm512_storeu_pd(ci, _mm512_fmadd_pd(va, acc[i][0], _mm512_mul_pd(vb, _mm512_loadu_pd(ci))));
      _mm512_storeu_pd(ci + 8, _mm512_fmadd_pd(va, acc[i][1], _mm512_mul_pd(vb, _mm512_loadu_pd(ci + 8))));
    }
  }
}


// 14 x 32 (fp32) and 14 x 16 (fp64): 28 zmm accumulators + 2 B vectors + 1 broadcast.
GemmArch<float> gemmArchAvx512F32() { return {"avx512", 14, 32, 256, 140, 4064, kernelF32<14>, gemmSmallRows<float>}; }
GemmArch<double> gemmArchAvx512F64() { return {"avx512", 14, 16, 256, 70, 4064, kernelF64<14>, gemmSmallRows<double>}; }

}  // namespace cinder
