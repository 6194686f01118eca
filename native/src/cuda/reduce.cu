// CUDA dim reductions, index reductions and the linalg vector / matrix absolute-sum norms, on
// the engine of reduceKernels.cuh. The reducers mirror cpu/reduce.cc's: the same identities,
// NaN rules (amax/amin and argmax/argmin: NaN wins, the first NaN for indices; ties keep the
// first index), empty-input results and result dtypes. float32 accumulates in float32 (in a
// fixed tree order, as PyTorch does on CUDA), float64 in double, integers in 64 bits.
#include <cuda_runtime.h>

#include <cmath>
#include <limits>

#include "cuda/cudaReduce.h"
#include "cuda/reduceKernels.cuh"

namespace cinder {
namespace cured {

int multiprocessorsOf(int device) {
  static int cache[64] = {};
  if (device >= 0 && device < 64 && cache[device] > 0) return cache[device];
  int n = 0;
  CINDER_CUDA_CHECK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device), "reduce");
  if (n < 1) n = 1;
  if (device >= 0 && device < 64) cache[device] = n;
  return n;
}

namespace {

template <typename T>
struct SumRed {
  using In = T;
  using Acc = AccT<T>;
  WideOut<T>* out;
  double scale;  // 1, or 1/n for mean
  __device__ Acc init(int64_t) const { return Acc(0); }
  __device__ Acc add(Acc a, T v, int64_t) const { return a + (Acc)v; }
  __device__ Acc merge(Acc a, Acc b) const { return a + b; }
  __device__ void store(int64_t o, Acc a) const {
    if constexpr (std::is_floating_point_v<T>) out[o] = (T)((double)a * scale);
    else out[o] = (int64_t)a;
  }
};

template <typename T>
struct ProdRed {
  using In = T;
  using Acc = AccT<T>;
  WideOut<T>* out;
  __device__ Acc init(int64_t) const { return Acc(1); }
  __device__ Acc add(Acc a, T v, int64_t) const { return a * (Acc)v; }
  __device__ Acc merge(Acc a, Acc b) const { return a * b; }
  __device__ void store(int64_t o, Acc a) const { out[o] = (WideOut<T>)a; }
};

// NaN propagates: once the accumulator is NaN no comparison replaces it.
template <typename T, bool IsMax>
struct ExtRed {
  using In = T;
  using Acc = T;
  T* out;
  __device__ T init(int64_t) const {
    if constexpr (std::is_floating_point_v<T>)
      return IsMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    else return IsMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
  __device__ T add(T a, T v, int64_t) const { return ((IsMax ? v > a : v < a) || isNan(v)) ? v : a; }
  __device__ T merge(T a, T b) const { return add(a, b, 0); }
  __device__ void store(int64_t o, T a) const { out[o] = a; }
};

template <typename T, bool IsAll>
struct LogicalRed {
  using In = T;
  using Acc = uint32_t;
  uint8_t* out;
  __device__ uint32_t init(int64_t) const { return IsAll ? 1u : 0u; }
  __device__ uint32_t add(uint32_t a, T v, int64_t) const { return IsAll ? (a & (uint32_t)(v != T(0))) : (a | (uint32_t)(v != T(0))); }
  __device__ uint32_t merge(uint32_t a, uint32_t b) const { return IsAll ? (a & b) : (a | b); }
  __device__ void store(int64_t o, uint32_t a) const { out[o] = (uint8_t)a; }
};

template <typename T>
struct CountRed {
  using In = T;
  using Acc = uint64_t;
  int64_t* out;
  __device__ uint64_t init(int64_t) const { return 0; }
  __device__ uint64_t add(uint64_t a, T v, int64_t) const { return a + (uint64_t)(v != T(0)); }
  __device__ uint64_t merge(uint64_t a, uint64_t b) const { return a + b; }
  __device__ void store(int64_t o, uint64_t a) const { out[o] = (int64_t)a; }
};

// A per-output center and a sum.
template <typename A>
struct Moment {
  A center;
  A s;
};

// Sum of squared deviations about the precomputed mean (two-pass variance).
template <typename T>
struct VarRed {
  using In = T;
  using Acc = Moment<T>;
  T* out;
  const T* mean;
  double denom;
  bool sqrtOut;
  __device__ Acc init(int64_t o) const { return {mean[o], T(0)}; }
  __device__ Acc add(Acc a, T v, int64_t) const {
    const T d = v - a.center;
    a.s += d * d;
    return a;
  }
  __device__ Acc merge(Acc a, Acc b) const {
    a.s += b.s;
    return a;
  }
  __device__ void store(int64_t o, Acc a) const {
    const double v = (double)a.s / denom;
    out[o] = (T)(sqrtOut ? sqrt(v) : v);
  }
};

template <typename T>
struct LogSumExpRed {
  using In = T;
  using Acc = Moment<T>;
  T* out;
  const T* shift;  // amax per output; null for empty reductions
  __device__ Acc init(int64_t o) const {
    T m = shift ? shift[o] : T(0);
    if (isinf(m)) m = T(0);  // all -inf gives log(0) = -inf; any +inf gives +inf
    return {m, T(0)};
  }
  __device__ Acc add(Acc a, T v, int64_t) const {
    a.s += exp(v - a.center);
    return a;
  }
  __device__ Acc merge(Acc a, Acc b) const {
    a.s += b.s;
    return a;
  }
  __device__ void store(int64_t o, Acc a) const { out[o] = log(a.s) + a.center; }
};

// MaxIgnoreNaN / MinIgnoreNaN: fmax / fmin (the matrix norms' max / min of column sums);
// ScaleMax: fmax from 0 (the scale of linalg's 2-norm: an all-NaN input has scale 0).
enum class NormKind : int { Two, One, Inf, NegInf, Zero, General, MaxIgnoreNaN, MinIgnoreNaN, ScaleMax };

// Vector norms of |x|. nanSticky: a NaN element makes the result NaN whatever the kind
// (linalg.vectorNorm's rule; torch.norm's p = 0 counts NaN as nonzero instead).
template <typename T>
struct NormRed {
  using In = T;
  using Acc = T;
  T* out;
  NormKind kind;
  T p;
  bool nanSticky;
  __device__ T init(int64_t) const {
    if (kind == NormKind::NegInf || kind == NormKind::MinIgnoreNaN) return std::numeric_limits<T>::infinity();
    if (kind == NormKind::MaxIgnoreNaN) return -std::numeric_limits<T>::infinity();
    return T(0);
  }
  __device__ T add(T a, T v, int64_t) const {
    const T x = fabs(v);
    switch (kind) {
      case NormKind::Two: return a + x * x;
      case NormKind::One: return a + x;
      case NormKind::Inf: return (x > a || x != x) ? x : a;
      case NormKind::NegInf: return (x < a || x != x) ? x : a;
      case NormKind::Zero: return (nanSticky && x != x) ? x : a + (x != T(0) ? T(1) : T(0));
      case NormKind::General: return a + pow(x, p);
      case NormKind::MaxIgnoreNaN:
      case NormKind::ScaleMax: return fmax(a, x);
      case NormKind::MinIgnoreNaN: return fmin(a, x);
    }
    return a;
  }
  __device__ T merge(T a, T b) const {
    switch (kind) {
      case NormKind::Inf: return (b > a || b != b) ? b : a;
      case NormKind::NegInf: return (b < a || b != b) ? b : a;
      case NormKind::MaxIgnoreNaN:
      case NormKind::ScaleMax: return fmax(a, b);
      case NormKind::MinIgnoreNaN: return fmin(a, b);
      default: return a + b;
    }
  }
  __device__ void store(int64_t o, T a) const {
    T v = a;
    if (kind == NormKind::Two) v = sqrt(a);
    else if (kind == NormKind::General) v = pow(a, T(1) / p);
    out[o] = v;
  }
};

// linalg's 2-norm: sum((|x| / scale)^2) with scale = max |x| (NaNs skipped), so the squares
// neither overflow nor underflow; scale 0 or inf is the result itself.
template <typename T>
struct ScaledTwoNormRed {
  using In = T;
  using Acc = Moment<T>;
  T* out;
  const T* scale;
  __device__ Acc init(int64_t o) const { return {scale[o], T(0)}; }
  __device__ Acc add(Acc a, T v, int64_t) const {
    const T d = fabs(v) / a.center;
    a.s += d * d;
    return a;
  }
  __device__ Acc merge(Acc a, Acc b) const {
    a.s += b.s;
    return a;
  }
  __device__ void store(int64_t o, Acc a) const {
    const T sc = a.center;
    out[o] = (sc == T(0) || isinf(sc)) ? sc : sc * sqrt(a.s);
  }
};

template <typename T>
struct ArgAcc {
  T best;
  int64_t idx;
};

// Ties keep the first index; the first NaN wins. add() sees a thread's elements in increasing
// index order; merge() orders any two partial results by (value, index), so the tree order in
// which partials meet does not matter.
template <typename T, bool IsMax>
struct ArgRed {
  using In = T;
  using Acc = ArgAcc<T>;
  T* values;  // may be null
  int64_t* indices;
  __device__ Acc init(int64_t) const { return {T(0), -1}; }
  __device__ Acc add(Acc a, T v, int64_t i) const {
    bool take;
    if (a.idx < 0) take = true;
    else if (isNan(a.best)) take = false;
    else take = isNan(v) || (IsMax ? v > a.best : v < a.best);
    if (take) {
      a.best = v;
      a.idx = i;
    }
    return a;
  }
  __device__ Acc merge(Acc a, Acc b) const {
    if (b.idx < 0) return a;
    if (a.idx < 0) return b;
    const bool an = isNan(a.best), bn = isNan(b.best);
    if (an || bn) {
      if (an && bn) return a.idx <= b.idx ? a : b;
      return an ? a : b;
    }
    if (IsMax ? b.best > a.best : b.best < a.best) return b;
    if (b.best == a.best && b.idx < a.idx) return b;
    return a;
  }
  __device__ void store(int64_t o, Acc a) const {
    if (values) values[o] = a.best;
    indices[o] = a.idx;
  }
};

template <typename T>
void runNorm(int device, const RPlan& P, const T* x, T* out, NormKind kind, double p, bool nanSticky, const char* op) {
  NormRed<T> r;
  r.out = out;
  r.kind = kind;
  r.p = (T)p;
  r.nanSticky = nanSticky;
  launchReduce(device, P, x, r, op);
}

}  // namespace
}  // namespace cured

