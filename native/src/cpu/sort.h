// Sorting and selection kernels: sort, topk, kthvalue/median, unique, searchsorted. NaN orders
// as the largest value (PyTorch); ties keep their original order, so results are deterministic.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"
#include "cpu/index.h"

namespace cinder {

// values/indices: contiguous, self's shape. Always stable.
void sortKernel(const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim, bool descending,
                const char* op);

// values/indices: contiguous, self's shape with dim of size k.
void topkKernel(const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim, int64_t k,
                bool largest, const char* op);

// The k-th smallest (0-based) along dim; values/indices: contiguous, self's shape with dim of size 1.
// nanPropagates: a row holding NaN gives NaN and the index of its first NaN (median).
void kthKernel(const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim, int64_t k,
               bool nanPropagates, const char* op);

// Sorted unique elements of the flattened self. Allocates values [u], then inverse (self's shape,
// int64) when asked, then counts [u] (int64) when asked. Returns u.
int64_t uniqueKernel(const TensorDesc& self, bool inverse, bool counts, const Allocator& alloc, const char* op);

// Unique slices along dim 0 of self (a [n, m] view), ordered lexicographically. Allocates the
// chosen slice positions [u] (int64), inverse [n] and counts [u] when asked. Returns u.
int64_t uniqueDimKernel(const TensorDesc& self, bool inverse, bool counts, const Allocator& alloc, const char* op);

// out[...] = insertion position of values[...] in the (last dim of) seq; out is int64 or int32.
void searchsortedKernel(const TensorDesc& out, const TensorDesc& seq, const TensorDesc& values, bool right,
                        const char* op);

}  // namespace cinder
