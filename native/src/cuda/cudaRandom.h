// Launchers of the CUDA random kernels (cuda/random.cu), the twins of cpu/random.h: the same
// Philox counters for every element and the same per-element math (cpu/randomSamplers.h), so a
// seed gives the same bits on both devices. Operands are device tensors; errors (bad parameters,
// bad probabilities) throw the CPU kernels' messages.
#pragma once
#include <cstdint>

#include "cpu/random.h"
#include "cpu/randomGrad.h"
#include "cuda/cudaElementwise.h"

namespace cinder {

// Flat fill of the contiguous out; returns the blocks consumed (as randomFill).
uint64_t cudaRandomFill(int device, FillOp op, const TensorDesc& out, double a, double b, const PhiloxState& g,
                        const char* name);

// it: the broadcast iteration over (out, a, b), out contiguous, all of dtype dt.
void cudaRandomSample(int device, SampleOp op, DType dt, const CudaIterArgs& it, const PhiloxState& g,
                      const char* name);

// Returns the blocks consumed (as randperm).
uint64_t cudaRandperm(int device, const TensorDesc& out, const PhiloxState& g);

void cudaMultinomial(int device, const TensorDesc& out, const TensorDesc& probs, bool replacement,
                     const PhiloxState& g);

void cudaDirichlet(int device, const TensorDesc& out, const TensorDesc& alpha, const PhiloxState& g);

// it: the broadcast iteration over (out, x, a, b), all of dtype dt.
void cudaRandomGrad(int device, RandomGradOp op, DType dt, const CudaIterArgs& it, const char* name);

}  // namespace cinder
