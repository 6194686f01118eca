// Unary elementwise kernels: the math on float32/float64, the few integer-defined ops on
// int32/int64/uint8 (bool stored as uint8).
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/convert.h"
#include "core/elementwiseIter.h"
#include "cpu/copy.h"
#include "cpu/elementwise.h"
#include "cpu/special.h"
#include "cpu/vecmath.h"

namespace cinder {
namespace {

#define CINDER_U(NAME, EXPR)                                          \
  case UnaryOp::NAME:                                                 \
    unaryKernel<T, T>(it, [=](T x) -> T { return (EXPR); }, grain); \
    break;
#define CINDER_P(NAME, EXPR)                                                   \
  case UnaryOp::NAME:                                                          \
    unaryKernel<uint8_t, T>(it, [=](T x) -> uint8_t { return (EXPR) ? 1 : 0; }); \
    break;

template <typename T>
T roundDecimals(T x, int d, T ten) {
  if (d == 0) return std::nearbyint(x);
  if (d > 0) return std::nearbyint(x * ten) / ten;
  return std::nearbyint(x / ten) * ten;
}

// Ops that cost about as much as a load and a store; the rest (libm calls) are worth splitting
// across threads at a smaller size.
inline bool isCheap(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg: case UnaryOp::abs: case UnaryOp::reciprocal: case UnaryOp::square: case UnaryOp::relu:
    case UnaryOp::floor: case UnaryOp::ceil: case UnaryOp::trunc: case UnaryOp::sign: case UnaryOp::clamp:
    case UnaryOp::nanToNum: case UnaryOp::isnan: case UnaryOp::isinf: case UnaryOp::isfinite:
    case UnaryOp::isposinf: case UnaryOp::isneginf:
      return true;
    default:
      return false;
  }
}

// Contiguous runs go straight to the vector kernel; strided runs are gathered through a small
// buffer into the same kernel, so a value's result does not depend on the layout it sits in.
void vecUnary(const ElementwiseIter& it, VecFn f, const float* prm, int64_t grain) {
  const VecUnaryFn fn = vecMath().fn[(int)f];
  // No streamed stores here: measured at 32M, blocking through L1 for non-temporal stores cost
  // more (exp 25 GB/s) than the read-for-ownership it saves (33 GB/s with plain stores).
  it.forEach([&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == (int64_t)sizeof(float) && s[1] == (int64_t)sizeof(float)) {
      fn(reinterpret_cast<const float*>(p[1]), reinterpret_cast<float*>(p[0]), n, prm);
      return;
    }
    constexpr int64_t kBuf = 256;
    float buf[kBuf];
    for (int64_t b = 0; b < n; b += kBuf) {
      const int64_t m = n - b < kBuf ? n - b : kBuf;
      for (int64_t i = 0; i < m; i++) buf[i] = *reinterpret_cast<const float*>(p[1] + (b + i) * s[1]);
      fn(buf, buf, m, prm);
      for (int64_t i = 0; i < m; i++) *reinterpret_cast<float*>(p[0] + (b + i) * s[0]) = buf[i];
    }
  }, grain);
}

// The float32 ops with a vector kernel; false for the rest.
bool vecFloatUnary(UnaryOp op, const ElementwiseIter& it, const double* p, int64_t grain) {
  VecFn f;
  float prm[2] = {0, 0};
  switch (op) {
    case UnaryOp::exp: f = VecFn::exp; break;
    case UnaryOp::expm1: f = VecFn::expm1; break;
    case UnaryOp::log: f = VecFn::log; break;
    case UnaryOp::log1p: f = VecFn::log1p; break;
    case UnaryOp::tanh: f = VecFn::tanh; break;
    case UnaryOp::sigmoid: f = VecFn::sigmoid; break;
    case UnaryOp::silu: f = VecFn::silu; break;
    case UnaryOp::erf: f = VecFn::erf; break;
    case UnaryOp::sin: f = VecFn::sin; break;
    case UnaryOp::cos: f = VecFn::cos; break;
    case UnaryOp::gelu: f = p[0] != 0 ? VecFn::geluTanh : VecFn::geluErf; break;
    case UnaryOp::softplus:
      f = VecFn::softplus;
      prm[0] = (float)p[0];
      prm[1] = (float)p[1];
      break;
    default:
      return false;
  }
  vecUnary(it, f, prm, grain);
  return true;
}

