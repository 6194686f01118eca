// The CUDA GEMM as the other families see it (matmul, convolution, recurrent layers, linear
// algebra): C[b] = alpha * A[b] @ B[b] + beta * C[b] for b < batch, with A m x k, B k x n and C
// m x n given by element strides (row, column, batch), so a transposed operand is only a
// different stride pair. Declared without CUDA headers; work is ordered on the device's stream.
//
// Paths (cudaGemmPath names them): float16/bfloat16 on tensor cores (mma.sync m16n8k16, float32
// accumulation); float32 on tensor cores in TF32 (mma.sync m16n8k8, float32 accumulation) while
// the float32 matmul precision is "high" (the default), else an exact float32 FMA kernel; float64
// an FMA kernel in float64; int32/int64 an exact kernel with wrap-around (alpha is applied as an
// integer). Float products with m == 1 or n == 1 run as matrix-vector reductions in float32
// (float64 for float64) whatever the precision setting. Any strides work; operands whose unit-stride dim and 16-byte alignment allow it are
// read with cp.async, others element by element.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace cinder {

struct CudaGemmArgs {
  DType dtype = DType::Float32;  // of A, B and C: float32, float64, float16 or bfloat16 (or int32/int64)
  int64_t m = 0, n = 0, k = 0, batch = 1;
  const void* a = nullptr;
  int64_t aRow = 0, aCol = 0, aBatch = 0;
  const void* b = nullptr;
  int64_t bRow = 0, bCol = 0, bBatch = 0;
  void* c = nullptr;
  int64_t cRow = 0, cCol = 0, cBatch = 0;
  double alpha = 1, beta = 0;  // beta 0: C is written without being read (NaNs in it vanish)
  bool exactFloat32 = false;   // float32 in full precision whatever the matmul precision setting
};

// Runs the product on `device`; `op` names the user-facing op in errors.
void cudaGemm(int device, const CudaGemmArgs& g, const char* op);

// The float32 matmul precision of every CUDA product (torch.set_float32_matmul_precision):
// "high" (TF32 tensor cores, the default) or "highest" (exact float32). Process-wide.
void cudaSetFloat32MatmulHighest(bool highest);
bool cudaFloat32MatmulHighest();

// Which kernel cudaGemm runs for `dt` under the current setting, in words.
const char* cudaGemmPath(DType dt);

}  // namespace cinder
