// CUDA elementwise kernels: the unary, binary and ternary ops of the CPU op table (the same
// UnaryOp/BinaryOp/TernaryOp codes, from cpu/elementwise.h) and the dtype-converting copy.
//
// One iteration scheme: the binding broadcasts and coalesces the operands on the host (with the
// CPU's ElementwiseIter) into CudaIterArgs; the launcher picks one of three kernels:
//   - vectorised: every operand contiguous (or a by-value scalar) and its pointer aligned to four
//     elements: each thread moves four elements per operand with one wide load/store;
//   - contiguous: the same without the alignment;
//   - strided: any strides (broadcast dims have stride 0), the offsets from the linear index.
// All three use grid-stride loops, so any element count fits any grid. Each op is a device lambda
// whose arithmetic mirrors the CPU kernel's, so both devices agree up to libm rounding.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "cpu/special.h"
#include "cpu/divisionMath.h"
#include "cuda/cudaCommon.cuh"
#include "cuda/cudaDevice.h"
#include "cuda/cudaElementwise.h"
#include "cuda/stridedOffsets.cuh"
#include "core/storage.h"

namespace cinder {
namespace cudaew {

constexpr int kThreads = 256;

template <int N>
struct KArgs {
  int ndim;
  uint32_t scalarMask;
  int64_t shape[kMaxDims];
  int64_t strides[N][kMaxDims];
  char* data[N];
  uint64_t scalar[N];
};

// Four elements, aligned so that one access moves them all (two for 8-byte types).
template <typename T>
struct alignas(sizeof(T) * 4) Vec4 {
  T v[4];
};

// bool storage: one byte, 0 or 1 (a distinct type so conversions can treat it apart from uint8).
struct Bool8 {
  uint8_t v;
};

template <typename T, int N>
__device__ __forceinline__ T loadAt(const KArgs<N>& a, int k, int64_t off) {
  if (a.scalarMask & (1u << k)) {
    T v;
    memcpy(&v, &a.scalar[k], sizeof(T));
    return v;
  }
  return *reinterpret_cast<const T*>(a.data[k] + off);
}

template <typename T, int N>
__device__ __forceinline__ Vec4<T> loadVec(const KArgs<N>& a, int k, int64_t i) {
  Vec4<T> r;
  if (a.scalarMask & (1u << k)) {
    T v;
    memcpy(&v, &a.scalar[k], sizeof(T));
#pragma unroll
    for (int j = 0; j < 4; j++) r.v[j] = v;
    return r;
  }
  return reinterpret_cast<const Vec4<T>*>(a.data[k])[i];
}

template <typename Out, typename A, typename B, typename C, int NIN, typename F>
__device__ __forceinline__ void applyAt(const KArgs<NIN + 1>& a, const int64_t* off, const F& f) {
  Out r;
  if constexpr (NIN == 1) {
    r = f(loadAt<A>(a, 1, off[1]));
  } else if constexpr (NIN == 2) {
    r = f(loadAt<A>(a, 1, off[1]), loadAt<B>(a, 2, off[2]));
  } else {
    r = f(loadAt<A>(a, 1, off[1]), loadAt<B>(a, 2, off[2]), loadAt<C>(a, 3, off[3]));
  }
  *reinterpret_cast<Out*>(a.data[0] + off[0]) = r;
}

template <typename Out, typename A, typename B, typename C, int NIN, typename F>
__global__ void ewStrided(KArgs<NIN + 1> a, int64_t n, F f) {
  constexpr int N = NIN + 1;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t off[N];
    stridedOffsets<N>(a, i, n <= (int64_t)UINT32_MAX, off);
    applyAt<Out, A, B, C, NIN>(a, off, f);
  }
}

template <typename Out, typename A, typename B, typename C, int NIN, typename F>
__global__ void ewContiguous(KArgs<NIN + 1> a, int64_t n, F f) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    const int64_t off[4] = {i * (int64_t)sizeof(Out), i * (int64_t)sizeof(A), i * (int64_t)sizeof(B),
                            i * (int64_t)sizeof(C)};
    applyAt<Out, A, B, C, NIN>(a, off, f);
  }
}

