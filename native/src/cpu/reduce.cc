// Reductions over a set of dims of a strided tensor. Every reduction runs through one plan:
// the kept dims (in order, so the contiguous output is indexed by their flat index) and the
// reduced dims are separately stripped of size-1 dims and coalesced, then one of three schedules
// runs it:
//  (a) inner reduction: each output accumulates runs of the innermost reduced dim (contiguous
//      runs take an unrolled, multi-lane loop the compiler vectorises);
//  (b) outer reduction: when the innermost kept dim is contiguous in the input and the reduced
//      dims are outside it, a tile of outputs accumulates whole input rows at once, so the loop
//      is vectorised across outputs;
//  (c) general strided: (a)'s walk over any strides.
// Many outputs are split across threads; a few long reductions are split into per-thread partial
// results combined in chunk order, so results depend only on the thread count.
#include "cpu/reduce.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/elementwiseIter.h"
#include "core/threadPool.h"
#include "cpu/reducePlan.h"
#include "cpu/vecmath.h"

namespace cinder {
namespace {

inline int64_t keptOffset(const ReducePlan& P, int64_t o) {
  int64_t off = 0;
  for (int d = P.nk - 1; d >= 0; d--) {
    off += (o % P.kShape[d]) * P.kStride[d];
    o /= P.kShape[d];
  }
  return off;
}

// Calls fn(ptr, n, stride, firstIndex) for each run of the innermost reduced dim covering the
// flat reduced range [b, e).
template <typename T, typename F>
void walkRange(const ReducePlan& P, const T* base, int64_t b, int64_t e, F&& fn) {
  const int inner = P.nr - 1;
  int64_t idx[kMaxDims];
  int64_t rem = b;
  for (int d = inner; d >= 0; d--) {
    idx[d] = rem % P.rShape[d];
    rem /= P.rShape[d];
  }
  int64_t pos = b;
  while (pos < e) {
    const T* p = base;
    for (int d = 0; d < P.nr; d++) p += idx[d] * P.rStride[d];
    const int64_t n = std::min(P.rShape[inner] - idx[inner], e - pos);
    fn(p, n, P.rStride[inner], pos);
    pos += n;
    idx[inner] += n;
    for (int d = inner; d > 0 && idx[d] >= P.rShape[d]; d--) {
      idx[d] = 0;
      idx[d - 1]++;
    }
  }
}

template <typename T>
inline bool isNan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

// A reducer supplies: init(o) (the identity, possibly per output), add(acc, v, index),
// merge(acc, laterAcc), store(o, acc); run() and addRow() have defaults built on add().
template <typename Derived, typename T, typename A>
struct ReducerBase {
  using In = T;
  using Acc = A;
  void run(A& a, const T* p, int64_t n, int64_t s, int64_t i0) const {
    const Derived& r = static_cast<const Derived&>(*this);
    if (s == 1) {
      for (int64_t k = 0; k < n; k++) r.add(a, p[k], i0 + k);
    } else {
      for (int64_t k = 0; k < n; k++) r.add(a, p[k * s], i0 + k);
    }
  }
  void addRow(A* acc, const T* p, int64_t len, int64_t i) const {
    const Derived& r = static_cast<const Derived&>(*this);
    for (int64_t j = 0; j < len; j++) r.add(acc[j], p[j], i);
  }
};

template <typename R>
void drive(const ReducePlan& P, const typename R::In* x, const R& r) {
  using Acc = typename R::Acc;
  using T = typename R::In;
  if (P.numOut == 0) return;
  if (P.numRed == 0) {
    for (int64_t o = 0; o < P.numOut; o++) r.store(o, r.init(o));
    return;
  }
  const int threads = ThreadPool::instance().numThreads();
  // (b) outer reduction, vectorised across a tile of contiguous outputs.
  if (P.nk >= 1 && P.kStride[P.nk - 1] == 1 && P.kShape[P.nk - 1] >= 8 && P.numRed > 1 && P.rStride[P.nr - 1] != 1) {
    constexpr int64_t kTile = 256;
    const int64_t W = P.kShape[P.nk - 1];
    const int64_t colTiles = (W + kTile - 1) / kTile;
    const int64_t tiles = (P.numOut / W) * colTiles;
    const int64_t work = P.numRed * std::min(W, kTile);
    // Fewer tiles than threads but long columns: split the reduced range of each tile into fixed
    // chunks of partial rows, merged in chunk order.
    const int64_t rowChunks = std::min<int64_t>(threads, work / kParallelGrain);
    if (tiles < threads && rowChunks > 1) {
      std::vector<Acc> part((size_t)(rowChunks * kTile));
      for (int64_t t = 0; t < tiles; t++) {
        const int64_t c0 = (t % colTiles) * kTile;
        const int64_t len = std::min(kTile, W - c0);
        const int64_t o0 = (t / colTiles) * W + c0;
        const T* base = x + keptOffset(P, o0);
        parallelFor(rowChunks, 1, [&](int64_t cb, int64_t ce) {
          for (int64_t c = cb; c < ce; c++) {
            Acc* acc = part.data() + c * kTile;
            for (int64_t j = 0; j < len; j++) acc[j] = r.init(o0 + j);
            walkRange(P, base, P.numRed * c / rowChunks, P.numRed * (c + 1) / rowChunks,
                      [&](const T* p, int64_t n, int64_t s, int64_t i0) {
                        for (int64_t k = 0; k < n; k++) r.addRow(acc, p + k * s, len, i0 + k);
                      });
          }
        });
        for (int64_t c = 1; c < rowChunks; c++)
          for (int64_t j = 0; j < len; j++) r.merge(part[(size_t)j], part[(size_t)(c * kTile + j)]);
        for (int64_t j = 0; j < len; j++) r.store(o0 + j, part[(size_t)j]);
      }
      return;
    }
    parallelFor(tiles, std::max<int64_t>(1, kParallelGrain / work), [&](int64_t tb, int64_t te) {
      Acc acc[kTile];
      for (int64_t t = tb; t < te; t++) {
        const int64_t c0 = (t % colTiles) * kTile;
        const int64_t len = std::min(kTile, W - c0);
        const int64_t o0 = (t / colTiles) * W + c0;
        const T* base = x + keptOffset(P, o0);
        for (int64_t j = 0; j < len; j++) acc[j] = r.init(o0 + j);
        walkRange(P, base, 0, P.numRed, [&](const T* p, int64_t n, int64_t s, int64_t i0) {
          for (int64_t k = 0; k < n; k++) r.addRow(acc, p + k * s, len, i0 + k);
        });
        for (int64_t j = 0; j < len; j++) r.store(o0 + j, acc[j]);
      }
    });
    return;
  }
  // A few long reductions: per-thread partials over fixed chunks, merged in chunk order.
  const int64_t chunks = std::min<int64_t>(threads, P.numRed / kParallelGrain);
  if (chunks > 1 && P.numOut < threads) {
    std::vector<Acc> part((size_t)chunks);
    for (int64_t o = 0; o < P.numOut; o++) {
      const T* base = x + keptOffset(P, o);
      parallelFor(chunks, 1, [&](int64_t cb, int64_t ce) {
        for (int64_t c = cb; c < ce; c++) {
          Acc a = r.init(o);
          walkRange(P, base, P.numRed * c / chunks, P.numRed * (c + 1) / chunks,
                    [&](const T* p, int64_t n, int64_t s, int64_t i0) { r.run(a, p, n, s, i0); });
          part[(size_t)c] = a;
        }
      });
      Acc a = part[0];
      for (int64_t c = 1; c < chunks; c++) r.merge(a, part[(size_t)c]);
      r.store(o, a);
    }
    return;
  }
  // (a)/(c) one output per iteration, outputs split across threads.
  // The kept dims advance as an odometer (no divisions per output), and a single reduced dim is
  // handed to run() directly: short reductions over many outputs are dominated by this overhead.
  parallelFor(P.numOut, std::max<int64_t>(1, kParallelGrain / P.numRed), [&](int64_t ob, int64_t oe) {
    int64_t idx[kMaxDims];
    int64_t rem = ob;
    int64_t off = 0;
    for (int d = P.nk - 1; d >= 0; d--) {
      idx[d] = rem % P.kShape[d];
      rem /= P.kShape[d];
      off += idx[d] * P.kStride[d];
    }
    const int last = P.nk - 1;
    for (int64_t o = ob; o < oe; o++) {
      Acc a = r.init(o);
      if (P.nr == 1) {
        r.run(a, x + off, P.rShape[0], P.rStride[0], 0);
      } else {
        walkRange(P, x + off, 0, P.numRed, [&](const T* p, int64_t n, int64_t s, int64_t i0) { r.run(a, p, n, s, i0); });
      }
      r.store(o, a);
      if (last < 0) continue;
      idx[last]++;
      off += P.kStride[last];
      for (int d = last; d > 0 && idx[d] == P.kShape[d]; d--) {
        off -= idx[d] * P.kStride[d];
        idx[d] = 0;
        idx[d - 1]++;
        off += P.kStride[d - 1];
      }
    }
  });
}

// Sums accumulate floats in double (float32 sums of millions of elements stay exact to float32
// rounding) and integers in 64 bits for an int64 result, as PyTorch's result dtypes require.
// Integer accumulators are unsigned so that overflow wraps (as in PyTorch) instead of being
// undefined behaviour; two's complement makes the bits the same as int64 arithmetic.
template <typename T>
using WideAcc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
template <typename T>
using WideOut = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

template <typename T>
struct SumR : ReducerBase<SumR<T>, T, WideAcc<T>> {
  using Acc = WideAcc<T>;
  WideOut<T>* out;
  double scale;  // 1, or 1/n for mean
  Acc init(int64_t) const { return 0; }
  void add(Acc& a, T v, int64_t) const { a += (Acc)v; }
  void run(Acc& a, const T* p, int64_t n, int64_t s, int64_t) const {
    if (s == 1) {
      Acc l[8] = {};
      int64_t k = 0;
      for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) l[j] += (Acc)p[k + j];
      for (; k < n; k++) l[0] += (Acc)p[k];
      a += ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
    } else {
      for (int64_t k = 0; k < n; k++) a += (Acc)p[k * s];
    }
  }
  void addRow(Acc* acc, const T* p, int64_t len, int64_t) const {
    for (int64_t j = 0; j < len; j++) acc[j] += (Acc)p[j];
  }
  void merge(Acc& a, const Acc& b) const { a += b; }
  void store(int64_t o, const Acc& a) const {
    if constexpr (std::is_floating_point_v<T>) out[o] = (T)(a * scale);
    else out[o] = (int64_t)a;
  }
};

template <typename T>
struct ProdR : ReducerBase<ProdR<T>, T, WideAcc<T>> {
  using Acc = WideAcc<T>;
  WideOut<T>* out;
  Acc init(int64_t) const { return 1; }
  void add(Acc& a, T v, int64_t) const { a *= (Acc)v; }
  void addRow(Acc* acc, const T* p, int64_t len, int64_t) const {
    for (int64_t j = 0; j < len; j++) acc[j] *= (Acc)p[j];
  }
  void merge(Acc& a, const Acc& b) const { a *= b; }
  void store(int64_t o, const Acc& a) const { out[o] = (WideOut<T>)a; }
};

// NaN propagates: once the accumulator is NaN no comparison replaces it.
template <typename T, bool IsMax>
struct ExtremumR : ReducerBase<ExtremumR<T, IsMax>, T, T> {
  T* out;
  T init(int64_t) const {
    if constexpr (std::is_floating_point_v<T>)
      return IsMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    else return IsMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
  void add(T& a, T v, int64_t) const { a = ((IsMax ? v > a : v < a) || isNan(v)) ? v : a; }
  // Independent lanes break the loop-carried dependence so contiguous runs vectorise.
  void run(T& a, const T* p, int64_t n, int64_t s, int64_t) const {
    int64_t k = 0;
    if (s == 1 && n >= 16) {
      T l[8];
      for (int j = 0; j < 8; j++) l[j] = a;
      for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) l[j] = ((IsMax ? p[k + j] > l[j] : p[k + j] < l[j]) | isNan(p[k + j])) ? p[k + j] : l[j];
      for (int j = 0; j < 8; j++) add(a, l[j], 0);
    }
    for (; k < n; k++) add(a, p[k * s], 0);
  }
  void addRow(T* acc, const T* p, int64_t len, int64_t) const {
    for (int64_t j = 0; j < len; j++) {
      const T v = p[j];
      acc[j] = ((IsMax ? v > acc[j] : v < acc[j]) | isNan(v)) ? v : acc[j];
    }
  }
  void merge(T& a, const T& b) const { add(a, b, 0); }
  void store(int64_t o, const T& a) const { out[o] = a; }
};

template <typename T, bool IsAll>
struct LogicalR : ReducerBase<LogicalR<T, IsAll>, T, uint8_t> {
  uint8_t* out;
  uint8_t init(int64_t) const { return IsAll ? 1 : 0; }
  void add(uint8_t& a, T v, int64_t) const {
    if (IsAll) a &= (uint8_t)(v != 0);
    else a |= (uint8_t)(v != 0);
  }
  void merge(uint8_t& a, const uint8_t& b) const {
    if (IsAll) a &= b;
    else a |= b;
  }
  void store(int64_t o, const uint8_t& a) const { out[o] = a; }
};

template <typename T>
struct CountR : ReducerBase<CountR<T>, T, int64_t> {
  int64_t* out;
  int64_t init(int64_t) const { return 0; }
  void add(int64_t& a, T v, int64_t) const { a += (v != 0); }
  void addRow(int64_t* acc, const T* p, int64_t len, int64_t) const {
    for (int64_t j = 0; j < len; j++) acc[j] += (p[j] != 0);
  }
  void merge(int64_t& a, const int64_t& b) const { a += b; }
  void store(int64_t o, const int64_t& a) const { out[o] = a; }
};

// Sum of squared deviations about a precomputed mean (two-pass variance).
struct Moment {
  double center;
  double s;
};

template <typename T>
struct VarR : ReducerBase<VarR<T>, T, Moment> {
  T* out;
  const T* mean;
  double denom;
  bool sqrtOut;
  Moment init(int64_t o) const { return {(double)mean[o], 0.0}; }
  void add(Moment& a, T v, int64_t) const {
    const double d = (double)v - a.center;
    a.s += d * d;
  }
  void merge(Moment& a, const Moment& b) const { a.s += b.s; }
  void store(int64_t o, const Moment& a) const {
    const double v = a.s / denom;
    out[o] = (T)(sqrtOut ? std::sqrt(v) : v);
  }
};

template <typename T>
struct LogSumExpR : ReducerBase<LogSumExpR<T>, T, Moment> {
  T* out;
  const T* shift;  // amax per output; null for empty reductions
  Moment init(int64_t o) const {
    double m = shift ? (double)shift[o] : 0.0;
    if (std::isinf(m)) m = 0.0;  // all -inf gives log(0) = -inf; any +inf gives +inf
    return {m, 0.0};
  }
  void add(Moment& a, T v, int64_t) const { a.s += std::exp((double)v - a.center); }
  void merge(Moment& a, const Moment& b) const { a.s += b.s; }
  void store(int64_t o, const Moment& a) const { out[o] = (T)(std::log(a.s) + a.center); }
};

enum class NormKind { Two, One, Inf, NegInf, Zero, General };

template <typename T>
struct NormR : ReducerBase<NormR<T>, T, double> {
  T* out;
  NormKind kind;
  double p;
  double init(int64_t) const { return kind == NormKind::NegInf ? std::numeric_limits<double>::infinity() : 0.0; }
  void add(double& a, T v, int64_t) const {
    const double x = std::fabs((double)v);
    switch (kind) {
      case NormKind::Two: a += x * x; break;
      case NormKind::One: a += x; break;
      case NormKind::Inf: a = (x > a || x != x) ? x : a; break;
      case NormKind::NegInf: a = (x < a || x != x) ? x : a; break;
      case NormKind::Zero: a += (x != 0); break;
      case NormKind::General: a += std::pow(x, p); break;
    }
  }
  void merge(double& a, const double& b) const {
    if (kind == NormKind::Inf) a = (b > a || b != b) ? b : a;
    else if (kind == NormKind::NegInf) a = (b < a || b != b) ? b : a;
    else a += b;
  }
  void store(int64_t o, const double& a) const {
    double v = a;
    if (kind == NormKind::Two) v = std::sqrt(a);
    else if (kind == NormKind::General) v = std::pow(a, 1.0 / p);
    out[o] = (T)v;
  }
};

template <typename T>
struct ArgAcc {
  T best;
  int64_t idx;
};

// Ties keep the first index; the first NaN wins and is never replaced.
template <typename T, bool IsMax>
struct ArgR : ReducerBase<ArgR<T, IsMax>, T, ArgAcc<T>> {
  T* values;  // may be null
  int64_t* indices;
  ArgAcc<T> init(int64_t) const { return {T(0), -1}; }
  static bool better(const ArgAcc<T>& a, T v) {
    if (a.idx < 0) return true;
    if (isNan(a.best)) return false;
    return isNan(v) || (IsMax ? v > a.best : v < a.best);
  }
  void add(ArgAcc<T>& a, T v, int64_t i) const {
    if (better(a, v)) {
      a.best = v;
      a.idx = i;
    }
  }
  // Contiguous runs: the extremum with vectorised lanes, then the first position holding it.
  void run(ArgAcc<T>& a, const T* p, int64_t n, int64_t s, int64_t i0) const {
    if (s != 1 || n < 32) {
      for (int64_t k = 0; k < n; k++) add(a, p[k * s], i0 + k);
      return;
    }
    ExtremumR<T, IsMax> e;
    T m = e.init(0);
    e.run(m, p, n, 1, 0);
    int64_t k = 0;
    if (isNan(m)) {
      while (k < n - 1 && !isNan(p[k])) k++;
    } else {
      while (k < n - 1 && p[k] != m) k++;
    }
    add(a, p[k], i0 + k);
  }
  void merge(ArgAcc<T>& a, const ArgAcc<T>& b) const {
    if (b.idx >= 0 && better(a, b.best)) a = b;
  }
  void store(int64_t o, const ArgAcc<T>& a) const {
    if (values) values[o] = a.best;
    indices[o] = a.idx;
  }
};

void checkOut(const char* op, const TensorDesc& out, const ReducePlan& P, DType want) {
  CINDER_CHECK(out.numel() == P.numOut && out.isContiguous(), op, ": output of shape ", out.shapeString(),
               " does not hold ", P.numOut, " results");
  CINDER_CHECK(out.dtype == want, op, ": output dtype ", dtypeName(out.dtype), " (expected ", dtypeName(want), ")");
}

}  // namespace

