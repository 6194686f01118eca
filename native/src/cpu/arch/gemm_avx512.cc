// AVX-512 micro-kernels: up to 14 rows x 2 zmm vectors of accumulators, broadcast-FMA; masked
// loads and stores for edge panels; packing through in-register 16 x 16 (8 x 8) transposes.
#include <immintrin.h>

#include "cpu/gemmKernels.h"
#include "cpu/gemmSmall.h"
#include "cpu/arch/gemmMicroKernel.h"

// GCC 12 warns about the self-initialised placeholder inside its own _mm512_undefined_* (used by
// the unmasked shuffle intrinsics); the value is never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace cinder {

// File-local: each ISA's translation unit has its own traits.
namespace {

struct Avx512F32 {
  using T = float;
  using R = __m512;
  using M = __mmask16;
  static constexpr int W = 16;
  static R zero() { return _mm512_setzero_ps(); }
  static R loadu(const T* p) { return _mm512_loadu_ps(p); }
  static void storeu(T* p, R v) { _mm512_storeu_ps(p, v); }
  static R set1(T x) { return _mm512_set1_ps(x); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  static M mask(int64_t n) { return n <= 0 ? M(0) : n >= W ? M(0xFFFF) : M((1u << n) - 1); }
  static R maskLoad(const T* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void maskStore(T* p, M m, R v) { _mm512_mask_storeu_ps(p, m, v); }
  static void transpose(R (&r)[16]) {
    // 32-bit interleave within 128-bit lanes, then 64-bit, then the lanes themselves.
    R a[16], b[16];
    for (int i = 0; i < 8; i++) {
      a[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
      a[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
      __m512d x0 = _mm512_castps_pd(a[4 * i]), x1 = _mm512_castps_pd(a[4 * i + 1]);
      __m512d x2 = _mm512_castps_pd(a[4 * i + 2]), x3 = _mm512_castps_pd(a[4 * i + 3]);
      b[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(x0, x2));
      b[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(x0, x2));
      b[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(x1, x3));
      b[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(x1, x3));
    }
    // b[4 * g + j], lane L: column 4L + j of rows 4g..4g+3.
    for (int j = 0; j < 4; j++) {
      R c0 = _mm512_shuffle_f32x4(b[j], b[4 + j], 0x44), c1 = _mm512_shuffle_f32x4(b[j], b[4 + j], 0xEE);
      R c2 = _mm512_shuffle_f32x4(b[8 + j], b[12 + j], 0x44), c3 = _mm512_shuffle_f32x4(b[8 + j], b[12 + j], 0xEE);
      r[j] = _mm512_shuffle_f32x4(c0, c2, 0x88);
      r[4 + j] = _mm512_shuffle_f32x4(c0, c2, 0xDD);
      r[8 + j] = _mm512_shuffle_f32x4(c1, c3, 0x88);
      r[12 + j] = _mm512_shuffle_f32x4(c1, c3, 0xDD);
    }
  }
};

struct Avx512F64 {
  using T = double;
  using R = __m512d;
  using M = __mmask8;
  static constexpr int W = 8;
  static R zero() { return _mm512_setzero_pd(); }
  static R loadu(const T* p) { return _mm512_loadu_pd(p); }
  static void storeu(T* p, R v) { _mm512_storeu_pd(p, v); }
  static R set1(T x) { return _mm512_set1_pd(x); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }
  static R mul(R a, R b) { return _mm512_mul_pd(a, b); }
  static M mask(int64_t n) { return n <= 0 ? M(0) : n >= W ? M(0xFF) : M((1u << n) - 1); }
  static R maskLoad(const T* p, M m) { return _mm512_maskz_loadu_pd(m, p); }
  static void maskStore(T* p, M m, R v) { _mm512_mask_storeu_pd(p, m, v); }
  static void transpose(R (&r)[8]) {
    R a[8];
    for (int i = 0; i < 4; i++) {
      a[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);
      a[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]);
    }
    // a[2 * g + j], lane L: column 2L + j of rows 2g, 2g + 1.
    for (int j = 0; j < 2; j++) {
      R c0 = _mm512_shuffle_f64x2(a[j], a[2 + j], 0x44), c1 = _mm512_shuffle_f64x2(a[j], a[2 + j], 0xEE);
      R c2 = _mm512_shuffle_f64x2(a[4 + j], a[6 + j], 0x44), c3 = _mm512_shuffle_f64x2(a[4 + j], a[6 + j], 0xEE);
      r[j] = _mm512_shuffle_f64x2(c0, c2, 0x88);
      r[2 + j] = _mm512_shuffle_f64x2(c0, c2, 0xDD);
      r[4 + j] = _mm512_shuffle_f64x2(c1, c3, 0x88);
      r[6 + j] = _mm512_shuffle_f64x2(c1, c3, 0xDD);
    }
  }
};

template <typename V>
GemmArch<typename V::T> makeArch(int mc) {
  GemmArch<typename V::T> g{};
  g.name = "avx512";
  g.mr = 14;
  g.nr = 2 * V::W;
  g.kc = 512;
  g.mc = mc;
  g.nc = 4064;
  fillKernels<V>(g.kernel, std::make_integer_sequence<int, 14>());
  g.packCopy = packCopyV<V>;
  g.packTranspose = packTransposeV<V>;
  g.small = gemmSmallRows<typename V::T>;
  g.fmaLoop = fmaLoopV<V>;
  return g;
}

}  // namespace

// 14 x 32 (fp32) and 14 x 16 (fp64): 28 zmm accumulators + 2 B vectors + 1 broadcast.
GemmArch<float> gemmArchAvx512F32() { return makeArch<Avx512F32>(140); }
GemmArch<double> gemmArchAvx512F64() { return makeArch<Avx512F64>(70); }

}  // namespace cinder
