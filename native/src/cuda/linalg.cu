// CUDA linear algebra kernels (cudaLinalg.h): gathers into float64 workspaces, and one thread
// block per matrix for Cholesky, LU with partial pivoting, LU solves, triangular solves and
// determinants. Each factorization step is a block-wide parallel update followed by a barrier;
// every branch that decides whether a block keeps iterating depends only on values all threads
// read after the same barrier, so barriers are always reached by the whole block.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "cuda/cudaCommon.cuh"
#include "cuda/cudaLinalg.h"
#include "cuda/reduceUtil.cuh"

namespace cinder {
namespace {

constexpr int kThreads = 256;
constexpr int kJacobiMaxN = kCudaJacobiMaxN;

unsigned blocksFor(int64_t batch) { return (unsigned)(batch < 1 ? 1 : batch > 65535 ? 65535 : batch); }

// Matrix updates go a warp per row (lanes along the row: coalesced, no index division).
__device__ __forceinline__ int laneId() { return (int)(threadIdx.x & 31); }
__device__ __forceinline__ int warpId() { return (int)(threadIdx.x >> 5); }
__device__ __forceinline__ int warpCount() { return (int)(blockDim.x >> 5); }

// e = q * d + r, in 32-bit arithmetic when the operands allow (far cheaper than 64-bit division).
__device__ __forceinline__ void divMod(int64_t e, int64_t d, int64_t& q, int64_t& r) {
  if (e <= 0xffffffffll && d <= 0xffffffffll) {
    uint32_t e32 = (uint32_t)e, d32 = (uint32_t)d, q32 = e32 / d32;
    q = q32;
    r = e32 - q32 * d32;
  } else {
    q = e / d;
    r = e % d;
  }
}

__global__ void gatherKernel(CudaMatView v, int64_t total, int64_t rows, int64_t cols, double* dst) {
  const int64_t per = rows * cols;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total;
       idx += (int64_t)gridDim.x * blockDim.x) {
    int64_t b = idx / per, r = idx % per, i = r / cols, j = r % cols;
    int64_t off = i * v.rs + j * v.cs;
    for (int d = v.nb - 1; d >= 0; d--) {
      off += (b % v.bshape[d]) * v.bstride[d];
      b /= v.bshape[d];
    }
    dst[idx] = v.dtype == DType::Float64 ? static_cast<const double*>(v.data)[off]
                                         : (double)static_cast<const float*>(v.data)[off];
  }
}

__global__ void identityKernel(int64_t total, int64_t n, double* dst) {
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total;
       idx += (int64_t)gridDim.x * blockDim.x) {
    int64_t r = idx % (n * n);
    dst[idx] = r / n == r % n ? 1.0 : 0.0;
  }
}

template <typename T>
__global__ void scatterKernel(const double* src, T* dst, int64_t total, int64_t rows, int64_t cols, int mode) {
  const int64_t per = rows * cols;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total;
       idx += (int64_t)gridDim.x * blockDim.x) {
    int64_t b = idx / per, r = idx % per, i = r / cols, j = r % cols;
    double v;
    if (mode == 0) v = src[idx];
    else if (mode == 1) v = j <= i ? src[idx] : 0.0;
    else v = i <= j ? src[b * per + j * cols + i] : 0.0;  // square: (i, j) of L^T is L(j, i)
    dst[idx] = (T)v;
  }
}

// ---- Cholesky ----------------------------------------------------------------------------------