using namespace cured;

void cudaReduceDims(int device, ReduceOp op, const TensorDesc& x, const bool* reduced, const TensorDesc& out,
                    const TensorDesc* aux, double param, double param2) {
  const char* name = reduceOpName(op);
  const RPlan P = makePlan(x, reduced, true);
  const DType xt = x.dtype;
  checkReduceDims(op, x, P, out, aux, param);
  switch (op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        SumRed<scalar_t> r;
        r.out = out.ptr<WideOut<scalar_t>>();
        r.scale = op == ReduceOp::Mean ? 1.0 / (double)P.numRed : 1.0;
        launchReduce(device, P, x.ptr<scalar_t>(), r, name);
      });
      break;
    case ReduceOp::Prod:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        ProdRed<scalar_t> r;
        r.out = out.ptr<WideOut<scalar_t>>();
        launchReduce(device, P, x.ptr<scalar_t>(), r, name);
      });
      break;
    case ReduceOp::Amax:
    case ReduceOp::Amin:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        if (op == ReduceOp::Amax) {
          ExtRed<scalar_t, true> r;
          r.out = out.ptr<scalar_t>();
          launchReduce(device, P, x.ptr<scalar_t>(), r, name);
        } else {
          ExtRed<scalar_t, false> r;
          r.out = out.ptr<scalar_t>();
          launchReduce(device, P, x.ptr<scalar_t>(), r, name);
        }
      });
      break;
    case ReduceOp::All:
    case ReduceOp::Any:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        if (op == ReduceOp::All) {
          LogicalRed<scalar_t, true> r;
          r.out = out.ptr<uint8_t>();
          launchReduce(device, P, x.ptr<scalar_t>(), r, name);
        } else {
          LogicalRed<scalar_t, false> r;
          r.out = out.ptr<uint8_t>();
          launchReduce(device, P, x.ptr<scalar_t>(), r, name);
        }
      });
      break;
    case ReduceOp::CountNonzero:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        CountRed<scalar_t> r;
        r.out = out.ptr<int64_t>();
        launchReduce(device, P, x.ptr<scalar_t>(), r, name);
      });
      break;
    case ReduceOp::Var:
      CINDER_DISPATCH_FLOAT(xt, name, [&] {
        VarRed<scalar_t> r;
        r.out = out.ptr<scalar_t>();
        r.mean = aux->ptr<scalar_t>();
        r.denom = std::max(0.0, (double)P.numRed - param);
        r.sqrtOut = param2 != 0;
        launchReduce(device, P, x.ptr<scalar_t>(), r, name);
      });
      break;
    case ReduceOp::LogSumExp:
      CINDER_DISPATCH_FLOAT(xt, name, [&] {
        LogSumExpRed<scalar_t> r;
        r.out = out.ptr<scalar_t>();
        r.shift = aux ? aux->ptr<scalar_t>() : nullptr;
        launchReduce(device, P, x.ptr<scalar_t>(), r, name);
      });
      break;
    case ReduceOp::Norm: {
      NormKind kind = NormKind::General;
      if (param == 2) kind = NormKind::Two;
      else if (param == 1) kind = NormKind::One;
      else if (param == 0) kind = NormKind::Zero;
      else if (std::isinf(param)) kind = param > 0 ? NormKind::Inf : NormKind::NegInf;
      CINDER_DISPATCH_FLOAT(xt, name, [&] {
        runNorm<scalar_t>(device, P, x.ptr<scalar_t>(), out.ptr<scalar_t>(), kind, param, false, name);
      });
      break;
    }
    default:
      fail("reduce: unknown op code ", (int)op);
  }
}

