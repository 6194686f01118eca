#include "cpu/random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/elementwiseIter.h"
#include "core/philox.h"
#include "core/threadPool.h"
#include "cpu/randomSamplers.h"

namespace cinder {

namespace {

constexpr float kTwoPiF = 6.28318530717958647692f;

inline uint64_t mulHi64(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a * b) >> 64); }
inline uint64_t word64(uint32_t hi, uint32_t lo) { return ((uint64_t)hi << 32) | lo; }

// Walks the flat stream: block b of this op fills elements [b * K, b * K + K). gen(r, dst, count)
// writes `count` <= K values from the block's four words.
template <int K, typename T, typename Gen>
uint64_t fillBlocks(T* out, int64_t n, const PhiloxState& g, Gen gen) {
  if (n <= 0) return 0;
  const int64_t nb = (n + K - 1) / K;
  parallelFor(nb, std::max<int64_t>(1, kParallelGrain / K), [&](int64_t b0, int64_t b1) {
    uint32_t r[4];
    for (int64_t b = b0; b < b1; b++) {
      philox::flatBlock(g.key, g.offset + (uint64_t)b, r);
      const int64_t i = b * K;
      gen(r, out + i, (int)std::min<int64_t>(K, n - i));
    }
  });
  return (uint64_t)nb;
}

template <typename T>
T castTo(double v) { return (T)v; }

// Values of [low, high) as 64-bit integers; range = high - low >= 1. The 64x64 multiply-high
// maps 64 random bits onto the range with a bias below range / 2^64.
template <typename T>
uint64_t fillInt(T* out, int64_t n, int64_t low, uint64_t range, const PhiloxState& g) {
  return fillBlocks<2>(out, n, g, [=](const uint32_t* r, T* dst, int cnt) {
    for (int j = 0; j < cnt; j++) dst[j] = (T)(low + (int64_t)mulHi64(word64(r[2 * j], r[2 * j + 1]), range));
  });
}

template <typename T>
uint64_t fillTyped(FillOp op, T* out, int64_t n, double a, double b, DType dt, const PhiloxState& g, const char* name) {
  constexpr bool isF32 = std::is_same<T, float>::value;
  constexpr bool isF64 = std::is_same<T, double>::value;
  switch (op) {
    case FillOp::Uniform: {
      if constexpr (isF32) {
        const float lo = (float)a, span = (float)(b - a);
        return fillBlocks<4>(out, n, g, [=](const uint32_t* r, T* dst, int cnt) {
          for (int j = 0; j < cnt; j++) dst[j] = lo + span * philox::toUniformFloat(r[j]);
        });
      } else if constexpr (isF64) {
        const double span = b - a;
        return fillBlocks<2>(out, n, g, [=](const uint32_t* r, T* dst, int cnt) {
          for (int j = 0; j < cnt; j++) dst[j] = a + span * philox::toUniformDouble(r[2 * j], r[2 * j + 1]);
        });
      }
      break;
    }
    case FillOp::Normal: {
      // Box-Muller: each pair of uniforms gives two normals (cos and sin branches).
      if constexpr (isF32) {
        const float mean = (float)a, sd = (float)b;
        return fillBlocks<4>(out, n, g, [=](const uint32_t* r, T* dst, int cnt) {
          float z[4];
          for (int j = 0; j < 2; j++) {
            const float rad = std::sqrt(-2.0f * std::log(philox::toOpenFloat(r[2 * j])));
            const float th = kTwoPiF * philox::toUniformFloat(r[2 * j + 1]);
            z[2 * j] = rad * std::cos(th);
            z[2 * j + 1] = rad * std::sin(th);
          }
          for (int j = 0; j < cnt; j++) dst[j] = mean + sd * z[j];
        });
      } else if constexpr (isF64) {
        return fillBlocks<2>(out, n, g, [=](const uint32_t* r, T* dst, int cnt) {
          const double rad = std::sqrt(-2.0 * std::log(philox::toOpenDouble(r[0], r[1])));
          const double th = sampler::kTwoPi * philox::toUniformDouble(r[2], r[3]);
          dst[0] = a + b * rad * std::cos(th);
          if (cnt > 1) dst[1] = a + b * rad * std::sin(th);
        });
      }
      break;
    }
    case FillOp::Exponential: {
      if constexpr (isF32) {
        const float inv = (float)(1.0 / a);
        return fillBlocks<4>(out, n, g, [=](const uint32_t* r, T* dst, int cnt) {
          for (int j = 0; j < cnt; j++) dst[j] = -std::log(philox::toOpenFloat(r[j])) * inv;
        });
      } else if constexpr (isF64) {
        const double inv = 1.0 / a;
        return fillBlocks<2>(out, n, g, [=](const uint32_t* r, T* dst, int cnt) {
          for (int j = 0; j < cnt; j++) dst[j] = -std::log(philox::toOpenDouble(r[2 * j], r[2 * j + 1])) * inv;
        });
      }
      break;
    }
    case FillOp::Bernoulli: {
      // P(w < p * 2^32) = p for 32-bit w; p = 1 always succeeds, p = 0 never.
      const double thresh = a * 4294967296.0;
      return fillBlocks<4>(out, n, g, [=](const uint32_t* r, T* dst, int cnt) {
        for (int j = 0; j < cnt; j++) dst[j] = (T)((double)r[j] < thresh ? 1 : 0);
      });
    }
    case FillOp::RandInt: {
      CINDER_CHECK(std::isfinite(a) && std::isfinite(b) && b > a, name, ": expected low < high, got low=", a,
                   " high=", b);
      const int64_t lo = (int64_t)a, hi = (int64_t)b;
      return fillInt(out, n, lo, (uint64_t)hi - (uint64_t)lo, g);
    }
    case FillOp::RandomFull: {
      // [0, 2^mantissa] for floats (every integer there is exact), [0, max] for integers.
      uint64_t range;
      switch (dt) {
        case DType::Float32: range = (1ull << 24) + 1; break;
        case DType::Float64: range = (1ull << 53) + 1; break;
        case DType::Int32: range = (uint64_t)std::numeric_limits<int32_t>::max() + 1; break;
        case DType::Int64: range = (uint64_t)std::numeric_limits<int64_t>::max(); break;
        case DType::Uint8: range = 256; break;
        case DType::Bool: range = 2; break;
        default: fail(name, ": not supported for dtype ", dtypeName(dt));
      }
      return fillInt(out, n, 0, range, g);
    }
    default: break;
  }
  fail(name, ": not supported for dtype ", dtypeName(dt));
}