// Right-looking: column j is scaled by sqrt(d_j), then the trailing lower triangle is updated.
__global__ void __launch_bounds__(kThreads) choleskyKernel(double* w, int64_t batch, int64_t n, int* info) {
  for (int64_t b = blockIdx.x; b < batch; b += gridDim.x) {
    double* A = w + b * n * n;
    if (threadIdx.x == 0) info[b] = 0;
    for (int64_t j = 0; j < n; j++) {
      double d = A[j * n + j];  // final since the last barrier
      if (!(d > 0.0)) {
        if (threadIdx.x == 0) info[b] = (int)(j + 1);
        break;  // every thread read the same d
      }
      double l = sqrt(d);
      __syncthreads();  // everyone has read A[j][j] before it is overwritten
      if (threadIdx.x == 0) A[j * n + j] = l;
      for (int64_t i = j + 1 + threadIdx.x; i < n; i += blockDim.x) A[i * n + j] /= l;
      __syncthreads();
      // A[i][k] -= L[i][j] L[k][j] for j < k <= i (the lower triangle only).
      for (int64_t i = j + 1 + warpId(); i < n; i += warpCount()) {
        const double lij = A[i * n + j];
        for (int64_t k = j + 1 + laneId(); k <= i; k += 32) A[i * n + k] -= lij * A[k * n + j];
      }
      __syncthreads();
    }
    __syncthreads();
  }
}

// ---- LU with partial pivoting ------------------------------------------------------------------

// (value, index) argmax with ties to the lower index.
__device__ __forceinline__ void better(double& v, int64_t& i, double v2, int64_t i2) {
  if (v2 > v || (v2 == v && i2 < i)) {
    v = v2;
    i = i2;
  }
}

__global__ void __launch_bounds__(kThreads) luKernel(double* w, int64_t batch, int64_t n, int* piv, int* swaps,
                                                     int* singular) {
  __shared__ double sv[kThreads / 32];
  __shared__ int64_t si[kThreads / 32];
  __shared__ int64_t sp;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int64_t b = blockIdx.x; b < batch; b += gridDim.x) {
    double* A = w + b * n * n;
    int* P = piv + b * n;
    int nswaps = 0, sing = 0;
    for (int64_t k = 0; k < n; k++) {
      // Pivot: the first row i >= k with the largest |A[i][k]| (NaNs never win; none: row k). As
      // on the CPU, a NaN on the diagonal keeps row k (its running best starts there).
      double bv = -1.0;
      int64_t bi = n;
      for (int64_t i = k + threadIdx.x; i < n; i += blockDim.x) {
        double v = fabs(A[i * n + k]);
        if (v > bv) bv = v, bi = i;
      }
#pragma unroll
      for (int off = 16; off > 0; off >>= 1) {
        double v2 = __shfl_down_sync(0xffffffffu, bv, off);
        int64_t i2 = __shfl_down_sync(0xffffffffu, bi, off);
        better(bv, bi, v2, i2);
      }
      if (lane == 0) sv[warp] = bv, si[warp] = bi;
      __syncthreads();
      if (threadIdx.x == 0) {
        for (int q = 1; q < (int)(blockDim.x >> 5); q++) better(bv, bi, sv[q], si[q]);
        sp = bi < n && !isnan(A[k * n + k]) ? bi : k;
      }
      __syncthreads();
      const int64_t p = sp;
      if (p != k) {
        for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
          double t = A[k * n + j];
          A[k * n + j] = A[p * n + j];
          A[p * n + j] = t;
        }
        nswaps++;
      }
      if (threadIdx.x == 0) P[k] = (int)p;
      __syncthreads();
      const double d = A[k * n + k];
      if (d == 0.0) {
        sing = 1;  // like the CPU: this column is left as it is, the next ones go on
        continue;
      }
      const double inv = 1.0 / d;
      for (int64_t i = k + 1 + threadIdx.x; i < n; i += blockDim.x) A[i * n + k] *= inv;
      __syncthreads();
      for (int64_t i = k + 1 + warpId(); i < n; i += warpCount()) {
        const double l = A[i * n + k];
        if (l == 0.0) continue;
        for (int64_t j = k + 1 + laneId(); j < n; j += 32) A[i * n + j] -= l * A[k * n + j];
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      swaps[b] = nswaps;
      singular[b] = sing;
    }
    __syncthreads();
  }
}

