// Factorizations, solves and norms. Each batch element is gathered from its (arbitrarily
// strided) view into a float64 workspace, factorized there, and scattered into contiguous outputs
// of the caller's dtype, so float32 inputs get float64-accurate decompositions.
#include "cpu/linalg.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <vector>

#include "core/threadPool.h"
#include "cpu/gemm.h"

namespace cinder {

namespace {

int64_t batchCount(const TensorDesc& t, int nb) {
  int64_t n = 1;
  for (int d = 0; d < nb; d++) n *= t.shape[d];
  return n;
}

// Element offset of batch element `idx` (row-major over the first nb dims of `shape`) in t.
int64_t batchOffset(const TensorDesc& t, int nb, int64_t idx, const int64_t* shape) {
  int64_t off = 0;
  for (int d = nb - 1; d >= 0; d--) {
    int64_t i = idx % shape[d];
    idx /= shape[d];
    off += i * t.strides[d];
  }
  return off;
}

template <typename T>
void gatherT(const TensorDesc& t, int64_t off, int64_t rows, int64_t cols, double* dst) {
  int nd = t.ndim;
  int64_t rs = t.strides[nd - 2], cs = t.strides[nd - 1];
  const T* p = t.ptr<T>() + off;
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) dst[i * cols + j] = (double)p[i * rs + j * cs];
}

// Reads matrix `b` (batch element index in the batch shape `bshape`) of a [..., rows, cols] view.
void gather(const TensorDesc& t, int nb, int64_t b, const int64_t* bshape, int64_t rows, int64_t cols, double* dst) {
  int64_t off = batchOffset(t, nb, b, bshape);
  if (t.dtype == DType::Float64) gatherT<double>(t, off, rows, cols, dst);
  else if (t.dtype == DType::Float32) gatherT<float>(t, off, rows, cols, dst);
  else fail("linalg: not supported for dtype ", dtypeName(t.dtype));
}

// Writes n values to element offset `off` of a contiguous output.
void scatter(const TensorDesc& out, int64_t off, int64_t n, const double* src) {
  if (out.dtype == DType::Float64) {
    std::copy(src, src + n, out.ptr<double>() + off);
  } else {
    float* p = out.ptr<float>() + off;
    for (int64_t i = 0; i < n; i++) p[i] = (float)src[i];
  }
}

// The kernels below trust nothing about how they are called: operand ranks, batch dims and
// output shapes are checked so that every gather/scatter stays inside its tensor.
void checkShape(const TensorDesc& t, std::initializer_list<int64_t> tail, const int64_t* batch, int nb,
                const char* op, const char* what) {
  int nd = nb + (int)tail.size();
  CINDER_CHECK(t.ndim == nd, op, ": ", what, " has shape ", t.shapeString(), ", expected ", nd, " dims");
  for (int d = 0; d < nb; d++) {
    CINDER_CHECK(t.shape[d] == batch[d] || t.strides[d] == 0, op, ": ", what, " of shape ", t.shapeString(),
                 " does not match the batch dims");
  }
  int d = nb;
  for (int64_t s : tail) {
    CINDER_CHECK(t.shape[d] == s, op, ": ", what, " has shape ", t.shapeString(), ", unexpected size at dim ", d);
    d++;
  }
}

void checkFloat(const TensorDesc& t, const char* op) {
  CINDER_CHECK(t.dtype == DType::Float32 || t.dtype == DType::Float64, op,
               ": expected a float32 or float64 tensor, got ", dtypeName(t.dtype));
}

// Runs fn(b, workspace) for each batch element, in parallel when the work is large enough.
template <typename F>
void forBatches(int64_t batch, double costEach, F fn) {
  int64_t grain = std::max<int64_t>(1, (int64_t)(2e5 / std::max(1.0, costEach)));
  parallelFor(batch, grain, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) fn(b);
  });
}

std::string batchPrefix(int64_t batch, int64_t b) {
  return batch > 1 ? "(Batch element " + std::to_string(b) + "): " : "";
}

// In-place LU with partial pivoting of an n x n row-major matrix; returns false on an exactly
// zero pivot (a singular matrix). piv[i] is the row swapped into row i; *swaps counts swaps.
// One column of partial-pivoting LU: picks the pivot of column k, swaps full rows, scales the
// multipliers and updates columns k+1 .. jEnd-1 of the rows below. Returns false on a zero pivot.
static bool luColumnStep(int64_t n, double* a, int64_t* piv, int* swaps, int64_t k, int64_t jEnd) {
  int64_t p = k;
  double best = std::fabs(a[k * n + k]);
  for (int64_t i = k + 1; i < n; i++) {
    double v = std::fabs(a[i * n + k]);
    if (v > best) best = v, p = i;
  }
  piv[k] = p;
  if (p != k) {
    std::swap_ranges(a + k * n, a + k * n + n, a + p * n);
    ++*swaps;
  }
  double d = a[k * n + k];
  if (d == 0.0) return false;
  double inv = 1.0 / d;
  for (int64_t i = k + 1; i < n; i++) {
    double l = a[i * n + k] * inv;
    a[i * n + k] = l;
    if (l == 0.0) continue;
    double* ri = a + i * n;
    const double* rk = a + k * n;
    for (int64_t j = k + 1; j < jEnd; j++) ri[j] -= l * rk[j];
  }
  return true;
}

bool luFactor(int64_t n, double* a, int64_t* piv, int* swaps) {
  bool ok = true;
  *swaps = 0;
  for (int64_t k = 0; k < n; k++) ok = luColumnStep(n, a, piv, swaps, k, n) && ok;
  return ok;
}