template <typename Out, typename A, typename B, typename C, int NIN, typename F>
__global__ void ewVectorised(KArgs<NIN + 1> a, int64_t n, F f) {
  const int64_t nvec = n / 4;
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  const int64_t tid = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  for (int64_t i = tid; i < nvec; i += step) {
    Vec4<Out> r;
    if constexpr (NIN == 1) {
      const Vec4<A> x = loadVec<A>(a, 1, i);
#pragma unroll
      for (int j = 0; j < 4; j++) r.v[j] = f(x.v[j]);
    } else if constexpr (NIN == 2) {
      const Vec4<A> x = loadVec<A>(a, 1, i);
      const Vec4<B> y = loadVec<B>(a, 2, i);
#pragma unroll
      for (int j = 0; j < 4; j++) r.v[j] = f(x.v[j], y.v[j]);
    } else {
      const Vec4<A> x = loadVec<A>(a, 1, i);
      const Vec4<B> y = loadVec<B>(a, 2, i);
      const Vec4<C> z = loadVec<C>(a, 3, i);
#pragma unroll
      for (int j = 0; j < 4; j++) r.v[j] = f(x.v[j], y.v[j], z.v[j]);
    }
    reinterpret_cast<Vec4<Out>*>(a.data[0])[i] = r;
  }
  // The last n % 4 elements, one per thread of the first block.
  const int64_t tail = n - nvec * 4;
  if (tid < tail) {
    const int64_t e = nvec * 4 + tid;
    const int64_t off[4] = {e * (int64_t)sizeof(Out), e * (int64_t)sizeof(A), e * (int64_t)sizeof(B),
                            e * (int64_t)sizeof(C)};
    applyAt<Out, A, B, C, NIN>(a, off, f);
  }
}

// Launches f over the iteration: Out the output's element type, A/B/C the inputs' (unused ones
// repeat A). Picks the vectorised, contiguous or strided kernel.
template <typename Out, typename A, typename B, typename C, int NIN, typename F>
void launch(int device, const CudaIterArgs& it, const F& f, const char* name) {
  constexpr int N = NIN + 1;
  CINDER_CHECK(it.nops == N, name, ": internal error: ", it.nops, " operands for a kernel of ", N);
  const int64_t n = it.numel;
  if (n == 0) return;
  CINDER_CHECK(it.ndim >= 0 && it.ndim <= kMaxDims, name, ": internal error: bad iteration rank ", it.ndim);
  KArgs<N> a;
  a.ndim = it.ndim;
  a.scalarMask = it.scalarMask;
  for (int d = 0; d < it.ndim; d++) a.shape[d] = it.shape[d];
  for (int k = 0; k < N; k++) {
    for (int d = 0; d < it.ndim; d++) a.strides[k][d] = it.strides[k][d];
    a.data[k] = it.data[k];
    std::memcpy(&a.scalar[k], it.scalar[k], 8);
  }
  const int64_t sizes[4] = {(int64_t)sizeof(Out), (int64_t)sizeof(A), (int64_t)sizeof(B), (int64_t)sizeof(C)};
  bool contiguous = it.ndim <= 1;
  bool aligned = n >= 4;
  for (int k = 0; k < N; k++) {
    if (it.scalarMask & (1u << k)) continue;
    if (it.ndim == 1 && it.strides[k][0] != sizes[k]) contiguous = false;
    if (reinterpret_cast<uintptr_t>(it.data[k]) % (uintptr_t)(4 * sizes[k]) != 0) aligned = false;
  }
  CudaDeviceGuard guard(device, name);
  cudaStream_t stream = cudaStreamOf(device, name);
  if (contiguous && aligned) {
    ewVectorised<Out, A, B, C, NIN><<<gridFor(n / 4, kThreads), kThreads, 0, stream>>>(a, n, f);
  } else if (contiguous) {
    ewContiguous<Out, A, B, C, NIN><<<gridFor(n, kThreads), kThreads, 0, stream>>>(a, n, f);
  } else {
    ewStrided<Out, A, B, C, NIN><<<gridFor(n, kThreads), kThreads, 0, stream>>>(a, n, f);
  }
  CINDER_CUDA_LAUNCH_CHECK(name);
}

template <typename T>
__device__ __forceinline__ T infinity() {
  return std::numeric_limits<T>::infinity();
}

// ---- unary ------------------------------------------------------------------------------------

#define CINDER_CU(NAME, EXPR)                                                                   \
  case UnaryOp::NAME:                                                                           \
    launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T { return (EXPR); }, name);      \
    break;
