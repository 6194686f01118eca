// Unpacked GEMM for small or skinny problems (a vector on either side, tiny m/n/k), where
// packing costs more than it saves. Included by each arch file so the loops are compiled (and
// auto-vectorised) for that ISA; internal linkage keeps the per-ISA copies apart.
#pragma once
#include <algorithm>
#include <cstdint>

namespace cinder {
namespace {

template <typename T>
T dotStrided(int64_t k, const T* x, int64_t sx, const T* y, int64_t sy) {
  T acc[16] = {};
  int64_t p = 0;
  if (sx == 1 && sy == 1) {
    for (; p + 16 <= k; p += 16)
      for (int l = 0; l < 16; l++) acc[l] += x[p + l] * y[p + l];
  }
  T s = 0;
  for (int l = 0; l < 16; l++) s += acc[l];
  for (; p < k; p++) s += x[p * sx] * y[p * sy];
  return s;
}

// Rows [i0, i1) of C = alpha * A B + beta * C, without packing.
template <typename T>
void gemmSmallRows(int64_t i0, int64_t i1, int64_t n, int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa,
                   const T* b, int64_t rsb, int64_t csb, T beta, T* c, int64_t rsc, int64_t csc) {
  if (n == 1 || (csb != 1 && rsb == 1 && csa == 1)) {
    // Dot products: row of A against column of B, both contiguous in the common gemv layout.
    for (int64_t i = i0; i < i1; i++)
      for (int64_t j = 0; j < n; j++) {
        T v = alpha * dotStrided(k, a + i * rsa, csa, b + j * csb, rsb);
        T& dst = c[i * rsc + j * csc];
        dst = beta == T(0) ? v : v + beta * dst;
      }
    return;
  }
  constexpr int64_t kChunk = 256;
  T rowBuf[kChunk];
  for (int64_t i = i0; i < i1; i++) {
    for (int64_t j0 = 0; j0 < n; j0 += kChunk) {
      int64_t nn = std::min<int64_t>(kChunk, n - j0);
      for (int64_t j = 0; j < nn; j++) rowBuf[j] = T(0);
      for (int64_t p = 0; p < k; p++) {
        T av = a[i * rsa + p * csa];
        const T* bp = b + p * rsb + j0 * csb;
        if (csb == 1) {
          for (int64_t j = 0; j < nn; j++) rowBuf[j] += av * bp[j];
        } else {
          for (int64_t j = 0; j < nn; j++) rowBuf[j] += av * bp[j * csb];
        }
      }
      T* cp = c + i * rsc + j0 * csc;
      for (int64_t j = 0; j < nn; j++) {
        T v = alpha * rowBuf[j];
        cp[j * csc] = beta == T(0) ? v : v + beta * cp[j * csc];
      }
    }
  }
}

}  // namespace
}  // namespace cinder