void checkReduceDims(ReduceOp op, const TensorDesc& x, const ReducePlan& P, const TensorDesc& out,
                     const TensorDesc* aux, double param) {
  const char* name = reduceOpName(op);
  const DType xt = x.dtype;
  const bool fl = isFloating(xt);
  if (aux) {
    CINDER_CHECK(aux->numel() == P.numOut && aux->isContiguous() && aux->dtype == out.dtype, name,
                 ": auxiliary operand of shape ", aux->shapeString(), " does not match the output");
  }
  const bool empty = P.numRed == 0 && P.numOut > 0;
  switch (op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean:
      CINDER_CHECK(op == ReduceOp::Sum || fl, name, ": expected a floating input, got ", dtypeName(xt));
      checkOut(name, out, P, fl ? xt : DType::Int64);
      break;
    case ReduceOp::Prod: checkOut(name, out, P, fl ? xt : DType::Int64); break;
    case ReduceOp::Amax:
    case ReduceOp::Amin:
      CINDER_CHECK(!empty, name, ": cannot reduce over a zero-size dimension of input of shape ", x.shapeString(),
                   " (the operation has no identity)");
      checkOut(name, out, P, xt);
      break;
    case ReduceOp::All:
    case ReduceOp::Any:
      CINDER_CHECK(out.dtype == DType::Bool || out.dtype == DType::Uint8, name, ": output must be bool or uint8");
      checkOut(name, out, P, out.dtype);
      break;
    case ReduceOp::CountNonzero: checkOut(name, out, P, DType::Int64); break;
    case ReduceOp::Var:
      CINDER_CHECK(aux != nullptr, name, ": the mean operand is missing");
      checkOut(name, out, P, xt);
      break;
    case ReduceOp::LogSumExp: checkOut(name, out, P, xt); break;
    case ReduceOp::Norm:
      checkOut(name, out, P, xt);
      CINDER_CHECK(!empty || !std::isinf(param), name, ": the infinity norm of a zero-size input of shape ",
                   x.shapeString(), " is undefined");
      break;
    default: break;  // the kernels report an unknown code
  }
}

