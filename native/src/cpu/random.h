// Random kernels on Philox 4x32-10 (core/philox.h). Every kernel is a pure function of
// (key, offset, element index), so its output does not depend on the thread count.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

struct PhiloxState {
  uint32_t key[2];
  uint64_t offset;  // first flat block / sub-stream base this op may use
};

// Flat fills of a contiguous tensor (stream 0). Return the number of blocks consumed.
enum class FillOp : int { Uniform = 0, Normal, Exponential, Bernoulli, RandInt, RandomFull, Count };
uint64_t randomFill(FillOp op, const TensorDesc& out, double a, double b, const PhiloxState& g, const char* name);

// Samplers with (broadcast) tensor parameters; element i of the contiguous output draws from
// sub-stream offset + i + 1. `b` is ignored by one-parameter samplers. Consumes numel streams.
enum class SampleOp : int {
  Bernoulli = 0, Normal, Exponential, Uniform, Gamma, Poisson, Binomial, Beta, Count
};
void randomSample(SampleOp op, const TensorDesc& out, const TensorDesc& a, const TensorDesc& b, const PhiloxState& g,
                  const char* name);

// A random permutation of [0, n) into a contiguous 1-d tensor; returns blocks consumed.
uint64_t randperm(const TensorDesc& out, const PhiloxState& g);

// probs: contiguous [rows, k] float; out: contiguous int64 [rows, numSamples]. Row r draws from
// sub-stream offset + r + 1.
void multinomial(const TensorDesc& out, const TensorDesc& probs, bool replacement, const PhiloxState& g);

// alpha: contiguous [rows, k] float; out: same shape; normalised gammas per row.
void dirichlet(const TensorDesc& out, const TensorDesc& alpha, const PhiloxState& g);

}  // namespace cinder
