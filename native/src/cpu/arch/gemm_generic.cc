// Portable micro-kernels: plain loops over a small accumulator block that the compiler keeps in
// (SSE2/NEON) registers, and scalar packing.
#include <utility>

#include "cpu/gemmKernels.h"
#include "cpu/gemmSmall.h"

namespace cinder {

namespace {

template <typename T, int MR, int NR>
void kernelGeneric(int64_t k, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta,
                   int64_t cols) {
  T acc[MR][NR] = {};
  if (cols >= NR) {
    for (int64_t p = 0; p < k; p++, a += MR, b += ldb)
      for (int i = 0; i < MR; i++) {
        T ai = a[i];
        for (int j = 0; j < NR; j++) acc[i][j] += ai * b[j];
      }
  } else {
    for (int64_t p = 0; p < k; p++, a += MR, b += ldb)
      for (int i = 0; i < MR; i++) {
        T ai = a[i];
        for (int j = 0; j < cols; j++) acc[i][j] += ai * b[j];
      }
  }
  const int nn = cols >= NR ? NR : (int)cols;
  for (int i = 0; i < MR; i++) {
    T* ci = c + i * ldc;
    if (beta == T(0)) {
      for (int j = 0; j < nn; j++) ci[j] = alpha * acc[i][j];
    } else {
      for (int j = 0; j < nn; j++) ci[j] = alpha * acc[i][j] + beta * ci[j];
    }
  }
}

template <typename T, int NR, int... Rs>
void fillGeneric(MicroKernel<T>* kernel, std::integer_sequence<int, Rs...>) {
  ((kernel[Rs + 1] = kernelGeneric<T, Rs + 1, NR>), ...);
}

template <typename T>
void packCopyScalar(int64_t k, const T* src, int64_t ld, int lines, int w, T* out) {
  for (int64_t p = 0; p < k; p++, src += ld, out += w) {
    int l = 0;
    for (; l < lines; l++) out[l] = src[l];
    for (; l < w; l++) out[l] = T(0);
  }
}

template <typename T>
void packTransposeScalar(int64_t k, const T* src, int64_t ld, int lines, int w, T* out) {
  for (int64_t p = 0; p < k; p++, out += w) {
    int l = 0;
    for (; l < lines; l++) out[l] = src[l * ld + p];
    for (; l < w; l++) out[l] = T(0);
  }
}

template <typename T>
double fmaLoopScalar(int64_t iters) {
  T acc[12];
  for (int i = 0; i < 12; i++) acc[i] = T(i);
  for (int64_t t = 0; t < iters; t++)
    for (int i = 0; i < 12; i++) acc[i] = acc[i] * T(0.999999) + T(1e-7);
  T s = 0;
  for (int i = 0; i < 12; i++) s += acc[i];
  volatile T sink = s;
  (void)sink;
  return 2.0 * 12 * (double)iters;
}

template <typename T, int NR>
GemmArch<T> makeArch(int mc) {
  GemmArch<T> g{};
  g.name = "generic";
  g.mr = 4;
  g.nr = NR;
  g.kc = 256;
  g.mc = mc;
  g.nc = 2048;
  fillGeneric<T, NR>(g.kernel, std::make_integer_sequence<int, 4>());
  g.packCopy = packCopyScalar<T>;
  g.packTranspose = packTransposeScalar<T>;
  g.small = gemmSmallRows<T>;
  g.fmaLoop = fmaLoopScalar<T>;
  return g;
}

}  // namespace

GemmArch<float> gemmArchGenericF32() { return makeArch<float, 8>(128); }
GemmArch<double> gemmArchGenericF64() { return makeArch<double, 4>(96); }

}  // namespace cinder
