// AVX2 + FMA micro-kernels: 6 rows x 2 vectors of accumulators (12 ymm), broadcast-FMA.
#include <immintrin.h>

#include "cpu/gemmKernels.h"
#include "cpu/gemmSmall.h"
#include "cpu/arch/gemmMicroKernel.h"

namespace cinder {

// File-local: each ISA's translation unit has its own traits.
namespace {

struct Avx2F32 {
  using T = float;
  using R = __m256;
  static constexpr int W = 8;
  static R zero() { return _mm256_setzero_ps(); }
  static R load(const T* p) { return _mm256_load_ps(p); }
  static R loadu(const T* p) { return _mm256_loadu_ps(p); }
  static void storeu(T* p, R v) { _mm256_storeu_ps(p, v); }
  static R set1(T x) { return _mm256_broadcast_ss(&x); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
};

struct Avx2F64 {
  using T = double;
  using R = __m256d;
  static constexpr int W = 4;
  static R zero() { return _mm256_setzero_pd(); }
  static R load(const T* p) { return _mm256_load_pd(p); }
  static R loadu(const T* p) { return _mm256_loadu_pd(p); }
  static void storeu(T* p, R v) { _mm256_storeu_pd(p, v); }
  static R set1(T x) { return _mm256_broadcast_sd(&x); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_pd(a, b, c); }
  static R mul(R a, R b) { return _mm256_mul_pd(a, b); }
};

}  // namespace

GemmArch<float> gemmArchAvx2F32() { return {"avx2", 6, 16, 256, 144, 4080, gemmMicroKernel<Avx2F32, 6>, gemmSmallRows<float>}; }
GemmArch<double> gemmArchAvx2F64() { return {"avx2", 6, 8, 256, 72, 4080, gemmMicroKernel<Avx2F64, 6>, gemmSmallRows<double>}; }

}  // namespace cinder
