// The GEMM driver: the classic three-level blocking (a kc x nc panel of B packed once per
// (jc, pc) and kept in L3/L2, an mc x kc block of A packed per ic and kept in L2, then an
// MR x NR register-blocked micro-kernel sweeping the block), with the micro-kernel picked by cpuid.
// Threads split C into disjoint column (or row) ranges aligned to the register tile, each running
// the serial algorithm with its own packing buffers, so every element is computed by the same
// sequence of operations whatever the thread count: results are bitwise deterministic.
#include "cpu/gemm.h"

#include <algorithm>
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

// Packs rows [0, mc) x depth [0, kc) of A into panels of mr rows, zero-padding the last panel.
template <typename T>
void packA(int64_t mc, int64_t kc, const T* a, int64_t rsa, int64_t csa, int mr, T* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += mr) {
    int64_t rows = std::min<int64_t>(mr, mc - i0);
    const T* src = a + i0 * rsa;
    if (rsa == 1 && rows == mr) {
      // Column-major (transposed) A: each column of the panel is contiguous.
      for (int64_t p = 0; p < kc; p++) {
        const T* s = src + p * csa;
        for (int i = 0; i < mr; i++) out[i] = s[i];
        out += mr;
      }
    } else {
      int64_t p = 0;
      if (csa == 1 && rows == mr) {
        // Row-major A: read 8 consecutive values of each row, transpose through L1.
        for (; p + 8 <= kc; p += 8) {
          for (int i = 0; i < mr; i++) {
            const T* s = src + i * rsa + p;
            for (int pp = 0; pp < 8; pp++) out[pp * mr + i] = s[pp];
          }
          out += 8 * mr;
        }
      }
      for (; p < kc; p++) {
        const T* s = src + p * csa;
        int64_t i = 0;
        for (; i < rows; i++) out[i] = s[i * rsa];
        for (; i < mr; i++) out[i] = T(0);
        out += mr;
      }
    }
  }
}

