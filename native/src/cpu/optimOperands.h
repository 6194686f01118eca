// The operands of each fused optimizer update (optim.h) in loop-slot order, and their checks:
// host code that the CPU updates (optim.cc) and the CUDA bindings share, so both devices accept
// the same operands with the same messages.
#pragma once
#include "core/elementwiseIter.h"
#include "core/error.h"
#include "core/tensorDesc.h"
#include "cpu/optim.h"

namespace cinder {

// The operands of one update: the parameter, the gradient, then the state buffers, each with
// its name (for messages) and the loop slot it goes to (0 param, 1 grad, 2.. s0..s2).
struct OptimOperands {
  const TensorDesc* t[kMaxOperands];
  const char* name[kMaxOperands];
  int slot[kMaxOperands];
  int count = 0;
  void add(const TensorDesc* d, const char* n, int s) {
    t[count] = d;
    name[count] = n;
    slot[count] = s;
    count++;
  }
};

inline void checkOptimOperands(const char* op, const OptimOperands& o) {
  const TensorDesc& p = *o.t[0];
  CINDER_CHECK(p.dtype == DType::Float32 || p.dtype == DType::Float64, op, ": param dtype ", dtypeName(p.dtype),
               " is not supported (float32 and float64 are)");
  for (int k = 1; k < o.count; k++) {
    const TensorDesc& t = *o.t[k];
    CINDER_CHECK(t.dtype == p.dtype, op, ": ", o.name[k], " has dtype ", dtypeName(t.dtype), " but param has dtype ",
                 dtypeName(p.dtype));
    bool same = t.ndim == p.ndim;
    for (int d = 0; same && d < p.ndim; d++) same = t.shape[d] == p.shape[d];
    CINDER_CHECK(same, op, ": ", o.name[k], " of shape ", t.shapeString(), " does not match param of shape ",
                 p.shapeString());
  }
  // Written operands (all but the gradient) must not have elements sharing memory.
  for (int k = 0; k < o.count; k++) {
    if (k == 1) continue;
    const TensorDesc& t = *o.t[k];
    for (int d = 0; d < t.ndim; d++) {
      CINDER_CHECK(t.strides[d] != 0 || t.shape[d] <= 1, op, ": ", o.name[k], " of shape ", t.shapeString(),
                   " has elements sharing memory (an expanded view) and cannot be updated in place; clone() it first");
    }
  }
}

// Each update's options checked against its operands, then the checked operands. Slots: s0 expAvg,
// s1 expAvgSq, s2 maxExpAvgSq (amsgrad).
inline OptimOperands adamOperands(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& expAvg,
                                  const TensorDesc& expAvgSq, const TensorDesc* maxExpAvgSq, const AdamOptions& o) {
  const char* op = "adamStep";
  CINDER_CHECK(o.step >= 1, op, ": step must be at least 1, got ", o.step);
  CINDER_CHECK(!o.amsgrad || maxExpAvgSq != nullptr, op, ": amsgrad needs the maxExpAvgSq buffer");
  OptimOperands ops;
  ops.add(&param, "param", 0);
  ops.add(&grad, "grad", 1);
  ops.add(&expAvg, "expAvg", 2);
  ops.add(&expAvgSq, "expAvgSq", 3);
  if (o.amsgrad) ops.add(maxExpAvgSq, "maxExpAvgSq", 4);
  checkOptimOperands(op, ops);
  return ops;
}

// s0 momentumBuffer (momentum != 0).
inline OptimOperands sgdOperands(const TensorDesc& param, const TensorDesc& grad, const TensorDesc* momentumBuffer,
                                 const SgdOptions& o) {
  const char* op = "sgdStep";
  const bool mom = o.momentum != 0;
  CINDER_CHECK(!mom || momentumBuffer != nullptr, op, ": momentum needs the momentumBuffer");
  OptimOperands ops;
  ops.add(&param, "param", 0);
  ops.add(&grad, "grad", 1);
  if (mom) ops.add(momentumBuffer, "momentumBuffer", 2);
  checkOptimOperands(op, ops);
  return ops;
}

// s0 squareAvg, s1 gradAvg (centered), s2 momentumBuffer (momentum > 0).
inline OptimOperands rmspropOperands(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& squareAvg,
                                     const TensorDesc* gradAvg, const TensorDesc* momentumBuffer,
                                     const RmspropOptions& o) {
  const char* op = "rmspropStep";
  const bool mom = o.momentum > 0;
  CINDER_CHECK(!o.centered || gradAvg != nullptr, op, ": centered needs the gradAvg buffer");
  CINDER_CHECK(!mom || momentumBuffer != nullptr, op, ": momentum needs the momentumBuffer");
  OptimOperands ops;
  ops.add(&param, "param", 0);
  ops.add(&grad, "grad", 1);
  ops.add(&squareAvg, "squareAvg", 2);
  if (o.centered) ops.add(gradAvg, "gradAvg", 3);
  if (mom) ops.add(momentumBuffer, "momentumBuffer", 4);
  checkOptimOperands(op, ops);
  return ops;
}

// s0 stateSum.
inline OptimOperands adagradOperands(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& stateSum,
                                     const AdagradOptions& o) {
  const char* op = "adagradStep";
  CINDER_CHECK(o.step >= 1, op, ": step must be at least 1, got ", o.step);
  OptimOperands ops;
  ops.add(&param, "param", 0);
  ops.add(&grad, "grad", 1);
  ops.add(&stateSum, "stateSum", 2);
  checkOptimOperands(op, ops);
  return ops;
}

}  // namespace cinder
