// Special functions, header-only and templated on float/double so CPU kernels, CUDA kernels and
// the probabilistic-programming package can share them. No N-API, no allocation. Every function
// computes in double internally where float would lose accuracy, and returns T.
#pragma once
#include <cmath>
#include <limits>

#include "core/hostDevice.h"

namespace cinder {
namespace special {

constexpr double kPi = 3.14159265358979323846264338327950288;

template <typename T>
CINDER_HD inline T erf(T x) { return std::erf(x); }
template <typename T>
CINDER_HD inline T erfc(T x) { return std::erfc(x); }
template <typename T>
CINDER_HD inline T lgamma(T x) { return std::lgamma(x); }

// Inverse error function: Winitzki's closed-form first guess (relative error ~2e-3), refined by
// Newton steps, each roughly squaring the error, so three reach float64 precision. In the tails
// the residual is taken on erfc against 1 - |y| (exact there), which keeps relative accuracy
// where erf(x) is within a few ulps of 1.
template <typename T>
CINDER_HD inline T erfinv(T yIn) {
  const double y = (double)yIn;
  if (!(y >= -1.0 && y <= 1.0)) return std::numeric_limits<T>::quiet_NaN();
  if (y == 1.0) return std::numeric_limits<T>::infinity();
  if (y == -1.0) return -std::numeric_limits<T>::infinity();
  if (y == 0.0) return (T)y;  // keeps the sign of zero
  const double ay = std::fabs(y);
  const double a = 0.147;
  const double l = std::log1p(-ay) + std::log1p(ay);  // log(1 - y^2) without cancellation
  const double t = 2.0 / (kPi * a) + 0.5 * l;
  double x = std::sqrt(std::sqrt(t * t - l / a) - t);
  const double c = 1.1283791670955125739;  // 2 / sqrt(pi)
  const double q = 1.0 - ay;                // exact for ay >= 0.5
  for (int k = 0; k < 4; k++) {
    double d = c * std::exp(-x * x);
    if (!(d > 0)) break;
    double r = ay > 0.5 ? q - std::erfc(x) : std::erf(x) - ay;
    x -= r / d;
  }
  return (T)(y < 0 ? -x : x);
}

// Digamma psi(x) = d/dx log Gamma(x). Reflection for x < 0, the recurrence psi(x) = psi(x+1) -
// 1/x up to x >= 10, then the asymptotic series in 1/x^2 (Bernoulli numbers).
template <typename T>
CINDER_HD inline T digamma(T xIn) {
  double x = (double)xIn;
  if (std::isnan(x)) return (T)x;
  if (x == 0) return std::signbit(x) ? std::numeric_limits<T>::infinity() : -std::numeric_limits<T>::infinity();
  if (x == -std::numeric_limits<double>::infinity()) return std::numeric_limits<T>::quiet_NaN();
  double result = 0;
  if (x < 0) {
    if (x == std::floor(x)) return std::numeric_limits<T>::quiet_NaN();
    // psi(1 - x) - psi(x) = pi cot(pi x); reduce the argument of tan so it stays exact.
    double r = x - std::floor(x);
    result = -kPi / std::tan(kPi * r);
    x = 1 - x;
  }
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  if (x == std::numeric_limits<double>::infinity()) return (T)x;
  const double z = 1 / (x * x);
  // B2k / (2k): 1/12, -1/120, 1/252, -1/240, 1/132, -691/32760, 1/12
  double s = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z / 12))))));
  result += std::log(x) - 0.5 / x - s;
  return (T)result;
}

// Trigamma psi'(x). Reflection psi'(1-x) + psi'(x) = pi^2 / sin^2(pi x), recurrence
// psi'(x) = psi'(x+1) + 1/x^2 up to x >= 10, then the asymptotic series.
template <typename T>
CINDER_HD inline T trigamma(T xIn) {
  double x = (double)xIn;
  if (std::isnan(x)) return (T)x;
  double sign = 1, result = 0;
  if (x <= 0) {
    if (x == std::floor(x)) return std::numeric_limits<T>::infinity();
    double s = std::sin(kPi * (x - std::floor(x)));
    result = kPi * kPi / (s * s);
    sign = -1;
    x = 1 - x;
  }
  double acc = 0;
  while (x < 10) {
    acc += 1 / (x * x);
    x += 1;
  }
  if (x == std::numeric_limits<double>::infinity()) return (T)(result + sign * acc);
  const double z = 1 / (x * x);
  // 1/x + 1/(2x^2) + sum B2k / x^(2k+1): 1/6, -1/30, 1/42, -1/30, 5/66, -691/2730, 7/6
  double tail = (1 + z * (1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30 - z * (5.0 / 66 - z * (691.0 / 2730 - z * 7.0 / 6))))))) / x + 0.5 * z;
  acc += tail;
  return (T)(result + sign * acc);
}

// Hurwitz zeta(s, q) = sum_k (q + k)^-s for s > 1, q > 0: direct terms up to q + N, then the
// Euler-Maclaurin tail.
CINDER_HD inline double hurwitzZeta(double s, double q) {
  if (!(s > 1) || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q <= 0) {
    if (q == std::floor(q)) return std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();  // not defined for non-integer negative s here
  }
  const int N = 12;
  double sum = 0;
  for (int k = 0; k < N; k++) sum += std::pow(q + k, -s);
  const double a = q + N;
  sum += std::pow(a, 1 - s) / (s - 1) + 0.5 * std::pow(a, -s);
  // B2j / (2j)!
  const double b[] = {1.0 / 12, -1.0 / 720, 1.0 / 30240, -1.0 / 1209600, 1.0 / 47900160, -691.0 / 1307674368000.0,
                      1.0 / 74724249600.0};
  double fac = s * std::pow(a, -s - 1);  // s (s+1) ... (s+2j-2) a^(-s-2j+1), j = 1
  for (int j = 0; j < 7; j++) {
    sum += b[j] * fac;
    fac *= (s + 2 * j + 1) * (s + 2 * j + 2) / (a * a);
  }
  return sum;
}

// polygamma(n, x): n = 0 digamma, n = 1 trigamma, n >= 2 via (-1)^(n+1) n! zeta(n+1, x).
template <typename T>
CINDER_HD inline T polygamma(int n, T x) {
  if (n == 0) return digamma(x);
  if (n == 1) return trigamma(x);
  double fact = 1;
  for (int k = 2; k <= n; k++) fact *= k;
  double sgn = (n % 2) ? 1.0 : -1.0;
  double xv = (double)x;
  if (std::isnan(xv)) return (T)xv;
  double shift = 0;
  if (xv <= 0) {
    // Poles at the non-positive integers; elsewhere step up with
    // psi_n(x) = psi_n(x + 1) - (-1)^n n! / x^(n+1) until x > 0 (a bounded number of steps).
    if (xv == std::floor(xv) || xv < -1e4) return std::numeric_limits<T>::quiet_NaN();
    while (xv <= 0) {
      shift += std::pow(xv, -(n + 1.0));
      xv += 1;
    }
  }
  return (T)(sgn * fact * (hurwitzZeta(n + 1.0, xv) + shift));
}

}  // namespace special
}  // namespace cinder
