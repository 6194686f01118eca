// The linear algebra family's kernels: batched matmul on top of the GEMM, factorizations
// (Cholesky, LU, Householder QR, Jacobi eigen/singular values), triangular solves and norms.
// Factorizations compute in float64 whatever the storage dtype.
#pragma once
#include "core/error.h"
#include "core/tensorDesc.h"

namespace cinder {

// out[..., m, n] = alpha * a[..., m, k] @ b[..., k, n] + beta * out (out read only when beta != 0).
void matmulBatched(const TensorDesc& a, const TensorDesc& b, const TensorDesc& out, double alpha, double beta,
                   const char* op);

// The sizes of out[..., m, n] = a[..., m, k] @ b[..., k, n] (batch: the product of out's batch
// dims), after the checks both devices make: one rank, one dtype, matching matrices, and batch
// dims of a and b equal to out's or broadcast with stride 0.
struct MatmulSizes {
  int nb;
  int64_t m, n, k, batch;
};

inline MatmulSizes checkMatmulOperands(const TensorDesc& a, const TensorDesc& b, const TensorDesc& out,
                                       const char* op) {
  const int nd = out.ndim;
  CINDER_CHECK(nd >= 2 && a.ndim == nd && b.ndim == nd, op, ": internal rank mismatch");
  CINDER_CHECK(a.dtype == b.dtype && a.dtype == out.dtype, op, ": expected operands of one dtype, got ",
               dtypeName(a.dtype), " and ", dtypeName(b.dtype));
  MatmulSizes z;
  z.nb = nd - 2;
  z.m = out.shape[nd - 2];
  z.n = out.shape[nd - 1];
  z.k = a.shape[nd - 1];
  CINDER_CHECK(a.shape[nd - 2] == z.m && b.shape[nd - 2] == z.k && b.shape[nd - 1] == z.n, op, ": shapes ",
               a.shapeString(), " and ", b.shapeString(), " cannot be multiplied");
  z.batch = 1;
  for (int d = 0; d < z.nb; d++) {
    CINDER_CHECK((a.shape[d] == out.shape[d] || a.strides[d] == 0) && (b.shape[d] == out.shape[d] || b.strides[d] == 0),
                 op, ": batch dims of ", a.shapeString(), " and ", b.shapeString(), " do not match the output ",
                 out.shapeString());
    z.batch *= out.shape[d];
  }
  return z;
}

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