// X[i][:] -= t[i][k] X[k][:] for rows i in [i0, i1): a warp per row when rows are long, else a
// thread per element. skipZero: rows whose factor is zero are left alone (the CPU's LU solve skips
// them, so an infinite X[k] does not turn them into NaN; its triangular solve does not skip).
__device__ __forceinline__ void eliminateRows(const double* t, double* X, int64_t n, int64_t m, int64_t k, int64_t i0,
                                              int64_t i1, bool skipZero) {
  if (m >= 32) {
    for (int64_t i = i0 + warpId(); i < i1; i += warpCount()) {
      const double f = t[i * n + k];
      if (skipZero && f == 0.0) continue;
      for (int64_t j = laneId(); j < m; j += 32) X[i * m + j] -= f * X[k * m + j];
    }
  } else {
    for (int64_t e = threadIdx.x; e < (i1 - i0) * m; e += blockDim.x) {
      int64_t di, j;
      divMod(e, m, di, j);
      const int64_t i = i0 + di;
      const double f = t[i * n + k];
      if (skipZero && f == 0.0) continue;
      X[i * m + j] -= f * X[k * m + j];
    }
  }
}

// Forward substitution with the unit lower triangle of `l` (unitLower) or the lower triangle of t,
// column by column: row k is final after the updates from rows < k (and its division). skipZero as
// for eliminateRows.
__device__ void lowerSolve(const double* t, double* X, int64_t n, int64_t m, bool unit, bool skipZero) {
  for (int64_t k = 0; k < n; k++) {
    if (!unit) {
      double dk = t[k * n + k];
      for (int64_t j = threadIdx.x; j < m; j += blockDim.x) X[k * m + j] /= dk;
      __syncthreads();
    }
    eliminateRows(t, X, n, m, k, k + 1, n, skipZero);
    __syncthreads();
  }
}

// Back substitution with the upper triangle; multiplyInverse: divide by multiplying with the
// reciprocal of the diagonal and skip zero factors (as the CPU's LU solve does), else divide (its
// triangular solve).
__device__ void upperSolve(const double* t, double* X, int64_t n, int64_t m, bool unit, bool multiplyInverse) {
  for (int64_t k = n - 1; k >= 0; k--) {
    if (!unit) {
      double dk = t[k * n + k];
      double inv = 1.0 / dk;
      for (int64_t j = threadIdx.x; j < m; j += blockDim.x) {
        if (multiplyInverse) X[k * m + j] *= inv;
        else X[k * m + j] /= dk;
      }
      __syncthreads();
    }
    eliminateRows(t, X, n, m, k, 0, k, multiplyInverse);
    __syncthreads();
  }
}

__global__ void __launch_bounds__(kThreads) luSolveKernel(const double* lu, const int* piv, double* x, int64_t batch,
                                                          int64_t n, int64_t m) {
  for (int64_t b = blockIdx.x; b < batch; b += gridDim.x) {
    const double* L = lu + b * n * n;
    const int* P = piv + b * n;
    double* X = x + b * n * m;
    for (int64_t k = 0; k < n; k++) {
      int64_t p = P[k];
      if (p != k) {
        for (int64_t j = threadIdx.x; j < m; j += blockDim.x) {
          double t = X[k * m + j];
          X[k * m + j] = X[p * m + j];
          X[p * m + j] = t;
        }
        __syncthreads();
      }
    }
    __syncthreads();
    lowerSolve(L, X, n, m, true, true);
    upperSolve(L, X, n, m, false, true);
  }
}

__global__ void __launch_bounds__(kThreads) triSolveKernel(const double* t, double* x, int64_t batch, int64_t n,
                                                           int64_t m, bool upper, bool unit) {
  for (int64_t b = blockIdx.x; b < batch; b += gridDim.x) {
    const double* T = t + b * n * n;
    double* X = x + b * n * m;
    if (upper) upperSolve(T, X, n, m, unit, false);
    else lowerSolve(T, X, n, m, unit, false);
    __syncthreads();
  }
}

template <typename T>
__global__ void detKernel(const double* lu, const int* swaps, int64_t batch, int64_t n, T* det, T* sign, T* logabs) {
  for (int64_t b = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; b < batch; b += (int64_t)gridDim.x * blockDim.x) {
    const double* L = lu + b * n * n;
    double d = (swaps[b] & 1) ? -1.0 : 1.0, s = d, la = 0.0;
    for (int64_t i = 0; i < n; i++) {
      double u = L[i * n + i];
      d *= u;
      if (u < 0) s = -s;
      la += log(fabs(u));
    }
    if (isinf(la) && la < 0) s = 0.0;
    det[b] = (T)d;
    sign[b] = (T)s;
    logabs[b] = (T)la;
  }
}