#define CINDER_CP(NAME, EXPR)                                                                       \
  case UnaryOp::NAME:                                                                               \
    launch<uint8_t, T, T, T, 1>(device, it, [=] __device__(T x) -> uint8_t { return (EXPR) ? 1 : 0; }, \
                                name);                                                              \
    break;

template <typename T>
__device__ __forceinline__ T roundDecimals(T x, int d, T ten) {
  if (d > 0) return nearbyint(x * ten) / ten;
  return nearbyint(x / ten) * ten;
}

template <typename T>
void floatUnary(int device, UnaryOp op, const CudaIterArgs& it, const double* p, const char* name) {
  const T one = 1, zero = 0, half = T(0.5);
  switch (op) {
    CINDER_CU(neg, -x)
    CINDER_CU(abs, fabs(x))
    CINDER_CU(reciprocal, one / x)
    CINDER_CU(square, x * x)
    CINDER_CU(sqrt, sqrt(x))
    CINDER_CU(rsqrt, one / sqrt(x))
    CINDER_CU(exp, exp(x))
    CINDER_CU(exp2, exp2(x))
    CINDER_CU(expm1, expm1(x))
    CINDER_CU(log, log(x))
    CINDER_CU(log2, log2(x))
    CINDER_CU(log10, log10(x))
    CINDER_CU(log1p, log1p(x))
    CINDER_CU(sin, sin(x))
    CINDER_CU(cos, cos(x))
    CINDER_CU(tan, tan(x))
    CINDER_CU(asin, asin(x))
    CINDER_CU(acos, acos(x))
    CINDER_CU(atan, atan(x))
    CINDER_CU(sinh, sinh(x))
    CINDER_CU(cosh, cosh(x))
    CINDER_CU(tanh, tanh(x))
    CINDER_CU(asinh, asinh(x))
    CINDER_CU(acosh, acosh(x))
    CINDER_CU(atanh, atanh(x))
    CINDER_CU(sigmoid, one / (one + exp(-x)))
    CINDER_CU(relu, x < zero ? zero : x)
    CINDER_CU(silu, x / (one + exp(-x)))
    CINDER_CU(erf, erf(x))
    CINDER_CU(erfc, erfc(x))
    CINDER_CU(erfinv, special::erfinv(x))
    CINDER_CU(lgamma, lgamma(x))
    CINDER_CU(digamma, special::digamma(x))
    CINDER_CU(floor, floor(x))
    CINDER_CU(ceil, ceil(x))
    CINDER_CU(trunc, trunc(x))
    CINDER_CU(sign, T((zero < x) - (x < zero)))
    CINDER_CP(isnan, x != x)
    CINDER_CP(isinf, x == infinity<T>() || x == -infinity<T>())
    CINDER_CP(isfinite, x == x && x != infinity<T>() && x != -infinity<T>())
    CINDER_CP(isposinf, x == infinity<T>())
    CINDER_CP(isneginf, x == -infinity<T>())
    case UnaryOp::logit: {
      const T eps = (T)p[0];
      if (p[0] < 0) {
        launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T { return log(x / (one - x)); }, name);
      } else {
        launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T {
          T z = x < eps ? eps : (x > one - eps ? one - eps : x);
          return log(z / (one - z));
        }, name);
      }
      break;
    }
    case UnaryOp::gelu: {
      if (p[0] != 0) {
        const T k = (T)0.7978845608028654, c = (T)0.044715;  // sqrt(2/pi)
        launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T {
          return half * x * (one + tanh(k * (x + c * x * x * x)));
        }, name);
      } else {
        const T r = (T)0.70710678118654752440;  // 1/sqrt(2)
        launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T { return half * x * (one + erf(x * r)); }, name);
      }
      break;
    }
    case UnaryOp::softplus: {
      const T beta = (T)p[0], threshold = (T)p[1];
      launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T {
        T bx = x * beta;
        return bx > threshold ? x : log1p(exp(bx)) / beta;
      }, name);
      break;
    }
    case UnaryOp::polygamma: {
      const int n = (int)p[0];
      launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T { return special::polygamma<T>(n, x); }, name);
      break;
    }
    case UnaryOp::round: {
      const int d = (int)p[0];
      const T ten = (T)std::pow(10.0, (double)(d < 0 ? -d : d));
      if (d == 0) launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T { return nearbyint(x); }, name);
      else launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T { return roundDecimals(x, d, ten); }, name);
      break;
    }
    case UnaryOp::nanToNum: {
      const T nan = (T)p[0], pinf = (T)p[1], ninf = (T)p[2];
      launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T {
        return x != x ? nan : (x == infinity<T>() ? pinf : (x == -infinity<T>() ? ninf : x));
      }, name);
      break;
    }
    case UnaryOp::clamp: {
      const int flags = (int)p[2];
      const T lo = (flags & 1) ? (T)p[0] : -std::numeric_limits<T>::infinity();
      const T hi = (flags & 2) ? (T)p[1] : std::numeric_limits<T>::infinity();
      if (lo != lo || hi != hi) {
        const T qnan = std::numeric_limits<T>::quiet_NaN();
        launch<T, T, T, T, 1>(device, it, [=] __device__(T) -> T { return qnan; }, name);
      } else {
        launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T {
          T y = x < lo ? lo : x;
          return y > hi ? hi : y;
        }, name);
      }
      break;
    }
    default:
      fail(name, ": internal error: unknown unary op code ", (int)op);
  }
}

