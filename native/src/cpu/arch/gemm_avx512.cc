// AVX-512 micro-kernels: MR rows x 2 zmm vectors of accumulators, broadcast-FMA.
#include <immintrin.h>

#include "cpu/gemmKernels.h"
#include "cpu/gemmSmall.h"
#include "cpu/arch/gemmMicroKernel.h"

namespace cinder {

// File-local: each ISA's translation unit has its own traits.
namespace {

struct Avx512F32 {
  using T = float;
  using R = __m512;
  static constexpr int W = 16;
  static R zero() { return _mm512_setzero_ps(); }
  static R load(const T* p) { return _mm512_load_ps(p); }
  static R loadu(const T* p) { return _mm512_loadu_ps(p); }
  static void storeu(T* p, R v) { _mm512_storeu_ps(p, v); }
  static R set1(T x) { return _mm512_set1_ps(x); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
};

struct Avx512F64 {
  using T = double;
  using R = __m512d;
  static constexpr int W = 8;
  static R zero() { return _mm512_setzero_pd(); }
  static R load(const T* p) { return _mm512_load_pd(p); }
  static R loadu(const T* p) { return _mm512_loadu_pd(p); }
  static void storeu(T* p, R v) { _mm512_storeu_pd(p, v); }
  static R set1(T x) { return _mm512_set1_pd(x); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }
  static R mul(R a, R b) { return _mm512_mul_pd(a, b); }
};


}  // namespace

// 14 x 32 (fp32) and 14 x 16 (fp64): 28 zmm accumulators + 2 B vectors + 1 broadcast.
GemmArch<float> gemmArchAvx512F32() { return {"avx512", 14, 32, 256, 140, 4064, gemmMicroKernel<Avx512F32, 14>, gemmSmallRows<float>}; }
GemmArch<double> gemmArchAvx512F64() { return {"avx512", 14, 16, 256, 70, 4064, gemmMicroKernel<Avx512F64, 14>, gemmSmallRows<double>}; }

}  // namespace cinder
