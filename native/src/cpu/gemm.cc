// The GEMM driver: the classic three-level blocking (a kc x nc panel of B packed once per
// (jc, pc) and kept in L3/L2, an mc x kc block of A packed per ic and kept in L2, then an
// mr x nr register-blocked micro-kernel sweeping the block), with the kernel set picked by cpuid.
// Threads split C into disjoint column (or row) ranges, each running the serial algorithm with
// its own packing buffers. The depth blocking depends on k alone and every kernel sums each
// element in the same order (gemmKernels.h), so every element is computed by the same sequence
// of operations whatever the thread count and the split: results are bitwise deterministic.
#include "cpu/gemm.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/threadPool.h"
#include "cpu/gemmKernels.h"

namespace cinder {

namespace {

bool haveAvx512() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#else
  return false;
#endif
}
bool haveAvx2() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

// The best kernel set this CPU runs, or the one named (CINDER_GEMM_ARCH / setGemmArch) when
// the CPU supports it.
template <typename T>
GemmArch<T> pickArch(const char* want) {
  std::string w = want ? want : "";
#if defined(__x86_64__) || defined(_M_X64)
  if constexpr (std::is_same<T, float>::value) {
    if ((w.empty() || w == "avx512") && haveAvx512()) return gemmArchAvx512F32();
    if ((w.empty() || w == "avx512" || w == "avx2") && haveAvx2()) return gemmArchAvx2F32();
  } else {
    if ((w.empty() || w == "avx512") && haveAvx512()) return gemmArchAvx512F64();
    if ((w.empty() || w == "avx512" || w == "avx2") && haveAvx2()) return gemmArchAvx2F64();
  }
#endif
  if constexpr (std::is_same<T, float>::value) return gemmArchGenericF32();
  else return gemmArchGenericF64();
}

template <typename T>
GemmArch<T>& arch() {
  static GemmArch<T> a = pickArch<T>(std::getenv("CINDER_GEMM_ARCH"));
  return a;
}

// A per-thread, 64-byte aligned scratch buffer that only grows.
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  ~Scratch() { std::free(p); }
  void* get(size_t n) {
    if (n > bytes) {
      std::free(p);
      n = (n + 4095) & ~size_t(4095);
      p = std::aligned_alloc(64, n);
      if (!p) {
        bytes = 0;
        throw std::bad_alloc();
      }
      bytes = n;
    }
    return p;
  }
};

// Packs rows [0, mc) x depth [0, kc) of A into panels of mr rows: the panel of row ir lies at
// out + ir * kc and holds min(mr, mc - ir) values per depth step (the last one is not padded).
template <typename T>
void packA(const GemmArch<T>& g, int64_t mc, int64_t kc, const T* a, int64_t rsa, int64_t csa, T* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += g.mr) {
    const int rows = (int)std::min<int64_t>(g.mr, mc - i0);
    const T* src = a + i0 * rsa;
    T* o = out + i0 * kc;
    if (csa == 1) {
      g.packTranspose(kc, src, rsa, rows, rows, o);  // row-major A: each row contiguous along k
    } else if (rsa == 1) {
      g.packCopy(kc, src, csa, rows, rows, o);  // column-major (transposed) A
    } else {
      for (int64_t p = 0; p < kc; p++, o += rows)
        for (int i = 0; i < rows; i++) o[i] = src[i * rsa + p * csa];
    }
  }
}

// Packs depth [0, kc) x columns [0, nc) of B into panels of nr columns (the panel of column jr at
// out + jr * kc), zero-padded to nr.
template <typename T>
void packB(const GemmArch<T>& g, int64_t kc, int64_t nc, const T* b, int64_t rsb, int64_t csb, T* out) {
  const int nr = g.nr;
  for (int64_t j0 = 0; j0 < nc; j0 += nr) {
    const int cols = (int)std::min<int64_t>(nr, nc - j0);
    const T* src = b + j0 * csb;
    T* o = out + j0 * kc;
    if (csb == 1) {
      g.packCopy(kc, src, rsb, cols, nr, o);
    } else if (rsb == 1) {
      g.packTranspose(kc, src, csb, cols, nr, o);  // column-major (transposed) B
    } else {
      for (int64_t p = 0; p < kc; p++, o += nr) {
        int j = 0;
        for (; j < cols; j++) o[j] = src[p * rsb + j * csb];
        for (; j < nr; j++) o[j] = T(0);
      }
    }
  }
}

template <typename T>
void scaleC(int64_t m, int64_t n, T beta, T* c, int64_t rsc, int64_t csc) {
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      T& v = c[i * rsc + j * csc];
      v = beta == T(0) ? T(0) : beta * v;
    }
}

// The depth of the packed panels: k split evenly into panels no deeper than g.kc (rounded up to
// a multiple of 16 for the packing transposes). It depends on k alone, so every thread count and
// every tiling sums each element of C in the same order.
template <typename T>
int64_t depthBlock(const GemmArch<T>& g, int64_t k) {
  int64_t panels = (k + g.kc - 1) / g.kc;
  int64_t kc = (k + panels - 1) / panels;
  return std::min<int64_t>(k, (kc + 15) / 16 * 16);
}