// Solves LU x = P b for an n x m right-hand side (row-major), in place.
void luSolve(int64_t n, const double* lu, const int64_t* piv, int64_t m, double* b) {
  for (int64_t k = 0; k < n; k++)
    if (piv[k] != k) std::swap_ranges(b + k * m, b + k * m + m, b + piv[k] * m);
  for (int64_t i = 0; i < n; i++)
    for (int64_t k = 0; k < i; k++) {
      double l = lu[i * n + k];
      if (l == 0.0) continue;
      for (int64_t j = 0; j < m; j++) b[i * m + j] -= l * b[k * m + j];
    }
  for (int64_t i = n - 1; i >= 0; i--) {
    for (int64_t k = i + 1; k < n; k++) {
      double u = lu[i * n + k];
      if (u == 0.0) continue;
      for (int64_t j = 0; j < m; j++) b[i * m + j] -= u * b[k * m + j];
    }
    double inv = 1.0 / lu[i * n + i];
    for (int64_t j = 0; j < m; j++) b[i * m + j] *= inv;
  }
}

// Blocked right-looking LU for larger matrices: each panel of kLuBlock columns is factorized
// with the unblocked algorithm (full-row swaps), then U12 = L11^-1 A12 and the trailing update
// A22 -= L21 U12 runs on the GEMM, where nearly all the flops are.
constexpr int64_t kLuBlock = 64;

bool luFactorBlocked(int64_t n, double* a, int64_t* piv, int* swaps) {
  if (n < 2 * kLuBlock) return luFactor(n, a, piv, swaps);
  bool ok = true;
  *swaps = 0;
  for (int64_t k0 = 0; k0 < n; k0 += kLuBlock) {
    int64_t nb = std::min(kLuBlock, n - k0), kEnd = k0 + nb;
    for (int64_t k = k0; k < kEnd; k++) ok = luColumnStep(n, a, piv, swaps, k, kEnd) && ok;
    if (kEnd < n) {
      for (int64_t i = k0 + 1; i < kEnd; i++) {
        double* ri = a + i * n;
        for (int64_t k = k0; k < i; k++) {
          double l = ri[k];
          if (l == 0.0) continue;
          const double* rk = a + k * n;
          for (int64_t j = kEnd; j < n; j++) ri[j] -= l * rk[j];
        }
      }
      int64_t rest = n - kEnd;
      gemm<double>(rest, rest, nb, -1.0, a + kEnd * n + k0, n, 1, a + k0 * n + kEnd, n, 1, 1.0, a + kEnd * n + kEnd, n, 1);
    }
  }
  return ok;
}

// Solves LU x = P b (b is n x m, row-major) with blocked substitutions on the GEMM.
void luSolveBlocked(int64_t n, const double* lu, const int64_t* piv, int64_t m, double* b) {
  if (n < 2 * kLuBlock) return luSolve(n, lu, piv, m, b);
  for (int64_t k = 0; k < n; k++)
    if (piv[k] != k) std::swap_ranges(b + k * m, b + k * m + m, b + piv[k] * m);
  for (int64_t i0 = 0; i0 < n; i0 += kLuBlock) {
    int64_t ib = std::min(kLuBlock, n - i0);
    if (i0 > 0) gemm<double>(ib, m, i0, -1.0, lu + i0 * n, n, 1, b, m, 1, 1.0, b + i0 * m, m, 1);
    for (int64_t i = i0; i < i0 + ib; i++)
      for (int64_t k = i0; k < i; k++) {
        double l = lu[i * n + k];
        if (l == 0.0) continue;
        for (int64_t j = 0; j < m; j++) b[i * m + j] -= l * b[k * m + j];
      }
  }
  int64_t last = (n - 1) / kLuBlock * kLuBlock;
  for (int64_t i0 = last; i0 >= 0; i0 -= kLuBlock) {
    int64_t ib = std::min(kLuBlock, n - i0), iEnd = i0 + ib;
    if (iEnd < n) gemm<double>(ib, m, n - iEnd, -1.0, lu + i0 * n + iEnd, n, 1, b + iEnd * m, m, 1, 1.0, b + i0 * m, m, 1);
    for (int64_t i = iEnd - 1; i >= i0; i--) {
      for (int64_t k = i + 1; k < iEnd; k++) {
        double u = lu[i * n + k];
        if (u == 0.0) continue;
        for (int64_t j = 0; j < m; j++) b[i * m + j] -= u * b[k * m + j];
      }
      double inv = 1.0 / lu[i * n + i];
      for (int64_t j = 0; j < m; j++) b[i * m + j] *= inv;
    }
  }
}

