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

// Walks the flat stream: block b of this op fills elements [b * K, b * K + K) with the K values
// gen(r, v) computes from the block's four words.
template <int K, typename T, typename Gen>
uint64_t fillBlocks(T* out, int64_t n, const PhiloxState& g, Gen gen) {
  if (n <= 0) return 0;
  const int64_t nb = (n + K - 1) / K;
  parallelFor(nb, std::max<int64_t>(1, kParallelGrain / K), [&](int64_t b0, int64_t b1) {
    uint32_t r[4];
    T v[K];
    for (int64_t b = b0; b < b1; b++) {
      philox::flatBlock(g.key, g.offset + (uint64_t)b, r);
      gen(r, v);
      const int64_t i = b * K;
      const int cnt = (int)std::min<int64_t>(K, n - i);
      for (int j = 0; j < cnt; j++) out[i + j] = v[j];
    }
  });
  return (uint64_t)nb;
}

template <typename T>
uint64_t fillInt(T* out, int64_t n, int64_t low, uint64_t range, const PhiloxState& g) {
  return fillBlocks<fill::kInt>(out, n, g, [=](const uint32_t* r, T* v) { fill::randInt(r, low, range, v); });
}

template <typename T>
uint64_t fillTyped(FillOp op, T* out, int64_t n, double a, double b, DType dt, const PhiloxState& g, const char* name) {
  constexpr bool isFloat = std::is_same<T, float>::value || std::is_same<T, double>::value;
  constexpr int KF = std::is_same<T, float>::value ? 4 : 2;  // values per block of the float fills
  switch (op) {
    case FillOp::Uniform:
      if constexpr (isFloat) {
        const T lo = (T)a, span = (T)(b - a);
        return fillBlocks<KF>(out, n, g, [=](const uint32_t* r, T* v) { fill::uniform(r, lo, span, v); });
      }
      break;
    case FillOp::Normal:
      if constexpr (isFloat) {
        const T mean = (T)a, sd = (T)b;
        return fillBlocks<KF>(out, n, g, [=](const uint32_t* r, T* v) { fill::normal(r, mean, sd, v); });
      }
      break;
    case FillOp::Exponential:
      if constexpr (isFloat) {
        const T inv = (T)(1.0 / a);
        return fillBlocks<KF>(out, n, g, [=](const uint32_t* r, T* v) { fill::exponential(r, inv, v); });
      }
      break;
    case FillOp::Bernoulli: {
      const double thresh = a * 4294967296.0;
      return fillBlocks<fill::kBernoulli>(out, n, g, [=](const uint32_t* r, T* v) { fill::bernoulli(r, thresh, v); });
    }
    case FillOp::RandInt: {
      CINDER_CHECK(std::isfinite(a) && std::isfinite(b) && b > a, name, ": expected low < high, got low=", a,
                   " high=", b);
      const int64_t lo = (int64_t)a, hi = (int64_t)b;
      return fillInt(out, n, lo, (uint64_t)hi - (uint64_t)lo, g);
    }
    case FillOp::RandomFull: return fillInt(out, n, 0, randomFullRange(dt, name), g);
    default: break;
  }
  fail(name, ": not supported for dtype ", dtypeName(dt));
}

[[noreturn]] void badParam(const char* name, const char* what, double v) {
  fail(name, ": ", what, ", got ", v);
}

}  // namespace

uint64_t randomFullRange(DType dt, const char* name) {
  switch (dt) {
    case DType::Float32: return (1ull << 24) + 1;
    case DType::Float64: return (1ull << 53) + 1;
    case DType::Int32: return (uint64_t)std::numeric_limits<int32_t>::max() + 1;
    case DType::Int64: return (uint64_t)std::numeric_limits<int64_t>::max();
    case DType::Uint8: return 256;
    case DType::Bool: return 2;
    default: fail(name, ": not supported for dtype ", dtypeName(dt));
  }
}

void checkSampleParams(SampleOp op, double a, double b, const char* name) {
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
        if (!sampler::paramsValid(op, av, bv)) checkSampleParams(op, av, bv, name);
        philox::Stream s(g.key, g.offset + (uint64_t)(i0 + j) + 1);
        o[j] = sampler::sampleOne<T>(op, s, av, bv);
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
    const int64_t j = (int64_t)philox::mulHi64(philox::word64(w[0], w[1]), (uint64_t)(i + 1));
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
        checkMultinomialRow(p, k, ns, replacement, r);
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
            const double e = -pmath::log(s.open());
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
        for (int64_t j = 0; j < k; j++) {
          const double a = (double)A[r * k + j];
          if (!(a > 0.0)) badParam(name, "expected concentration alpha > 0", a);
          philox::Stream s(g.key, g.offset + (uint64_t)(r * k + j) + 1);
          lg[(size_t)j] = sampler::logGamma(s, a);
        }
        sampler::dirichletNormalise(lg.data(), k, O + r * k);
      }
    });
  });
}

}  // namespace cinder