// ---- Householder QR ----------------------------------------------------------------------------

// The CPU's algorithm step for step (cpu/linalg.cc qrBatched): H_j = I - tau_j v_j v_j^T with
// v_j[j] = 1 zeroes column j below the diagonal; R's rows < min(rr, m) from the diagonal on go to
// ro (rr x n, zeros elsewhere); Q (m x qc, when q != nullptr) = H_0 ... H_{k-1} applied to the
// first qc columns of the identity. Column sums run sequentially over rows, as on the CPU.
__global__ void __launch_bounds__(kThreads) qrKernel(double* r, double* vs, double* tau, double* wrow, double* q,
                                                     double* wq, double* ro, int64_t batch, int64_t m, int64_t n,
                                                     int64_t k, int64_t qc, int64_t rr) {
  __shared__ double red[32];
  for (int64_t b = blockIdx.x; b < batch; b += gridDim.x) {
    double* R = r + b * m * n;
    double* V = vs + b * k * m;
    double* T = tau + b * k;
    double* W = wrow + b * n;
    for (int64_t j = 0; j < k; j++) {
      double part = 0.0;
      for (int64_t i = j + threadIdx.x; i < m; i += blockDim.x) part += R[i * n + j] * R[i * n + j];
      const double norm = sqrt(blockAllReduce(part, SumOp(), 0.0, red));  // the same in every thread
      const double alpha = R[j * n + j];
      if (norm == 0.0) {
        if (threadIdx.x == 0) T[j] = 0.0;
        continue;
      }
      const double beta = alpha >= 0 ? -norm : norm;
      const double scale = 1.0 / (alpha - beta);
      const double tj = (beta - alpha) / beta;
      double* v = V + j * m;
      for (int64_t i = j + threadIdx.x; i < m; i += blockDim.x) v[i] = i == j ? 1.0 : R[i * n + j] * scale;
      if (threadIdx.x == 0) T[j] = tj;
      __syncthreads();
      for (int64_t c = j + threadIdx.x; c < n; c += blockDim.x) {
        double sum = 0.0;
        for (int64_t i = j; i < m; i++) sum += v[i] * R[i * n + c];
        W[c] = sum;
      }
      __syncthreads();
      for (int64_t i = j + warpId(); i < m; i += warpCount()) {
        const double f = tj * v[i];
        for (int64_t c = j + laneId(); c < n; c += 32) R[i * n + c] = c == j && i > j ? 0.0 : R[i * n + c] - f * W[c];
      }
      __syncthreads();
    }
    double* RO = ro + b * rr * n;
    const int64_t keep = rr < m ? rr : m;
    for (int64_t e = threadIdx.x; e < rr * n; e += blockDim.x) {
      int64_t i = e / n, c = e % n;
      RO[e] = i < keep && c >= i ? R[i * n + c] : 0.0;
    }
    if (q != nullptr) {
      double* Q = q + b * m * qc;
      double* WQ = wq + b * qc;
      for (int64_t e = threadIdx.x; e < m * qc; e += blockDim.x) Q[e] = e / qc == e % qc ? 1.0 : 0.0;
      __syncthreads();
      for (int64_t j = k - 1; j >= 0; j--) {
        const double tj = T[j];  // written before an earlier barrier
        if (tj == 0.0) continue;
        const double* v = V + j * m;
        for (int64_t c = threadIdx.x; c < qc; c += blockDim.x) {
          double sum = 0.0;
          for (int64_t i = j; i < m; i++) sum += v[i] * Q[i * qc + c];
          WQ[c] = sum;
        }
        __syncthreads();
        for (int64_t i = j + warpId(); i < m; i += warpCount()) {
          const double f = tj * v[i];
          for (int64_t c = laneId(); c < qc; c += 32) Q[i * qc + c] -= f * WQ[c];
        }
        __syncthreads();
      }
    }
    __syncthreads();
  }
}