// Cyclic Jacobi on a symmetric n x n matrix (row-major, destroyed); w gets the eigenvalues
// (ascending), v the eigenvectors as columns. Rotations update rows p and q (contiguous) and
// mirror them into the columns; eigenvectors accumulate as rows of vt for the same reason.
void jacobiEigh(int64_t n, double* a, double* w, double* v) {
  std::vector<double> vt(n * n, 0.0);
  for (int64_t i = 0; i < n; i++) vt[i * n + i] = 1.0;
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0, diag = 0;
    for (int64_t i = 0; i < n; i++) {
      diag += a[i * n + i] * a[i * n + i];
      for (int64_t j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    }
    if (off <= 1e-30 * diag || off == 0.0) break;
    for (int64_t p = 0; p < n; p++) {
      for (int64_t q = p + 1; q < n; q++) {
        double apq = a[p * n + q];
        if (apq == 0.0) continue;
        double app = a[p * n + p], aqq = a[q * n + q];
        double theta = (aqq - app) / (2 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        double* rp = a + p * n;
        double* rq = a + q * n;
        for (int64_t k = 0; k < n; k++) {
          double x = rp[k], y = rq[k];
          rp[k] = c * x - s * y;
          rq[k] = s * x + c * y;
        }
        for (int64_t k = 0; k < n; k++) {
          a[k * n + p] = rp[k];
          a[k * n + q] = rq[k];
        }
        rp[p] = app - t * apq;
        rq[q] = aqq + t * apq;
        rp[q] = rq[p] = 0.0;
        double* vp = vt.data() + p * n;
        double* vq = vt.data() + q * n;
        for (int64_t k = 0; k < n; k++) {
          double x = vp[k], y = vq[k];
          vp[k] = c * x - s * y;
          vq[k] = s * x + c * y;
        }
      }
    }
  }
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return a[x * n + x] < a[y * n + y]; });
  for (int64_t j = 0; j < n; j++) {
    int64_t src = order[j];
    w[j] = a[src * n + src];
    for (int64_t i = 0; i < n; i++) v[i * n + j] = vt[src * n + i];
  }
}

// Symmetric eigensolver for larger matrices: Householder reduction to tridiagonal form
// (A = Q T Q^T), then implicit single-shift (Wilkinson) QR sweeps on T that chase the bulge with
// Givens rotations, accumulated into Z. T is kept dense but every rotation only touches the
// band around it. Returns false if the sweeps fail to converge (the caller falls back to Jacobi).
bool tridiagQrEigh(int64_t n, double* a, double* w, double* v, bool wantVectors) {
  const double eps = std::numeric_limits<double>::epsilon();
  // zt holds Z transposed (row k = column k of Z) so rotations update contiguous rows.
  std::vector<double> zt(wantVectors ? n * n : 0, 0.0), u(n), p(n), q(n);
  if (wantVectors)
    for (int64_t i = 0; i < n; i++) zt[i * n + i] = 1.0;
  for (int64_t j = 0; j + 2 < n; j++) {
    int64_t len = n - j - 1;
    double norm = 0;
    for (int64_t i = 0; i < len; i++) {
      u[i] = a[(j + 1 + i) * n + j];
      norm += u[i] * u[i];
    }
    norm = std::sqrt(norm);
    double tail = norm * norm - u[0] * u[0];
    if (norm == 0.0 || tail == 0.0) continue;  // column already reduced
    double beta = u[0] >= 0 ? -norm : norm;
    u[0] -= beta;
    double uu = 0;
    for (int64_t i = 0; i < len; i++) uu += u[i] * u[i];
    double tau = 2.0 / uu;
    // A22 <- H A22 H with H = I - tau u u^T, as a symmetric rank-2 update.
    double* a22 = a + (j + 1) * n + (j + 1);
    double up = 0;
    for (int64_t r = 0; r < len; r++) {
      const double* row = a22 + r * n;
      double sum = 0;
      for (int64_t c = 0; c < len; c++) sum += row[c] * u[c];
      p[r] = tau * sum;
      up += u[r] * p[r];
    }
    double kf = 0.5 * tau * up;
    for (int64_t r = 0; r < len; r++) q[r] = p[r] - kf * u[r];
    for (int64_t r = 0; r < len; r++) {
      double* row = a22 + r * n;
      for (int64_t c = 0; c < len; c++) row[c] -= u[r] * q[c] + q[r] * u[c];
    }
    a[(j + 1) * n + j] = a[j * n + j + 1] = beta;
    for (int64_t i = 1; i < len; i++) a[(j + 1 + i) * n + j] = a[j * n + j + 1 + i] = 0.0;
    if (wantVectors) {
      // Z <- Z H: in zt, rows j+1.. of every column r: zt[k][r] -= tau u_k (sum_i u_i zt[i][r]).
      std::fill(p.begin(), p.end(), 0.0);
      for (int64_t i = 0; i < len; i++) {
        const double* zi = zt.data() + (j + 1 + i) * n;
        for (int64_t r = 0; r < n; r++) p[r] += u[i] * zi[r];
      }
      for (int64_t i = 0; i < len; i++) {
        double f = tau * u[i];
        double* zi = zt.data() + (j + 1 + i) * n;
        for (int64_t r = 0; r < n; r++) zi[r] -= f * p[r];
      }
    }
  }
  auto T = [&](int64_t r, int64_t c) -> double& { return a[r * n + c]; };
  int64_t budget = 40 * std::max<int64_t>(n, 1);
  for (;;) {
    for (int64_t i = 0; i + 1 < n; i++) {
      if (std::fabs(T(i + 1, i)) <= eps * (std::fabs(T(i, i)) + std::fabs(T(i + 1, i + 1)))) T(i + 1, i) = T(i, i + 1) = 0.0;
    }
    int64_t hi = n - 1;
    while (hi > 0 && T(hi, hi - 1) == 0.0) hi--;
    if (hi <= 0) break;
    if (--budget < 0) return false;
    int64_t lo = hi - 1;
    while (lo > 0 && T(lo, lo - 1) != 0.0) lo--;
    double ta = T(hi - 1, hi - 1), tb = T(hi, hi - 1), tc = T(hi, hi);
    double dd = 0.5 * (ta - tc);
    double mu = tc - tb * tb / (dd + (dd >= 0 ? 1.0 : -1.0) * std::hypot(dd, tb));
    double x = T(lo, lo) - mu, z = T(lo + 1, lo);
    for (int64_t k = lo; k < hi; k++) {
      double r = std::hypot(x, z);
      double c = r == 0.0 ? 1.0 : x / r, s = r == 0.0 ? 0.0 : z / r;
      int64_t i0 = std::max(lo, k - 1), i1 = std::min(hi, k + 2);
      for (int64_t idx = i0; idx <= i1; idx++) {
        double t0 = T(k, idx), t1 = T(k + 1, idx);
        T(k, idx) = c * t0 + s * t1;
        T(k + 1, idx) = -s * t0 + c * t1;
      }
      for (int64_t idx = i0; idx <= i1; idx++) {
        double t0 = T(idx, k), t1 = T(idx, k + 1);
        T(idx, k) = c * t0 + s * t1;
        T(idx, k + 1) = -s * t0 + c * t1;
      }
      if (wantVectors) {
        double* zk = zt.data() + k * n;
        double* zk1 = zt.data() + (k + 1) * n;
        for (int64_t rr = 0; rr < n; rr++) {
          double z0 = zk[rr], z1 = zk1[rr];
          zk[rr] = c * z0 + s * z1;
          zk1[rr] = -s * z0 + c * z1;
        }
      }
      if (k + 1 < hi) {
        x = T(k + 1, k);
        z = T(k + 2, k);
      }
    }
  }
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return T(x, x) < T(y, y); });
  for (int64_t j = 0; j < n; j++) {
    int64_t src = order[j];
    w[j] = T(src, src);
    if (wantVectors)
      for (int64_t i = 0; i < n; i++) v[i * n + j] = zt[src * n + i];
  }
  return true;
}

}  // namespace