// Packs depth [0, kc) x columns [0, nc) of B into panels of nr columns, zero-padding.
template <typename T>
void packB(int64_t kc, int64_t nc, const T* b, int64_t rsb, int64_t csb, int nr, T* out) {
  for (int64_t j0 = 0; j0 < nc; j0 += nr) {
    int64_t cols = std::min<int64_t>(nr, nc - j0);
    const T* src = b + j0 * csb;
    if (csb == 1 && cols == nr) {
      for (int64_t p = 0; p < kc; p++) {
        const T* s = src + p * rsb;
        for (int j = 0; j < nr; j++) out[j] = s[j];
        out += nr;
      }
    } else {
      int64_t p = 0;
      if (rsb == 1 && cols == nr) {
        // Column-major (transposed) B: the same blocked transpose as for A.
        for (; p + 8 <= kc; p += 8) {
          for (int j = 0; j < nr; j++) {
            const T* s = src + j * csb + p;
            for (int pp = 0; pp < 8; pp++) out[pp * nr + j] = s[pp];
          }
          out += 8 * nr;
        }
      }
      for (; p < kc; p++) {
        const T* s = src + p * rsb;
        int64_t j = 0;
        for (; j < cols; j++) out[j] = s[j * csb];
        for (; j < nr; j++) out[j] = T(0);
        out += nr;
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

template <typename T>
void gemmSerial(const GemmArch<T>& g, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t rsa,
                int64_t csa, const T* b, int64_t rsb, int64_t csb, T beta, T* c, int64_t rsc, int64_t csc) {
  static thread_local Scratch scratchA, scratchB;
  const int mr = g.mr, nr = g.nr;
  const int64_t KC = g.kc, MC = g.mc, NC = g.nc;
  int64_t ncMax = std::min<int64_t>(NC, (n + nr - 1) / nr * nr);
  int64_t kcMax = std::min<int64_t>(KC, k);
  int64_t mcMax = std::min<int64_t>(MC, (m + mr - 1) / mr * mr);
  T* bp = static_cast<T*>(scratchB.get(sizeof(T) * (size_t)(ncMax * kcMax)));
  T* ap = static_cast<T*>(scratchA.get(sizeof(T) * (size_t)(mcMax * kcMax)));
  alignas(64) T tile[16 * 64];
  for (int64_t jc = 0; jc < n; jc += NC) {
    int64_t nc = std::min(NC, n - jc);
    for (int64_t pc = 0; pc < k; pc += KC) {
      int64_t kc = std::min(KC, k - pc);
      T betaEff = pc == 0 ? beta : T(1);
      packB(kc, nc, b + pc * rsb + jc * csb, rsb, csb, nr, bp);
      for (int64_t ic = 0; ic < m; ic += MC) {
        int64_t mc = std::min(MC, m - ic);
        packA(mc, kc, a + ic * rsa + pc * csa, rsa, csa, mr, ap);
        for (int64_t jr = 0; jr < nc; jr += nr) {
          int64_t nn = std::min<int64_t>(nr, nc - jr);
          const T* bpan = bp + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            int64_t mm = std::min<int64_t>(mr, mc - ir);
            const T* apan = ap + ir * kc;
            T* cij = c + (ic + ir) * rsc + (jc + jr) * csc;
            if (mm == mr && nn == nr && csc == 1) {
              g.kernel(kc, apan, bpan, cij, rsc, alpha, betaEff);
            } else {
              // Edge tile (or C with a non-unit column stride): compute the full tile aside.
              g.kernel(kc, apan, bpan, tile, nr, alpha, T(0));
              for (int64_t i = 0; i < mm; i++)
                for (int64_t j = 0; j < nn; j++) {
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
    if (k <= 0) return;
    if (alpha == T(0)) return;
  }
  // A row-major C whose transpose is cheaper to produce: C^T = B^T A^T keeps the kernel's
  // unit-stride stores when C is column-major.
  if (csc != 1 && rsc == 1) {
    gemm<T>(n, m, k, alpha, b, csb, rsb, a, csa, rsa, beta, c, csc, rsc, threads);
    return;
  }
  double flops = 2.0 * (double)m * (double)n * (double)k;
  const GemmArch<T> g = arch<T>();
  int nt = threads == 0 ? ThreadPool::instance().numThreads() : threads;
  if (flops <= 2.0 * 8 * 8 * 8 || m < 4 || n < 4) {
    // Memory-bound (matrix-vector) or tiny: split rows when there is enough to stream.
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
  // Roughly 2 MFLOP per thread before splitting pays for the wake-up and the duplicated packing.
  int64_t maxByWork = (int64_t)(flops / 4e6);
  nt = (int)std::max<int64_t>(1, std::min<int64_t>(nt, maxByWork));
  if (nt <= 1) {
    gemmSerial(g, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
    return;
  }
  bool splitN = n >= m;
  int64_t unit = splitN ? g.nr : g.mr;
  int64_t units = ((splitN ? n : m) + unit - 1) / unit;
  nt = (int)std::min<int64_t>(nt, units);
  if (nt <= 1) {
    gemmSerial(g, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
    return;
  }
  // parallelFor over `nt` chunks of one element each: chunk t takes a contiguous run of tiles.
  parallelFor(nt, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      int64_t u0 = units * t / nt, u1 = units * (t + 1) / nt;
      int64_t lo = u0 * unit, hi = std::min<int64_t>(u1 * unit, splitN ? n : m);
      if (hi <= lo) continue;
      if (splitN)
        gemmSerial(g, m, hi - lo, k, alpha, a, rsa, csa, b + lo * csb, rsb, csb, beta, c + lo * csc, rsc, csc);
      else
        gemmSerial(g, hi - lo, n, k, alpha, a + lo * rsa, rsa, csa, b, rsb, csb, beta, c + lo * rsc, rsc, csc);
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
