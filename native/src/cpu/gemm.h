// Cinder's GEMM: C = alpha * A * B + beta * C over arbitrary element strides (row-major,
// column-major and transposed operands are all absorbed by the packing routines, so no operand
// is ever copied to a canonical layout first).
#pragma once
#include <cstdint>

namespace cinder {

// A is m x k (element (i, p) at a[i * rsa + p * csa]), B is k x n, C is m x n. When beta == 0,
// C is not read (so NaNs in an uninitialised C do not leak). `threads`: 0 = the pool's size,
// 1 = stay on the calling thread.
template <typename T>
void gemm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa, const T* b,
          int64_t rsb, int64_t csb, T beta, T* c, int64_t rsc, int64_t csc, int threads = 0);

// Integer matmul (no packing; exact wrap-around arithmetic like PyTorch's CPU kernel).
template <typename T>
void gemmInt(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
             int64_t csb, T beta, T* c, int64_t rsc, int64_t csc);

}  // namespace cinder
namespace cinder {
// The micro-kernel set in use ("avx512", "avx2" or "generic").
const char* gemmArchName();
// Switches kernel sets ("auto" = the best this CPU runs; a set the CPU lacks falls back to the
// next best). For tests and benchmarks; not safe while a GEMM is running on another thread.
const char* setGemmArch(const char* name);
// The vector FMA throughput of this machine in GFLOP/s with `threads` threads (0 = the pool's
// size), measured over about `seconds` with 12 independent FMA chains per thread in the kernel
// set's ISA, fp32 or fp64: the ceiling any GEMM here can reach.
double gemmFmaPeak(int threads, bool float64, double seconds);
}  // namespace cinder
