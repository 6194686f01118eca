// The transcendental functions of the random samplers, written out in IEEE double arithmetic
// (+, -, *, /, sqrt, floor: correctly rounded on every device) so that the CPU and CUDA kernels
// get the same bits. libm and CUDA's math library are each accurate to an ulp or two but not
// identical, and one differing bit in a rejection sampler's accept test changes every later draw
// of that element. The polynomials are fdlibm's (Sun Microsystems, 1993), accurate to < 1 ulp.
//
// Bit-exactness also needs the compilers to round every operation as written: no FMA contraction
// (random.cu is compiled with -fmad=false and the CPU random sources with -ffp-contract=off).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/hostDevice.h"

namespace cinder {
namespace pmath {

CINDER_HD inline uint64_t bitsOf(double x) {
#if defined(__CUDA_ARCH__)
  return (uint64_t)__double_as_longlong(x);
#else
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
#endif
}

CINDER_HD inline double fromBits(uint64_t u) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double((long long)u);
#else
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
#endif
}

CINDER_HD inline double infinity() { return fromBits(0x7ff0000000000000ull); }
CINDER_HD inline double quietNaN() { return fromBits(0x7ff8000000000000ull); }

// 2^e for e in [-1022, 1023].
CINDER_HD inline double pow2(int e) { return fromBits((uint64_t)(e + 1023) << 52); }

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;

// x = 2^k m with m in [sqrt(2)/2, sqrt(2)), for x positive, finite and normal; returns m - 1.
CINDER_HD inline double logReduce(double x, int* kOut) {
  uint64_t u = bitsOf(x);
  uint32_t hx = (uint32_t)(u >> 32);
  int k = (int)(hx >> 20) - 1023;
  hx &= 0x000fffffu;
  // i = 2^20 when the mantissa is >= sqrt(2): then use exponent -1 (x / 2) and k + 1.
  const uint32_t i = (hx + 0x95f64u) & 0x100000u;
  u = ((uint64_t)(hx | (i ^ 0x3ff00000u)) << 32) | (u & 0xffffffffull);
  *kOut = k + (int)(i >> 20);
  return fromBits(u) - 1.0;
}

// Natural logarithm. x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)); log(1 + f) from
// s = f / (2 + f) and a minimax polynomial in s^2.
CINDER_HD inline double log(double x) {
  if (x != x) return x;
  if (!(x > 0.0)) return x == 0.0 ? -infinity() : quietNaN();
  if (x == infinity()) return x;
  int k = 0;
  if (x < 2.2250738585072014e-308) {  // subnormal: scale into the normal range
    x *= 18014398509481984.0;         // 2^54
    k = -54;
  }
  int e;
  const double f = logReduce(x, &e);
  k += e;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const double t2 = z * (6.666666666666735130e-01 +
                         w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const double R = t2 + t1;
  const double hfsq = 0.5 * f * f;
  const double dk = (double)k;
  return dk * kLn2Hi - ((hfsq - (s * (hfsq + R) + dk * kLn2Lo)) - f);
}

// log(x) to float precision (relative error below 2^-30) for x a positive normal float: the
// float32 fills, where the full polynomial would only cost time.
CINDER_HD inline double logF(double x) {
  int k;
  const double f = logReduce(x, &k);
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double R = z * (6.6666662693e-01 + w * 2.8498786688e-01) + w * (4.0000972152e-01 + w * 2.4279078841e-01);
  const double hfsq = 0.5 * f * f;
  return (double)k * 6.93147180559945286227e-01 - ((hfsq - s * (hfsq + R)) - f);
}

// floor(x) for |x| < 2^62, by integer conversion (a libm call on CPUs without SSE4.1's roundsd).
CINDER_HD inline double floorSmall(double x) {
  const double t = (double)(int64_t)x;  // truncation towards zero
  return t > x ? t - 1.0 : t;
}

// x * 2^k for k in [-1075, 1024] (the range exp needs), with one rounding.
CINDER_HD inline double scale2(double y, int k) {
  if (k > 1000) {
    y *= pow2(1000);
    k -= 1000;
  } else if (k < -1000) {
    y *= pow2(-1000);
    k += 1000;
  }
  return y * pow2(k);
}

// e^x. x = k ln2 + r with |r| <= ln2 / 2; e^r from a rational form in r.
CINDER_HD inline double exp(double x) {
  if (x != x) return x;
  if (x > 7.09782712893383973096e+02) return infinity();
  if (x < -7.45133219101941108420e+02) return 0.0;
  const double kf = floorSmall(x * 1.44269504088896338700e+00 + 0.5);
  const double hi = x - kf * kLn2Hi;
  const double lo = kf * kLn2Lo;
  const double r = hi - lo;
  const double t = r * r;
  const double c =
      r - t * (1.66666666666666019037e-01 +
               t * (-2.77777777770155933842e-03 +
                    t * (6.61375632143793436117e-05 + t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))));
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  return scale2(y, (int)kf);
}

// log(1 + x) for x > -1, without losing the low bits of small x (the ratio corrects the
// rounding of 1 + x).
CINDER_HD inline double log1p(double x) {
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  if (u == infinity()) return u;
  return log(u) * (x / (u - 1.0));
}

// sin and cos on [-pi/4, pi/4].
CINDER_HD inline double kernelSin(double x) {
  const double z = x * x;
  const double w = z * z;
  const double r = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * 2.75573137070700676789e-06) +
                   z * w * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10);
  const double v = z * x;
  return x + v * (-1.66666666666666324348e-01 + z * r);
}

