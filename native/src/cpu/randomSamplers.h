// The per-element math of every random kernel, shared by the CPU kernels (cpu/random.cc) and the
// CUDA kernels (cuda/random.cu): the flat-stream fills (one Philox block -> up to four values),
// the scalar samplers over one Philox sub-stream (in double precision), parameter checks and the
// Dirichlet row normalisation. Free of host-only calls (no exceptions, no allocation, no libm:
// cpu/portableMath.h) so both devices compute the same bits; parameters are validated by the
// caller before sampling.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/hostDevice.h"
#include "core/philox.h"
#include "cpu/portableMath.h"
#include "cpu/random.h"

namespace cinder {
namespace sampler {

constexpr double kTwoPi = 6.283185307179586476925286766559;

CINDER_HD inline double normal(philox::Stream& s) {
  const double u1 = s.open();
  const double u2 = s.uniform();
  double sn, cs;
  pmath::sinCos2Pi(u2, &sn, &cs);
  return std::sqrt(-2.0 * pmath::log(u1)) * cs;
}

// log of a Gamma(alpha, 1) variate (alpha > 0). Marsaglia & Tsang (2000) for alpha >= 1; below
// 1 the boost G(a) = G(a + 1) * U^(1/a), kept in log space so tiny alphas do not underflow before
// ratios (beta, dirichlet) are taken.
CINDER_HD inline double logGamma(philox::Stream& s, double alpha) {
  const bool boost = alpha < 1.0;
  const double a = boost ? alpha + 1.0 : alpha;
  const double d = a - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  double v;
  for (;;) {
    double x, t;
    do {
      x = normal(s);
      t = 1.0 + c * x;
    } while (t <= 0.0);
    v = t * t * t;
    const double u = s.open();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) break;
    if (pmath::log(u) < 0.5 * x2 + d * (1.0 - v + pmath::log(v))) break;
  }
  double lg = pmath::log(d) + pmath::log(v);
  if (boost) lg += pmath::log(s.open()) / alpha;
  return lg;
}

CINDER_HD inline double gamma(philox::Stream& s, double alpha) {
  if (std::isinf(alpha)) return alpha;
  return pmath::exp(logGamma(s, alpha));
}

CINDER_HD inline double beta(philox::Stream& s, double a, double b) {
  const double lx = logGamma(s, a);
  const double ly = logGamma(s, b);
  // x / (x + y) = 1 / (1 + exp(ly - lx)), stable for any magnitudes.
  return 1.0 / (1.0 + pmath::exp(ly - lx));
}

// Poisson(rate), rate finite and >= 0. Inversion by sequential search below 10 (one uniform,
// O(rate) steps); above, Hormann's transformed rejection with squeeze (PTRS, 1993), O(1).
CINDER_HD inline double poisson(philox::Stream& s, double lam) {
  if (lam <= 0.0) return 0.0;
  if (lam < 10.0) {
    for (;;) {
      double u = s.uniform();
      double p = pmath::exp(-lam);
      double k = 0.0;
      // The cdf saturates a hair below 1 in floating point; 1000 terms is far past it for lam < 10.
      while (u > p && k < 1000.0) {
        u -= p;
        k += 1.0;
        p *= lam / k;
      }
      if (k < 1000.0) return k;
    }
  }
  const double slam = std::sqrt(lam);
  const double loglam = pmath::log(lam);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double U = s.uniform() - 0.5;
    const double V = s.uniform();
    const double us = 0.5 - std::fabs(U);
    const double k = std::floor((2.0 * a / us + b) * U + lam + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0.0 || (us < 0.013 && V > us)) continue;
    if (pmath::log(V) + pmath::log(invAlpha) - pmath::log(a / (us * us) + b) <= -lam + k * loglam - pmath::lgammaInt(k + 1.0))
      return k;
  }
}

