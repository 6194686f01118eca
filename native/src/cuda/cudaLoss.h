// CUDA fused cross entropy (launchers in loss.cu, declared without CUDA headers for the
// bindings): the same operands, options, checks and results as cpu/loss.h's
// crossEntropyForward / crossEntropyBackward.
#pragma once
#include "core/tensorDesc.h"
#include "cpu/loss.h"

namespace cinder {

void cudaCrossEntropyForward(int device, const TensorDesc& x, const TensorDesc& target, const TensorDesc* weight,
                             const CrossEntropyOptions& o, const TensorDesc& loss, const TensorDesc& lse,
                             const TensorDesc& totalWeight, const char* op);

void cudaCrossEntropyBackward(int device, const TensorDesc& grad, const TensorDesc& x, const TensorDesc& target,
                              const TensorDesc* weight, const TensorDesc& lse, const TensorDesc& totalWeight,
                              const CrossEntropyOptions& o, const TensorDesc& gradInput, const char* op);

}  // namespace cinder