void choleskyBatched(const TensorDesc& a, const TensorDesc& out, bool upper) {
  const char* op = "linalg.cholesky";
  checkFloat(a, op);
  CINDER_CHECK(a.ndim >= 2, op, ": expected a batch of matrices, got shape ", a.shapeString());
  int nd = a.ndim, nb = nd - 2;
  int64_t n = a.shape[nd - 1];
  checkShape(a, {n, n}, a.shape, nb, op, "A");
  checkShape(out, {n, n}, a.shape, nb, op, "output");
  CINDER_CHECK(out.numel() == a.numel(), op, ": output shape ", out.shapeString());
  int64_t batch = batchCount(a, nb);
  forBatches(batch, (double)n * n * n / 3, [&](int64_t b) {
    std::vector<double> m(n * n);
    gather(a, nb, b, a.shape, n, n, m.data());
    auto notPd = [&](int64_t j) {
      fail(op, ": ", batchPrefix(batch, b), "The factorization could not be completed because the input is not ",
           "positive-definite (the leading minor of order ", j + 1, " is not positive-definite).");
    };
    // Left-looking, blocked: the updates from finished column blocks run on the GEMM; within a
    // block (and for small matrices, as one block) the classic column algorithm.
    const int64_t block = n >= 128 ? 64 : n;
    double* L = m.data();
    for (int64_t j0 = 0; j0 < n; j0 += block) {
      int64_t jb = std::min(block, n - j0), jEnd = j0 + jb;
      if (j0 > 0) {
        // A[j0:, j0:jEnd] -= L[j0:, :j0] L[j0:jEnd, :j0]^T
        gemm<double>(n - j0, jb, j0, -1.0, L + j0 * n, n, 1, L + j0 * n, 1, n, 1.0, L + j0 * n + j0, n, 1);
      }
      for (int64_t j = j0; j < jEnd; j++) {
        double d = L[j * n + j];
        for (int64_t k = j0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
        if (!(d > 0.0)) notPd(j);
        double l = std::sqrt(d);
        L[j * n + j] = l;
        for (int64_t i = j + 1; i < n; i++) {
          double sum = L[i * n + j];
          const double* ri = L + i * n;
          const double* rj = L + j * n;
          for (int64_t k = j0; k < j; k++) sum -= ri[k] * rj[k];
          L[i * n + j] = sum / l;
        }
      }
    }
    std::vector<double> r(n * n, 0.0);
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j <= i; j++) {
        if (upper) r[j * n + i] = m[i * n + j];
        else r[i * n + j] = m[i * n + j];
      }
    scatter(out, b * n * n, n * n, r.data());
  });
}

void solveBatched(const TensorDesc& a, const TensorDesc* rhs, const TensorDesc& out, const char* op) {
  checkFloat(a, op);
  CINDER_CHECK(out.ndim >= 2 && out.dtype == a.dtype, op, ": bad output");
  int nd = out.ndim, nb = nd - 2;
  int64_t n = out.shape[nd - 2];
  int64_t m = out.shape[nd - 1];
  checkShape(a, {n, n}, out.shape, nb, op, "A");
  if (rhs) checkShape(*rhs, {n, m}, out.shape, nb, op, "B");
  else CINDER_CHECK(m == n, op, ": the inverse must be square");
  int64_t batch = batchCount(out, nb);
  forBatches(batch, (double)n * n * (n + m), [&](int64_t b) {
    std::vector<double> lu(n * n), x(n * m);
    std::vector<int64_t> piv(n);
    gather(a, nb, b, out.shape, n, n, lu.data());
    if (rhs) {
      gather(*rhs, nb, b, out.shape, n, m, x.data());
    } else {
      for (int64_t i = 0; i < n; i++) x[i * m + i] = 1.0;
    }
    int swaps;
    if (!luFactorBlocked(n, lu.data(), piv.data(), &swaps)) {
      fail(op, ": ", batchPrefix(batch, b), "The solver failed because the input matrix is singular.");
    }
    luSolveBlocked(n, lu.data(), piv.data(), m, x.data());
    scatter(out, b * n * m, n * m, x.data());
  });
}