// Binomial(n, p), n a non-negative integer, p in [0, 1]. Inversion while n * min(p, 1 - p) < 10;
// above, Hormann's BTRS (1993).
CINDER_HD inline double binomial(philox::Stream& s, double n, double p) {
  if (n <= 0.0 || p <= 0.0) return 0.0;
  if (p >= 1.0) return n;
  const bool flip = p > 0.5;
  const double pp = flip ? 1.0 - p : p;
  const double q = 1.0 - pp;
  double k;
  if (n * pp < 10.0) {
    const double r0 = pmath::exp(n * pmath::log1p(-pp));
    const double ratio = pp / q;
    const double a = (n + 1.0) * ratio;
    for (;;) {
      double u = s.uniform();
      double r = r0;
      k = 0.0;
      while (u > r && k <= n) {
        u -= r;
        k += 1.0;
        r *= a / k - ratio;
      }
      if (k <= n) break;
    }
  } else {
    const double spq = std::sqrt(n * pp * q);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * pp;
    const double c = n * pp + 0.5;
    const double vr = 0.92 - 4.2 / b;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double lpq = pmath::log(pp / q);
    const double m = std::floor((n + 1.0) * pp);
    const double h = pmath::lgammaInt(m + 1.0) + pmath::lgammaInt(n - m + 1.0);
    for (;;) {
      const double U = s.uniform() - 0.5;
      double V = s.uniform();
      const double us = 0.5 - std::fabs(U);
      k = std::floor((2.0 * a / us + b) * U + c);
      if (k < 0.0 || k > n) continue;
      if (us >= 0.07 && V <= vr) break;
      V = pmath::log(V * alpha / (a / (us * us) + b));
      if (V <= h - pmath::lgammaInt(k + 1.0) - pmath::lgammaInt(n - k + 1.0) + (k - m) * lpq) break;
    }
  }
  return flip ? n - k : k;
}

// Whether one element's parameters are in the sampler's domain (cpu/random.cc's
// checkSampleParams says what is wrong with them).
CINDER_HD inline bool paramsValid(SampleOp op, double a, double b) {
  switch (op) {
    case SampleOp::Bernoulli: return a >= 0.0 && a <= 1.0;
    case SampleOp::Normal: return b >= 0.0;
    case SampleOp::Exponential: return a > 0.0;
    case SampleOp::Uniform: return a <= b;
    case SampleOp::Gamma: return a > 0.0;
    case SampleOp::Beta: return a > 0.0 && b > 0.0;
    case SampleOp::Poisson: return a >= 0.0 && std::isfinite(a);
    case SampleOp::Binomial: return a >= 0.0 && std::isfinite(a) && a == std::floor(a) && b >= 0.0 && b <= 1.0;
    default: return true;
  }
}

// One element of randomSample, drawn from its own sub-stream s, in T's precision.
template <typename T>
CINDER_HD inline T sampleOne(SampleOp op, philox::Stream& s, double a, double b) {
  switch (op) {
    case SampleOp::Bernoulli: return (T)((double)s.word() < a * 4294967296.0 ? 1 : 0);
    case SampleOp::Normal: return (T)(a + b * normal(s));
    case SampleOp::Exponential: return (T)(-pmath::log(s.open()) / a);
    case SampleOp::Uniform: return (T)(a + (b - a) * s.uniform());
    case SampleOp::Gamma: {
      // As PyTorch does for gamma: a variate that underflows becomes the smallest normal number,
      // so later logs and ratios stay finite.
      const double v = gamma(s, a);
      const double m = (double)std::numeric_limits<T>::min();
      return (T)(v < m ? m : v);
    }
    case SampleOp::Poisson: return (T)poisson(s, a);
    case SampleOp::Binomial: return (T)binomial(s, a, b);
    case SampleOp::Beta: {
      // Keep the result strictly inside (0, 1) in T's precision, as log-densities need.
      const double x = beta(s, a, b);
      const double lo = (double)std::numeric_limits<T>::min();
      const double hi = 1.0 - (double)std::numeric_limits<T>::epsilon() / 2;
      const double y = x < lo ? lo : x;
      return (T)(y > hi ? hi : y);
    }
    default: return (T)0;
  }
}