template <typename T>
void floatUnary(UnaryOp op, const ElementwiseIter& it, const double* p, const char* name) {
  const T one = 1, zero = 0, half = T(0.5);
  const int64_t grain = isCheap(op) ? kParallelGrain : kParallelGrain / 8;
  if constexpr (std::is_same_v<T, float>) {
    if (vecFloatUnary(op, it, p, grain)) return;
  }
  switch (op) {
    CINDER_U(neg, -x)
    CINDER_U(abs, std::fabs(x))
    CINDER_U(reciprocal, one / x)
    CINDER_U(square, x * x)
    CINDER_U(sqrt, std::sqrt(x))
    CINDER_U(rsqrt, one / std::sqrt(x))
    CINDER_U(exp, std::exp(x))
    CINDER_U(exp2, std::exp2(x))
    CINDER_U(expm1, std::expm1(x))
    CINDER_U(log, std::log(x))
    CINDER_U(log2, std::log2(x))
    CINDER_U(log10, std::log10(x))
    CINDER_U(log1p, std::log1p(x))
    CINDER_U(sin, std::sin(x))
    CINDER_U(cos, std::cos(x))
    CINDER_U(tan, std::tan(x))
    CINDER_U(asin, std::asin(x))
    CINDER_U(acos, std::acos(x))
    CINDER_U(atan, std::atan(x))
    CINDER_U(sinh, std::sinh(x))
    CINDER_U(cosh, std::cosh(x))
    CINDER_U(tanh, std::tanh(x))
    CINDER_U(asinh, std::asinh(x))
    CINDER_U(acosh, std::acosh(x))
    CINDER_U(atanh, std::atanh(x))
    CINDER_U(sigmoid, one / (one + std::exp(-x)))
    CINDER_U(relu, x < zero ? zero : x)
    CINDER_U(silu, x / (one + std::exp(-x)))
    CINDER_U(erf, special::erf(x))
    CINDER_U(erfc, special::erfc(x))
    CINDER_U(erfinv, special::erfinv(x))
    CINDER_U(lgamma, special::lgamma(x))
    CINDER_U(digamma, special::digamma(x))
    CINDER_U(floor, std::floor(x))
    CINDER_U(ceil, std::ceil(x))
    CINDER_U(trunc, std::trunc(x))
    CINDER_U(sign, T((zero < x) - (x < zero)))
    CINDER_P(isnan, x != x)
    CINDER_P(isinf, std::isinf(x))
    CINDER_P(isfinite, std::isfinite(x))
    CINDER_P(isposinf, x == std::numeric_limits<T>::infinity())
    CINDER_P(isneginf, x == -std::numeric_limits<T>::infinity())
    case UnaryOp::logit: {
      const T eps = (T)p[0];
      if (p[0] < 0) {
        unaryKernel<T, T>(it, [=](T x) -> T { return std::log(x / (one - x)); }, grain);
      } else {
        unaryKernel<T, T>(it, [=](T x) -> T {
          T z = x < eps ? eps : (x > one - eps ? one - eps : x);
          return std::log(z / (one - z));
        }, grain);
      }
      break;
    }
    case UnaryOp::gelu: {
      if (p[0] != 0) {
        const T k = (T)0.7978845608028654, c = (T)0.044715;  // sqrt(2/pi)
        unaryKernel<T, T>(it, [=](T x) -> T { return half * x * (one + std::tanh(k * (x + c * x * x * x))); }, grain);
      } else {
        const T r = (T)0.70710678118654752440;  // 1/sqrt(2)
        unaryKernel<T, T>(it, [=](T x) -> T { return half * x * (one + std::erf(x * r)); }, grain);
      }
      break;
    }
    case UnaryOp::softplus: {
      const T beta = (T)p[0], threshold = (T)p[1];
      unaryKernel<T, T>(it, [=](T x) -> T {
        T bx = x * beta;
        return bx > threshold ? x : std::log1p(std::exp(bx)) / beta;
      }, grain);
      break;
    }
    case UnaryOp::polygamma: {
      const int n = (int)p[0];
      unaryKernel<T, T>(it, [=](T x) -> T { return special::polygamma<T>(n, x); }, grain);
      break;
    }
    case UnaryOp::round: {
      const int d = (int)p[0];
      const T ten = (T)std::pow(10.0, (double)(d < 0 ? -d : d));
      if (d == 0) unaryKernel<T, T>(it, [](T x) -> T { return std::nearbyint(x); });
      else unaryKernel<T, T>(it, [=](T x) -> T { return roundDecimals(x, d, ten); });
      break;
    }
    case UnaryOp::nanToNum: {
      const T nan = (T)p[0], pinf = (T)p[1], ninf = (T)p[2];
      const T inf = std::numeric_limits<T>::infinity();
      unaryKernel<T, T>(it, [=](T x) -> T { return x != x ? nan : (x == inf ? pinf : (x == -inf ? ninf : x)); });
      break;
    }
    case UnaryOp::clamp: {
      const int flags = (int)p[2];
      const T lo = (flags & 1) ? (T)p[0] : -std::numeric_limits<T>::infinity();
      const T hi = (flags & 2) ? (T)p[1] : std::numeric_limits<T>::infinity();
      // NaN bounds propagate, as in PyTorch.
      if (lo != lo || hi != hi) {
        unaryKernel<T, T>(it, [](T) -> T { return std::numeric_limits<T>::quiet_NaN(); });
      } else {
        unaryKernel<T, T>(it, [=](T x) -> T {
          T y = x < lo ? lo : x;
          return y > hi ? hi : y;
        });
      }
      break;
    }
    default:
      fail(name, ": internal error: unknown unary op code ", (int)op);
  }
}