void detBatched(const TensorDesc& a, const TensorDesc& det, const TensorDesc& sign, const TensorDesc& logabs) {
  checkFloat(a, "linalg.det");
  CINDER_CHECK(a.ndim >= 2, "linalg.det: expected a batch of matrices, got shape ", a.shapeString());
  int nd = a.ndim, nb = nd - 2;
  int64_t n = a.shape[nd - 1];
  checkShape(a, {n, n}, a.shape, nb, "linalg.det", "A");
  for (const TensorDesc* o : {&det, &sign, &logabs}) {
    checkShape(*o, {}, a.shape, nb, "linalg.det", "output");
    CINDER_CHECK(o->dtype == a.dtype, "linalg.det: output dtype");
  }
  int64_t batch = batchCount(a, nb);
  forBatches(batch, (double)n * n * n, [&](int64_t b) {
    std::vector<double> lu(n * n);
    std::vector<int64_t> piv(n);
    gather(a, nb, b, a.shape, n, n, lu.data());
    int swaps;
    luFactorBlocked(n, lu.data(), piv.data(), &swaps);
    double d = (swaps & 1) ? -1.0 : 1.0, s = d, la = 0.0;
    for (int64_t i = 0; i < n; i++) {
      double u = lu[i * n + i];
      d *= u;
      if (u < 0) s = -s;
      la += std::log(std::fabs(u));
    }
    if (std::isinf(la) && la < 0) s = 0.0;
    scatter(det, b, 1, &d);
    scatter(sign, b, 1, &s);
    scatter(logabs, b, 1, &la);
  });
}

void solveTriangularBatched(const TensorDesc& a, const TensorDesc& rhs, const TensorDesc& out, bool upper,
                            bool unit) {
  const char* op = "linalg.solveTriangular";
  checkFloat(a, op);
  CINDER_CHECK(out.ndim >= 2 && out.dtype == a.dtype && rhs.dtype == a.dtype, op, ": bad operands");
  int nd = out.ndim, nb = nd - 2;
  int64_t n = out.shape[nd - 2];
  int64_t m = out.shape[nd - 1];
  checkShape(a, {n, n}, out.shape, nb, op, "A");
  checkShape(rhs, {n, m}, out.shape, nb, op, "B");
  int64_t batch = batchCount(out, nb);
  forBatches(batch, (double)n * n * m, [&](int64_t b) {
    std::vector<double> t(n * n), x(n * m);
    gather(a, nb, b, out.shape, n, n, t.data());
    gather(rhs, nb, b, out.shape, n, m, x.data());
    if (upper) {
      for (int64_t i = n - 1; i >= 0; i--) {
        for (int64_t k = i + 1; k < n; k++) {
          double u = t[i * n + k];
          for (int64_t j = 0; j < m; j++) x[i * m + j] -= u * x[k * m + j];
        }
        if (!unit)
          for (int64_t j = 0; j < m; j++) x[i * m + j] /= t[i * n + i];
      }
    } else {
      for (int64_t i = 0; i < n; i++) {
        for (int64_t k = 0; k < i; k++) {
          double l = t[i * n + k];
          for (int64_t j = 0; j < m; j++) x[i * m + j] -= l * x[k * m + j];
        }
        if (!unit)
          for (int64_t j = 0; j < m; j++) x[i * m + j] /= t[i * n + i];
      }
    }
    scatter(out, b * n * m, n * m, x.data());
  });
}

void qrBatched(const TensorDesc& a, const TensorDesc* qOut, const TensorDesc& rOut, bool complete) {
  checkFloat(a, "linalg.qr");
  CINDER_CHECK(a.ndim >= 2, "linalg.qr: expected a batch of matrices, got shape ", a.shapeString());
  int nd = a.ndim, nb = nd - 2;
  int64_t m = a.shape[nd - 2], n = a.shape[nd - 1], k = std::min(m, n);
  int64_t qc = complete ? m : k;   // columns of Q
  int64_t rr = complete ? m : k;   // rows of R
  checkShape(rOut, {rr, n}, a.shape, nb, "linalg.qr", "R");
  if (qOut) checkShape(*qOut, {m, qc}, a.shape, nb, "linalg.qr", "Q");
  int64_t batch = batchCount(a, nb);
  forBatches(batch, 2.0 * m * n * n + 2.0 * m * m * qc, [&](int64_t b) {
    std::vector<double> r(m * n), vs(m * k), tau(k, 0.0), wrow(n), wq(std::max<int64_t>(qc, 1));
    gather(a, nb, b, a.shape, m, n, r.data());
    // Householder: H_j = I - tau_j v_j v_j^T with v_j[j] = 1, zeroing column j below the diagonal.
    for (int64_t j = 0; j < k; j++) {
      double norm = 0;
      for (int64_t i = j; i < m; i++) norm += r[i * n + j] * r[i * n + j];
      norm = std::sqrt(norm);
      double alpha = r[j * n + j];
      double* v = vs.data() + j * m;
      if (norm == 0.0) {
        tau[j] = 0.0;
        continue;
      }
      double beta = alpha >= 0 ? -norm : norm;
      double scale = 1.0 / (alpha - beta);
      v[j] = 1.0;
      for (int64_t i = j + 1; i < m; i++) v[i] = r[i * n + j] * scale;
      tau[j] = (beta - alpha) / beta;
      // R[j:, j:] -= tau v (v^T R[j:, j:]), walking rows so every access is contiguous.
      std::fill(wrow.begin() + j, wrow.end(), 0.0);
      for (int64_t i = j; i < m; i++) {
        const double* ri = r.data() + i * n;
        for (int64_t c = j; c < n; c++) wrow[c] += v[i] * ri[c];
      }
      for (int64_t i = j; i < m; i++) {
        double f = tau[j] * v[i];
        double* ri = r.data() + i * n;
        for (int64_t c = j; c < n; c++) ri[c] -= f * wrow[c];
      }
      for (int64_t i = j + 1; i < m; i++) r[i * n + j] = 0.0;
    }
    std::vector<double> ro(rr * n, 0.0);
    for (int64_t i = 0; i < rr && i < m; i++)
      for (int64_t j = i; j < n; j++) ro[i * n + j] = r[i * n + j];
    scatter(rOut, b * rr * n, rr * n, ro.data());
    if (qOut) {
      // Q = H_0 H_1 ... H_{k-1} applied to the first qc columns of the identity.
      std::vector<double> q(m * qc, 0.0);
      for (int64_t i = 0; i < std::min(m, qc); i++) q[i * qc + i] = 1.0;
      for (int64_t j = k - 1; j >= 0; j--) {
        if (tau[j] == 0.0) continue;
        const double* v = vs.data() + j * m;
        std::fill(wq.begin(), wq.end(), 0.0);
        for (int64_t i = j; i < m; i++) {
          const double* qi = q.data() + i * qc;
          for (int64_t c = 0; c < qc; c++) wq[c] += v[i] * qi[c];
        }
        for (int64_t i = j; i < m; i++) {
          double f = tau[j] * v[i];
          double* qi = q.data() + i * qc;
          for (int64_t c = 0; c < qc; c++) qi[c] -= f * wq[c];
        }
      }
      scatter(*qOut, b * m * qc, m * qc, q.data());
    }
  });
}