// One Dirichlet row from the log-gammas lg[0..k) of its elements (overwritten): normalised in log
// space, since tiny concentrations give gammas that underflow any float.
template <typename T>
CINDER_HD inline void dirichletNormalise(double* lg, int64_t k, T* out) {
  double mx = -pmath::infinity();
  for (int64_t j = 0; j < k; j++) mx = mx < lg[j] ? lg[j] : mx;
  double sum = 0;
  for (int64_t j = 0; j < k; j++) sum += (lg[j] = pmath::exp(lg[j] - mx));
  const double lo = (double)std::numeric_limits<T>::min();
  for (int64_t j = 0; j < k; j++) {
    const double q = lg[j] / sum;
    out[j] = (T)(q < lo ? lo : q);
  }
}

}  // namespace sampler

// Flat-stream fills: one Philox block (four words) -> K values, the K-th block of an op filling
// elements [b K, b K + K). Every kernel computes all K; the last block stores only what fits.
namespace fill {

constexpr int kUniformF32 = 4, kUniformF64 = 2, kNormalF32 = 4, kNormalF64 = 2, kExpF32 = 4, kExpF64 = 2,
              kBernoulli = 4, kInt = 2;

CINDER_HD inline void uniform(const uint32_t* r, float lo, float span, float* v) {
  for (int j = 0; j < 4; j++) v[j] = lo + span * philox::toUniformFloat(r[j]);
}
CINDER_HD inline void uniform(const uint32_t* r, double lo, double span, double* v) {
  for (int j = 0; j < 2; j++) v[j] = lo + span * philox::toUniformDouble(r[2 * j], r[2 * j + 1]);
}

// Box-Muller: each pair of uniforms gives two normals (the cos and sin branches).
CINDER_HD inline void normal(const uint32_t* r, float mean, float sd, float* v) {
  for (int j = 0; j < 2; j++) {
    const double rad = std::sqrt(-2.0 * pmath::logF((double)philox::toOpenFloat(r[2 * j])));
    double sn, cs;
    pmath::sinCos2PiF((double)philox::toUniformFloat(r[2 * j + 1]), &sn, &cs);
    v[2 * j] = mean + sd * (float)(rad * cs);
    v[2 * j + 1] = mean + sd * (float)(rad * sn);
  }
}
CINDER_HD inline void normal(const uint32_t* r, double mean, double sd, double* v) {
  const double rad = std::sqrt(-2.0 * pmath::log(philox::toOpenDouble(r[0], r[1])));
  double sn, cs;
  pmath::sinCos2Pi(philox::toUniformDouble(r[2], r[3]), &sn, &cs);
  v[0] = mean + sd * rad * cs;
  v[1] = mean + sd * rad * sn;
}

CINDER_HD inline void exponential(const uint32_t* r, float inv, float* v) {
  for (int j = 0; j < 4; j++) v[j] = (float)(-pmath::logF((double)philox::toOpenFloat(r[j]))) * inv;
}
CINDER_HD inline void exponential(const uint32_t* r, double inv, double* v) {
  for (int j = 0; j < 2; j++) v[j] = -pmath::log(philox::toOpenDouble(r[2 * j], r[2 * j + 1])) * inv;
}

// P(w < p 2^32) = p for a 32-bit word w: thresh = p 2^32; p = 1 always succeeds, p = 0 never.
template <typename T>
CINDER_HD inline void bernoulli(const uint32_t* r, double thresh, T* v) {
  for (int j = 0; j < 4; j++) v[j] = (T)((double)r[j] < thresh ? 1 : 0);
}

// Integers low + [0, range) from 64 random bits each; the multiply-high's bias is below
// range / 2^64.
template <typename T>
CINDER_HD inline void randInt(const uint32_t* r, int64_t low, uint64_t range, T* v) {
  for (int j = 0; j < 2; j++) v[j] = (T)(low + (int64_t)philox::mulHi64(philox::word64(r[2 * j], r[2 * j + 1]), range));
}

}  // namespace fill
}  // namespace cinder
