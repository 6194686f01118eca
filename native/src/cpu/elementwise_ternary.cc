// Ternary elementwise kernels: where, lerp, clamp with tensor bounds.
#include <cmath>

#include "core/elementwiseIter.h"
#include "cpu/elementwise.h"

namespace cinder {
namespace {

template <typename T>
void typedTernary(TernaryOp op, const ElementwiseIter& it, const char* name) {
  switch (op) {
    case TernaryOp::where:
      ternaryKernel<T, uint8_t, T, T>(it, [](uint8_t c, T a, T b) -> T { return c ? a : b; });
      break;
    case TernaryOp::lerp:
      if constexpr (std::is_floating_point_v<T>) {
        // Two forms, each exact at its own end point (weight 0 gives start, weight 1 gives end).
        ternaryKernel<T, T, T, T>(it, [](T s, T e, T w) -> T {
          return std::fabs(w) < T(0.5) ? s + w * (e - s) : e - (e - s) * (T(1) - w);
        });
      } else {
        fail(name, ": not supported for integer dtypes");
      }
      break;
    case TernaryOp::clamp:
      ternaryKernel<T, T, T, T>(it, [](T x, T lo, T hi) -> T {
        if constexpr (std::is_floating_point_v<T>) {
          if (lo != lo) return lo;
          if (hi != hi) return hi;
        }
        T y = x < lo ? lo : x;
        return y > hi ? hi : y;
      });
      break;
    default:
      fail(name, ": internal error: unknown ternary op code ", (int)op);
  }
}

}  // namespace

void ternaryOp(TernaryOp op, const TensorDesc& out, const TensorDesc& x, const TensorDesc& a, const TensorDesc& b,
               const char* name) {
  const TensorDesc* ops[4] = {&out, &x, &a, &b};
  ElementwiseIter it(name, ops, 4);
  switch (out.dtype) {
    case DType::Float32: typedTernary<float>(op, it, name); break;
    case DType::Float64: typedTernary<double>(op, it, name); break;
    case DType::Int32: typedTernary<int32_t>(op, it, name); break;
    case DType::Int64: typedTernary<int64_t>(op, it, name); break;
    case DType::Uint8: case DType::Bool: typedTernary<uint8_t>(op, it, name); break;
    default: fail(name, ": not supported for dtype ", dtypeName(out.dtype));
  }
}

}  // namespace cinder
