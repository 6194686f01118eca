// The linear algebra family's kernels: batched matmul on top of the GEMM, factorizations
// (Cholesky, LU, Householder QR, Jacobi eigen/singular values), triangular solves and norms.
// Factorizations compute in float64 whatever the storage dtype.
#pragma once
#include "core/tensorDesc.h"

namespace cinder {

// out[..., m, n] = alpha * a[..., m, k] @ b[..., k, n] + beta * out (out read only when beta != 0).
void matmulBatched(const TensorDesc& a, const TensorDesc& b, const TensorDesc& out, double alpha, double beta,
                   const char* op);

}  // namespace cinder
