// CUDA reductions (launchers in reduce.cu, declared without CUDA headers for the bindings):
// dim reductions with the CPU's ReduceOp codes, index reductions, scans, softmax and the vector
// and matrix absolute-sum norms of linalg. Each takes the same descriptors as its CPU twin
// (cpu/reduce.h, cpu/linalg.h), checks them the same way and runs on the device's stream.
#pragma once
#include "core/tensorDesc.h"
#include "cpu/reduce.h"

namespace cinder {

void cudaReduceDims(int device, ReduceOp op, const TensorDesc& x, const bool* reduced, const TensorDesc& out,
                    const TensorDesc* aux, double param, double param2);

void cudaReduceArg(int device, bool isMax, const TensorDesc& x, const bool* reduced, const TensorDesc* values,
                   const TensorDesc& indices, const char* op);

void cudaScanDim(int device, bool isProd, const TensorDesc& x, int dim, const TensorDesc& out, const char* op);

void cudaSoftmaxDim(int device, bool isLog, const TensorDesc& x, int dim, const TensorDesc& out, const char* op);

// linalg.vectorNorm: out[...] <- the ord-norm of x over its last reducedDims dims.
void cudaVectorNorm(int device, const TensorDesc& x, int reducedDims, double ord, const TensorDesc& out);

// linalg.matrixNorm 1 / inf: the max (takeMax) or min over the columns (rows = false) or rows of
// the absolute sums, for each matrix of a [..., m, n].
void cudaMatrixAbsSumNorm(int device, const TensorDesc& a, bool rows, bool takeMax, const TensorDesc& out);

}  // namespace cinder
