// Spatial kernels of the neural-network ops: 2-d pooling (max with indices, average, adaptive
// average and max; forward and backward), upsampling (nearest, bilinear; forward and backward) and
// padding (constant, reflect, replicate, circular; forward and backward).
//
// Pooling and upsampling see their operands as planes: a contiguous tensor whose last two dims are
// the plane (H, W) and whose leading dims, flattened, count the planes (N * C). Work is split over
// planes, so every output element is written by one thread and backward sums are accumulated in a
// fixed order (deterministic results).
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

struct PoolGeometry {
  int64_t kH, kW, sH, sW, pH, pW, dH, dW;
};

// values/indices: [..., outH, outW]; indices (int64) are flat positions h * W + w in the input plane.
void maxPool2dForward(const TensorDesc& x, const TensorDesc& values, const TensorDesc& indices,
                      const PoolGeometry& g, const char* op);
// gradInput (zeroed here) [..., H, W] += gradOutput scattered through indices (max and adaptive max pooling).
void maxPool2dBackward(const TensorDesc& gradOutput, const TensorDesc& indices, const TensorDesc& gradInput,
                       const char* op);

struct AvgPoolOptions {
  bool countIncludePad;
  int64_t divisorOverride;  // 0: none
};
void avgPool2dForward(const TensorDesc& x, const TensorDesc& out, const PoolGeometry& g, const AvgPoolOptions& o,
                      const char* op);
void avgPool2dBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, const PoolGeometry& g,
                       const AvgPoolOptions& o, const char* op);

// Adaptive pooling: output cell o covers input [floor(o * I / O), ceil((o + 1) * I / O)).
void adaptiveAvgPool2dForward(const TensorDesc& x, const TensorDesc& out, const char* op);
void adaptiveAvgPool2dBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, const char* op);
void adaptiveMaxPool2dForward(const TensorDesc& x, const TensorDesc& values, const TensorDesc& indices,
                              const char* op);

// Upsampling. scaleH/scaleW: the user's scale factors (<= 0: derive from the sizes), as PyTorch
// passes them to its kernels.
void upsampleNearest2d(const TensorDesc& x, const TensorDesc& out, double scaleH, double scaleW, const char* op);
void upsampleNearest2dBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, double scaleH,
                               double scaleW, const char* op);
void upsampleBilinear2d(const TensorDesc& x, const TensorDesc& out, bool alignCorners, double scaleH,
                        double scaleW, const char* op);
void upsampleBilinear2dBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, bool alignCorners,
                                double scaleH, double scaleW, const char* op);

enum class PadMode : int { Constant = 0, Reflect = 1, Replicate = 2, Circular = 3 };

// out[i] = x[src(i)] along every dim (src from the per-dim [before, after] pads; identity where
// both are 0), or `value` where a constant pad falls outside x. x may be strided; out is contiguous.
void padForward(const TensorDesc& x, const TensorDesc& out, const int64_t* before, PadMode mode, double value,
                const char* op);
// The adjoint: gradInput (contiguous, zeroed here) accumulates gradOutput through the same map.
void padBackward(const TensorDesc& gradOutput, const TensorDesc& gradInput, const int64_t* before, PadMode mode,
                 const char* op);

}  // namespace cinder
