// Elementwise kernels. Operands arrive already in the op's compute dtype (the binding casts the
// others into temporaries), so each kernel is instantiated for a handful of types only:
// float32/float64 for the math, plus int32/int64/uint8 (bool as uint8) where the op is defined on
// integers. Output dtype is the compute dtype, or bool for predicates and comparisons.
#pragma once
#include "core/tensorDesc.h"

namespace cinder {

// Unary ops; params[0..3) are op attributes (see each case in elementwise_unary.cc).
#define CINDER_UNARY_OPS(X)                                                                          \
  X(neg) X(abs) X(reciprocal) X(square) X(sqrt) X(rsqrt) X(exp) X(exp2) X(expm1) X(log) X(log2)   \
  X(log10) X(log1p) X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) X(sinh) X(cosh) X(tanh) X(asinh) \
  X(acosh) X(atanh) X(sigmoid) X(logit) X(relu) X(gelu) X(silu) X(softplus) X(erf) X(erfc)         \
  X(erfinv) X(lgamma) X(digamma) X(polygamma) X(floor) X(ceil) X(round) X(trunc) X(sign)           \
  X(isnan) X(isinf) X(isfinite) X(nanToNum) X(clamp) X(isposinf) X(isneginf)

#define CINDER_BINARY_OPS(X)                                                                     \
  X(add) X(sub) X(mul) X(div) X(divTrunc) X(divFloor) X(remainder) X(fmod) X(pow) X(atan2)      \
  X(maximum) X(minimum) X(eq) X(ne) X(lt) X(le) X(gt) X(ge) X(logicalAnd) X(logicalOr)           \
  X(logicalXor)

#define CINDER_TERNARY_OPS(X) X(where) X(lerp) X(clamp)

#define CINDER_ENUM_ITEM(name) name,
enum class UnaryOp : int { CINDER_UNARY_OPS(CINDER_ENUM_ITEM) kCount };
enum class BinaryOp : int { CINDER_BINARY_OPS(CINDER_ENUM_ITEM) kCount };
enum class TernaryOp : int { CINDER_TERNARY_OPS(CINDER_ENUM_ITEM) kCount };
#undef CINDER_ENUM_ITEM

// True for ops whose output is bool whatever the compute dtype.
inline bool unaryIsPredicate(UnaryOp op) {
  return op == UnaryOp::isnan || op == UnaryOp::isinf || op == UnaryOp::isfinite || op == UnaryOp::isposinf ||
         op == UnaryOp::isneginf;
}
inline bool binaryIsPredicate(BinaryOp op) { return (int)op >= (int)BinaryOp::eq; }

// out <- op(in). `in` has the compute dtype; out has it too, or bool for predicates.
void unaryOp(UnaryOp op, const TensorDesc& out, const TensorDesc& in, const double* params, const char* name);
// out <- op(a, b), a and b broadcast to out. `alpha` scales b for add/sub.
void binaryOp(BinaryOp op, const TensorDesc& out, const TensorDesc& a, const TensorDesc& b, double alpha,
              const char* name);
// where(cond, a, b) (cond bool), lerp(a, b, weight), clamp(a, lo, hi).
void ternaryOp(TernaryOp op, const TensorDesc& out, const TensorDesc& x, const TensorDesc& a, const TensorDesc& b,
               const char* name);

}  // namespace cinder