void cudaReduceArg(int device, bool isMax, const TensorDesc& x, const bool* reduced, const TensorDesc* values,
                   const TensorDesc& indices, const char* op) {
  const RPlan P = makePlan(x, reduced, false);
  checkReduceArg(x, P, values, indices, op);
  CINDER_DISPATCH_ALL(x.dtype, op, [&] {
    if (isMax) {
      ArgRed<scalar_t, true> r;
      r.values = values ? values->ptr<scalar_t>() : nullptr;
      r.indices = indices.ptr<int64_t>();
      launchReduce(device, P, x.ptr<scalar_t>(), r, op);
    } else {
      ArgRed<scalar_t, false> r;
      r.values = values ? values->ptr<scalar_t>() : nullptr;
      r.indices = indices.ptr<int64_t>();
      launchReduce(device, P, x.ptr<scalar_t>(), r, op);
    }
  });
}

void cudaVectorNorm(int device, const TensorDesc& x, int reducedDims, double ord, const TensorDesc& out) {
  const char* op = "linalg.vectorNorm";
  CINDER_CHECK(reducedDims >= 0 && reducedDims <= x.ndim, op, ": bad reduced dims");
  const int no = x.ndim - reducedDims;
  CINDER_CHECK(out.ndim == no && out.isContiguous(), op, ": output of shape ", out.shapeString(), " does not match input ",
               x.shapeString());
  for (int d = 0; d < no; d++)
    CINDER_CHECK(out.shape[d] == x.shape[d], op, ": output of shape ", out.shapeString(), " does not match input ",
                 x.shapeString());
  CINDER_CHECK(out.dtype == x.dtype, op, ": output dtype");
  CINDER_CHECK(x.dtype == DType::Float32 || x.dtype == DType::Float64, op,
               ": expected a floating point tensor as input, got ", dtypeName(x.dtype));
  bool mask[kMaxDims] = {};
  for (int d = no; d < x.ndim; d++) mask[d] = true;
  const RPlan P = makePlan(x, mask, true);
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    T* o = out.ptr<T>();
    if (ord == 2.0) {
      Scratch sc;
      T* scale = static_cast<T*>(sc.get(device, (size_t)std::max<int64_t>(1, P.numOut) * sizeof(T), op));
      // An empty reduction leaves scale 0 (the identity), and the norm 0.
      runNorm<T>(device, P, xp, scale, NormKind::ScaleMax, 0, true, op);
      ScaledTwoNormRed<T> r;
      r.out = o;
      r.scale = scale;
      launchReduce(device, P, xp, r, op);
      return;
    }
    NormKind kind = NormKind::General;
    if (ord == 1.0) kind = NormKind::One;
    else if (ord == INFINITY) kind = NormKind::Inf;
    else if (ord == -INFINITY) kind = NormKind::NegInf;
    else if (ord == 0.0) kind = NormKind::Zero;
    runNorm<T>(device, P, xp, o, kind, ord, true, op);
  });
}