void checkReduceArg(const TensorDesc& x, const ReducePlan& P, const TensorDesc* values, const TensorDesc& indices,
                    const char* op) {
  CINDER_CHECK(P.numRed > 0 || P.numOut == 0, op, ": cannot reduce over a zero-size dimension of input of shape ",
               x.shapeString(), " (the operation has no identity)");
  checkOut(op, indices, P, DType::Int64);
  if (values) checkOut(op, *values, P, x.dtype);
}

void reduceDims(ReduceOp op, const TensorDesc& x, const bool* reduced, const TensorDesc& out,
                const TensorDesc* aux, double param, double param2) {
  const char* name = reduceOpName(op);
  const ReducePlan P = makeReducePlan(x, reduced, true);
  const DType xt = x.dtype;
  checkReduceDims(op, x, P, out, aux, param);
  switch (op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        SumR<scalar_t> r;
        r.out = out.ptr<WideOut<scalar_t>>();
        r.scale = op == ReduceOp::Mean ? 1.0 / (double)P.numRed : 1.0;
        drive(P, x.ptr<scalar_t>(), r);
      });
      break;
    case ReduceOp::Prod:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        ProdR<scalar_t> r;
        r.out = out.ptr<WideOut<scalar_t>>();
        drive(P, x.ptr<scalar_t>(), r);
      });
      break;
    case ReduceOp::Amax:
    case ReduceOp::Amin:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        if (op == ReduceOp::Amax) {
          ExtremumR<scalar_t, true> r;
          r.out = out.ptr<scalar_t>();
          drive(P, x.ptr<scalar_t>(), r);
        } else {
          ExtremumR<scalar_t, false> r;
          r.out = out.ptr<scalar_t>();
          drive(P, x.ptr<scalar_t>(), r);
        }
      });
      break;
    case ReduceOp::All:
    case ReduceOp::Any:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        if (op == ReduceOp::All) {
          LogicalR<scalar_t, true> r;
          r.out = out.ptr<uint8_t>();
          drive(P, x.ptr<scalar_t>(), r);
        } else {
          LogicalR<scalar_t, false> r;
          r.out = out.ptr<uint8_t>();
          drive(P, x.ptr<scalar_t>(), r);
        }
      });
      break;
    case ReduceOp::CountNonzero:
      CINDER_DISPATCH_ALL(xt, name, [&] {
        CountR<scalar_t> r;
        r.out = out.ptr<int64_t>();
        drive(P, x.ptr<scalar_t>(), r);
      });
      break;
    case ReduceOp::Var:
      CINDER_DISPATCH_FLOAT(xt, name, [&] {
        VarR<scalar_t> r;
        r.out = out.ptr<scalar_t>();
        r.mean = aux->ptr<scalar_t>();
        r.denom = std::max(0.0, (double)P.numRed - param);
        r.sqrtOut = param2 != 0;
        drive(P, x.ptr<scalar_t>(), r);
      });
      break;
    case ReduceOp::LogSumExp:
      CINDER_DISPATCH_FLOAT(xt, name, [&] {
        LogSumExpR<scalar_t> r;
        r.out = out.ptr<scalar_t>();
        r.shift = aux ? aux->ptr<scalar_t>() : nullptr;
        drive(P, x.ptr<scalar_t>(), r);
      });
      break;
    case ReduceOp::Norm: {
      NormKind kind = NormKind::General;
      if (param == 2) kind = NormKind::Two;
      else if (param == 1) kind = NormKind::One;
      else if (param == 0) kind = NormKind::Zero;
      else if (std::isinf(param)) kind = param > 0 ? NormKind::Inf : NormKind::NegInf;
      CINDER_DISPATCH_FLOAT(xt, name, [&] {
        NormR<scalar_t> r;
        r.out = out.ptr<scalar_t>();
        r.kind = kind;
        r.p = param;
        drive(P, x.ptr<scalar_t>(), r);
      });
      break;
    }
    default:
      fail("reduce: unknown op code ", (int)op);
  }
}

