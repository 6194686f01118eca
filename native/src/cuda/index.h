// CUDA index kernels: the twins of cpu/index.h (gather, scatter family, take, masked fill/select,
// nonzero, oneHot), of the embedding backward of cpu/loss.h and of tril/triu (cpu/shape.h).
// Same checks and error messages as the CPU; index bounds are checked on the device and the
// first bad index is reported after the launch. No CUDA headers here.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"
#include "cpu/index.h"
#include "cuda/sort.h"

namespace cinder {

void cudaGatherKernel(int device, const TensorDesc& out, const TensorDesc& self, const TensorDesc& index, int dim,
                      const CudaScratch& scratch, const char* op);

// Deterministic: the contributions to each element of self are combined in the CPU's order (the
// index along dim is sorted stably per line, and one thread owns each written element).
void cudaScatterKernel(int device, const TensorDesc& self, const TensorDesc& index, const TensorDesc& src, int dim,
                       const int64_t* iterShape, int iterNd, ScatterReduce reduce, bool includeSelf, double alpha,
                       const CudaScratch& scratch, const char* op);

void cudaTakeKernel(int device, const TensorDesc& out, const TensorDesc& self, const TensorDesc& index,
                    const CudaScratch& scratch, const char* op);
void cudaMaskedFillKernel(int device, const TensorDesc& self, const TensorDesc& mask, double value, const char* op);
void cudaMaskedSelectKernel(int device, const TensorDesc& self, const TensorDesc& mask, const Allocator& alloc,
                            const CudaScratch& scratch, const char* op);
int64_t cudaNonzeroKernel(int device, const TensorDesc& self, const Allocator& alloc, const CudaScratch& scratch,
                          const char* op);
int64_t cudaOneHotKernel(int device, const TensorDesc& self, int64_t numClasses, const Allocator& alloc,
                         const CudaScratch& scratch, const char* op);

// gradWeight[v] = sum of grad rows m with indices[m] == v, in increasing m (deterministic).
void cudaEmbeddingBackward(int device, const TensorDesc& grad, const TensorDesc& indices, int64_t paddingIdx,
                           bool scaleGradByFreq, const TensorDesc& gradWeight, const CudaScratch& scratch,
                           const char* op);

void cudaTrilTriu(int device, const TensorDesc& dst, const TensorDesc& src, int64_t k, bool upper, const char* op);

}  // namespace cinder