void cudaMatrixAbsSumNorm(int device, const TensorDesc& a, bool rows, bool takeMax, const TensorDesc& out) {
  const char* op = "linalg.matrixNorm";
  CINDER_CHECK(a.dtype == DType::Float32 || a.dtype == DType::Float64, op,
               ": expected a floating point tensor as input, got ", dtypeName(a.dtype));
  CINDER_CHECK(a.ndim >= 2, op, ": expected a batch of matrices, got shape ", a.shapeString());
  const int nd = a.ndim, nb = nd - 2;
  CINDER_CHECK(out.ndim == nb && out.isContiguous() && out.dtype == a.dtype, op, ": output of shape ",
               out.shapeString(), " does not match input ", a.shapeString());
  for (int d = 0; d < nb; d++)
    CINDER_CHECK(out.shape[d] == a.shape[d], op, ": output of shape ", out.shapeString(), " does not match input ",
                 a.shapeString());
  // Pass 1: the absolute sums of each row (over the last dim) or column (over dim -2), into a
  // contiguous [..., k]; pass 2: their max or min (NaN sums skipped, as the CPU's std::max).
  bool mask[kMaxDims] = {};
  mask[rows ? nd - 1 : nd - 2] = true;
  const RPlan P1 = makePlan(a, mask, true);
  TensorDesc sums;
  sums.dtype = a.dtype;
  sums.ndim = nd - 1;
  for (int d = 0; d < nb; d++) sums.shape[d] = a.shape[d];
  sums.shape[nb] = rows ? a.shape[nd - 2] : a.shape[nd - 1];
  int64_t st = 1;
  for (int d = sums.ndim - 1; d >= 0; d--) {
    sums.strides[d] = st;
    st *= sums.shape[d];
  }
  CINDER_DISPATCH_FLOAT(a.dtype, op, [&] {
    using T = scalar_t;
    Scratch sc;
    T* s = static_cast<T*>(sc.get(device, (size_t)std::max<int64_t>(1, P1.numOut) * sizeof(T), op));
    // The kept dims of pass 1 are, in order, the batch dims and the other matrix dim, so the
    // contiguous result is laid out as [..., k].
    runNorm<T>(device, P1, a.ptr<T>(), s, NormKind::One, 1, false, op);
    sums.data = reinterpret_cast<char*>(s);
    bool mask2[kMaxDims] = {};
    mask2[nd - 2] = true;
    const RPlan P2 = makePlan(sums, mask2, true);
    runNorm<T>(device, P2, s, out.ptr<T>(), takeMax ? NormKind::MaxIgnoreNaN : NormKind::MinIgnoreNaN, 0, false, op);
  });
}

}  // namespace cinder