void reduceArg(bool isMax, const TensorDesc& x, const bool* reduced, const TensorDesc* values,
               const TensorDesc& indices, const char* op) {
  const ReducePlan P = makeReducePlan(x, reduced, false);
  checkReduceArg(x, P, values, indices, op);
  CINDER_DISPATCH_ALL(x.dtype, op, [&] {
    if (isMax) {
      ArgR<scalar_t, true> r;
      r.values = values ? values->ptr<scalar_t>() : nullptr;
      r.indices = indices.ptr<int64_t>();
      drive(P, x.ptr<scalar_t>(), r);
    } else {
      ArgR<scalar_t, false> r;
      r.values = values ? values->ptr<scalar_t>() : nullptr;
      r.indices = indices.ptr<int64_t>();
      drive(P, x.ptr<scalar_t>(), r);
    }
  });
}

namespace {

// The lines along `dim`: numOut lines of n elements; line o starts at input offset
// keptOffset(o) (stride sIn) and at output offset (o / inner) * n * inner + o % inner (stride inner).
struct Lines {
  ReducePlan P;
  int64_t n, sIn, inner;
  bool contiguous;
};

Lines makeLines(const TensorDesc& x, int dim, const TensorDesc& out, const char* op) {
  Lines L;
  L.P = makeLinePlan(x, dim, out, op);
  L.n = x.shape[dim];
  L.sIn = x.strides[dim];
  L.inner = 1;
  for (int d = dim + 1; d < x.ndim; d++) L.inner *= x.shape[d];
  L.contiguous = x.isContiguous();
  return L;
}

template <typename T, typename F>
void forEachLine(const Lines& L, F&& line) {
  const int64_t lines = L.P.numOut;
  if (lines == 0 || L.n == 0) return;
  parallelFor(lines, std::max<int64_t>(1, kParallelGrain / L.n), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; o++) line(keptOffset(L.P, o), (o / L.inner) * L.n * L.inner + o % L.inner);
  });
}