CINDER_HD inline double kernelCos(double x) {
  const double z = x * x;
  const double w = z * z;
  const double r = z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * 2.48015872894767294178e-05)) +
                   w * w * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11));
  const double hz = 0.5 * z;
  const double one_hz = 1.0 - hz;
  return one_hz + (((1.0 - one_hz) - hz) + z * r);
}

// (sin, cos) of q quarter turns plus an angle whose (sin, cos) are (sx, cx): (sx, cx), (cx, -sx),
// (-sx, -cx), (-cx, sx). Selected with bit operations: the quadrant of a random angle is random,
// and a mispredicted branch per value costs more than the polynomials.
CINDER_HD inline void quadrant(int q, double sx, double cx, double* s, double* c) {
  const uint64_t swap = (uint64_t)0 - (uint64_t)(q & 1);
  const uint64_t bs = bitsOf(sx), bc = bitsOf(cx);
  const uint64_t a = (bs & ~swap) | (bc & swap);
  const uint64_t b = (bc & ~swap) | (bs & swap);
  *s = fromBits(a ^ ((uint64_t)(q & 2) << 62));
  *c = fromBits(b ^ ((uint64_t)((q + 1) & 2) << 62));
}

// sin(2 pi u) and cos(2 pi u) for finite u. The reduction is exact on u itself (quarter turns),
// so no multiple of pi is ever subtracted.
CINDER_HD inline void sinCos2Pi(double u, double* s, double* c) {
  const double v = (u >= 0.0 && u < 1.0) ? u : u - std::floor(u);  // [0, 1]
  const double t = 4.0 * v;                                          // quarter turns, exact
  const double n = floorSmall(t + 0.5);
  const double r = t - n;  // exact, in [-1/2, 1/2]
  const double x = r * 1.57079632679489661923;
  const double sx = kernelSin(x), cx = kernelCos(x);
  quadrant((int)n & 3, sx, cx, s, c);
}

// sin(2 pi u) and cos(2 pi u) to float precision (relative error below 2^-30), for u in [0, 1):
// the float32 normal fill. Shorter polynomials on the same exact reduction.
CINDER_HD inline void sinCos2PiF(double u, double* s, double* c) {
  const double t = 4.0 * u;
  const double n = floorSmall(t + 0.5);
  const double x = (t - n) * 1.57079632679489661923;
  const double z = x * x;
  const double w = z * z;
  const double sx = (x + z * x * (-0.166666666416265235595 + z * 0.0083333293858894631756)) +
                    z * x * w * (-0.000198393348360966317347 + z * 0.0000027183114939898219064);
  const double cx = ((1.0 + z * -0.499999997251031003120) + w * 0.0416666233237390631894) +
                    w * z * (-0.00138867637746099294692 + z * 0.0000243904487962774090654);
  quadrant((int)n & 3, sx, cx, s, c);
}

// log Gamma(x) for x a positive integer (the samplers only need log-factorials): exact factorials
// while they fit in 53 bits, then Stirling's series (error < 1e-17 from x = 20 on).
CINDER_HD inline double lgammaInt(double x) {
  if (x < 20.0) {
    double f = 1.0;
    for (double i = 2.0; i < x; i += 1.0) f *= i;  // (x - 1)! <= 18!, exact
    return log(f);
  }
  const double r = 1.0 / x;
  const double r2 = r * r;
  const double series =
      r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0 - r2 * (1.0 / 1188.0)))));
  return (x - 0.5) * log(x) - x + 0.918938533204672741780329736406 + series;
}

}  // namespace pmath
}  // namespace cinder