template <typename T>
void intUnary(int device, UnaryOp op, DType dt, const CudaIterArgs& it, const double* p, const char* name) {
  using U = std::make_unsigned_t<T>;
  const T zero = 0;
  switch (op) {
    CINDER_CU(neg, T(U(0) - U(x)))
    CINDER_CU(square, T(U(x) * U(x)))
    case UnaryOp::relu:
      if constexpr (std::is_signed_v<T>) {
        launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T { return x < zero ? zero : x; }, name);
      } else {
        launch<T, T, T, T, 1>(device, it, [] __device__(T x) -> T { return x; }, name);
      }
      break;
    case UnaryOp::sign:
      if constexpr (std::is_signed_v<T>) {
        launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T { return T((zero < x) - (x < zero)); }, name);
      } else {
        launch<T, T, T, T, 1>(device, it, [] __device__(T x) -> T { return T(x != 0 ? 1 : 0); }, name);
      }
      break;
    case UnaryOp::abs:
      if constexpr (std::is_signed_v<T>) {
        launch<T, T, T, T, 1>(device, it, [] __device__(T x) -> T { return x < 0 ? T(U(0) - U(x)) : x; }, name);
      } else {
        launch<T, T, T, T, 1>(device, it, [] __device__(T x) -> T { return x; }, name);
      }
      break;
    case UnaryOp::floor: case UnaryOp::ceil: case UnaryOp::round: case UnaryOp::trunc: case UnaryOp::nanToNum:
      launch<T, T, T, T, 1>(device, it, [] __device__(T x) -> T { return x; }, name);
      break;
    case UnaryOp::isnan: case UnaryOp::isinf: case UnaryOp::isposinf: case UnaryOp::isneginf:
      launch<uint8_t, T, T, T, 1>(device, it, [] __device__(T) -> uint8_t { return 0; }, name);
      break;
    case UnaryOp::isfinite:
      launch<uint8_t, T, T, T, 1>(device, it, [] __device__(T) -> uint8_t { return 1; }, name);
      break;
    case UnaryOp::clamp: {
      const int flags = (int)p[2];
      // The bounds converted as the CPU converts them (saturating, NaN to 0).
      auto bound = [](double v) -> T {
        if (!(v == v)) return T(0);
        if (v >= (double)std::numeric_limits<T>::max()) return std::numeric_limits<T>::max();
        if (v <= (double)std::numeric_limits<T>::min()) return std::numeric_limits<T>::min();
        return (T)v;
      };
      const T lo = (flags & 1) ? bound(p[0]) : std::numeric_limits<T>::lowest();
      const T hi = (flags & 2) ? bound(p[1]) : std::numeric_limits<T>::max();
      launch<T, T, T, T, 1>(device, it, [=] __device__(T x) -> T {
        T y = x < lo ? lo : x;
        return y > hi ? hi : y;
      }, name);
      break;
    }
    default:
      fail(name, ": not supported for integer dtype ", dtypeName(dt));
  }
}

#undef CINDER_CU
#undef CINDER_CP

// ---- binary -----------------------------------------------------------------------------------

