// CUDA launchers of the fused optimizer updates (cpu/optim.h is the twin): the binding checks the
// operands and coalesces them on the host (ElementwiseIter), the launchers run one pass over the
// elements on the device's stream. Declared without CUDA headers.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "core/tensorDesc.h"
#include "cpu/optim.h"

namespace cinder {

// Slots: 0 param, 1 grad, 2..4 the update's state buffers s0..s2 (the CPU loops' slots; null
// where the variant has none). Strides in bytes, after coalescing.
constexpr int kCudaOptimSlots = 5;
struct CudaOptimIter {
  int ndim = 0;
  int64_t numel = 0;
  int64_t shape[kMaxDims];
  int64_t strides[kCudaOptimSlots][kMaxDims];
  char* data[kCudaOptimSlots] = {nullptr, nullptr, nullptr, nullptr, nullptr};
};

// s0 expAvg, s1 expAvgSq, s2 maxExpAvgSq (amsgrad).
void cudaAdamStep(int device, DType dt, const CudaOptimIter& it, const AdamOptions& o);
// s0 momentumBuffer (momentum != 0).
void cudaSgdStep(int device, DType dt, const CudaOptimIter& it, const SgdOptions& o);
// s0 squareAvg, s1 gradAvg (centered), s2 momentumBuffer (momentum > 0).
void cudaRmspropStep(int device, DType dt, const CudaOptimIter& it, const RmspropOptions& o);
// s0 stateSum.
void cudaAdagradStep(int device, DType dt, const CudaOptimIter& it, const AdagradOptions& o);

}  // namespace cinder
