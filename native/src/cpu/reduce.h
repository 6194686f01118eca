// Reduction kernels: reduce a set of dims of a strided tensor (sum, mean, prod, amax, amin, all,
// any, countNonzero, var/std, logsumexp, vector norms), index reductions (argmax/argmin, max/min
// with indices), scans (cumsum, cumprod) and softmax / logSoftmax along one dim.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

enum class ReduceOp : int {
  Sum = 0,
  Mean,
  Prod,
  Amax,
  Amin,
  All,
  Any,
  CountNonzero,
  Var,        // param = correction, param2 != 0 -> std; aux = the mean (keepdim layout, out dtype)
  LogSumExp,  // aux = amax over the same dims
  Norm,       // param = p
  kCount
};

inline const char* reduceOpName(ReduceOp op) {
  static const char* const names[] = {"sum", "mean", "prod", "amax", "amin", "all", "any",
                                      "countNonzero", "var", "logsumexp", "norm"};
  int i = (int)op;
  return i >= 0 && i < (int)ReduceOp::kCount ? names[i] : "reduce";
}

// out (contiguous, the kept dims in order) <- reduction of x over the dims where reduced[d].
// `aux` (may be null) holds one value per output for the ops that need one.
void reduceDims(ReduceOp op, const TensorDesc& x, const bool* reduced, const TensorDesc& out,
                const TensorDesc* aux, double param, double param2);

struct ReducePlan;  // cpu/reducePlan.h
// The operand checks of a dim reduction made by both devices before any work: the auxiliary
// operand, the input dtype the op takes, the output's size and dtype, and the reductions with no
// identity over an empty dim. `param` is the norm's p (Norm).
void checkReduceDims(ReduceOp op, const TensorDesc& x, const ReducePlan& P, const TensorDesc& out,
                     const TensorDesc* aux, double param);
// The same for an index reduction (indices int64, values of x's dtype).
void checkReduceArg(const TensorDesc& x, const ReducePlan& P, const TensorDesc* values, const TensorDesc& indices,
                    const char* op);

// Index reductions over the dims where reduced[d] (one dim, or every dim for a flat index).
// values may be null. isMax: argmax / max, else argmin / min.
void reduceArg(bool isMax, const TensorDesc& x, const bool* reduced, const TensorDesc* values,
               const TensorDesc& indices, const char* op);

// out (contiguous, x's shape) <- inclusive scan of x along dim.
void scanDim(bool isProd, const TensorDesc& x, int dim, const TensorDesc& out, const char* op);

// out (contiguous, x's shape, same dtype) <- softmax / logSoftmax of x along dim.
void softmaxDim(bool isLog, const TensorDesc& x, int dim, const TensorDesc& out, const char* op);

}  // namespace cinder