void eighBatched(const TensorDesc& a, const TensorDesc& w, const TensorDesc* v, bool lower) {
  checkFloat(a, "linalg.eigh");
  CINDER_CHECK(a.ndim >= 2, "linalg.eigh: expected a batch of matrices, got shape ", a.shapeString());
  int nd = a.ndim, nb = nd - 2;
  int64_t n = a.shape[nd - 1];
  checkShape(a, {n, n}, a.shape, nb, "linalg.eigh", "A");
  checkShape(w, {n}, a.shape, nb, "linalg.eigh", "eigenvalues");
  if (v) checkShape(*v, {n, n}, a.shape, nb, "linalg.eigh", "eigenvectors");
  int64_t batch = batchCount(a, nb);
  forBatches(batch, 10.0 * n * n * n, [&](int64_t b) {
    std::vector<double> m(n * n), vec(n * n), ev(n);
    gather(a, nb, b, a.shape, n, n, m.data());
    // Only the selected triangle is read, as LAPACK does.
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = i + 1; j < n; j++) {
        if (lower) m[i * n + j] = m[j * n + i];
        else m[j * n + i] = m[i * n + j];
      }
    // Jacobi is simplest and very accurate for small matrices; larger ones reduce to tridiagonal.
    std::vector<double> keep;
    bool done = false;
    if (n > 16) {
      keep = m;
      done = tridiagQrEigh(n, m.data(), ev.data(), vec.data(), v != nullptr);
      if (!done) m = keep;
    }
    if (!done) jacobiEigh(n, m.data(), ev.data(), vec.data());
    scatter(w, b * n, n, ev.data());
    if (v) scatter(*v, b * n * n, n * n, vec.data());
  });
}

void svdvalsBatched(const TensorDesc& a, const TensorDesc& s) {
  checkFloat(a, "linalg.svdvals");
  CINDER_CHECK(a.ndim >= 2, "linalg.svdvals: expected a batch of matrices, got shape ", a.shapeString());
  int nd = a.ndim, nb = nd - 2;
  int64_t m = a.shape[nd - 2], n = a.shape[nd - 1];
  checkShape(s, {std::min(m, n)}, a.shape, nb, "linalg.svdvals", "output");
  int64_t batch = batchCount(a, nb);
  bool tr = n > m;  // work on the tall orientation: columns = min(m, n)
  int64_t rows = tr ? n : m, cols = tr ? m : n;
  forBatches(batch, 10.0 * rows * cols * cols, [&](int64_t b) {
    std::vector<double> g(m * n), u(rows * cols);
    gather(a, nb, b, a.shape, m, n, g.data());
    // Column-major copy of the tall matrix: column c at u[c * rows].
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) {
        if (tr) u[i * rows + j] = g[i * n + j];
        else u[j * rows + i] = g[i * n + j];
      }
    // One-sided Jacobi (Hestenes): orthogonalise column pairs until all are orthogonal.
    for (int sweep = 0; sweep < 100; sweep++) {
      bool rotated = false;
      for (int64_t p = 0; p < cols; p++)
        for (int64_t q = p + 1; q < cols; q++) {
          double* up = u.data() + p * rows;
          double* uq = u.data() + q * rows;
          double alpha = 0, beta = 0, gamma = 0;
          for (int64_t i = 0; i < rows; i++) {
            alpha += up[i] * up[i];
            beta += uq[i] * uq[i];
            gamma += up[i] * uq[i];
          }
          if (gamma == 0.0 || std::fabs(gamma) <= 1e-15 * std::sqrt(alpha * beta)) continue;
          rotated = true;
          double zeta = (beta - alpha) / (2 * gamma);
          double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
          double c = 1 / std::sqrt(1 + t * t), sn = c * t;
          for (int64_t i = 0; i < rows; i++) {
            double x = up[i], y = uq[i];
            up[i] = c * x - sn * y;
            uq[i] = sn * x + c * y;
          }
        }
      if (!rotated) break;
    }
    std::vector<double> sv(cols);
    for (int64_t c = 0; c < cols; c++) {
      double nrm = 0;
      for (int64_t i = 0; i < rows; i++) nrm += u[c * rows + i] * u[c * rows + i];
      sv[c] = std::sqrt(nrm);
    }
    std::sort(sv.begin(), sv.end(), std::greater<double>());
    scatter(s, b * cols, cols, sv.data());
  });
}

