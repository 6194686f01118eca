// CUDA pooling, upsampling and padding kernels (the twins of cpu/pool.h). Declared without CUDA
// headers; work is ordered on the device's stream. Pooling and upsampling see their operands as
// contiguous planes (count planes of H x W in, OH x OW out); every kernel writes each output
// element from one thread, and backward kernels gather (each input element sums the outputs
// that read it, in the CPU's order), so results are deterministic.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "core/hostDevice.h"
#include "core/tensorDesc.h"
#include "cpu/pool.h"

namespace cinder {

// Planes of a pooling or upsampling op: `count` of them, H x W on the input side (the forward
// input, or the gradient of it) and OH x OW on the output side.
struct CudaPlanes {
  int64_t count = 0, H = 0, W = 0, OH = 0, OW = 0;
};

void cudaMaxPool2d(int device, DType dt, const void* x, void* values, int64_t* indices, const CudaPlanes& pl,
                   const PoolGeometry& g, const char* op);
// gradInput <- gradOutput summed through indices (flat positions in each input plane); throws
// the CPU's error when an index is outside its plane (found on the device: flagScratch is 16
// bytes of device memory; the call waits for the stream to read them back).
void cudaMaxPool2dBackward(int device, DType dt, const void* gradOutput, const int64_t* indices, void* gradInput,
                           const CudaPlanes& pl, void* flagScratch, const char* op);
void cudaAvgPool2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, const PoolGeometry& g,
                   const AvgPoolOptions& o, const char* op);
void cudaAvgPool2dBackward(int device, DType dt, const void* gradOutput, void* gradInput, const CudaPlanes& pl,
                           const PoolGeometry& g, const AvgPoolOptions& o, const char* op);
void cudaAdaptiveAvgPool2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, const char* op);
void cudaAdaptiveAvgPool2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                   const CudaPlanes& pl, const char* op);
void cudaAdaptiveMaxPool2d(int device, DType dt, const void* x, void* values, int64_t* indices, const CudaPlanes& pl,
                           const char* op);

void cudaUpsampleNearest2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, double scaleH,
                           double scaleW, const char* op);
void cudaUpsampleNearest2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                   const CudaPlanes& pl, double scaleH, double scaleW, const char* op);
void cudaUpsampleBilinear2d(int device, DType dt, const void* x, void* out, const CudaPlanes& pl, bool alignCorners,
                            double scaleH, double scaleW, const char* op);
void cudaUpsampleBilinear2dBackward(int device, DType dt, const void* gradOutput, void* gradInput,
                                    const CudaPlanes& pl, bool alignCorners, double scaleH, double scaleW,
                                    const char* op);

// Padding: `in` is the unpadded side (x, or gradInput), `out` the padded side; before[d] may be
// negative (cropping). Strides in elements: of x (forward) or gradOutput (backward); the other
// side is contiguous.
struct CudaPadArgs {
  int nd = 0;
  int mode = 0;  // PadMode
  int64_t inShape[kMaxDims], outShape[kMaxDims], before[kMaxDims], strides[kMaxDims];
};

// The input index read by output index o along a dim of input size n and output size m padded by
// `before` (as the CPU's tables: identity where nothing is padded; -1 for a constant pad). A
// result outside [0, n) otherwise means the padding is out of range for the mode.
CINDER_HD inline int64_t padSourceIndex(int64_t o, int64_t before, int64_t n, int64_t m, int mode) {
  int64_t i = o - before;
  if (before == 0 && n == m) return i;
  switch (mode) {
    case (int)PadMode::Constant:
      if (i < 0 || i >= n) i = -1;
      break;
    case (int)PadMode::Reflect:
      if (i < 0) i = -i;
      if (i >= n) i = 2 * (n - 1) - i;
      break;
    case (int)PadMode::Replicate:
      if (i < 0) i = 0;
      if (i > n - 1) i = n - 1;
      break;
    case (int)PadMode::Circular:
      if (n > 0) i = ((i % n) + n) % n;
      break;
    default:
      break;
  }
  return i;
}

// out (contiguous) <- x padded; elements of `itemBytes` (1, 2, 4 or 8) copied as they are; fillBits:
// the constant's bytes (little-endian, the low itemBytes used).
void cudaPad(int device, int itemBytes, const CudaPadArgs& a, const void* x, void* out, uint64_t fillBits,
             const char* op);
void cudaPadBackward(int device, DType dt, const CudaPadArgs& a, const void* gradOutput, void* gradInput,
                     const char* op);

}  // namespace cinder
