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

namespace cinder {
// a [..., n, n] -> out [..., n, n] contiguous; L (or L^T when upper) from a's lower triangle.
void choleskyBatched(const TensorDesc& a, const TensorDesc& out, bool upper);
// out [..., n, m] = a^-1 rhs (rhs == nullptr: the inverse); a and rhs's batch dims aligned to out's.
void solveBatched(const TensorDesc& a, const TensorDesc* rhs, const TensorDesc& out, const char* op);
void detBatched(const TensorDesc& a, const TensorDesc& det, const TensorDesc& sign, const TensorDesc& logabs);
void solveTriangularBatched(const TensorDesc& a, const TensorDesc& rhs, const TensorDesc& out, bool upper, bool unit);
// Householder QR: R [..., rr, n], Q [..., m, qc] (reduced: k = min(m, n) for both; complete: m).
void qrBatched(const TensorDesc& a, const TensorDesc* qOut, const TensorDesc& rOut, bool complete);
void eighBatched(const TensorDesc& a, const TensorDesc& w, const TensorDesc* v, bool lower);
void svdvalsBatched(const TensorDesc& a, const TensorDesc& s);
// One-sided Jacobi SVD: U [..., m, m or k], S [..., k] (descending), Vh [..., n or k, n].
void svdBatched(const TensorDesc& a, const TensorDesc& u, const TensorDesc& s, const TensorDesc& vh, bool full);
// Norm over the last `reducedDims` dims of x (any strides) into a contiguous out.
void vectorNorm(const TensorDesc& x, int reducedDims, double ord, const TensorDesc& out);
// max/min over rows (or columns) of the sum of |a_ij| along the other dim.
void matrixAbsSumNorm(const TensorDesc& a, bool rows, bool takeMax, const TensorDesc& out);
}  // namespace cinder
