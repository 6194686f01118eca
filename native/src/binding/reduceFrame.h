// What the reduce bindings of both devices read alike from a call frame (reduce, reduceArg,
// reduceLine): the op code of frame[0] and the operands; each binding differs only in the kernel
// it calls.
#pragma once
#include "binding/context.h"
#include "cpu/reduce.h"

namespace cinder {

inline constexpr const char* kReduceArgNames[] = {"argmax", "argmin", "max", "min"};
inline constexpr const char* kReduceLineNames[] = {"cumsum", "cumprod", "softmax", "logSoftmax"};

inline void readReduceMask(FrameReader& r, const TensorDesc& x, bool* mask) {
  for (int d = 0; d < x.ndim; d++) mask[d] = r.flag();
}

// The dim reduction whose code is frame[0].
inline ReduceOp reduceFrameOp(Context* ctx) {
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)ReduceOp::kCount, "reduce: unknown op code ", code);
  return (ReduceOp)code;
}

struct ReduceFrame {
  TensorDesc x, out, aux;
  bool mask[kMaxDims] = {};
  double param = 0, param2 = 0;
  bool hasAux = false;
  const TensorDesc* auxOrNull() const { return hasAux ? &aux : nullptr; }
};

// frame: opCode, x, out spec, mask[x.ndim], param, param2, hasAux, [aux]
inline void readReduce(FrameReader& r, ReduceFrame& f) {
  r.num();
  r.tensorInto(f.x);
  r.outputInto(f.out);
  readReduceMask(r, f.x, f.mask);
  f.param = r.num();
  f.param2 = r.num();
  f.hasAux = r.flag();
  if (f.hasAux) r.tensorInto(f.aux);
}

// The code (0 argmax, 1 argmin, 2 max, 3 min) of frame[0].
inline int reduceArgFrameCode(Context* ctx) {
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "reduceArg: unknown op code ", code);
  return code;
}

struct ReduceArgFrame {
  int code = 0;
  TensorDesc x, values, indices;
  bool mask[kMaxDims] = {};
  bool isMax() const { return code % 2 == 0; }
  bool withValues() const { return code >= 2; }
  const TensorDesc* valuesOrNull() const { return withValues() ? &values : nullptr; }
};

// frame: code, x, mask[x.ndim], [values spec], indices spec
inline void readReduceArg(FrameReader& r, int code, ReduceArgFrame& f) {
  f.code = code;
  r.num();
  r.tensorInto(f.x);
  readReduceMask(r, f.x, f.mask);
  if (f.withValues()) r.outputInto(f.values);
  r.outputInto(f.indices);
}

// The code (0 cumsum, 1 cumprod, 2 softmax, 3 logSoftmax) of frame[0].
inline int reduceLineFrameCode(Context* ctx) {
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "reduceLine: unknown op code ", code);
  return code;
}

struct ReduceLineFrame {
  TensorDesc x, out;
  int dim = 0;
};

// frame: code, x, dim, out spec
inline void readReduceLine(FrameReader& r, ReduceLineFrame& f) {
  r.num();
  r.tensorInto(f.x);
  f.dim = r.i32();
  r.outputInto(f.out);
}

}  // namespace cinder
