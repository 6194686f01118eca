// Fused cross entropy (log-softmax and negative log likelihood in one stable pass, and one
// backward kernel: softmax minus the target distribution) and the embedding backward (a
// deterministic index add of gradient rows).
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

enum class LossReduction : int { None = 0, Mean = 1, Sum = 2 };

struct CrossEntropyOptions {
  int64_t ignoreIndex;
  double labelSmoothing;
  LossReduction reduction;
};

// x: [N, C, D] contiguous logits (D = 1 for [N, C]). target: int64 class indices [N, D], or
// probabilities shaped like x (same dtype). weight: [C] or null.
// loss: [N, D] (reduction none) or [] ; lse: [N, D] (the row log-sum-exp, kept for backward);
// totalWeight: [] (the mean's denominator: the summed target weights, or N * D for probabilities).
void crossEntropyForward(const TensorDesc& x, const TensorDesc& target, const TensorDesc* weight,
                         const CrossEntropyOptions& o, const TensorDesc& loss, const TensorDesc& lse,
                         const TensorDesc& totalWeight, const char* op);
// grad: the loss's gradient ([N, D] for reduction none, else []); gradInput: [N, C, D].
void crossEntropyBackward(const TensorDesc& grad, const TensorDesc& x, const TensorDesc& target,
                          const TensorDesc* weight, const TensorDesc& lse, const TensorDesc& totalWeight,
                          const CrossEntropyOptions& o, const TensorDesc& gradInput, const char* op);

// gradWeight [numWeights, D] (contiguous, zeroed here) accumulates rows of grad [M, D] at
// indices [M] (int64), in index order. paddingIdx < 0: none. scaleGradByFreq divides each
// row's contribution by the number of times its index occurs.
void embeddingBackward(const TensorDesc& grad, const TensorDesc& indices, int64_t paddingIdx, bool scaleGradByFreq,
                       const TensorDesc& gradWeight, const char* op);

}  // namespace cinder
