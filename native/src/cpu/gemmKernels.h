// Register-blocked GEMM micro-kernels and packing routines, one set per ISA.
//
// A micro-kernel multiplies a packed `rows` x k panel of A by a k x NR panel of B and writes the
// rows x cols tile of a row-major C (row stride ldc): C = alpha * AB + beta * C, C untouched by
// reads when beta == 0. Packed A: for each p, `rows` consecutive values (column p of the panel).
// B: row p of the panel at b + p * ldb, NR consecutive values (ldb == NR for a packed panel, the
// row stride of B itself when B's rows are contiguous and it is used in place); when cols < NR
// only the first cols values of each row are read and written.
//
// Every kernel of a set computes each element of C by the same sequence of operations (a chain
// of fused multiply-adds over p in order, then alpha * acc + beta * c), whatever its row count,
// its column count or where B lies, so results do not depend on how the driver tiles C.
#pragma once
#include <cstdint>

namespace cinder {

// The largest register tile height of any kernel set.
constexpr int kGemmMaxMr = 16;

template <typename T>
using MicroKernel = void (*)(int64_t k, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta,
                             int64_t cols);

// Packing into a panel of width w (w <= 2 * the vector width): for p < k and l < lines,
//   copy:      out[p * w + l] = src[p * ld + l]   (the panel's lines are contiguous in memory)
//   transpose: out[p * w + l] = src[l * ld + p]   (each line is contiguous along p)
// and lanes [lines, w) of each out row are zero.
template <typename T>
using PackFn = void (*)(int64_t k, const T* src, int64_t ld, int lines, int w, T* out);

template <typename T>
struct GemmArch {
  const char* name;
  int mr, nr;
  // Cache blocking: kc (the deepest packed panel; the depth is split evenly into panels no deeper),
  // mc (rows of the packed A block, a multiple of mr), nc (columns of a B panel, a multiple of nr).
  int kc, mc, nc;
  // kernel[r] handles an r-row panel, 1 <= r <= mr.
  MicroKernel<T> kernel[kGemmMaxMr + 1];
  PackFn<T> packCopy, packTranspose;
  // Unpacked path for matrix-vector shapes: rows [i0, i1) of C (see gemmSmall.h).
  void (*small)(int64_t i0, int64_t i1, int64_t n, int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa,
                const T* b, int64_t rsb, int64_t csb, T beta, T* c, int64_t rsc, int64_t csc);
  // Runs `iters` rounds of 12 independent chains of vector FMAs on the calling thread and returns
  // the floating-point operations done (for measuring the machine's peak).
  double (*fmaLoop)(int64_t iters);
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
