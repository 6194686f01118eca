// Implicit reparameterisation gradients of the gamma and beta samplers (Figurnov et al. 2018,
// "Implicit Reparameterization Gradients"): the derivative of a sample x w.r.t. a concentration
// holding the CDF fixed, dx/dalpha = -(dF/dalpha) / (dF/dx) at (x, alpha).
//
// Header-only scalar math in double (CPU kernels and CUDA kernels share it). The CDF derivative
// is evaluated with forward-mode dual numbers through the classic expansions of the incomplete
// gamma / beta functions (the power series below the bulk, the continued fraction above it),
// written so that the common prefactor x^a e^-x / Gamma(a) (resp. x^a (1-x)^b / B(a, b)) cancels
// against the density analytically: nothing overflows or underflows, whatever a and x are, and the
// two terms that remain have the same sign on each branch, so there is no cancellation.
#pragma once
#include <cmath>
#include <limits>

#include "cpu/special.h"

namespace cinder {
namespace gammagrad {

// A value and its derivative w.r.t. the concentration being differentiated.
struct Dual {
  double v, d;
};
CINDER_HD inline Dual operator+(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
CINDER_HD inline Dual operator-(Dual a, Dual b) { return {a.v - b.v, a.d - b.d}; }
CINDER_HD inline Dual operator*(Dual a, Dual b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
CINDER_HD inline Dual operator/(Dual a, Dual b) { return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)}; }
CINDER_HD inline Dual operator+(Dual a, double b) { return {a.v + b, a.d}; }
CINDER_HD inline Dual operator*(double a, Dual b) { return {a * b.v, a * b.d}; }
CINDER_HD inline Dual recip(Dual a) { return {1.0 / a.v, -a.d / (a.v * a.v)}; }

constexpr double kTiny = 1e-300;  // Lentz's guard against a zero denominator
constexpr double kEps = 4e-16;    // convergence of the value and of the derivative
constexpr int kMaxIter = 200000;  // O(sqrt(a)) terms are needed; 1e4 at a ~ 1e6

CINDER_HD inline Dual guard(Dual a) {
  if (std::abs(a.v) < kTiny) a.v = kTiny;
  return a;
}

// Whether a product of factors (value h, derivative hd) has converged after multiplying by del.
CINDER_HD inline bool settled(Dual del, Dual h) {
  return std::abs(del.v - 1.0) <= kEps && std::abs(del.d) <= kEps * (std::abs(h.d / h.v) + 1e-290);
}

// ---- gamma --------------------------------------------------------------------------------------

// Lower branch (x < alpha + 1): P(a, x) = x^a e^-x / Gamma(a + 1) * S, S = sum_n x^n / prod_k(a + k).
// dx/da = -(x / a) (S (log x - psi(a + 1)) + dS/da); both terms are <= 0 for x below the bulk.
CINDER_HD inline double gammaSeries(double x, double a) {
  double t = 1.0, s = 1.0, ds = 0.0, harm = 0.0;
  for (int n = 1; n < kMaxIter; n++) {
    const double ak = a + n;
    t *= x / ak;
    harm += 1.0 / ak;
    s += t;
    const double dt = t * harm;
    ds -= dt;
    if (t <= kEps * 0.25 * s && dt <= kEps * 0.25 * std::abs(ds) && ak > x) break;
  }
  return -(x / a) * (s * (std::log(x) - special::digamma(a + 1.0)) + ds);
}

// Upper branch (x >= alpha + 1): Q(a, x) = x^a e^-x / Gamma(a) * h with h Legendre's continued
// fraction, evaluated by modified Lentz on duals. dx/da = x ((log x - psi(a)) h + dh/da).
CINDER_HD inline double gammaFraction(double x, double a) {
  Dual b{x + 1.0 - a, -1.0};
  Dual c{1.0 / kTiny, 0.0};
  Dual d = recip(b);
  Dual h = d;
  for (int i = 1; i < kMaxIter; i++) {
    const Dual an{-(double)i * (i - a), (double)i};
    b = b + 2.0;
    d = guard(an * d + b);
    c = guard(b + an / c);
    d = recip(d);
    const Dual del = d * c;
    h = h * del;
    if (settled(del, h)) break;
  }
  return x * ((std::log(x) - special::digamma(a)) * h.v + h.d);
}

// Very large alpha: Wilson-Hilferty, x = a (1 - 1/(9a) + z / (3 sqrt(a)))^3 with z held fixed;
// relative error O(1/a) on the gradient, below 1e-6 where it is used.
CINDER_HD inline double gammaLarge(double x, double a) {
  const double sa = std::sqrt(a);
  const double w = std::cbrt(x / a);
  const double z = (w - 1.0 + 1.0 / (9.0 * a)) * 3.0 * sa;
  const double u = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * sa);
  const double du = 1.0 / (9.0 * a * a) - z / (6.0 * a * sa);
  return u * u * u + 3.0 * a * u * u * du;
}

// d x / d alpha for x ~ Gamma(alpha, 1) with the CDF held fixed.
CINDER_HD inline double standardGammaGrad(double x, double alpha) {
  if (std::isnan(x) || std::isnan(alpha) || !(alpha > 0.0) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return 0.0;
  if (std::isinf(x)) return x;
  if (alpha > 1e6) return gammaLarge(x, alpha);
  return x < alpha + 1.0 ? gammaSeries(x, alpha) : gammaFraction(x, alpha);
}

// ---- beta ---------------------------------------------------------------------------------------

// The continued fraction of the incomplete beta function (I_x(a, b) = x^a (1-x)^b / (a B(a, b)) h),
// modified Lentz on duals; a and b carry their derivatives w.r.t. the differentiated parameter.
CINDER_HD inline Dual betaFraction(Dual a, Dual b, double x) {
  const Dual qab = a + b, qap = a + 1.0, qam = a + (-1.0);
  Dual c{1.0, 0.0};
  Dual d = guard(Dual{1.0, 0.0} - x * (qab / qap));
  d = recip(d);
  Dual h = d;
  for (int m = 1; m < kMaxIter; m++) {
    const double m2 = 2.0 * m;
    Dual aa = ((double)m * x) * ((b + (double)-m) / ((qam + m2) * (a + m2)));
    d = guard(aa * d + 1.0);
    c = guard(aa / c + 1.0);
    d = recip(d);
    h = h * d * c;
    aa = (-x) * ((a + (double)m) * (qab + (double)m) / ((a + m2) * (qap + m2)));
    d = guard(aa * d + 1.0);
    c = guard(aa / c + 1.0);
    d = recip(d);
    const Dual del = d * c;
    h = h * del;
    if (settled(del, h)) break;
  }
  return h;
}

// d x / d a for x ~ Beta(a, b) with the CDF held fixed (b fixed).
CINDER_HD inline double betaGrad(double x, double a, double b) {
  if (std::isnan(x) || std::isnan(a) || std::isnan(b) || !(a > 0.0) || !(b > 0.0) || x < 0.0 || x > 1.0)
    return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0 || x == 1.0) return 0.0;
  // d/da log(x^a (1-x)^b / B(a, b)) = log x + psi(a + b) - psi(a)
  const double dlog = std::log(x) + special::digamma(a + b) - special::digamma(a);
  if (x < (a + 1.0) / (a + b + 2.0)) {
    // I = pref * h / a; pdf = pref / (x (1 - x)).
    const Dual h = betaFraction(Dual{a, 1.0}, Dual{b, 0.0}, x);
    const double ha = h.v / a, dha = h.d / a - h.v / (a * a);
    return -x * (1.0 - x) * (dlog * ha + dha);
  }
  // I = 1 - pref * h' / b with h' the fraction of I_{1-x}(b, a).
  const Dual h = betaFraction(Dual{b, 0.0}, Dual{a, 1.0}, 1.0 - x);
  return x * (1.0 - x) * (dlog * h.v + h.d) / b;
}

}  // namespace gammagrad
}  // namespace cinder