void svdBatched(const TensorDesc& a, const TensorDesc& uOut, const TensorDesc& sOut, const TensorDesc& vhOut, bool full) {
  checkFloat(a, "linalg.svd");
  CINDER_CHECK(a.ndim >= 2, "linalg.svd: expected a batch of matrices, got shape ", a.shapeString());
  int nd = a.ndim, nb = nd - 2;
  int64_t m = a.shape[nd - 2], n = a.shape[nd - 1];
  {
    int64_t k = std::min(m, n);
    checkShape(uOut, {m, full ? m : k}, a.shape, nb, "linalg.svd", "U");
    checkShape(sOut, {k}, a.shape, nb, "linalg.svd", "S");
    checkShape(vhOut, {full ? n : k, n}, a.shape, nb, "linalg.svd", "Vh");
  }
  int64_t batch = batchCount(a, nb);
  bool tr = n > m;
  int64_t R = tr ? n : m, C = tr ? m : n;  // the tall orientation: R >= C
  int64_t uc = full ? R : C;                // columns of the tall-side factor
  forBatches(batch, 10.0 * R * C * C, [&](int64_t b) {
    std::vector<double> g(m * n), w(R * C), v(C * C, 0.0);
    gather(a, nb, b, a.shape, m, n, g.data());
    // Column-major: column c of W at w[c * R], of V at v[c * C].
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) {
        if (tr) w[i * R + j] = g[i * n + j];
        else w[j * R + i] = g[i * n + j];
      }
    for (int64_t c = 0; c < C; c++) v[c * C + c] = 1.0;
    for (int sweep = 0; sweep < 100; sweep++) {
      bool rotated = false;
      for (int64_t p = 0; p < C; p++)
        for (int64_t q = p + 1; q < C; q++) {
          double* wp = w.data() + p * R;
          double* wq = w.data() + q * R;
          double alpha = 0, beta = 0, gamma = 0;
          for (int64_t i = 0; i < R; i++) {
            alpha += wp[i] * wp[i];
            beta += wq[i] * wq[i];
            gamma += wp[i] * wq[i];
          }
          if (gamma == 0.0 || std::fabs(gamma) <= 1e-15 * std::sqrt(alpha * beta)) continue;
          rotated = true;
          double zeta = (beta - alpha) / (2 * gamma);
          double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
          double c = 1 / std::sqrt(1 + t * t), sn = c * t;
          for (int64_t i = 0; i < R; i++) {
            double x = wp[i], y = wq[i];
            wp[i] = c * x - sn * y;
            wq[i] = sn * x + c * y;
          }
          double* vp = v.data() + p * C;
          double* vq = v.data() + q * C;
          for (int64_t i = 0; i < C; i++) {
            double x = vp[i], y = vq[i];
            vp[i] = c * x - sn * y;
            vq[i] = sn * x + c * y;
          }
        }
      if (!rotated) break;
    }
    std::vector<double> sv(C);
    for (int64_t c = 0; c < C; c++) {
      double nrm = 0;
      for (int64_t i = 0; i < R; i++) nrm += w[c * R + i] * w[c * R + i];
      sv[c] = std::sqrt(nrm);
    }
    std::vector<int64_t> order(C);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return sv[x] > sv[y]; });
    double smax = C > 0 ? sv[order[0]] : 0.0;
    // U (tall side) columns: W_j / s_j; null or missing columns completed to an orthonormal basis.
    std::vector<double> ut(uc * R, 0.0), vs(C * C), ss(C);
    std::vector<bool> have(uc, false);
    for (int64_t j = 0; j < C; j++) {
      int64_t src = order[j];
      ss[j] = sv[src];
      std::copy(v.begin() + src * C, v.begin() + src * C + C, vs.begin() + j * C);
      if (sv[src] > 1e-300 && sv[src] > smax * 1e-14 * (double)R) {
        for (int64_t i = 0; i < R; i++) ut[j * R + i] = w[src * R + i] / sv[src];
        have[j] = true;
      }
    }
    int64_t cand = 0;
    for (int64_t j = 0; j < uc; j++) {
      if (have[j]) continue;
      double* col = ut.data() + j * R;
      for (; cand < R; cand++) {
        std::fill(col, col + R, 0.0);
        col[cand] = 1.0;
        for (int pass = 0; pass < 2; pass++)
          for (int64_t o = 0; o < uc; o++) {
            if (!have[o]) continue;
            const double* oc = ut.data() + o * R;
            double d = 0;
            for (int64_t i = 0; i < R; i++) d += oc[i] * col[i];
            for (int64_t i = 0; i < R; i++) col[i] -= d * oc[i];
          }
        double nrm = 0;
        for (int64_t i = 0; i < R; i++) nrm += col[i] * col[i];
        nrm = std::sqrt(nrm);
        if (nrm > 0.5) {
          for (int64_t i = 0; i < R; i++) col[i] /= nrm;
          have[j] = true;
          cand++;
          break;
        }
      }
    }
    scatter(sOut, b * C, C, ss.data());
    // Not transposed: U = ut (R x uc), Vh = V^T (C x C). Transposed: U = V (C x C), Vh = ut^T (uc x R).
    std::vector<double> uo, vho;
    if (!tr) {
      uo.resize(R * uc);
      for (int64_t i = 0; i < R; i++)
        for (int64_t j = 0; j < uc; j++) uo[i * uc + j] = ut[j * R + i];
      vho.resize(C * C);
      for (int64_t j = 0; j < C; j++)
        for (int64_t i = 0; i < C; i++) vho[j * C + i] = vs[j * C + i];
    } else {
      uo.resize(C * C);
      for (int64_t i = 0; i < C; i++)
        for (int64_t j = 0; j < C; j++) uo[i * C + j] = vs[j * C + i];
      vho.resize(uc * R);
      for (int64_t j = 0; j < uc; j++)
        for (int64_t i = 0; i < R; i++) vho[j * R + i] = ut[j * R + i];
    }
    scatter(uOut, b * (int64_t)uo.size(), (int64_t)uo.size(), uo.data());
    scatter(vhOut, b * (int64_t)vho.size(), (int64_t)vho.size(), vho.data());
  });
}

