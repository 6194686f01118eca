// CUDA sorting and selection: the twins of cpu/sort.h (sort, topk, kthvalue/median, unique,
// searchsorted) with the same orderings: stable, NaN above everything, ties by original index.
// Launchers declared without CUDA headers so the bindings (plain C++) can call them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/tensorDesc.h"
#include "cpu/index.h"

namespace cinder {

// Device scratch of at least n bytes, owned by the calling binding (released when it returns).
using CudaScratch = std::function<void*(size_t)>;

void cudaSortKernel(int device, const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim,
                    bool descending, const CudaScratch& scratch, const char* op);
void cudaTopkKernel(int device, const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim,
                    int64_t k, bool largest, const CudaScratch& scratch, const char* op);
void cudaKthKernel(int device, const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim,
                   int64_t k, bool nanPropagates, const CudaScratch& scratch, const char* op);
int64_t cudaUniqueKernel(int device, const TensorDesc& self, bool inverse, bool counts, const Allocator& alloc,
                         const CudaScratch& scratch, const char* op);
int64_t cudaUniqueDimKernel(int device, const TensorDesc& self, bool inverse, bool counts, const Allocator& alloc,
                            const CudaScratch& scratch, const char* op);
void cudaSearchsortedKernel(int device, const TensorDesc& out, const TensorDesc& seq, const TensorDesc& values,
                            bool right, const char* op);

// Sorts `rows` rows of p (a power of two) (key, position) pairs in place, ascending by key then
// position: keys/pos hold rows * p entries, padding entries being (~0, ~0). For the index
// kernels (scatter, embedding backward), which fill the pairs themselves.
void cudaSortPairsU32(int device, uint32_t* keys, uint32_t* pos, int64_t rows, int64_t p, const char* op);

// The smallest power of two >= n (1 for n <= 1).
inline int64_t cudaSortPadded(int64_t n) {
  int64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace cinder