// ---- symmetric eigensolver: parallel cyclic Jacobi ---------------------------------------------

// Each sweep pairs every index with every other once, in n' - 1 rounds of n' / 2 disjoint pairs
// (n' = n rounded up to even; the circle method: in round r, (n'-1, r) and ((r+i) % (n'-1),
// (r-i) % (n'-1)) for i = 1 .. n'/2 - 1; a pair holding the padding index n is skipped). A round
// computes every pair's rotation from the current matrix (the CPU's formulas: theta = (a_qq - a_pp)
// / (2 a_pq), t = sign(theta) / (|theta| + sqrt(theta^2 + 1))), then rotates the pairs' rows, then
// their columns (and V's columns); disjoint pairs commute, so this is A <- J^T A J for the product J
// of the round's rotations. The rotated 2 x 2 blocks are then set exactly (a_pp - t a_pq, a_qq + t a_pq,
// zeros), as the CPU does. Sweeps stop when the off-diagonal mass is at most 1e-30 of the diagonal's
// (at most 100). Eigenvalues come out ascending (stable), eigenvectors as V's columns.
__global__ void __launch_bounds__(kThreads) jacobiEighKernel(double* a, double* v, double* wOut, double* vOut,
                                                             int64_t batch, int n, bool lower, bool wantV) {
  __shared__ double red[32];
  __shared__ double sc[kJacobiMaxN / 2], ss[kJacobiMaxN / 2], st[kJacobiMaxN / 2], sa[kJacobiMaxN / 2],
      sb[kJacobiMaxN / 2], sd[kJacobiMaxN / 2];
  __shared__ int sp[kJacobiMaxN / 2], sq[kJacobiMaxN / 2], rank[kJacobiMaxN];
  const int np = (n + 1) & ~1, rounds = np - 1, pairs = np / 2;
  const int64_t nn = (int64_t)n * n;
  for (int64_t b = blockIdx.x; b < batch; b += gridDim.x) {
    double* A = a + b * nn;
    double* V = v + b * nn;
    // Only the selected triangle is read, as LAPACK does; V = I.
    for (int64_t e = threadIdx.x; e < nn; e += blockDim.x) {
      int64_t i, j;
      divMod(e, n, i, j);
      if (i < j) {
        if (lower) A[i * n + j] = A[j * n + i];
        else A[j * n + i] = A[i * n + j];
      }
      if (wantV) V[e] = i == j ? 1.0 : 0.0;
    }
    __syncthreads();
    for (int sweep = 0; sweep < 100 && rounds > 0; sweep++) {
      double off = 0.0, diag = 0.0;
      for (int64_t e = threadIdx.x; e < nn; e += blockDim.x) {
        int64_t i, j;
        divMod(e, n, i, j);
        double x = A[e];
        if (i == j) diag += x * x;
        else if (i < j) off += x * x;
      }
      off = blockAllReduce(off, SumOp(), 0.0, red);
      diag = blockAllReduce(diag, SumOp(), 0.0, red);
      if (off <= 1e-30 * diag || off == 0.0) break;  // the same in every thread
      for (int r = 0; r < rounds; r++) {
        for (int pi = threadIdx.x; pi < pairs; pi += blockDim.x) {
          int p = pi == 0 ? rounds : (r + pi) % rounds;
          int q = pi == 0 ? r : (r - pi + rounds) % rounds;
          if (p > q) {
            int x = p;
            p = q;
            q = x;
          }
          double c = 1.0, sn = 0.0, t = 0.0, app = 0.0, aqq = 0.0, apq = 0.0;
          if (q < n) {
            apq = A[(int64_t)p * n + q];
            if (apq != 0.0) {
              app = A[(int64_t)p * n + p];
              aqq = A[(int64_t)q * n + q];
              double theta = (aqq - app) / (2 * apq);
              t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
              c = 1 / sqrt(t * t + 1);
              sn = t * c;
            }
          }
          sp[pi] = p;
          sq[pi] = q;
          sc[pi] = c;
          ss[pi] = sn;
          st[pi] = t;
          sa[pi] = app;
          sb[pi] = aqq;
          sd[pi] = apq;
        }
        __syncthreads();
        const int64_t work = (int64_t)pairs * n;
        // Rows p and q of every rotated pair.
        for (int64_t e = threadIdx.x; e < work; e += blockDim.x) {
          int64_t pi, k;
          divMod(e, n, pi, k);
          if (ss[pi] == 0.0) continue;
          const double c = sc[pi], sn = ss[pi];
          double* rp = A + (int64_t)sp[pi] * n;
          double* rq = A + (int64_t)sq[pi] * n;
          const double x = rp[k], y = rq[k];
          rp[k] = c * x - sn * y;
          rq[k] = sn * x + c * y;
        }
        __syncthreads();
        // Columns p and q (of A and V).
        for (int64_t e = threadIdx.x; e < work; e += blockDim.x) {
          int64_t pi, k;
          divMod(e, n, pi, k);
          if (ss[pi] == 0.0) continue;
          const double c = sc[pi], sn = ss[pi];
          const int64_t p = sp[pi], q = sq[pi];
          double x = A[k * n + p], y = A[k * n + q];
          A[k * n + p] = c * x - sn * y;
          A[k * n + q] = sn * x + c * y;
          if (wantV) {
            x = V[k * n + p];
            y = V[k * n + q];
            V[k * n + p] = c * x - sn * y;
            V[k * n + q] = sn * x + c * y;
          }
        }
        __syncthreads();
        for (int pi = threadIdx.x; pi < pairs; pi += blockDim.x) {
          if (ss[pi] == 0.0) continue;
          const int64_t p = sp[pi], q = sq[pi];
          A[p * n + p] = sa[pi] - st[pi] * sd[pi];
          A[q * n + q] = sb[pi] + st[pi] * sd[pi];
          A[p * n + q] = 0.0;
          A[q * n + p] = 0.0;
        }
        __syncthreads();
      }
    }
    // Ascending, stable: eigenvalue i goes to the number of values before it.
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      const double wi = A[(int64_t)i * n + i];
      int rk = 0;
      for (int j = 0; j < n; j++) {
        const double wj = A[(int64_t)j * n + j];
        if (wj < wi || (wj == wi && j < i)) rk++;
      }
      rank[i] = rk;
      wOut[b * n + rk] = wi;
    }
    __syncthreads();
    if (wantV) {
      double* VO = vOut + b * nn;
      for (int64_t e = threadIdx.x; e < nn; e += blockDim.x) {
        int64_t k, i;
        divMod(e, n, k, i);
        VO[k * n + rank[i]] = V[e];
      }
    }
    __syncthreads();
  }
}

}  // namespace

