// Binary elementwise kernels over broadcast operands of one compute dtype. Integer division and
// remainder check for zero divisors (a CinderError, never SIGFPE) and wrap INT_MIN / -1.
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/elementwiseIter.h"
#include "cpu/elementwise.h"
#include "cpu/divisionMath.h"

namespace cinder {
namespace {

#define CINDER_B(NAME, EXPR)                                           \
  case BinaryOp::NAME:                                                 \
    binaryKernel<T, T, T>(it, [=](T a, T b) -> T { return (EXPR); }); \
    break;
#define CINDER_C(NAME, EXPR)                                                        \
  case BinaryOp::NAME:                                                              \
    binaryKernel<uint8_t, T, T>(it, [=](T a, T b) -> uint8_t { return (EXPR) ? 1 : 0; }); \
    break;

template <typename T>
void floatBinary(BinaryOp op, const ElementwiseIter& it, T alpha, const char* name) {
  switch (op) {
    case BinaryOp::add:
      if (alpha == T(1)) binaryKernel<T, T, T>(it, [](T a, T b) -> T { return a + b; });
      else binaryKernel<T, T, T>(it, [=](T a, T b) -> T { return a + alpha * b; });
      break;
    case BinaryOp::sub:
      if (alpha == T(1)) binaryKernel<T, T, T>(it, [](T a, T b) -> T { return a - b; });
      else binaryKernel<T, T, T>(it, [=](T a, T b) -> T { return a - alpha * b; });
      break;
    CINDER_B(mul, a * b)
    CINDER_B(div, a / b)
    CINDER_B(divTrunc, std::trunc(a / b))
    CINDER_B(divFloor, floorDivFloat(a, b))
    CINDER_B(remainder, remainderFloat(a, b))
    CINDER_B(fmod, std::fmod(a, b))
    CINDER_B(pow, std::pow(a, b))
    CINDER_B(atan2, std::atan2(a, b))
    CINDER_B(maximum, a != a ? a : (b != b ? b : (a > b ? a : b)))
    CINDER_B(minimum, a != a ? a : (b != b ? b : (a < b ? a : b)))
    CINDER_C(eq, a == b)
    CINDER_C(ne, a != b)
    CINDER_C(lt, a < b)
    CINDER_C(le, a <= b)
    CINDER_C(gt, a > b)
    CINDER_C(ge, a >= b)
    CINDER_C(logicalAnd, a != 0 && b != 0)
    CINDER_C(logicalOr, a != 0 || b != 0)
    CINDER_C(logicalXor, (a != 0) != (b != 0))
    default:
      fail(name, ": internal error: unknown binary op code ", (int)op);
  }
}

template <typename T>
void intBinary(BinaryOp op, const ElementwiseIter& it, T alpha, bool isBool, const char* name) {
  using U = std::make_unsigned_t<T>;
  std::atomic<bool> zeroDiv{false};
  auto divisorOk = [&zeroDiv](T b) {
    if (b == 0) {
      zeroDiv.store(true, std::memory_order_relaxed);
      return false;
    }
    return true;
  };
  switch (op) {
    case BinaryOp::add:
      if (isBool) binaryKernel<T, T, T>(it, [](T a, T b) -> T { return T(a | b); });
      else if (alpha == 1) binaryKernel<T, T, T>(it, [](T a, T b) -> T { return T(U(a) + U(b)); });
      else binaryKernel<T, T, T>(it, [=](T a, T b) -> T { return T(U(a) + U(alpha) * U(b)); });
      break;
    case BinaryOp::sub:
      if (alpha == 1) binaryKernel<T, T, T>(it, [](T a, T b) -> T { return T(U(a) - U(b)); });
      else binaryKernel<T, T, T>(it, [=](T a, T b) -> T { return T(U(a) - U(alpha) * U(b)); });
      break;
    case BinaryOp::mul:
      if (isBool) binaryKernel<T, T, T>(it, [](T a, T b) -> T { return T(a & b); });
      else binaryKernel<T, T, T>(it, [](T a, T b) -> T { return T(U(a) * U(b)); });
      break;
    case BinaryOp::divTrunc:
      binaryKernel<T, T, T>(it, [&](T a, T b) -> T {
        if (!divisorOk(b)) return 0;
        if constexpr (std::is_signed_v<T>) if (b == -1) return T(U(0) - U(a));
        return T(a / b);
      });
      break;
    case BinaryOp::divFloor:
      binaryKernel<T, T, T>(it, [&](T a, T b) -> T {
        if (!divisorOk(b)) return 0;
        if constexpr (std::is_signed_v<T>) {
          if (b == -1) return T(U(0) - U(a));
          T q = a / b;
          if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
          return q;
        }
        return T(a / b);
      });
      break;
    case BinaryOp::remainder:
      binaryKernel<T, T, T>(it, [&](T a, T b) -> T {
        if (!divisorOk(b)) return 0;
        if constexpr (std::is_signed_v<T>) {
          if (b == -1) return 0;
          T r = a % b;
          if (r != 0 && ((r < 0) != (b < 0))) r += b;
          return r;
        }
        return T(a % b);
      });
      break;
    case BinaryOp::fmod:
      binaryKernel<T, T, T>(it, [&](T a, T b) -> T {
        if (!divisorOk(b)) return 0;
        if constexpr (std::is_signed_v<T>) if (b == -1) return 0;
        return T(a % b);
      });
      break;
    CINDER_B(pow, powInt<T>(a, b))
    case BinaryOp::maximum:
      if (isBool) binaryKernel<T, T, T>(it, [](T a, T b) -> T { return T(a | b); });
      else binaryKernel<T, T, T>(it, [](T a, T b) -> T { return a > b ? a : b; });
      break;
    case BinaryOp::minimum:
      if (isBool) binaryKernel<T, T, T>(it, [](T a, T b) -> T { return T(a & b); });
      else binaryKernel<T, T, T>(it, [](T a, T b) -> T { return a < b ? a : b; });
      break;
    CINDER_C(eq, a == b)
    CINDER_C(ne, a != b)
    CINDER_C(lt, a < b)
    CINDER_C(le, a <= b)
    CINDER_C(gt, a > b)
    CINDER_C(ge, a >= b)
    CINDER_C(logicalAnd, a != 0 && b != 0)
    CINDER_C(logicalOr, a != 0 || b != 0)
    CINDER_C(logicalXor, (a != 0) != (b != 0))
    default:
      fail(name, ": not supported for integer dtypes");
  }
  if (zeroDiv.load()) fail(name, ": ZeroDivisionError: integer division by zero");
}

#undef CINDER_B
#undef CINDER_C

}  // namespace

void binaryOp(BinaryOp op, const TensorDesc& out, const TensorDesc& a, const TensorDesc& b, double alpha,
              const char* name) {
  const TensorDesc* ops[3] = {&out, &a, &b};
  ElementwiseIter it(name, ops, 3);
  switch (a.dtype) {
    case DType::Float32: floatBinary<float>(op, it, (float)alpha, name); break;
    case DType::Float64: floatBinary<double>(op, it, alpha, name); break;
    case DType::Int32: intBinary<int32_t>(op, it, (int32_t)alpha, false, name); break;
    case DType::Int64: intBinary<int64_t>(op, it, (int64_t)alpha, false, name); break;
    case DType::Uint8: intBinary<uint8_t>(op, it, (uint8_t)(int64_t)alpha, false, name); break;
    case DType::Bool: intBinary<uint8_t>(op, it, (uint8_t)(int64_t)alpha, true, name); break;
    default: fail(name, ": not supported for dtype ", dtypeName(a.dtype));
  }
}

}  // namespace cinder
