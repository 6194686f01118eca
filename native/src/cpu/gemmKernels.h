// Register-blocked GEMM micro-kernels, one set per ISA. A micro-kernel multiplies a packed
// MR x kc panel of A by a packed kc x NR panel of B and writes the full MR x NR tile to a
// row-major C (row stride ldc): C = alpha * AB + beta * C, C untouched by reads when beta == 0.
// Packed A: for each p, MR consecutive values (column p of the panel). Packed B: for each p, NR
// consecutive values (row p of the panel). Both are 64-byte aligned.
#pragma once
#include <cstdint>

namespace cinder {

template <typename T>
using MicroKernel = void (*)(int64_t k, const T* a, const T* b, T* c, int64_t ldc, T alpha, T beta);

template <typename T>
struct GemmArch {
  const char* name;
  int mr, nr;
  // Cache blocking: kc (depth of a packed panel), mc (rows of the packed A block, a multiple of
  // mr), nc (columns of the packed B panel, a multiple of nr).
  int kc, mc, nc;
  MicroKernel<T> kernel;
  // Unpacked path for small/skinny problems: rows [i0, i1) of C (see gemmSmall.h).
  void (*small)(int64_t i0, int64_t i1, int64_t n, int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa,
                const T* b, int64_t rsb, int64_t csb, T beta, T* c, int64_t rsc, int64_t csc);
};

GemmArch<float> gemmArchGenericF32();
GemmArch<double> gemmArchGenericF64();
#if defined(__x86_64__) || defined(_M_X64)
GemmArch<float> gemmArchAvx2F32();
GemmArch<double> gemmArchAvx2F64();
GemmArch<float> gemmArchAvx512F32();
GemmArch<double> gemmArchAvx512F64();
#endif

}  // namespace cinder
