// Portable micro-kernels: plain loops over a small accumulator block that the compiler keeps in
// (SSE2/NEON) registers.
#include "cpu/gemmKernels.h"
#include "cpu/gemmSmall.h"

namespace cinder {

template <typename T, int MR, int NR>
static void kernelGeneric(int64_t k, const T* a, const T* b, T* c, int64_t ldc, T alpha, T beta) {
  T acc[MR][NR] = {};
  for (int64_t p = 0; p < k; p++) {
    for (int i = 0; i < MR; i++) {
      T ai = a[i];
      for (int j = 0; j < NR; j++) acc[i][j] += ai * b[j];
    }
    a += MR;
    b += NR;
  }
  for (int i = 0; i < MR; i++) {
    T* ci = c + i * ldc;
    if (beta == T(0)) {
      for (int j = 0; j < NR; j++) ci[j] = alpha * acc[i][j];
    } else {
      for (int j = 0; j < NR; j++) ci[j] = alpha * acc[i][j] + beta * ci[j];
    }
  }
}

GemmArch<float> gemmArchGenericF32() { return {"generic", 4, 8, 256, 128, 2048, kernelGeneric<float, 4, 8>, gemmSmallRows<float>}; }
GemmArch<double> gemmArchGenericF64() { return {"generic", 4, 4, 256, 96, 2048, kernelGeneric<double, 4, 4>, gemmSmallRows<double>}; }

}  // namespace cinder