// Contiguous input with inner > 1: tiles of adjacent columns, processed row by row so the
// innermost loops run over contiguous memory in both input and output.
template <typename F>
void forEachTile(const Lines& L, F&& tile) {
  constexpr int64_t kTile = 256;
  const int64_t outer = L.P.numOut / L.inner;
  const int64_t colTiles = (L.inner + kTile - 1) / kTile;
  if (outer * colTiles == 0 || L.n == 0) return;
  parallelFor(outer * colTiles, std::max<int64_t>(1, kParallelGrain / (L.n * std::min(kTile, L.inner))),
              [&](int64_t b, int64_t e) {
                for (int64_t t = b; t < e; t++) {
                  const int64_t c0 = (t % colTiles) * kTile;
                  tile((t / colTiles) * L.n * L.inner + c0, std::min(kTile, L.inner - c0));
                }
              });
}

}  // namespace

void scanDim(bool isProd, const TensorDesc& x, int dim, const TensorDesc& out, const char* op) {
  const Lines L = makeLines(x, dim, out, op);
  const DType want = isFloating(x.dtype) ? x.dtype : DType::Int64;
  CINDER_CHECK(out.dtype == want, op, ": output dtype ", dtypeName(out.dtype), " (expected ", dtypeName(want), ")");
  CINDER_DISPATCH_ALL(x.dtype, op, [&] {
    using T = scalar_t;
    using Acc = WideAcc<T>;
    using O = WideOut<T>;
    const T* in = x.ptr<T>();
    O* o = out.ptr<O>();
    const int64_t n = L.n, inner = L.inner;
    if (L.contiguous && inner > 1) {
      forEachTile(L, [&](int64_t off, int64_t len) {
        Acc acc[256];
        for (int64_t j = 0; j < len; j++) acc[j] = isProd ? 1 : 0;
        for (int64_t k = 0; k < n; k++) {
          const T* p = in + off + k * inner;
          O* q = o + off + k * inner;
          if (isProd) for (int64_t j = 0; j < len; j++) q[j] = (O)(acc[j] *= (Acc)p[j]);
          else for (int64_t j = 0; j < len; j++) q[j] = (O)(acc[j] += (Acc)p[j]);
        }
      });
      return;
    }
    const int64_t s = L.sIn;
    forEachLine<T>(L, [&](int64_t inOff, int64_t outOff) {
      const T* p = in + inOff;
      O* q = o + outOff;
      Acc acc = isProd ? 1 : 0;
      for (int64_t k = 0; k < n; k++) {
        if (isProd) acc *= (Acc)p[k * s];
        else acc += (Acc)p[k * s];
        q[k * inner] = (O)acc;
      }
    });
  });
}

