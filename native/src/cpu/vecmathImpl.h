// The float32 math of vecmath.h written once with GCC vector extensions; each arch/vecmath_*.cc
// includes it with its own CINDER_VEC_WIDTH and compile flags, so the same source becomes SSE2,
// AVX2+FMA or AVX-512 code. Everything sits in an anonymous namespace: the widths differ per
// translation unit, so no definition here may be shared across them.
//
// Branch-free throughout: special inputs (NaN, infinities, zeros, out-of-range arguments) are
// fixed by selects after the main path, which computes garbage for them harmlessly.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "cpu/vecmath.h"

#ifndef CINDER_VEC_WIDTH
#error "define CINDER_VEC_WIDTH (floats per vector) before including vecmathImpl.h"
#endif

namespace cinder {
namespace {

constexpr int W = CINDER_VEC_WIDTH;
typedef float VF __attribute__((vector_size(W * 4)));
typedef int32_t VI __attribute__((vector_size(W * 4)));
typedef double VD __attribute__((vector_size(W * 8)));

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

inline VF splat(float v) { return VF{} + v; }
inline VI splatI(int32_t v) { return VI{} + v; }
inline VF sel(VI m, VF a, VF b) { return m ? a : b; }
inline VF asF(VI v) { return (VF)v; }
inline VI asI(VF v) { return (VI)v; }
inline VF vabs(VF x) { return asF(asI(x) & 0x7fffffff); }
// |a| with the sign of b.
inline VF withSign(VF a, VF b) { return asF((asI(a) & 0x7fffffff) | (asI(b) & (int32_t)0x80000000u)); }
inline VF clampV(VF x, float lo, float hi) {
  VF y = sel(x < lo, splat(lo), x);
  return sel(y > hi, splat(hi), y);
}

// Range reduction shared by exp and expm1: x = n ln2 + r with |r| <= ln2/2, n = round(x/ln2)
// (the 1.5 * 2^23 shift leaves n in the low mantissa bits), ln2 split in two so n ln2 is exact.
struct ExpReduced {
  VF r;
  VI n;
  VF em1;  // e^r - 1
};
inline ExpReduced expReduce(VF x) {
  const VF t = x * 1.44269504088896341f + 12582912.0f;
  const VF n = t - 12582912.0f;
  VF r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  // Cephes' minimax polynomial for (e^r - 1 - r) / r^2.
  VF p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  return {r, asI(t) - 0x4B400000, p * r * r + r};
}
// 2^n for n in [-126, 127], built in the exponent bits.
inline VF pow2i(VI n) { return asF((n + 127) << 23); }

// Within 1 ulp over the whole range: the 2^n scale is applied as two halves so results down in
// the subnormals round once, and n = 128 (x just below the overflow threshold) stays finite.
inline VF expV(VF x) {
  const ExpReduced e = expReduce(clampV(x, -104.0f, 89.0f));
  const VI h = e.n >> 1;
  const VF y = (e.em1 + 1.0f) * pow2i(h) * pow2i(e.n - h);
  return sel(x != x, x, y);
}

// expm1 = 2^n (e^r - 1) + (2^n - 1): exact 2^n - 1 for n <= 24 keeps the relative accuracy of
// e^r - 1 near 0; beyond that the -1 is below half an ulp of e^x and exp's path takes over.
inline VF expm1V(VF x) {
  const ExpReduced e = expReduce(clampV(x, -30.0f, 89.0f));
  const VI nc = e.n > 24 ? splatI(24) : e.n;
  const VF s = pow2i(nc);
  const VF small = s * e.em1 + (s - 1.0f);
  const VI h = e.n >> 1;
  const VF big = (e.em1 + 1.0f) * pow2i(h) * pow2i(e.n - h) - 1.0f;
  VF y = sel(e.n > 24, big, small);
  y = sel(x == 0.0f, x, y);
  return sel(x != x, x, y);
}

// log(x) = k ln2 + log1p(f), with 1 + f = x / 2^k in [sqrt(1/2), sqrt(2)) and log1p(f) =
// f - f^2/2 + f^3 P(f) (P a least-squares fit over that interval, relative weights).
inline VF logV(VF x) {
  const VI den = x < 1.17549435e-38f;
  const VF xs = sel(den, x * 8388608.0f, x);
  const VI bits = asI(xs);
  VI k = (bits - 0x3f3504f3) >> 23;
  const VF f = asF(bits - (k << 23)) - 1.0f;
  k = k + (den & -23);
  const VF kf = __builtin_convertvector(k, VF);
  VF p = splat(0.06675271689891815f);
  p = p * f - 0.11646434664726257f;
  p = p * f + 0.1190471202135086f;
  p = p * f - 0.12411268800497055f;
  p = p * f + 0.14217890799045563f;
  p = p * f - 0.16667643189430237f;
  p = p * f + 0.20002204179763794f;
  p = p * f - 0.25000014901161194f;
  p = p * f + 0.3333331048488617f;
  const VF f2 = f * f;
  VF y = f2 * f * p + kf * -2.12194440e-4f - 0.5f * f2;
  y = (f + y) + kf * 0.693359375f;
  y = sel(x == 0.0f, splat(-kInf), y);
  y = sel(x < 0.0f, splat(kNaN), y);
  y = sel(x == kInf, x, y);
  return sel(x != x, x, y);
}

// log1p(x) = log(u) + (x - (u - 1)) / u with u = 1 + x rounded: the quotient restores what the
// rounding of u lost.
inline VF log1pV(VF x) {
  const VF u = x + 1.0f;
  VF y = logV(u) + (x - (u - 1.0f)) / u;
  y = sel(u == 1.0f, x, y);
  y = sel(u == 0.0f, splat(-kInf), y);
  y = sel(x == kInf, x, y);
  return sel(x != x, x, y);
}

// tanh |x| = -m / (m + 2) with m = expm1(-2|x|) in (-1, 0]: no overflow and no cancellation.
inline VF tanhV(VF x) {
  const VF m = expm1V(-2.0f * vabs(x));
  return withSign(-m / (m + 2.0f), x);
}

// 1 / (1 + e^-x), evaluated as e^x / (1 + e^x) for x < 0 so that e^-|x| never overflows and
// the result keeps its precision down into the subnormals.
inline VF sigmoidV(VF x) {
  const VF e = expV(-vabs(x));
  const VF d = 1.0f / (1.0f + e);
  return sel(x < 0.0f, e * d, d);
}
inline VF siluV(VF x) { return x * sigmoidV(x); }
// 0.5 x (1 + tanh u) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
inline VF geluTanhV(VF x) { return x * sigmoidV(1.5957691216057308f * (x + 0.044715f * x * x * x)); }

// erf: x P(x^2) below 0.9; above, 1 - e^(-x^2) g(|x|) with g a fit of erfc(t) e^(t^2) on
// [0.9, 4]; erf rounds to 1 from 3.92 on. Both fits are least squares over Chebyshev nodes.
inline VF erfV(VF x) {
  const VF a = vabs(x);
  const VF x2 = x * x;
  VF p = splat(8.578752749599516e-05f);
  p = p * x2 - 0.0008192117093130946f;
  p = p * x2 + 0.0052054263651371f;
  p = p * x2 - 0.02686120755970478f;
  p = p * x2 + 0.1128372922539711f;
  p = p * x2 - 0.37612634897232056f;
  p = p * x2 + 1.128379225730896f;
  const VF small = x * p;
  const VF t = clampV(a, 0.9f, 4.0f);
  const VF s = t - 2.45f;
  VF g = splat(1.7696291934043984e-06f);
  g = g * s - 7.475180154870031e-06f;
  g = g * s + 1.7122534700320102e-05f;
  g = g * s - 5.884660276933573e-05f;
  g = g * s + 0.00023288419470191002f;
  g = g * s - 0.0008072949131019413f;
  g = g * s + 0.0026592742651700974f;
  g = g * s - 0.008510840125381947f;
  g = g * s + 0.0261758491396904f;
  g = g * s - 0.07690276205539703f;
  g = g * s + 0.21458710730075836f;
  VF big = 1.0f - expV(-(t * t)) * g;
  big = sel(a >= 4.0f, splat(1.0f), big);
  VF y = sel(a < 0.9f, small, withSign(big, x));
  return sel(x != x, x, y);
}
inline VF geluErfV(VF x) { return 0.5f * x * (1.0f + erfV(x * 0.70710678118654752440f)); }

// sin and cos: x = j pi/2 + r with |r| <= pi/4, the reduction done in double (pi/2 split so
// j P1 is exact for |j| < 2^20) so that r keeps its relative precision even where x lies close
// to a multiple of pi/2; then float polynomials (least-squares fits on [0, pi/4]) picked and
// signed by the quadrant. Lanes beyond 2^20 in magnitude would need a longer pi: they go to libm.
constexpr float kTrigVecMax = 1048576.0f;
inline VF sinCosV(VF x, int shift, float (*scalar)(float)) {
  const VD xd = __builtin_convertvector(x, VD);
  const VD j = (xd * 0.63661977236758134308 + 6755399441055744.0) - 6755399441055744.0;
  const VD rd = (xd - j * 1.5707963267341256) - j * 6.0771005065061922e-11;
  const VF r = __builtin_convertvector(rd, VF);
  const VI q = __builtin_convertvector(__builtin_convertvector(j, VF), VI) + shift;
  const VF r2 = r * r;
  VF ps = splat(-0.0001951815065694973f);
  ps = ps * r2 + 0.008332186378538609f;
  ps = ps * r2 - 0.16666655242443085f;
  const VF sinR = r + r * r2 * ps;
  VF pc = splat(2.443284392938949e-05f);
  pc = pc * r2 - 0.0013887312961742282f;
  pc = pc * r2 + 0.04166664555668831f;
  const VF cosR = (1.0f - 0.5f * r2) + r2 * r2 * pc;
  VF y = sel((q & 1) != 0, cosR, sinR);
  y = asF(asI(y) ^ ((q & 2) << 30));
  const VI big = vabs(x) > kTrigVecMax;
  bool any = false;
  for (int i = 0; i < W; i++) any |= big[i] != 0;
  if (any)
    for (int i = 0; i < W; i++)
      if (big[i]) y[i] = scalar(x[i]);
  return y;
}
inline float sinScalar(float x) { return std::sin(x); }
inline float cosScalar(float x) { return std::cos(x); }

struct SinOp { static VF f(VF x, const float*) { return sinCosV(x, 0, sinScalar); } };
struct CosOp { static VF f(VF x, const float*) { return sinCosV(x, 1, cosScalar); } };
struct ExpOp { static VF f(VF x, const float*) { return expV(x); } };
struct Expm1Op { static VF f(VF x, const float*) { return expm1V(x); } };
struct LogOp { static VF f(VF x, const float*) { return logV(x); } };
struct Log1pOp { static VF f(VF x, const float*) { return log1pV(x); } };
struct TanhOp { static VF f(VF x, const float*) { return tanhV(x); } };
struct SigmoidOp { static VF f(VF x, const float*) { return sigmoidV(x); } };
struct SiluOp { static VF f(VF x, const float*) { return siluV(x); } };
struct GeluTanhOp { static VF f(VF x, const float*) { return geluTanhV(x); } };
struct GeluErfOp { static VF f(VF x, const float*) { return geluErfV(x); } };
struct ErfOp { static VF f(VF x, const float*) { return erfV(x); } };
// bx > threshold ? x : log1p(e^(bx)) / beta, as the scalar definition.
struct SoftplusOp {
  static VF f(VF x, const float* p) {
    const VF bx = x * p[0];
    return sel(bx > p[1], x, log1pV(expV(bx)) / p[0]);
  }
};

template <typename Op>
void runVec(const float* in, float* out, int64_t n, const float* params) {
  int64_t i = 0;
  // Two independent vectors per iteration so the long dependency chains overlap.
  for (; i + 2 * W <= n; i += 2 * W) {
    VF a, b;
    std::memcpy(&a, in + i, sizeof(VF));
    std::memcpy(&b, in + i + W, sizeof(VF));
    a = Op::f(a, params);
    b = Op::f(b, params);
    std::memcpy(out + i, &a, sizeof(VF));
    std::memcpy(out + i + W, &b, sizeof(VF));
  }
  for (; i < n; i += W) {
    const int64_t m = n - i < W ? n - i : W;
    VF a = VF{} + 1.0f;
    std::memcpy(&a, in + i, m * sizeof(float));
    a = Op::f(a, params);
    std::memcpy(out + i, &a, m * sizeof(float));
  }
}

VecMathArch makeVecMathArch(const char* name) {
  VecMathArch a{name, {}};
  a.fn[(int)VecFn::exp] = runVec<ExpOp>;
  a.fn[(int)VecFn::expm1] = runVec<Expm1Op>;
  a.fn[(int)VecFn::log] = runVec<LogOp>;
  a.fn[(int)VecFn::log1p] = runVec<Log1pOp>;
  a.fn[(int)VecFn::tanh] = runVec<TanhOp>;
  a.fn[(int)VecFn::sigmoid] = runVec<SigmoidOp>;
  a.fn[(int)VecFn::silu] = runVec<SiluOp>;
  a.fn[(int)VecFn::geluTanh] = runVec<GeluTanhOp>;
  a.fn[(int)VecFn::geluErf] = runVec<GeluErfOp>;
  a.fn[(int)VecFn::softplus] = runVec<SoftplusOp>;
  a.fn[(int)VecFn::erf] = runVec<ErfOp>;
  a.fn[(int)VecFn::sin] = runVec<SinOp>;
  a.fn[(int)VecFn::cos] = runVec<CosOp>;
  return a;
}

}  // namespace
}  // namespace cinder
