// Fused optimizer updates: each call updates one parameter and its state buffers in place, in a
// single pass over memory, with the arithmetic (and its order of operations) of PyTorch's
// per-parameter updates. Every operand has the parameter's shape and dtype (float32 or float64);
// the parameter and the state buffers are written, the gradient is only read.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

struct AdamOptions {
  double step;  // the step count after this update (1 on the first)
  double lr, beta1, beta2, eps, weightDecay;
  bool decoupled;  // AdamW: param *= 1 - lr * weightDecay instead of grad += weightDecay * param
  bool amsgrad;
  bool maximize;
};
// maxExpAvgSq is required when o.amsgrad and ignored otherwise.
void adamStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& expAvg, const TensorDesc& expAvgSq,
              const TensorDesc* maxExpAvgSq, const AdamOptions& o);

struct SgdOptions {
  double lr, momentum, dampening, weightDecay;
  bool nesterov;
  bool maximize;
  bool initBuffer;  // first step with momentum: the buffer becomes the (decayed) gradient
};
// momentumBuffer is required when o.momentum != 0 and ignored otherwise.
void sgdStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc* momentumBuffer, const SgdOptions& o);

struct RmspropOptions {
  double lr, alpha, eps, weightDecay, momentum;
  bool centered;
  bool maximize;
};
// gradAvg is required when o.centered, momentumBuffer when o.momentum > 0.
void rmspropStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& squareAvg, const TensorDesc* gradAvg,
                 const TensorDesc* momentumBuffer, const RmspropOptions& o);

struct AdagradOptions {
  double step;  // the step count after this update (1 on the first)
  double lr, lrDecay, eps, weightDecay;
  bool maximize;
};
void adagradStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& stateSum, const AdagradOptions& o);

}  // namespace cinder
