// Direct convolution kernels for groups with few output channels (see convDirect.h). A vector holds
// one input value's contribution to kDirectLanes consecutive output channels:
//   forward: acc[p] += w[tap][co..] * x[tap at position p]    for a block of output positions p
//   weight:  acc[q] += gy[position][co..] * x[position, tap q] for a block of kernel columns q
// The bodies are written once with GCC/Clang vector extensions and compiled three times, for
// AVX-512, AVX2 and the baseline ISA, with the same choice as the GEMM's kernel set (gemmArchName),
// so setGemmArch switches both and every set can be tested on one machine.
#include "cpu/convDirect.h"

#include <algorithm>
#include <cstring>

#include "cpu/gemm.h"

namespace cinder {

namespace {

template <typename T>
struct VecOf;
template <>
struct VecOf<float> {
  typedef float type __attribute__((vector_size(64)));
};
template <>
struct VecOf<double> {
  typedef double type __attribute__((vector_size(64)));
};
template <typename T>
using Vec = typename VecOf<T>::type;

#define CINDER_CONV_INLINE inline __attribute__((always_inline))

// Vectors pass by reference only (by value they would change the ABI between kernel sets).
template <typename T>
CINDER_CONV_INLINE void loadVec(Vec<T>& v, const T* p) {
  std::memcpy(&v, p, sizeof(v));
}

template <typename T>
CINDER_CONV_INLINE void storeVec(T* p, const Vec<T>& v) {
  std::memcpy(p, &v, sizeof(v));
}

template <typename T, int P>
CINDER_CONV_INLINE void forwardBody(const ConvGeom& g, const T* xpad, int64_t rw, const T* wpack, const T* bias,
                                    int64_t bs, T* yn, int64_t r0, int64_t r1) {
  constexpr int64_t W = kDirectLanes<T>;
  using V = Vec<T>;
  const int64_t nCB = (g.Cog + W - 1) / W;
  const int64_t taps = g.Cig * g.kvol;
  const int64_t S2 = g.S[2], D2 = g.D[2], Kx = g.Kk[2], X01 = g.X[0] * g.X[1];
  for (int64_t gi = 0; gi < g.G; gi++) {
    for (int64_t cb = 0; cb < nCB; cb++) {
      const T* wb = wpack + (gi * nCB + cb) * taps * W;
      const int64_t co0 = gi * g.Cog + cb * W, nco = std::min(W, g.Cog - cb * W);
      V b0 = {};
      if (bias)
        for (int64_t c = 0; c < nco; c++) b0[c] = bias[(co0 + c) * bs];
      for (int64_t r = r0; r < r1; r++) {
        const int64_t oz = r / g.Y[1], oy = r % g.Y[1];
        for (int64_t ox0 = 0; ox0 < g.Y[2]; ox0 += P) {
          V acc[P];
          for (int p = 0; p < P; p++) acc[p] = b0;
          for (int64_t ci = 0; ci < g.Cig; ci++) {
            const T* xc = xpad + (gi * g.Cig + ci) * X01 * rw;
            for (int64_t kz = 0; kz < g.Kk[0]; kz++) {
              const int64_t iz = oz * g.S[0] - g.P[0] + kz * g.D[0];
              if (iz < 0 || iz >= g.X[0]) continue;
              for (int64_t ky = 0; ky < g.Kk[1]; ky++) {
                const int64_t iy = oy * g.S[1] - g.P[1] + ky * g.D[1];
                if (iy < 0 || iy >= g.X[1]) continue;
                const T* row = xc + (iz * g.X[1] + iy) * rw + ox0 * S2;
                const T* wk = wb + ((ci * g.Kk[0] + kz) * g.Kk[1] + ky) * Kx * W;
                for (int64_t kx = 0; kx < Kx; kx++) {
                  V wv;
                  loadVec<T>(wv, wk + kx * W);
                  const T* xr = row + kx * D2;
                  for (int p = 0; p < P; p++) acc[p] += wv * xr[p * S2];
                }
              }
            }
          }
          const int64_t np = std::min<int64_t>(P, g.Y[2] - ox0);
          T* yo = yn + co0 * g.L + r * g.Y[2] + ox0;
          for (int64_t c = 0; c < nco; c++)
            for (int64_t p = 0; p < np; p++) yo[c * g.L + p] = acc[p][c];
        }
      }
    }
  }
}

template <typename T, int R>
CINDER_CONV_INLINE void weightBody(const ConvGeom& g, const T* xpad, int64_t rw, const T* gyT, T* acc) {
  constexpr int64_t W = kDirectLanes<T>;
  using V = Vec<T>;
  const int64_t nCB = (g.Cog + W - 1) / W;
  const int64_t taps = g.Cig * g.kvol;
  const int64_t S2 = g.S[2], D2 = g.D[2], Kx = g.Kk[2], X01 = g.X[0] * g.X[1], Y2 = g.Y[2];
  for (int64_t gi = 0; gi < g.G; gi++) {
    for (int64_t cb = 0; cb < nCB; cb++) {
      const T* gt = gyT + (gi * nCB + cb) * g.L * W;
      T* ab = acc + (gi * nCB + cb) * taps * W;
      for (int64_t ci = 0; ci < g.Cig; ci++) {
        const T* xc = xpad + (gi * g.Cig + ci) * X01 * rw;
        for (int64_t kz = 0; kz < g.Kk[0]; kz++) {
          for (int64_t ky = 0; ky < g.Kk[1]; ky++) {
            T* ak = ab + ((ci * g.Kk[0] + kz) * g.Kk[1] + ky) * Kx * W;
            for (int64_t kx0 = 0; kx0 < Kx; kx0 += R) {
              V a[R];
              for (int q = 0; q < R; q++) a[q] = V{};
              for (int64_t oz = 0; oz < g.Y[0]; oz++) {
                const int64_t iz = oz * g.S[0] - g.P[0] + kz * g.D[0];
                if (iz < 0 || iz >= g.X[0]) continue;
                for (int64_t oy = 0; oy < g.Y[1]; oy++) {
                  const int64_t iy = oy * g.S[1] - g.P[1] + ky * g.D[1];
                  if (iy < 0 || iy >= g.X[1]) continue;
                  const T* row = xc + (iz * g.X[1] + iy) * rw + kx0 * D2;
                  const T* gp = gt + (oz * g.Y[1] + oy) * Y2 * W;
                  for (int64_t ox = 0; ox < Y2; ox++) {
                    V gv;
                    loadVec<T>(gv, gp + ox * W);
                    const T* xr = row + ox * S2;
                    for (int q = 0; q < R; q++) a[q] += gv * xr[q * D2];
                  }
                }
              }
              const int64_t rc = std::min<int64_t>(R, Kx - kx0);
              for (int64_t q = 0; q < rc; q++) {
                V sum;
                loadVec<T>(sum, ak + (kx0 + q) * W);
                sum += a[q];
                storeVec<T>(ak + (kx0 + q) * W, sum);
              }
            }
          }
        }
      }
    }
  }
}

template <typename T, int Rmax>
CINDER_CONV_INLINE void weightDispatch(const ConvGeom& g, const T* xpad, int64_t rw, const T* gyT, T* acc, int64_t r) {
  switch (std::min<int64_t>(r, Rmax)) {
    case 1: weightBody<T, 1>(g, xpad, rw, gyT, acc); break;
    case 2: weightBody<T, (Rmax < 2 ? Rmax : 2)>(g, xpad, rw, gyT, acc); break;
    case 3: weightBody<T, (Rmax < 3 ? Rmax : 3)>(g, xpad, rw, gyT, acc); break;
    case 4: weightBody<T, (Rmax < 4 ? Rmax : 4)>(g, xpad, rw, gyT, acc); break;
    case 5: weightBody<T, (Rmax < 5 ? Rmax : 5)>(g, xpad, rw, gyT, acc); break;
    case 6: weightBody<T, (Rmax < 6 ? Rmax : 6)>(g, xpad, rw, gyT, acc); break;
    case 7: weightBody<T, (Rmax < 7 ? Rmax : 7)>(g, xpad, rw, gyT, acc); break;
    default: weightBody<T, Rmax>(g, xpad, rw, gyT, acc); break;
  }
}

// Register blocks per kernel set: AVX-512 has 32 vector registers, AVX2 16 (two per 64-byte
// vector), the baseline 16 (four per vector).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CINDER_HAVE_X86_TARGETS 1
#define CINDER_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define CINDER_TARGET_AVX2 __attribute__((target("avx2,fma")))

template <typename T>
CINDER_TARGET_AVX512 void forwardAvx512(const ConvGeom& g, const T* xpad, int64_t rw, const T* wpack, const T* bias,
                                        int64_t bs, T* yn, int64_t r0, int64_t r1) {
  forwardBody<T, 8>(g, xpad, rw, wpack, bias, bs, yn, r0, r1);
}
template <typename T>
CINDER_TARGET_AVX2 void forwardAvx2(const ConvGeom& g, const T* xpad, int64_t rw, const T* wpack, const T* bias,
                                    int64_t bs, T* yn, int64_t r0, int64_t r1) {
  forwardBody<T, 4>(g, xpad, rw, wpack, bias, bs, yn, r0, r1);
}
template <typename T>
CINDER_TARGET_AVX512 void weightAvx512(const ConvGeom& g, const T* xpad, int64_t rw, const T* gyT, T* acc, int64_t r) {
  weightDispatch<T, 8>(g, xpad, rw, gyT, acc, r);
}
template <typename T>
CINDER_TARGET_AVX2 void weightAvx2(const ConvGeom& g, const T* xpad, int64_t rw, const T* gyT, T* acc, int64_t r) {
  weightDispatch<T, 5>(g, xpad, rw, gyT, acc, r);
}
#endif

template <typename T>
void forwardGeneric(const ConvGeom& g, const T* xpad, int64_t rw, const T* wpack, const T* bias, int64_t bs, T* yn,
                    int64_t r0, int64_t r1) {
  forwardBody<T, 2>(g, xpad, rw, wpack, bias, bs, yn, r0, r1);
}
template <typename T>
void weightGeneric(const ConvGeom& g, const T* xpad, int64_t rw, const T* gyT, T* acc, int64_t r) {
  weightDispatch<T, 2>(g, xpad, rw, gyT, acc, r);
}

enum class Isa { Avx512, Avx2, Generic };

// The kernel set the GEMM uses (setGemmArch switches both).
Isa currentIsa() {
#ifdef CINDER_HAVE_X86_TARGETS
  const char* name = gemmArchName();
  if (name[0] == 'a' && name[3] == '5') return Isa::Avx512;
  if (name[0] == 'a' && name[3] == '2') return Isa::Avx2;
#endif
  return Isa::Generic;
}

int64_t maxCols(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return 8;
    case Isa::Avx2: return 5;
    default: return 2;
  }
}

}  // namespace