template <typename T>
void intUnary(UnaryOp op, const TensorDesc& out, const TensorDesc& in, const ElementwiseIter& it, const double* p,
              const char* name) {
  using U = std::make_unsigned_t<T>;
  const T zero = 0;
  const int64_t grain = kParallelGrain;
  switch (op) {
    CINDER_U(neg, T(U(0) - U(x)))
    CINDER_U(square, T(U(x) * U(x)))
    CINDER_U(relu, x < zero ? zero : x)
    CINDER_U(sign, T((zero < x) - (x < zero)))
    case UnaryOp::abs:
      if constexpr (std::is_signed_v<T>) unaryKernel<T, T>(it, [](T x) -> T { return x < 0 ? T(U(0) - U(x)) : x; });
      else copyCast(out, in, name);
      break;
    case UnaryOp::floor: case UnaryOp::ceil: case UnaryOp::round: case UnaryOp::trunc: case UnaryOp::nanToNum:
      copyCast(out, in, name);
      break;
    case UnaryOp::isnan: case UnaryOp::isinf: case UnaryOp::isposinf: case UnaryOp::isneginf:
      fillValue(out, 0);
      break;
    case UnaryOp::isfinite:
      fillValue(out, 1);
      break;
    case UnaryOp::clamp: {
      const int flags = (int)p[2];
      const T lo = (flags & 1) ? convertValue<T>(p[0]) : std::numeric_limits<T>::lowest();
      const T hi = (flags & 2) ? convertValue<T>(p[1]) : std::numeric_limits<T>::max();
      unaryKernel<T, T>(it, [=](T x) -> T {
        T y = x < lo ? lo : x;
        return y > hi ? hi : y;
      });
      break;
    }
    default:
      fail(name, ": not supported for integer dtype ", dtypeName(in.dtype));
  }
}

#undef CINDER_U
#undef CINDER_P

}  // namespace

void unaryOp(UnaryOp op, const TensorDesc& out, const TensorDesc& in, const double* params, const char* name) {
  const TensorDesc* ops[2] = {&out, &in};
  ElementwiseIter it(name, ops, 2);
  switch (in.dtype) {
    case DType::Float32: floatUnary<float>(op, it, params, name); break;
    case DType::Float64: floatUnary<double>(op, it, params, name); break;
    case DType::Int32: intUnary<int32_t>(op, out, in, it, params, name); break;
    case DType::Int64: intUnary<int64_t>(op, out, in, it, params, name); break;
    case DType::Uint8: case DType::Bool: intUnary<uint8_t>(op, out, in, it, params, name); break;
    default: fail(name, ": not supported for dtype ", dtypeName(in.dtype));
  }
}

}  // namespace cinder
