// Kernels of the implicit reparameterisation gradients (cpu/gammaGrad.cc; scalar math in
// cpu/gammaGrad.h).
#pragma once
#include "core/tensorDesc.h"

namespace cinder {

// Broadcast elementwise into a contiguous out of the operands' dtype (float32/float64, computed in
// double): Gamma -> d x / d a for x ~ Gamma(a, 1) (b unused); Beta -> d x / d a for x ~ Beta(a, b)
// (b fixed), each with the CDF held fixed.
enum class RandomGradOp : int { Gamma = 0, Beta, Count };
void randomGrad(RandomGradOp op, const TensorDesc& out, const TensorDesc& x, const TensorDesc& a, const TensorDesc& b,
                const char* name);

}  // namespace cinder