// Whether the kernels read B's rows where they lie instead of packing them: when B's rows are
// contiguous, their stride is not a multiple of 4 KiB (rows that far apart share cache sets, so a
// panel of them does not stay in L2) and either few row panels of A reuse each panel of B (a
// batch of 64 against a layer's weights) or the whole of this block of B fits in L2. Otherwise
// packing, a contiguous stream the prefetchers follow, pays for itself.
template <typename T>
bool bInPlace(const GemmArch<T>& g, int64_t rows, int64_t k, int64_t n, int64_t rsb, int64_t csb) {
  if (csb != 1 || (rsb * (int64_t)sizeof(T)) % 4096 == 0) return false;
  return rows <= 4 * (int64_t)g.mr + 8 || k * n * (int64_t)sizeof(T) <= (int64_t(512) << 10);
}

// The serial blocked algorithm on rows [i0, i1) x columns [j0, j1) of C: a kc x nc panel of B
// packed (or read in place) per (jc, pc), an mc x kc block of A packed per ic and kept in L2,
// then the register-tile kernels sweeping the block.
template <typename T>
void gemmBlock(const GemmArch<T>& g, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t k, T alpha,
               const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb, int64_t csb, T beta, T* c,
               int64_t rsc, int64_t csc) {
  static thread_local Scratch scratchA, scratchB;
  const int mr = g.mr, nr = g.nr;
  const int64_t m = i1 - i0, n = j1 - j0;
  const int64_t KC = depthBlock(g, k), MC = g.mc, NC = g.nc;
  const bool inPlace = bInPlace(g, m, k, n, rsb, csb);
  const int64_t mcMax = std::min<int64_t>(MC, m);
  const int64_t ncMax = std::min<int64_t>(NC, (n + nr - 1) / nr * nr);
  T* ap = static_cast<T*>(scratchA.get(sizeof(T) * (size_t)(mcMax * KC)));
  T* bp = inPlace ? nullptr : static_cast<T*>(scratchB.get(sizeof(T) * (size_t)(ncMax * KC)));
  alignas(64) T tile[kGemmMaxMr * 64];
  a += i0 * rsa;
  b += j0 * csb;
  c += i0 * rsc + j0 * csc;
  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = std::min(NC, n - jc);
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = std::min(KC, k - pc);
      const T betaEff = pc == 0 ? beta : T(1);
      const T* bpc = b + pc * rsb + jc * csb;
      if (!inPlace) packB(g, kc, nc, bpc, rsb, csb, bp);
      for (int64_t ic = 0; ic < m; ic += MC) {
        const int64_t mc = std::min(MC, m - ic);
        packA(g, mc, kc, a + ic * rsa + pc * csa, rsa, csa, ap);
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t cols = std::min<int64_t>(nr, nc - jr);
          const T* bpan = inPlace ? bpc + jr : bp + jr * kc;
          const int64_t ldb = inPlace ? rsb : nr;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            const int rows = (int)std::min<int64_t>(mr, mc - ir);
            const T* apan = ap + ir * kc;
            T* cij = c + (ic + ir) * rsc + (jc + jr) * csc;
            if (csc == 1) {
              g.kernel[rows](kc, apan, bpan, ldb, cij, rsc, alpha, betaEff, cols);
            } else {
              // C with a non-unit column stride: the tile is computed aside, then scattered.
              g.kernel[rows](kc, apan, bpan, ldb, tile, nr, alpha, T(0), cols);
              for (int64_t i = 0; i < rows; i++)
                for (int64_t j = 0; j < cols; j++) {
                  T& dst = cij[i * rsc + j * csc];
                  dst = betaEff == T(0) ? tile[i * nr + j] : tile[i * nr + j] + betaEff * dst;
                }
            }
          }
        }
      }
    }
  }
}

}  // namespace

