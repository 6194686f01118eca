// Convolution over 1, 2 or 3 spatial dims (NC* layout) on top of the GEMM: forward, the input
// gradient (which is also the transposed convolution) and the weight gradient. Each lowers to
// im2col into a per-thread scratch block of output positions followed by gemm<T>(), or, for 1x1
// stride-1 unpadded kernels, to a GEMM directly on the operands. float32 and float64.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

// Whether dims [from, ndim) of d address their elements with one stride (in row-major order,
// size-1 dims ignored); that stride in *stride.
inline bool coalesceDims(const TensorDesc& d, int from, int64_t* stride) {
  int64_t st = 1, inner = 1;
  bool have = false;
  for (int i = d.ndim - 1; i >= from; i--) {
    if (d.shape[i] == 1) continue;
    if (!have) {
      st = d.strides[i];
      have = true;
    } else if (d.strides[i] != st * inner) {
      return false;
    }
    inner *= d.shape[i];
  }
  *stride = have ? st : 1;
  return true;
}

constexpr int kMaxConvSpatial = 3;

struct ConvParams {
  int spatial = 0;  // 1..3
  int64_t stride[kMaxConvSpatial] = {1, 1, 1};
  int64_t padBefore[kMaxConvSpatial] = {0, 0, 0};
  int64_t padAfter[kMaxConvSpatial] = {0, 0, 0};
  int64_t dilation[kMaxConvSpatial] = {1, 1, 1};
  int64_t groups = 1;
};

// y [N, Cout, *out] = conv(x [N, Cin, *in], w [Cout, Cin / groups, *kernel]) (+ bias [Cout]).
// out = floor((in + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1 exactly.
void convForward(const TensorDesc& x, const TensorDesc& w, const TensorDesc* bias, const TensorDesc& y,
                 const ConvParams& p, const char* op);

// gx [N, Cin, *in] = the adjoint of convForward (for this w) applied to gy [N, Cout, *out], plus
// bias [Cin] when given: the input gradient, and the transposed convolution. `in` may exceed the
// size whose forward output is `out` by less than max(stride, dilation) (output padding).
void convBackwardInput(const TensorDesc& gy, const TensorDesc& w, const TensorDesc* bias, const TensorDesc& gx,
                       const ConvParams& p, const char* op);

// gw [Cout, Cin / groups, *kernel] = the gradient of <gy, convForward(x, w)> with respect to w.
void convBackwardWeight(const TensorDesc& x, const TensorDesc& gy, const TensorDesc& gw, const ConvParams& p,
                        const char* op);

}  // namespace cinder