template <typename T>
inline double toD(T v) { return (double)v; }

[[noreturn]] void badParam(const char* name, const char* what, double v) {
  fail(name, ": ", what, ", got ", v);
}

// Checks one element's parameters; messages name the op and the offending value.
inline void checkParams(SampleOp op, double a, double b, const char* name) {
  switch (op) {
    case SampleOp::Bernoulli:
      if (!(a >= 0.0 && a <= 1.0)) badParam(name, "expected all probabilities in [0, 1]", a);
      break;
    case SampleOp::Normal:
      if (!(b >= 0.0)) badParam(name, "expected std >= 0", b);
      break;
    case SampleOp::Exponential:
      if (!(a > 0.0)) badParam(name, "expected rate > 0", a);
      break;
    case SampleOp::Uniform:
      if (!(a <= b)) fail(name, ": expected low <= high, got low=", a, " high=", b);
      break;
    case SampleOp::Gamma:
      if (!(a > 0.0)) badParam(name, "expected concentration alpha > 0", a);
      break;
    case SampleOp::Beta:
      if (!(a > 0.0)) badParam(name, "expected concentration a > 0", a);
      if (!(b > 0.0)) badParam(name, "expected concentration b > 0", b);
      break;
    case SampleOp::Poisson:
      if (!(a >= 0.0 && std::isfinite(a))) badParam(name, "expected a finite rate >= 0", a);
      break;
    case SampleOp::Binomial:
      if (!(a >= 0.0 && std::isfinite(a) && a == std::floor(a)))
        badParam(name, "expected count to be a non-negative integer", a);
      if (!(b >= 0.0 && b <= 1.0)) badParam(name, "expected prob in [0, 1]", b);
      break;
    default: break;
  }
}

template <typename T>
inline T clampPositive(double v) {
  // As PyTorch does for gamma: a variate that underflows becomes the smallest normal number, so
  // later logs and ratios stay finite.
  const double m = (double)std::numeric_limits<T>::min();
  return (T)(v < m ? m : v);
}

