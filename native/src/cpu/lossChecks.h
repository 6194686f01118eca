// The checks of cross entropy's operands, shared by both devices (cpu/loss.cc, cuda/loss.cu):
// logits laid out as a contiguous [N, C, D], class indices or probabilities as targets, an
// optional per-class weight. Host code.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"
#include "cpu/loss.h"

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

// checkCe, then the forward's outputs: log-sum-exp per row, the total weight, the loss.
inline CeInputs checkCeForward(const TensorDesc& x, const TensorDesc& target, const TensorDesc* weight,
                               const CrossEntropyOptions& o, const TensorDesc& loss, const TensorDesc& lse,
                               const TensorDesc& totalWeight, const char* op) {
  const CeInputs in = checkCe(x, target, weight, op);
  const int64_t rows = in.d.N * in.d.D;
  CINDER_CHECK(lse.numel() == rows && lse.isContiguous() && lse.dtype == x.dtype, op, ": bad log-sum-exp output");
  CINDER_CHECK(totalWeight.numel() == 1 && totalWeight.dtype == x.dtype, op, ": bad total-weight output");
  CINDER_CHECK(loss.dtype == x.dtype && loss.isContiguous() &&
                   loss.numel() == (o.reduction == LossReduction::None ? rows : 1),
               op, ": bad loss output");
  return in;
}

// checkCe, then the backward's operands (the forward's log-sum-exp and total weight, the loss
// gradient) and its output.
inline CeInputs checkCeBackward(const TensorDesc& grad, const TensorDesc& x, const TensorDesc& target,
                                const TensorDesc* weight, const TensorDesc& lse, const TensorDesc& totalWeight,
                                const CrossEntropyOptions& o, const TensorDesc& gradInput, const char* op) {
  const CeInputs in = checkCe(x, target, weight, op);
  const int64_t rows = in.d.N * in.d.D;
  CINDER_CHECK(lse.numel() == rows && lse.isContiguous() && lse.dtype == x.dtype, op, ": bad log-sum-exp input");
  CINDER_CHECK(totalWeight.numel() == 1 && totalWeight.dtype == x.dtype, op, ": bad total-weight input");
  CINDER_CHECK(grad.dtype == x.dtype && grad.isContiguous() &&
                   grad.numel() == (o.reduction == LossReduction::None ? rows : 1),
               op, ": gradient of shape ", grad.shapeString(), " does not match the loss");
  CINDER_CHECK(gradInput.numel() == x.numel() && gradInput.isContiguous() && gradInput.dtype == x.dtype, op,
               ": bad grad_input output");
  return in;
}

// embeddingBackward: a contiguous [M, D] gradient, M int64 indices, a [V, D] gradWeight output.
inline void checkEmbeddingBackward(const TensorDesc& grad, const TensorDesc& indices, const TensorDesc& gradWeight,
                                   const char* op) {
  CINDER_CHECK(grad.ndim == 2 && grad.isContiguous(), op, ": expected a contiguous [M, D] gradient, got ",
               grad.shapeString());
  CINDER_CHECK(indices.dtype == DType::Int64 && indices.isContiguous() && indices.numel() == grad.shape[0], op,
               ": indices (", indices.shapeString(), ") do not match the gradient rows (", grad.shapeString(), ")");
  CINDER_CHECK(gradWeight.ndim == 2 && gradWeight.isContiguous() && gradWeight.shape[1] == grad.shape[1] &&
                   gradWeight.dtype == grad.dtype,
               op, ": bad grad_weight output");
}

}  // namespace cinder