void cudaLinalgGather(int device, const CudaMatView& v, int64_t batch, int64_t rows, int64_t cols, double* dst,
                      const char* op) {
  int64_t total = batch * rows * cols;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  gatherKernel<<<gridFor(total, 256), 256, 0, cudaStreamOf(device, op)>>>(v, total, rows, cols, dst);
  CINDER_CUDA_LAUNCH_CHECK("linalgGather");
}

void cudaLinalgIdentity(int device, int64_t batch, int64_t n, double* dst, const char* op) {
  int64_t total = batch * n * n;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  identityKernel<<<gridFor(total, 256), 256, 0, cudaStreamOf(device, op)>>>(total, n, dst);
  CINDER_CUDA_LAUNCH_CHECK("linalgIdentity");
}

void cudaLinalgScatter(int device, const double* src, void* dst, DType dt, int64_t batch, int64_t rows, int64_t cols,
                       int mode, const char* op) {
  int64_t total = batch * rows * cols;
  if (total == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  if (dt == DType::Float64) {
    scatterKernel<double><<<gridFor(total, 256), 256, 0, s>>>(src, static_cast<double*>(dst), total, rows, cols, mode);
  } else {
    scatterKernel<float><<<gridFor(total, 256), 256, 0, s>>>(src, static_cast<float*>(dst), total, rows, cols, mode);
  }
  CINDER_CUDA_LAUNCH_CHECK("linalgScatter");
}

void cudaCholesky(int device, double* w, int64_t batch, int64_t n, int* info, const char* op) {
  if (batch == 0) return;
  CudaDeviceGuard guard(device, op);
  choleskyKernel<<<blocksFor(batch), kThreads, 0, cudaStreamOf(device, op)>>>(w, batch, n, info);
  CINDER_CUDA_LAUNCH_CHECK("choleskyKernel");
}

void cudaLu(int device, double* w, int64_t batch, int64_t n, int* piv, int* swaps, int* singular, const char* op) {
  if (batch == 0) return;
  CudaDeviceGuard guard(device, op);
  luKernel<<<blocksFor(batch), kThreads, 0, cudaStreamOf(device, op)>>>(w, batch, n, piv, swaps, singular);
  CINDER_CUDA_LAUNCH_CHECK("luKernel");
}

void cudaLuSolve(int device, const double* lu, const int* piv, double* x, int64_t batch, int64_t n, int64_t m,
                 const char* op) {
  if (batch == 0 || n == 0 || m == 0) return;
  CudaDeviceGuard guard(device, op);
  luSolveKernel<<<blocksFor(batch), kThreads, 0, cudaStreamOf(device, op)>>>(lu, piv, x, batch, n, m);
  CINDER_CUDA_LAUNCH_CHECK("luSolveKernel");
}

void cudaTriangularSolve(int device, const double* t, double* x, int64_t batch, int64_t n, int64_t m, bool upper,
                         bool unit, const char* op) {
  if (batch == 0 || n == 0 || m == 0) return;
  CudaDeviceGuard guard(device, op);
  triSolveKernel<<<blocksFor(batch), kThreads, 0, cudaStreamOf(device, op)>>>(t, x, batch, n, m, upper, unit);
  CINDER_CUDA_LAUNCH_CHECK("triSolveKernel");
}

void cudaLuDet(int device, const double* lu, const int* swaps, int64_t batch, int64_t n, void* det, void* sign,
               void* logabs, DType dt, const char* op) {
  if (batch == 0) return;
  CudaDeviceGuard guard(device, op);
  cudaStream_t s = cudaStreamOf(device, op);
  if (dt == DType::Float64) {
    detKernel<double><<<gridFor(batch, 128), 128, 0, s>>>(lu, swaps, batch, n, static_cast<double*>(det),
                                                         static_cast<double*>(sign), static_cast<double*>(logabs));
  } else {
    detKernel<float><<<gridFor(batch, 128), 128, 0, s>>>(lu, swaps, batch, n, static_cast<float*>(det),
                                                        static_cast<float*>(sign), static_cast<float*>(logabs));
  }
  CINDER_CUDA_LAUNCH_CHECK("detKernel");
}

void cudaJacobiEigh(int device, double* a, double* v, double* w, double* vOut, int64_t batch, int64_t n, bool lower,
                    bool wantV, const char* op) {
  if (batch == 0 || n == 0) return;
  CINDER_CHECK(n <= kJacobiMaxN, op, ": internal error: the device eigensolver takes n <= ", kJacobiMaxN);
  CudaDeviceGuard guard(device, op);
  jacobiEighKernel<<<blocksFor(batch), kThreads, 0, cudaStreamOf(device, op)>>>(a, v, w, vOut, batch, (int)n, lower,
                                                                                wantV);
  CINDER_CUDA_LAUNCH_CHECK("jacobiEighKernel");
}

void cudaQr(int device, double* r, double* vs, double* tau, double* wrow, double* q, double* wq, double* ro,
            int64_t batch, int64_t m, int64_t n, int64_t qc, int64_t rr, const char* op) {
  if (batch == 0) return;
  int64_t k = m < n ? m : n;
  CudaDeviceGuard guard(device, op);
  qrKernel<<<blocksFor(batch), kThreads, 0, cudaStreamOf(device, op)>>>(r, vs, tau, wrow, q, wq, ro, batch, m, n, k,
                                                                        qc, rr);
  CINDER_CUDA_LAUNCH_CHECK("qrKernel");
}

}  // namespace cinder