template <typename T>
inline T sampleOne(SampleOp op, philox::Stream& s, double a, double b) {
  switch (op) {
    case SampleOp::Bernoulli: return (T)((double)s.word() < a * 4294967296.0 ? 1 : 0);
    case SampleOp::Normal: return (T)(a + b * sampler::normal(s));
    case SampleOp::Exponential: return (T)(-std::log(s.open()) / a);
    case SampleOp::Uniform: return (T)(a + (b - a) * s.uniform());
    case SampleOp::Gamma: return clampPositive<T>(sampler::gamma(s, a));
    case SampleOp::Poisson: return (T)sampler::poisson(s, a);
    case SampleOp::Binomial: return (T)sampler::binomial(s, a, b);
    case SampleOp::Beta: {
      // Keep the result strictly inside (0, 1) in T's precision, as log-densities need.
      const double x = sampler::beta(s, a, b);
      const double lo = (double)std::numeric_limits<T>::min();
      const double hi = 1.0 - (double)std::numeric_limits<T>::epsilon() / 2;
      return (T)std::min(std::max(x, lo), hi);
    }
    default: return (T)0;
  }
}

}  // namespace

uint64_t randomFill(FillOp op, const TensorDesc& out, double a, double b, const PhiloxState& g, const char* name) {
  CINDER_CHECK(out.isContiguous(), name, ": internal: output must be contiguous");
  const int64_t n = out.numel();
  uint64_t used = 0;
  const bool floatOnly = op == FillOp::Uniform || op == FillOp::Normal || op == FillOp::Exponential;
  if (floatOnly) {
    CINDER_DISPATCH_FLOAT(out.dtype, name, [&] { used = fillTyped<scalar_t>(op, out.ptr<scalar_t>(), n, a, b, out.dtype, g, name); });
  } else {
    CINDER_DISPATCH_ALL(out.dtype, name, [&] { used = fillTyped<scalar_t>(op, out.ptr<scalar_t>(), n, a, b, out.dtype, g, name); });
  }
  return used;
}

void randomSample(SampleOp op, const TensorDesc& out, const TensorDesc& a, const TensorDesc& b, const PhiloxState& g,
                  const char* name) {
  CINDER_CHECK(out.isContiguous(), name, ": internal: output must be contiguous");
  CINDER_CHECK(a.dtype == out.dtype && b.dtype == out.dtype, name, ": internal: parameter dtype mismatch");
  const TensorDesc* ops[3] = {&out, &a, &b};
  ElementwiseIter it(name, ops, 3);
  // Rejection samplers cost tens of draws per element: split finer than plain elementwise work.
  const int64_t grain = (op == SampleOp::Bernoulli || op == SampleOp::Uniform) ? kParallelGrain / 4 : 2048;
  CINDER_DISPATCH_FLOAT(out.dtype, name, [&] {
    using T = scalar_t;
    const T* base = out.ptr<T>();
    it.forEach([&](char** p, const int64_t* st, int64_t n) {
      const int64_t i0 = reinterpret_cast<T*>(p[0]) - base;
      T* o = reinterpret_cast<T*>(p[0]);
      for (int64_t j = 0; j < n; j++) {
        const double av = (double)*reinterpret_cast<const T*>(p[1] + j * st[1]);
        const double bv = (double)*reinterpret_cast<const T*>(p[2] + j * st[2]);
        checkParams(op, av, bv, name);
        philox::Stream s(g.key, g.offset + (uint64_t)(i0 + j) + 1);
        o[j] = sampleOne<T>(op, s, av, bv);
      }
    }, grain);
  });
}

uint64_t randperm(const TensorDesc& out, const PhiloxState& g) {
  const int64_t n = out.numel();
  if (n == 0) return 0;
  std::vector<int64_t> perm((size_t)n);
  for (int64_t i = 0; i < n; i++) perm[(size_t)i] = i;
  // Fisher-Yates from the top; swap k (for position n - 1 - k) uses half of flat block k / 2.
  uint32_t r[4];
  for (int64_t k = 0; k < n - 1; k++) {
    if ((k & 1) == 0) philox::flatBlock(g.key, g.offset + (uint64_t)(k / 2), r);
    const int64_t i = n - 1 - k;
    const uint32_t* w = r + 2 * (k & 1);
    const int64_t j = (int64_t)mulHi64(word64(w[0], w[1]), (uint64_t)(i + 1));
    std::swap(perm[(size_t)i], perm[(size_t)j]);
  }
  CINDER_DISPATCH_ALL(out.dtype, "randperm", [&] {
    scalar_t* o = out.ptr<scalar_t>();
    for (int64_t i = 0; i < n; i++) o[i] = (scalar_t)perm[(size_t)i];
  });
  return (uint64_t)(n / 2);
}

