// Random kernels on Philox 4x32-10 (core/philox.h). Every kernel is a pure function of
// (key, offset, element index), so its output does not depend on the thread count.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/error.h"
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

// Throws "<name>: <what is wrong>" for parameters outside op's domain (sampler::paramsValid).
void checkSampleParams(SampleOp op, double a, double b, const char* name);

// The range [0, range) of random_() without bounds for dtype dt (every integer a float holds
// exactly, every non-negative value of an integer type).
uint64_t randomFullRange(DType dt, const char* name);

// Checks one row p[0..k) of multinomial's probabilities as the sampler needs them.
template <typename T>
void checkMultinomialRow(const T* p, int64_t k, int64_t numSamples, bool replacement, int64_t row) {
  const char* name = "multinomial";
  double total = 0;
  int64_t nonzero = 0;
  for (int64_t j = 0; j < k; j++) {
    const double v = (double)p[j];
    if (!(v >= 0.0 && std::isfinite(v)))
      fail(name, ": probability tensor contains either inf, nan or element < 0 (got ", v, " in row ", row, ")");
    total += v;
    nonzero += v > 0.0;
  }
  CINDER_CHECK(total > 0.0, name, ": invalid multinomial distribution (sum of probabilities <= 0 in row ", row, ")");
  CINDER_CHECK(replacement || nonzero >= numSamples, name,
               ": invalid multinomial distribution (with replacement=False, not enough non-zero categories to sample: ",
               nonzero, " < ", numSamples, " in row ", row, ")");
}

// A random permutation of [0, n) into a contiguous 1-d tensor; returns blocks consumed.
uint64_t randperm(const TensorDesc& out, const PhiloxState& g);

// probs: contiguous [rows, k] float; out: contiguous int64 [rows, numSamples]. Row r draws from
// sub-stream offset + r + 1.
void multinomial(const TensorDesc& out, const TensorDesc& probs, bool replacement, const PhiloxState& g);

// alpha: contiguous [rows, k] float; out: same shape; normalised gammas per row.
void dirichlet(const TensorDesc& out, const TensorDesc& alpha, const PhiloxState& g);

}  // namespace cinder
