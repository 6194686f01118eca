// AVX2 + FMA micro-kernels: up to 6 rows x 2 ymm vectors of accumulators, broadcast-FMA; masked
// loads and stores for edge panels; packing through in-register 8 x 8 (4 x 4) transposes.
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
  using M = __m256i;
  static constexpr int W = 8;
  static R zero() { return _mm256_setzero_ps(); }
  static R loadu(const T* p) { return _mm256_loadu_ps(p); }
  static void storeu(T* p, R v) { _mm256_storeu_ps(p, v); }
  static R set1(T x) { return _mm256_set1_ps(x); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static M mask(int64_t n) {
    int c = n <= 0 ? 0 : n >= W ? W : (int)n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static R maskLoad(const T* p, M m) { return _mm256_maskload_ps(p, m); }
  static void maskStore(T* p, M m, R v) { _mm256_maskstore_ps(p, m, v); }
  static void transpose(R (&r)[8]) {
    R a[8], b[8];
    for (int i = 0; i < 4; i++) {
      a[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
      a[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int g = 0; g < 2; g++) {
      b[4 * g] = _mm256_shuffle_ps(a[4 * g], a[4 * g + 2], 0x44);
      b[4 * g + 1] = _mm256_shuffle_ps(a[4 * g], a[4 * g + 2], 0xEE);
      b[4 * g + 2] = _mm256_shuffle_ps(a[4 * g + 1], a[4 * g + 3], 0x44);
      b[4 * g + 3] = _mm256_shuffle_ps(a[4 * g + 1], a[4 * g + 3], 0xEE);
    }
    // b[4 * g + j], lane L: column 4L + j of rows 4g..4g+3.
    for (int j = 0; j < 4; j++) {
      r[j] = _mm256_permute2f128_ps(b[j], b[4 + j], 0x20);
      r[4 + j] = _mm256_permute2f128_ps(b[j], b[4 + j], 0x31);
    }
  }
};

struct Avx2F64 {
  using T = double;
  using R = __m256d;
  using M = __m256i;
  static constexpr int W = 4;
  static R zero() { return _mm256_setzero_pd(); }
  static R loadu(const T* p) { return _mm256_loadu_pd(p); }
  static void storeu(T* p, R v) { _mm256_storeu_pd(p, v); }
  static R set1(T x) { return _mm256_set1_pd(x); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_pd(a, b, c); }
  static R mul(R a, R b) { return _mm256_mul_pd(a, b); }
  static M mask(int64_t n) {
    int64_t c = n <= 0 ? 0 : n >= W ? W : n;
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(c), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static R maskLoad(const T* p, M m) { return _mm256_maskload_pd(p, m); }
  static void maskStore(T* p, M m, R v) { _mm256_maskstore_pd(p, m, v); }
  static void transpose(R (&r)[4]) {
    R a0 = _mm256_unpacklo_pd(r[0], r[1]), a1 = _mm256_unpackhi_pd(r[0], r[1]);
    R a2 = _mm256_unpacklo_pd(r[2], r[3]), a3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(a0, a2, 0x20);
    r[1] = _mm256_permute2f128_pd(a1, a3, 0x20);
    r[2] = _mm256_permute2f128_pd(a0, a2, 0x31);
    r[3] = _mm256_permute2f128_pd(a1, a3, 0x31);
  }
};

template <typename V>
GemmArch<typename V::T> makeArch(int mc) {
  GemmArch<typename V::T> g{};
  g.name = "avx2";
  g.mr = 6;
  g.nr = 2 * V::W;
  g.kc = 256;
  g.mc = mc;
  g.nc = 4080;
  fillKernels<V>(g.kernel, std::make_integer_sequence<int, 6>());
  g.packCopy = packCopyV<V>;
  g.packTranspose = packTransposeV<V>;
  g.small = gemmSmallRows<typename V::T>;
  g.fmaLoop = fmaLoopV<V>;
  return g;
}

}  // namespace

// 6 x 16 (fp32) and 6 x 8 (fp64): 12 ymm accumulators + 2 B vectors + 1 broadcast.
GemmArch<float> gemmArchAvx2F32() { return makeArch<Avx2F32>(144); }
GemmArch<double> gemmArchAvx2F64() { return makeArch<Avx2F64>(72); }

}  // namespace cinder
