// The checks of cross entropy's operands, shared by both devices (cpu/loss.cc, cuda/loss.cu):
// logits laid out as a contiguous [N, C, D], class indices or probabilities as targets, an
// optional per-class weight. Host code.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

struct CeDims {
  int64_t N, C, D;
};

inline CeDims ceDimsOf(const TensorDesc& x, const char* op) {
  CINDER_CHECK(x.ndim == 3, op, ": expected logits laid out as [N, C, D], got shape ", x.shapeString());
  CINDER_CHECK(x.isContiguous(), op, ": logits must be contiguous");
  return {x.shape[0], x.shape[1], x.shape[2]};
}

struct CeInputs {
  CeDims d;
  bool probs;  // target holds class probabilities (else int64 class indices)
};

inline CeInputs checkCe(const TensorDesc& x, const TensorDesc& target, const TensorDesc* weight, const char* op) {
  CeInputs r{ceDimsOf(x, op), false};
  const CeDims& d = r.d;
  if (target.dtype == DType::Int64) {
    CINDER_CHECK(target.numel() == d.N * d.D && target.isContiguous(), op, ": target of shape ",
                 target.shapeString(), " does not match logits ", x.shapeString());
  } else {
    CINDER_CHECK(target.dtype == x.dtype, op, ": target probabilities have dtype ", dtypeName(target.dtype),
                 ", expected ", dtypeName(x.dtype));
    CINDER_CHECK(target.numel() == x.numel() && target.isContiguous(), op, ": target of shape ",
                 target.shapeString(), " does not match logits ", x.shapeString());
    r.probs = true;
  }
  if (weight) {
    CINDER_CHECK(weight->ndim == 1 && weight->shape[0] == d.C && weight->isContiguous(), op, ": weight of shape ",
                 weight->shapeString(), " should be [", d.C, "]");
    CINDER_CHECK(weight->dtype == x.dtype, op, ": weight has dtype ", dtypeName(weight->dtype), ", expected ",
                 dtypeName(x.dtype));
  }
  return r;
}

}  // namespace cinder