#define CINDER_CB(NAME, EXPR)                                                                        \
  case BinaryOp::NAME:                                                                               \
    launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T { return (EXPR); }, name);      \
    break;
#define CINDER_CC(NAME, EXPR)                                                                             \
  case BinaryOp::NAME:                                                                                    \
    launch<uint8_t, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> uint8_t { return (EXPR) ? 1 : 0; }, \
                                name);                                                                    \
    break;

template <typename T>
void floatBinary(int device, BinaryOp op, const CudaIterArgs& it, T alpha, const char* name) {
  switch (op) {
    case BinaryOp::add:
      if (alpha == T(1)) launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return a + b; }, name);
      else launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T { return a + alpha * b; }, name);
      break;
    case BinaryOp::sub:
      if (alpha == T(1)) launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return a - b; }, name);
      else launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T { return a - alpha * b; }, name);
      break;
    CINDER_CB(mul, a * b)
    CINDER_CB(div, a / b)
    CINDER_CB(divTrunc, trunc(a / b))
    CINDER_CB(divFloor, floorDivFloat(a, b))
    CINDER_CB(remainder, remainderFloat(a, b))
    CINDER_CB(fmod, fmod(a, b))
    CINDER_CB(pow, pow(a, b))
    CINDER_CB(atan2, atan2(a, b))
    CINDER_CB(maximum, a != a ? a : (b != b ? b : (a > b ? a : b)))
    CINDER_CB(minimum, a != a ? a : (b != b ? b : (a < b ? a : b)))
    CINDER_CC(eq, a == b)
    CINDER_CC(ne, a != b)
    CINDER_CC(lt, a < b)
    CINDER_CC(le, a <= b)
    CINDER_CC(gt, a > b)
    CINDER_CC(ge, a >= b)
    CINDER_CC(logicalAnd, a != 0 && b != 0)
    CINDER_CC(logicalOr, a != 0 || b != 0)
    CINDER_CC(logicalXor, (a != 0) != (b != 0))
    default:
      fail(name, ": internal error: unknown binary op code ", (int)op);
  }
}

// A device flag the integer division kernels raise on a zero divisor; read back after the
// kernel (a synchronising copy, paid by integer division only) so the op throws as on the CPU.
struct ZeroDivFlag {
  Storage* s;
  int device;
  ZeroDivFlag(int dev, const char* name) : s(newDeviceStorage(dev, sizeof(int), name)), device(dev) {
    CudaDeviceGuard guard(dev, name);
    cudaError_t e = cudaMemsetAsync(s->data, 0, sizeof(int), cudaStreamOf(dev, name));
    if (e != cudaSuccess) {
      releaseStorage(s);
      CINDER_CUDA_CHECK(e, name, ": cudaMemsetAsync");
    }
  }
  ~ZeroDivFlag() { releaseStorage(s); }
  int* ptr() const { return static_cast<int*>(s->data); }
  void check(const char* name) const {
    int raised = 0;
    cudaCopyDeviceToHost(&raised, s->data, device, sizeof(int), name);
    if (raised) fail(name, ": ZeroDivisionError: integer division by zero");
  }
};

