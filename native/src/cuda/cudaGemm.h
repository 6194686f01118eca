// The CUDA GEMM as the other families see it (matmul, convolution, recurrent layers, linear
// algebra): C[b] = alpha * A[b] @ B[b] + beta * C[b] for b < batch, with A m x k, B k x n and C
// m x n given by element strides (row, column, batch), so a transposed operand is only a
// different stride pair. Declared without CUDA headers; work is ordered on the device's stream.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace cinder {

struct CudaGemmArgs {
  DType dtype = DType::Float32;  // of A, B and C: float32, float64, float16 or bfloat16
  int64_t m = 0, n = 0, k = 0, batch = 1;
  const void* a = nullptr;
  int64_t aRow = 0, aCol = 0, aBatch = 0;
  const void* b = nullptr;
  int64_t bRow = 0, bCol = 0, bBatch = 0;
  void* c = nullptr;
  int64_t cRow = 0, cCol = 0, cBatch = 0;
  double alpha = 1, beta = 0;  // beta 0: C is written without being read (NaNs in it vanish)
};

// Runs the product on `device`; `op` names the user-facing op in errors.
void cudaGemm(int device, const CudaGemmArgs& g, const char* op);

}  // namespace cinder
