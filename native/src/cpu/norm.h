// Normalization kernels: batch, layer and group norm, forward and backward. Statistics are taken
// in one pass over memory (each row is summed twice while it is in cache, and rows are combined
// with Chan's update), in double precision. Work is split over channels (batch norm), rows (layer
// norm) or (sample, group) pairs (group norm); cross-row sums (weight and bias gradients) add
// per-block partials in a fixed order, so results do not depend on the thread count.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

// x, out: [N, C, S] contiguous. weight, bias, runningMean, runningVar: [C] or null.
// saveMean, saveInvstd: [C] outputs (the batch's statistics in training, the running ones otherwise).
// In training the running statistics (when given) are updated in place with the unbiased variance.
void batchNormForward(const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias,
                      const TensorDesc* runningMean, const TensorDesc* runningVar, bool training, double momentum,
                      double eps, const TensorDesc& out, const TensorDesc& saveMean, const TensorDesc& saveInvstd,
                      const char* op);
// Any of gradInput, gradWeight, gradBias may be null (not wanted).
void batchNormBackward(const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                       const TensorDesc& saveMean, const TensorDesc& saveInvstd, bool training,
                       const TensorDesc* gradInput, const TensorDesc* gradWeight, const TensorDesc* gradBias,
                       const char* op);

// x, out: [M, K] contiguous (K = the normalized size); weight, bias: [K] or null; mean, rstd: [M].
void layerNormForward(const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias, double eps,
                      const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd, const char* op);
void layerNormBackward(const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                       const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput,
                       const TensorDesc* gradWeight, const TensorDesc* gradBias, const char* op);

// x, out: [N, C, S] contiguous; weight, bias: [C] or null; mean, rstd: [N, groups].
void groupNormForward(const TensorDesc& x, int64_t groups, const TensorDesc* weight, const TensorDesc* bias,
                      double eps, const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd,
                      const char* op);
void groupNormBackward(const TensorDesc& gradOut, const TensorDesc& x, int64_t groups, const TensorDesc* weight,
                       const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput,
                       const TensorDesc* gradWeight, const TensorDesc* gradBias, const char* op);

}  // namespace cinder