namespace {

// q[k] = exp(p[k] - shift[PerLane ? k : 0]) for k < n (q may not alias p).
template <bool PerLane>
void expShifted(const float* p, const float* shift, float* q, int64_t n) {
  for (int64_t k = 0; k < n; k++) q[k] = p[k] - shift[PerLane ? k : 0];
  vecMath().fn[(int)VecFn::exp](q, q, n, nullptr);
}
template <bool PerLane>
void expShifted(const double* p, const double* shift, double* q, int64_t n) {
  for (int64_t k = 0; k < n; k++) q[k] = std::exp(p[k] - shift[PerLane ? k : 0]);
}

}  // namespace

void softmaxDim(bool isLog, const TensorDesc& x, int dim, const TensorDesc& out, const char* op) {
  const Lines L = makeLines(x, dim, out, op);
  CINDER_CHECK(out.dtype == x.dtype, op, ": output dtype ", dtypeName(out.dtype), " (expected ", dtypeName(x.dtype), ")");
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* in = x.ptr<T>();
    T* o = out.ptr<T>();
    const int64_t n = L.n, inner = L.inner;
    if (L.contiguous && inner > 1) {
      forEachTile(L, [&](int64_t off, int64_t len) {
        T mx[256];
        double sum[256];
        for (int64_t j = 0; j < len; j++) {
          mx[j] = -std::numeric_limits<T>::infinity();
          sum[j] = 0;
        }
        for (int64_t k = 0; k < n; k++) {
          const T* p = in + off + k * inner;
          for (int64_t j = 0; j < len; j++) mx[j] = ((p[j] > mx[j]) | (p[j] != p[j])) ? p[j] : mx[j];
        }
        for (int64_t k = 0; k < n; k++) {
          const T* p = in + off + k * inner;
          T* q = o + off + k * inner;
          expShifted<true>(p, mx, q, len);
          for (int64_t j = 0; j < len; j++) sum[j] += (double)q[j];
        }
        for (int64_t j = 0; j < len; j++) sum[j] = isLog ? std::log(sum[j]) : 1.0 / sum[j];
        for (int64_t k = 0; k < n; k++) {
          const T* p = in + off + k * inner;
          T* q = o + off + k * inner;
          if (isLog) for (int64_t j = 0; j < len; j++) q[j] = (T)((double)(p[j] - mx[j]) - sum[j]);
          else for (int64_t j = 0; j < len; j++) q[j] = (T)(q[j] * sum[j]);
        }
      });
      return;
    }
    if (L.P.numOut == 0 || n == 0) return;
    if (L.contiguous && inner == 1 && n < 64) {
      // Short rows: a block of rows shares one vectorised exp over their elements.
      constexpr int64_t kRows = 256;
      const int64_t rows = L.P.numOut;
      const int64_t blocks = (rows + kRows - 1) / kRows;
      parallelFor(blocks, std::max<int64_t>(1, kParallelGrain / (kRows * n)), [&](int64_t bb, int64_t be) {
        std::vector<T> shift((size_t)(kRows * n));
        for (int64_t blk = bb; blk < be; blk++) {
          const int64_t r0 = blk * kRows;
          const int64_t nr = std::min(kRows, rows - r0);
          const T* p = in + r0 * n;
          T* q = o + r0 * n;
          for (int64_t i = 0; i < nr; i++) {
            T mx = -std::numeric_limits<T>::infinity();
            for (int64_t k = 0; k < n; k++) mx = (p[i * n + k] > mx || p[i * n + k] != p[i * n + k]) ? p[i * n + k] : mx;
            for (int64_t k = 0; k < n; k++) shift[(size_t)(i * n + k)] = mx;
          }
          expShifted<true>(p, shift.data(), q, nr * n);
          for (int64_t i = 0; i < nr; i++) {
            double sum = 0;
            for (int64_t k = 0; k < n; k++) sum += (double)q[i * n + k];
            if (isLog) {
              const double ls = std::log(sum);
              for (int64_t k = 0; k < n; k++) q[i * n + k] = (T)((double)(p[i * n + k] - shift[(size_t)(i * n)]) - ls);
            } else {
              const double inv = 1.0 / sum;
              for (int64_t k = 0; k < n; k++) q[i * n + k] = (T)(q[i * n + k] * inv);
            }
          }
        }
      });
      return;
    }
    const int64_t s = L.sIn;
    if (s == 1 && inner == 1) {
      // Contiguous rows (the attention case: many rows of 64-1024): a max in independent lanes
      // (a > b ? a : b is the machine's max instruction, so it vectorises; the max skips NaNs, but
      // a NaN in the row still makes every output NaN through exp and the sum, as in PyTorch), the
      // vectorised exp, lane sums in double, then one scale or shift in T.
      forEachLine<T>(L, [&](int64_t inOff, int64_t outOff) {
        const T* p = in + inOff;
        T* q = o + outOff;
        constexpr int kLanes = 16;
        T l[kLanes];
        for (int j = 0; j < kLanes; j++) l[j] = -std::numeric_limits<T>::infinity();
        int64_t k = 0;
        for (; k + kLanes <= n; k += kLanes)
          for (int j = 0; j < kLanes; j++) l[j] = p[k + j] > l[j] ? p[k + j] : l[j];
        for (; k < n; k++) l[0] = p[k] > l[0] ? p[k] : l[0];
        T mx = l[0];
        for (int j = 1; j < kLanes; j++) mx = l[j] > mx ? l[j] : mx;
        expShifted<false>(p, &mx, q, n);
        double acc[8] = {};
        k = 0;
        for (; k + 8 <= n; k += 8)
          for (int j = 0; j < 8; j++) acc[j] += (double)q[k + j];
        for (; k < n; k++) acc[0] += (double)q[k];
        const double sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        if (isLog) {
          const T shift = (T)std::log(sum);
          for (int64_t i = 0; i < n; i++) q[i] = (p[i] - mx) - shift;
        } else {
          const T inv = (T)(1.0 / sum);
          for (int64_t i = 0; i < n; i++) q[i] = q[i] * inv;
        }
      });
      return;
    }
    forEachLine<T>(L, [&](int64_t inOff, int64_t outOff) {
      const T* p = in + inOff;
      T* q = o + outOff;
      T mx = -std::numeric_limits<T>::infinity();
      int64_t k0 = 0;
      if (s == 1 && n >= 16) {
        // Independent lanes so the max vectorises; NaN wins and stays.
        T l[8];
        for (int j = 0; j < 8; j++) l[j] = mx;
        for (; k0 + 8 <= n; k0 += 8)
          for (int j = 0; j < 8; j++) l[j] = ((p[k0 + j] > l[j]) | (p[k0 + j] != p[k0 + j])) ? p[k0 + j] : l[j];
        for (int j = 0; j < 8; j++) mx = ((l[j] > mx) | (l[j] != l[j])) ? l[j] : mx;
      }
      for (int64_t k = k0; k < n; k++) {
        const T v = p[k * s];
        mx = ((v > mx) | (v != v)) ? v : mx;
      }
      double sum = 0;
      if (s == 1 && inner == 1) {
        // exp into the output first (a vectorised loop), then a multi-lane sum.
        expShifted<false>(p, &mx, q, n);
        double l[8] = {};
        int64_t k = 0;
        for (; k + 8 <= n; k += 8)
          for (int j = 0; j < 8; j++) l[j] += (double)q[k + j];
        for (; k < n; k++) l[0] += (double)q[k];
        sum = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
      } else {
        for (int64_t k = 0; k < n; k++) {
          const T e = std::exp(p[k * s] - mx);
          q[k * inner] = e;
          sum += e;
        }
      }
      if (isLog) {
        const double ls = std::log(sum);
        for (int64_t k = 0; k < n; k++) q[k * inner] = (T)((double)(p[k * s] - mx) - ls);
      } else {
        const double inv = 1.0 / sum;
        for (int64_t k = 0; k < n; k++) q[k * inner] = (T)(q[k * inner] * inv);
      }
    });
  });
}

}  // namespace cinder