template <typename T>
void intBinary(int device, BinaryOp op, const CudaIterArgs& it, T alpha, bool isBool, const char* name) {
  using U = std::make_unsigned_t<T>;
  switch (op) {
    case BinaryOp::add:
      if (isBool) launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return T(a | b); }, name);
      else if (alpha == 1) launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return T(U(a) + U(b)); }, name);
      else launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T { return T(U(a) + U(alpha) * U(b)); }, name);
      return;
    case BinaryOp::sub:
      if (alpha == 1) launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return T(U(a) - U(b)); }, name);
      else launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T { return T(U(a) - U(alpha) * U(b)); }, name);
      return;
    case BinaryOp::mul:
      if (isBool) launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return T(a & b); }, name);
      else launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return T(U(a) * U(b)); }, name);
      return;
    case BinaryOp::maximum:
      if (isBool) launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return T(a | b); }, name);
      else launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return a > b ? a : b; }, name);
      return;
    case BinaryOp::minimum:
      if (isBool) launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return T(a & b); }, name);
      else launch<T, T, T, T, 2>(device, it, [] __device__(T a, T b) -> T { return a < b ? a : b; }, name);
      return;
    CINDER_CB(pow, powInt<T>(a, b))
    CINDER_CC(eq, a == b)
    CINDER_CC(ne, a != b)
    CINDER_CC(lt, a < b)
    CINDER_CC(le, a <= b)
    CINDER_CC(gt, a > b)
    CINDER_CC(ge, a >= b)
    CINDER_CC(logicalAnd, a != 0 && b != 0)
    CINDER_CC(logicalOr, a != 0 || b != 0)
    CINDER_CC(logicalXor, (a != 0) != (b != 0))
    case BinaryOp::divTrunc: case BinaryOp::divFloor: case BinaryOp::remainder: case BinaryOp::fmod: {
      if (it.numel == 0) return;
      ZeroDivFlag flag(device, name);
      int* z = flag.ptr();
      if (op == BinaryOp::divTrunc) {
        launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T {
          if (b == 0) { *z = 1; return 0; }
          if constexpr (std::is_signed_v<T>) if (b == -1) return T(U(0) - U(a));
          return T(a / b);
        }, name);
      } else if (op == BinaryOp::divFloor) {
        launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T {
          if (b == 0) { *z = 1; return 0; }
          if constexpr (std::is_signed_v<T>) {
            if (b == -1) return T(U(0) - U(a));
            T q = a / b;
            if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
            return q;
          }
          return T(a / b);
        }, name);
      } else if (op == BinaryOp::remainder) {
        launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T {
          if (b == 0) { *z = 1; return 0; }
          if constexpr (std::is_signed_v<T>) {
            if (b == -1) return 0;
            T r = a % b;
            if (r != 0 && ((r < 0) != (b < 0))) r += b;
            return r;
          }
          return T(a % b);
        }, name);
      } else {
        launch<T, T, T, T, 2>(device, it, [=] __device__(T a, T b) -> T {
          if (b == 0) { *z = 1; return 0; }
          if constexpr (std::is_signed_v<T>) if (b == -1) return 0;
          return T(a % b);
        }, name);
      }
      flag.check(name);
      return;
    }
    default:
      fail(name, ": not supported for integer dtypes");
  }
}

#undef CINDER_CB
#undef CINDER_CC

// ---- ternary ----------------------------------------------------------------------------------

template <typename T>
void typedTernary(int device, TernaryOp op, const CudaIterArgs& it, const char* name) {
  switch (op) {
    case TernaryOp::where:
      launch<T, uint8_t, T, T, 3>(device, it, [] __device__(uint8_t c, T a, T b) -> T { return c ? a : b; }, name);
      break;
    case TernaryOp::lerp:
      if constexpr (std::is_floating_point_v<T>) {
        launch<T, T, T, T, 3>(device, it, [] __device__(T s, T e, T w) -> T {
          return fabs(w) < T(0.5) ? s + w * (e - s) : e - (e - s) * (T(1) - w);
        }, name);
      } else {
        fail(name, ": not supported for integer dtypes");
      }
      break;
    case TernaryOp::clamp:
      launch<T, T, T, T, 3>(device, it, [] __device__(T x, T lo, T hi) -> T {
        if constexpr (std::is_floating_point_v<T>) {
          if (lo != lo) return lo;
          if (hi != hi) return hi;
        }
        T y = x < lo ? lo : x;
        return y > hi ? hi : y;
      }, name);
      break;
    default:
      fail(name, ": internal error: unknown ternary op code ", (int)op);
  }
}

// ---- dtype conversion ---------------------------------------------------------------------------

template <typename T>
constexpr bool kIsFloatStorage = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                                 std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

// A storage value widened: floating types to double, integers (and bool) to int64.
template <typename From>
__device__ __forceinline__ auto widen(From v) {
  if constexpr (std::is_same_v<From, __half>) return (double)__half2float(v);
  else if constexpr (std::is_same_v<From, __nv_bfloat16>) return (double)__bfloat162float(v);
  else if constexpr (std::is_same_v<From, Bool8>) return (int64_t)v.v;
  else if constexpr (std::is_floating_point_v<From>) return (double)v;
  else return (int64_t)v;
}

