// Launchers of the CUDA linear algebra kernels (cuda/linalg.cu), declared without CUDA headers.
// Like the CPU twins (cpu/linalg.cc), factorizations work in a float64 workspace whatever the
// storage dtype: matrices are gathered from their strided views into contiguous float64 batches,
// factorized there (one thread block per matrix), and written out in the caller's dtype.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "core/tensorDesc.h"

namespace cinder {

// A batch of rows x cols matrices inside a strided float32/float64 tensor: batch element b (row
// major over bshape[0..nb)) starts at data + sum(idx_d * bstride_d) elements.
struct CudaMatView {
  const void* data = nullptr;
  DType dtype = DType::Float64;
  int nb = 0;
  int64_t bshape[kMaxDims] = {};
  int64_t bstride[kMaxDims] = {};
  int64_t rs = 0, cs = 0;
};

// dst[b] (rows x cols, row major, float64) = v[b].
void cudaLinalgGather(int device, const CudaMatView& v, int64_t batch, int64_t rows, int64_t cols, double* dst,
                      const char* op);
// dst[b] = the n x n identity.
void cudaLinalgIdentity(int device, int64_t batch, int64_t n, double* dst, const char* op);
// A contiguous float32/float64 output from a float64 workspace of batch rows x cols matrices.
// mode 0: copy; 1: the lower triangle (zeros above); 2: the transpose of the lower triangle.
void cudaLinalgScatter(int device, const double* src, void* dst, DType dt, int64_t batch, int64_t rows, int64_t cols,
                       int mode, const char* op);

// In-place Cholesky (lower) of each n x n matrix; info[b] = 0, or j + 1 when the leading minor of
// order j + 1 is not positive-definite (the factorization stops there).
void cudaCholesky(int device, double* w, int64_t batch, int64_t n, int* info, const char* op);
// In-place LU with partial pivoting (the CPU's pivot choice: the first largest |a_ik|); piv[b*n+k]
// is the row swapped into row k, swaps[b] counts swaps, singular[b] is 1 after an exact zero pivot.
void cudaLu(int device, double* w, int64_t batch, int64_t n, int* piv, int* swaps, int* singular, const char* op);
// x[b] (n x m) <- A^-1 x[b] from the LU factors.
void cudaLuSolve(int device, const double* lu, const int* piv, double* x, int64_t batch, int64_t n, int64_t m,
                 const char* op);
// x[b] <- T^-1 x[b] for triangular T (the other triangle is ignored; unit: diagonal taken as 1).
void cudaTriangularSolve(int device, const double* t, double* x, int64_t batch, int64_t n, int64_t m, bool upper,
                         bool unit, const char* op);
// det, sign and log|det| of each matrix from its LU factors, into contiguous float32/float64 outputs.
void cudaLuDet(int device, const double* lu, const int* swaps, int64_t batch, int64_t n, void* det, void* sign,
               void* logabs, DType dt, const char* op);

// Symmetric eigendecomposition by parallel cyclic Jacobi of each n x n matrix in a (its `lower` or
// upper triangle is read; destroyed), n <= kCudaJacobiMaxN: w[b] (n) ascending, and when wantV,
// vOut[b] (n x n) the eigenvectors as columns; v is scratch of batch x n x n.
constexpr int kCudaJacobiMaxN = 256;
void cudaJacobiEigh(int device, double* a, double* v, double* w, double* vOut, int64_t batch, int64_t n, bool lower,
                    bool wantV, const char* op);

// Householder QR of each m x n matrix in r (destroyed), k = min(m, n): ro[b] (rr x n) gets R;
// q[b] (m x qc), when q is not null, gets Q. Scratch: vs (batch x k x m), tau (batch x k),
// wrow (batch x n), wq (batch x qc).
void cudaQr(int device, double* r, double* vs, double* tau, double* wrow, double* q, double* wq, double* ro,
            int64_t batch, int64_t m, int64_t n, int64_t qc, int64_t rr, const char* op);

}  // namespace cinder
