// Index kernels: gather/scatter/indexSelect/indexAdd/take, masked fill/select, nonzero, oneHot.
// Every index read from an index tensor is bounds-checked here (negative indices in [-size, 0)
// count from the end); nothing is read or written outside an operand's elements.
#pragma once
#include <cstdint>
#include <functional>

#include "core/tensorDesc.h"

namespace cinder {

// Allocates a contiguous output of a shape only the kernel knows (nonzero, maskedSelect, ...).
using Allocator = std::function<TensorDesc(DType, const int64_t*, int)>;

enum class ScatterReduce : int { None = 0, Sum = 1, Prod = 2, Mean = 3, Amax = 4, Amin = 5 };

// out[..., j, ...] = self[..., index[..., j, ...], ...] along `dim`. `index` broadcasts to out's
// shape (indexSelect passes a 1-d index as [1, .., n, .., 1]); self's other dims are at least out's.
void gatherKernel(const TensorDesc& out, const TensorDesc& self, const TensorDesc& index, int dim, const char* op);

// self[..., index[..., j, ...], ...] (op)= alpha * src[..., j, ...] along `dim`, iterating over
// `iterShape` (index's shape for scatter, source's for indexAdd; index broadcasts to it). Runs
// on one thread, in row-major order, so duplicate indices accumulate deterministically. Mean,
// and includeSelf = false, need a contiguous self.
void scatterKernel(const TensorDesc& self, const TensorDesc& index, const TensorDesc& src, int dim,
                   const int64_t* iterShape, int iterNd, ScatterReduce reduce, bool includeSelf, double alpha,
                   const char* op);

// out = flat(self)[index]; self contiguous.
void takeKernel(const TensorDesc& out, const TensorDesc& self, const TensorDesc& index, const char* op);

// self[mask] = value, mask (bool) broadcast to self.
void maskedFillKernel(const TensorDesc& self, const TensorDesc& mask, double value, const char* op);

// A 1-d copy of self's elements where mask is true; self and mask already of one (broadcast) shape.
void maskedSelectKernel(const TensorDesc& self, const TensorDesc& mask, const Allocator& alloc, const char* op);

// [n, ndim] int64 coordinates of the nonzero elements, row-major. Returns n.
int64_t nonzeroKernel(const TensorDesc& self, const Allocator& alloc, const char* op);

// int64 one-hot of an integer tensor; numClasses < 0 means max + 1. Returns the class count.
int64_t oneHotKernel(const TensorDesc& self, int64_t numClasses, const Allocator& alloc, const char* op);

}  // namespace cinder
