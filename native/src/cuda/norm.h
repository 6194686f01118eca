// CUDA batch, layer and group norm (cpu/norm.h is the twin: same operands, same checks and
// messages, same outputs). Declared without CUDA headers; work is ordered on the device's stream.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

void cudaBatchNormForward(int device, const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias,
                          const TensorDesc* runningMean, const TensorDesc* runningVar, bool training, double momentum,
                          double eps, const TensorDesc& out, const TensorDesc& saveMean, const TensorDesc& saveInvstd,
                          const char* op);
void cudaBatchNormBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                           const TensorDesc& saveMean, const TensorDesc& saveInvstd, bool training,
                           const TensorDesc* gradInput, const TensorDesc* gradWeight, const TensorDesc* gradBias,
                           const char* op);

void cudaLayerNormForward(int device, const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias, double eps,
                          const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd, const char* op);
void cudaLayerNormBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                           const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput,
                           const TensorDesc* gradWeight, const TensorDesc* gradBias, const char* op);

void cudaGroupNormForward(int device, const TensorDesc& x, int64_t groups, const TensorDesc* weight,
                          const TensorDesc* bias, double eps, const TensorDesc& out, const TensorDesc& mean,
                          const TensorDesc& rstd, const char* op);
void cudaGroupNormBackward(int device, const TensorDesc& gradOut, const TensorDesc& x, int64_t groups,
                           const TensorDesc* weight, const TensorDesc& mean, const TensorDesc& rstd,
                           const TensorDesc* gradInput, const TensorDesc* gradWeight, const TensorDesc* gradBias,
                           const char* op);

}  // namespace cinder