namespace {
template <typename T>
void vectorNormT(const TensorDesc& x, int r, double ord, const TensorDesc& out) {
  int nd = x.ndim, no = nd - r;
  int64_t outer = batchCount(x, no);
  int64_t inner = 1;
  for (int d = no; d < nd; d++) inner *= x.shape[d];
  const T* base = x.ptr<T>();
  auto one = [&](int64_t o) -> double {
    const T* p = base + batchOffset(x, no, o, x.shape);
    int64_t idx[kMaxDims] = {};
    double acc = ord == -INFINITY ? INFINITY : 0.0;
    double scale = 0.0;  // for ord 2: max |x| so the sum of squares neither overflows nor underflows
    if (ord == 2.0) {
      int64_t off = 0;
      for (int64_t i = 0; i < inner; i++) {
        scale = std::max(scale, std::fabs((double)p[off]));
        for (int d = nd - 1; d >= no; d--) {
          off += x.strides[d];
          if (++idx[d] < x.shape[d]) break;
          off -= x.strides[d] * x.shape[d];
          idx[d] = 0;
        }
      }
      if (scale == 0.0 || std::isinf(scale)) return scale;
      std::fill(idx, idx + kMaxDims, 0);
    }
    int64_t off = 0;
    for (int64_t i = 0; i < inner; i++) {
      double v = std::fabs((double)p[off]);
      if (ord == 2.0) {
        double s = v / scale;
        acc += s * s;
      } else if (ord == 1.0) acc += v;
      else if (ord == INFINITY) acc = std::max(acc, v);
      else if (ord == -INFINITY) acc = std::min(acc, v);
      else if (ord == 0.0) acc += v != 0.0 ? 1.0 : 0.0;
      else acc += std::pow(v, ord);
      if (std::isnan(v)) acc = NAN;
      for (int d = nd - 1; d >= no; d--) {
        off += x.strides[d];
        if (++idx[d] < x.shape[d]) break;
        off -= x.strides[d] * x.shape[d];
        idx[d] = 0;
      }
    }
    if (ord == 2.0) return scale * std::sqrt(acc);
    if (ord == 1.0 || ord == 0.0 || std::isinf(ord)) return acc;
    return std::pow(acc, 1.0 / ord);
  };
  T* o = out.ptr<T>();
  parallelFor(outer, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, inner)), [&](int64_t o0, int64_t o1) {
    for (int64_t i = o0; i < o1; i++) o[i] = (T)one(i);
  });
}
}  // namespace

void vectorNorm(const TensorDesc& x, int reducedDims, double ord, const TensorDesc& out) {
  CINDER_CHECK(reducedDims >= 0 && reducedDims <= x.ndim, "linalg.vectorNorm: bad reduced dims");
  checkShape(out, {}, x.shape, x.ndim - reducedDims, "linalg.vectorNorm", "output");
  CINDER_CHECK(out.dtype == x.dtype, "linalg.vectorNorm: output dtype");
  if (x.dtype == DType::Float64) vectorNormT<double>(x, reducedDims, ord, out);
  else if (x.dtype == DType::Float32) vectorNormT<float>(x, reducedDims, ord, out);
  else fail("linalg.vectorNorm: expected a floating point tensor as input, got ", dtypeName(x.dtype));
}

void matrixAbsSumNorm(const TensorDesc& a, bool rows, bool takeMax, const TensorDesc& out) {
  checkFloat(a, "linalg.matrixNorm");
  CINDER_CHECK(a.ndim >= 2, "linalg.matrixNorm: expected a batch of matrices, got shape ", a.shapeString());
  int nd = a.ndim, nb = nd - 2;
  int64_t m = a.shape[nd - 2], n = a.shape[nd - 1];
  checkShape(out, {}, a.shape, nb, "linalg.matrixNorm", "output");
  int64_t batch = batchCount(a, nb);
  forBatches(batch, (double)m * n, [&](int64_t b) {
    std::vector<double> g(m * n);
    gather(a, nb, b, a.shape, m, n, g.data());
    int64_t outer = rows ? m : n, inner = rows ? n : m;
    double best = takeMax ? -INFINITY : INFINITY;
    for (int64_t i = 0; i < outer; i++) {
      double s = 0;
      for (int64_t j = 0; j < inner; j++) s += std::fabs(rows ? g[i * n + j] : g[j * n + i]);
      best = takeMax ? std::max(best, s) : std::min(best, s);
    }
    scatter(out, b, 1, &best);
  });
}

}  // namespace cinder
