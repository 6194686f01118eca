// Scalar samplers over one Philox sub-stream, in double precision. Written free of host-only
// calls (no exceptions, no allocation) so a CUDA kernel can reuse them: parameters are validated
// by the caller before sampling.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/philox.h"

namespace cinder {
namespace sampler {

constexpr double kTwoPi = 6.283185307179586476925286766559;

CINDER_HOST_DEVICE inline double normal(philox::Stream& s) {
  const double u1 = s.open();
  const double u2 = s.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

// log of a Gamma(alpha, 1) variate (alpha > 0). Marsaglia & Tsang (2000) for alpha >= 1; below
// 1 the boost G(a) = G(a + 1) * U^(1/a), kept in log space so tiny alphas do not underflow before
// ratios (beta, dirichlet) are taken.
CINDER_HOST_DEVICE inline double logGamma(philox::Stream& s, double alpha) {
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
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) break;
  }
  double lg = std::log(d) + std::log(v);
  if (boost) lg += std::log(s.open()) / alpha;
  return lg;
}

CINDER_HOST_DEVICE inline double gamma(philox::Stream& s, double alpha) {
  if (std::isinf(alpha)) return alpha;
  return std::exp(logGamma(s, alpha));
}

CINDER_HOST_DEVICE inline double beta(philox::Stream& s, double a, double b) {
  const double lx = logGamma(s, a);
  const double ly = logGamma(s, b);
  // x / (x + y) = 1 / (1 + exp(ly - lx)), stable for any magnitudes.
  return 1.0 / (1.0 + std::exp(ly - lx));
}

// Poisson(rate), rate finite and >= 0. Inversion by sequential search below 10 (one uniform,
// O(rate) steps); above, Hormann's transformed rejection with squeeze (PTRS, 1993), O(1).
CINDER_HOST_DEVICE inline double poisson(philox::Stream& s, double lam) {
  if (lam <= 0.0) return 0.0;
  if (lam < 10.0) {
    for (;;) {
      double u = s.uniform();
      double p = std::exp(-lam);
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
  const double loglam = std::log(lam);
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
    if (std::log(V) + std::log(invAlpha) - std::log(a / (us * us) + b) <= -lam + k * loglam - std::lgamma(k + 1.0))
      return k;
  }
}

// Binomial(n, p), n a non-negative integer, p in [0, 1]. Inversion while n * min(p, 1 - p) < 10;
// above, Hormann's BTRS (1993).
CINDER_HOST_DEVICE inline double binomial(philox::Stream& s, double n, double p) {
  if (n <= 0.0 || p <= 0.0) return 0.0;
  if (p >= 1.0) return n;
  const bool flip = p > 0.5;
  const double pp = flip ? 1.0 - p : p;
  const double q = 1.0 - pp;
  double k;
  if (n * pp < 10.0) {
    const double r0 = std::exp(n * std::log1p(-pp));
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
    const double lpq = std::log(pp / q);
    const double m = std::floor((n + 1.0) * pp);
    const double h = std::lgamma(m + 1.0) + std::lgamma(n - m + 1.0);
    for (;;) {
      const double U = s.uniform() - 0.5;
      double V = s.uniform();
      const double us = 0.5 - std::fabs(U);
      k = std::floor((2.0 * a / us + b) * U + c);
      if (k < 0.0 || k > n) continue;
      if (us >= 0.07 && V <= vr) break;
      V = std::log(V * alpha / (a / (us * us) + b));
      if (V <= h - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + (k - m) * lpq) break;
    }
  }
  return flip ? n - k : k;
}

}  // namespace sampler
}  // namespace cinder