template <typename T>
void gemm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa, const T* b,
          int64_t rsb, int64_t csb, T beta, T* c, int64_t rsc, int64_t csc, int threads) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == T(0)) {
    scaleC(m, n, beta, c, rsc, csc);
    return;
  }
  // A column-major C: C^T = B^T A^T keeps the kernels' unit-stride stores.
  if (csc != 1 && rsc == 1) {
    gemm<T>(n, m, k, alpha, b, csb, rsb, a, csa, rsa, beta, c, csc, rsc, threads);
    return;
  }
  const GemmArch<T>& g = arch<T>();
  int nt = threads == 0 ? ThreadPool::instance().numThreads() : threads;
  const double flops = 2.0 * (double)m * (double)n * (double)k;
  if (m == 1 || n == 1) {
    // Matrix-vector: memory-bound; split rows when there is enough to stream.
    int64_t grain = std::max<int64_t>(1, (int64_t)(1 << 16) / std::max<int64_t>(1, n * k));
    if (nt <= 1 || m * n * k < (1 << 17)) {
      g.small(0, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
    } else {
      parallelFor(m, grain, [&](int64_t i0, int64_t i1) {
        g.small(i0, i1, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
      });
    }
    return;
  }
  // At least 1 MFLOP (about 10 us) per thread: the pool's workers wake in well under a microsecond
  // while they still poll after the previous parallel region (core/threadPool.h).
  nt = (int)std::max<int64_t>(1, std::min<int64_t>(nt, (int64_t)(flops / 1e6)));
  // Threads take disjoint ranges of columns (each packs all of A) or of rows (each packs all of
  // B): split the dimension whose split duplicates the smaller operand, if it has the tiles.
  const int64_t nUnits = (n + g.nr - 1) / g.nr, mUnits = (m + g.mr - 1) / g.mr;
  bool splitN = (m <= n && nUnits >= 2) || mUnits < 2;
  const int64_t units = splitN ? nUnits : mUnits;
  nt = (int)std::min<int64_t>(nt, units);
  if (nt <= 1) {
    gemmBlock(g, 0, m, 0, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
    return;
  }
  parallelFor(nt, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      if (splitN) {
        int64_t lo = std::min(n, units * t / nt * g.nr), hi = std::min(n, units * (t + 1) / nt * g.nr);
        if (hi > lo) gemmBlock(g, 0, m, lo, hi, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
      } else {
        // Rows need no alignment to the tile: every kernel height sums in the same order.
        int64_t lo = m * t / nt, hi = m * (t + 1) / nt;
        if (hi > lo) gemmBlock(g, lo, hi, 0, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
      }
    }
  });
}

template <typename T>
void gemmInt(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
             int64_t csb, T beta, T* c, int64_t rsc, int64_t csc) {
  using U = typename std::make_unsigned<T>::type;  // wrap-around without undefined behaviour
  // Row-axpy order (C row += a_ip * B row), vectorisable when B's rows are contiguous.
  auto rows = [&](int64_t i0, int64_t i1) {
    std::vector<U> acc((size_t)n);
    for (int64_t i = i0; i < i1; i++) {
      for (int64_t j = 0; j < n; j++) acc[j] = beta == T(0) ? U(0) : (U)beta * (U)c[i * rsc + j * csc];
      for (int64_t p = 0; p < k; p++) {
        U av = (U)a[i * rsa + p * csa];
        const T* bp = b + p * rsb;
        if (csb == 1) {
          for (int64_t j = 0; j < n; j++) acc[j] += av * (U)bp[j];
        } else {
          for (int64_t j = 0; j < n; j++) acc[j] += av * (U)bp[j * csb];
        }
      }
      for (int64_t j = 0; j < n; j++) c[i * rsc + j * csc] = (T)acc[j];
    }
  };
  int64_t work = std::max<int64_t>(1, n * k);
  parallelFor(m, std::max<int64_t>(1, (int64_t)(1 << 18) / work), rows);
}

template void gemm<float>(int64_t, int64_t, int64_t, float, const float*, int64_t, int64_t, const float*, int64_t,
                          int64_t, float, float*, int64_t, int64_t, int);
template void gemm<double>(int64_t, int64_t, int64_t, double, const double*, int64_t, int64_t, const double*,
                           int64_t, int64_t, double, double*, int64_t, int64_t, int);
template void gemmInt<int32_t>(int64_t, int64_t, int64_t, const int32_t*, int64_t, int64_t, const int32_t*, int64_t,
                               int64_t, int32_t, int32_t*, int64_t, int64_t);
template void gemmInt<int64_t>(int64_t, int64_t, int64_t, const int64_t*, int64_t, int64_t, const int64_t*, int64_t,
                               int64_t, int64_t, int64_t*, int64_t, int64_t);

const char* gemmArchName() { return arch<float>().name; }

const char* setGemmArch(const char* name) {
  std::string w = name ? name : "";
  if (w == "auto") w.clear();
  arch<float>() = pickArch<float>(w.c_str());
  arch<double>() = pickArch<double>(w.c_str());
  return arch<float>().name;
}

}  // namespace cinder

namespace cinder {

double gemmFmaPeak(int threads, bool float64, double seconds) {
  double (*loop)(int64_t) = float64 ? arch<double>().fmaLoop : arch<float>().fmaLoop;
  int pool = ThreadPool::instance().numThreads();
  int nt = threads <= 0 ? pool : std::min(threads, pool);
  // Calibrate one round to about a fifth of the budget on one thread, then keep the best of five.
  int64_t iters = 1 << 14;
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    loop(iters);
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt >= seconds / 20 || iters >= (int64_t(1) << 40)) {
      iters = std::max<int64_t>(1, (int64_t)((double)iters * seconds / 5 / std::max(dt, 1e-9)));
      break;
    }
    iters *= 4;
  }
  double best = 0;
  for (int r = 0; r < 5; r++) {
    std::atomic<int64_t> flops{0};
    auto t0 = std::chrono::steady_clock::now();
    parallelFor(nt, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; t++) flops += (int64_t)loop(iters);
    });
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, (double)flops.load() / dt / 1e9);
  }
  return best;
}

}  // namespace cinder