int64_t directWeightCols(const ConvGeom& g) { return std::min(g.Kk[2], maxCols(currentIsa())); }

int64_t directRowLength(const ConvGeom& g, int64_t cols) {
  // Forward: whole blocks of kDirectBlock output positions; weight: whole passes of `cols`.
  const int64_t oxEnd = (g.Y[2] + kDirectBlock - 1) / kDirectBlock * kDirectBlock;
  const int64_t kxEnd = (g.Kk[2] + cols - 1) / cols * cols;
  const int64_t fwd = (oxEnd - 1) * g.S[2] + (g.Kk[2] - 1) * g.D[2] + 1;
  const int64_t wgt = (g.Y[2] - 1) * g.S[2] + (kxEnd - 1) * g.D[2] + 1;
  return std::max({fwd, wgt, g.P[2] + g.X[2]});
}

template <typename T>
void directForward(const ConvGeom& g, const T* xpad, int64_t rw, const T* wpack, const T* bias, int64_t bs, T* yn,
                   int64_t r0, int64_t r1) {
  switch (currentIsa()) {
#ifdef CINDER_HAVE_X86_TARGETS
    case Isa::Avx512: forwardAvx512<T>(g, xpad, rw, wpack, bias, bs, yn, r0, r1); return;
    case Isa::Avx2: forwardAvx2<T>(g, xpad, rw, wpack, bias, bs, yn, r0, r1); return;
#endif
    default: forwardGeneric<T>(g, xpad, rw, wpack, bias, bs, yn, r0, r1); return;
  }
}

template <typename T>
void directWeight(const ConvGeom& g, const T* xpad, int64_t rw, const T* gyT, T* acc) {
  const int64_t r = directWeightCols(g);
  switch (currentIsa()) {
#ifdef CINDER_HAVE_X86_TARGETS
    case Isa::Avx512: weightAvx512<T>(g, xpad, rw, gyT, acc, r); return;
    case Isa::Avx2: weightAvx2<T>(g, xpad, rw, gyT, acc, r); return;
#endif
    default: weightGeneric<T>(g, xpad, rw, gyT, acc, r); return;
  }
}

template void directForward<float>(const ConvGeom&, const float*, int64_t, const float*, const float*, int64_t, float*,
                                   int64_t, int64_t);
template void directForward<double>(const ConvGeom&, const double*, int64_t, const double*, const double*, int64_t,
                                    double*, int64_t, int64_t);
template void directWeight<float>(const ConvGeom&, const float*, int64_t, const float*, float*);
template void directWeight<double>(const ConvGeom&, const double*, int64_t, const double*, double*);

}  // namespace cinder