// Converts as the CPU's copyCast does: to bool is "nonzero", float to int saturates (NaN to 0),
// float16/bfloat16 round from float32.
template <typename To, typename From>
__device__ __forceinline__ To castValue(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else {
    auto w = widen(v);
    if constexpr (std::is_same_v<To, Bool8>) {
      return Bool8{(uint8_t)(w != 0 ? 1 : 0)};
    } else if constexpr (std::is_same_v<To, __half>) {
      return __float2half_rn((float)w);
    } else if constexpr (std::is_same_v<To, __nv_bfloat16>) {
      return __float2bfloat16_rn((float)w);
    } else if constexpr (std::is_floating_point_v<To>) {
      return (To)w;
    } else if constexpr (std::is_floating_point_v<decltype(w)>) {
      if (!(w == w)) return To(0);
      if (w >= (double)std::numeric_limits<To>::max()) return std::numeric_limits<To>::max();
      if (w <= (double)std::numeric_limits<To>::min()) return std::numeric_limits<To>::min();
      return (To)w;
    } else {
      return (To)w;
    }
  }
}

template <typename F>
void withStorageType(DType dt, const char* name, F f) {
  switch (dt) {
    case DType::Float32: f(float{}); break;
    case DType::Float64: f(double{}); break;
    case DType::Int32: f(int32_t{}); break;
    case DType::Int64: f(int64_t{}); break;
    case DType::Uint8: f(uint8_t{}); break;
    case DType::Bool: f(Bool8{}); break;
    case DType::Float16: f(__half{}); break;
    case DType::BFloat16: f(__nv_bfloat16{}); break;
    default: fail(name, ": unknown dtype");
  }
}

template <typename To, typename From>
void copyCastTyped(int device, const CudaIterArgs& it, const char* name) {
  launch<To, From, From, From, 1>(device, it, [] __device__(From v) -> To { return castValue<To>(v); }, name);
}

}  // namespace cudaew

void cudaLaunchUnary(int device, UnaryOp op, DType dt, const CudaIterArgs& it, const double* params, const char* name) {
  using namespace cudaew;
  switch (dt) {
    case DType::Float32: floatUnary<float>(device, op, it, params, name); break;
    case DType::Float64: floatUnary<double>(device, op, it, params, name); break;
    case DType::Int32: intUnary<int32_t>(device, op, dt, it, params, name); break;
    case DType::Int64: intUnary<int64_t>(device, op, dt, it, params, name); break;
    case DType::Uint8: case DType::Bool: intUnary<uint8_t>(device, op, dt, it, params, name); break;
    default: fail(name, ": not supported for dtype ", dtypeName(dt));
  }
}

void cudaLaunchBinary(int device, BinaryOp op, DType dt, const CudaIterArgs& it, double alpha, const char* name) {
  using namespace cudaew;
  switch (dt) {
    case DType::Float32: floatBinary<float>(device, op, it, (float)alpha, name); break;
    case DType::Float64: floatBinary<double>(device, op, it, alpha, name); break;
    case DType::Int32: intBinary<int32_t>(device, op, it, (int32_t)alpha, false, name); break;
    case DType::Int64: intBinary<int64_t>(device, op, it, (int64_t)alpha, false, name); break;
    case DType::Uint8: intBinary<uint8_t>(device, op, it, (uint8_t)(int64_t)alpha, false, name); break;
    case DType::Bool: intBinary<uint8_t>(device, op, it, (uint8_t)(int64_t)alpha, true, name); break;
    default: fail(name, ": not supported for dtype ", dtypeName(dt));
  }
}

void cudaLaunchTernary(int device, TernaryOp op, DType dt, const CudaIterArgs& it, const char* name) {
  using namespace cudaew;
  switch (dt) {
    case DType::Float32: typedTernary<float>(device, op, it, name); break;
    case DType::Float64: typedTernary<double>(device, op, it, name); break;
    case DType::Int32: typedTernary<int32_t>(device, op, it, name); break;
    case DType::Int64: typedTernary<int64_t>(device, op, it, name); break;
    case DType::Uint8: case DType::Bool: typedTernary<uint8_t>(device, op, it, name); break;
    default: fail(name, ": not supported for dtype ", dtypeName(dt));
  }
}

void cudaLaunchCopyCast(int device, DType dstType, DType srcType, const CudaIterArgs& it, const char* name) {
  using namespace cudaew;
  withStorageType(dstType, name, [&](auto to) {
    withStorageType(srcType, name, [&](auto from) {
      copyCastTyped<decltype(to), decltype(from)>(device, it, name);
    });
  });
}

}  // namespace cinder