void multinomial(const TensorDesc& out, const TensorDesc& probs, bool replacement, const PhiloxState& g) {
  const char* name = "multinomial";
  CINDER_CHECK(probs.ndim == 2 && out.ndim == 2 && probs.isContiguous() && out.isContiguous() &&
                   out.dtype == DType::Int64 && probs.shape[0] == out.shape[0],
               name, ": internal: bad operands");
  const int64_t rows = probs.shape[0], k = probs.shape[1], ns = out.shape[1];
  CINDER_DISPATCH_FLOAT(probs.dtype, name, [&] {
    const scalar_t* P = probs.ptr<scalar_t>();
    int64_t* O = out.ptr<int64_t>();
    parallelFor(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, k + ns)), [&](int64_t r0, int64_t r1) {
      std::vector<double> buf((size_t)k);
      std::vector<int64_t> idx;
      for (int64_t r = r0; r < r1; r++) {
        const scalar_t* p = P + r * k;
        int64_t* o = O + r * ns;
        double total = 0;
        int64_t nonzero = 0;
        for (int64_t j = 0; j < k; j++) {
          const double v = (double)p[j];
          if (!(v >= 0.0 && std::isfinite(v)))
            fail(name, ": probability tensor contains either inf, nan or element < 0 (got ", v, " in row ", r, ")");
          total += v;
          nonzero += v > 0.0;
        }
        CINDER_CHECK(total > 0.0, name, ": invalid multinomial distribution (sum of probabilities <= 0 in row ", r, ")");
        CINDER_CHECK(replacement || nonzero >= ns, name,
                     ": invalid multinomial distribution (with replacement=False, not enough non-zero categories to sample: ",
                     nonzero, " < ", ns, " in row ", r, ")");
        philox::Stream s(g.key, g.offset + (uint64_t)r + 1);
        if (replacement) {
          double acc = 0;
          for (int64_t j = 0; j < k; j++) buf[(size_t)j] = (acc += (double)p[j]);
          for (int64_t t = 0; t < ns; t++) {
            const double u = s.uniform() * acc;
            int64_t j = std::upper_bound(buf.begin(), buf.end(), u) - buf.begin();
            if (j >= k) j = k - 1;
            while (j > 0 && p[j] == 0) j--;  // u landed on the rounding edge past the last mass
            o[t] = j;
          }
        } else {
          // Exponential race: category j finishes at E_j / p_j; the first ns finishers are a draw
          // without replacement in order.
          for (int64_t j = 0; j < k; j++) {
            const double e = -std::log(s.open());
            buf[(size_t)j] = p[j] > 0 ? e / (double)p[j] : std::numeric_limits<double>::infinity();
          }
          idx.resize((size_t)k);
          for (int64_t j = 0; j < k; j++) idx[(size_t)j] = j;
          std::partial_sort(idx.begin(), idx.begin() + ns, idx.end(), [&](int64_t x, int64_t y) {
            return buf[(size_t)x] < buf[(size_t)y] || (buf[(size_t)x] == buf[(size_t)y] && x < y);
          });
          for (int64_t t = 0; t < ns; t++) o[t] = idx[(size_t)t];
        }
      }
    });
  });
}

void dirichlet(const TensorDesc& out, const TensorDesc& alpha, const PhiloxState& g) {
  const char* name = "dirichlet";
  CINDER_CHECK(alpha.ndim == 2 && out.ndim == 2 && alpha.isContiguous() && out.isContiguous() &&
                   alpha.dtype == out.dtype && alpha.shape[0] == out.shape[0] && alpha.shape[1] == out.shape[1],
               name, ": internal: bad operands");
  const int64_t rows = alpha.shape[0], k = alpha.shape[1];
  CINDER_DISPATCH_FLOAT(out.dtype, name, [&] {
    using T = scalar_t;
    const T* A = alpha.ptr<T>();
    T* O = out.ptr<T>();
    parallelFor(rows, std::max<int64_t>(1, 2048 / std::max<int64_t>(1, k)), [&](int64_t r0, int64_t r1) {
      std::vector<double> lg((size_t)k);
      for (int64_t r = r0; r < r1; r++) {
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < k; j++) {
          const double a = (double)A[r * k + j];
          if (!(a > 0.0)) badParam(name, "expected concentration alpha > 0", a);
          philox::Stream s(g.key, g.offset + (uint64_t)(r * k + j) + 1);
          lg[(size_t)j] = sampler::logGamma(s, a);
          mx = std::max(mx, lg[(size_t)j]);
        }
        // Normalise in log space: tiny concentrations give gammas that underflow any float.
        double sum = 0;
        for (int64_t j = 0; j < k; j++) sum += (lg[(size_t)j] = std::exp(lg[(size_t)j] - mx));
        const double lo = (double)std::numeric_limits<T>::min();
        for (int64_t j = 0; j < k; j++) O[r * k + j] = (T)std::max(lg[(size_t)j] / sum, lo);
      }
    });
  });
}

}  // namespace cinder
