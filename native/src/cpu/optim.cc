// Fused optimizer updates (see optim.h). Each update is a per-element functor whose options are
// template parameters, so the contiguous loop has no branches and vectorises; the one iteration
// helper provides strided access and splits large parameters across the thread pool. Scalars are
// rounded to the parameter's dtype before use and every operation happens in that dtype in the
// order PyTorch's eager updates perform them, so float32 results agree with PyTorch's to rounding.
#include "cpu/optim.h"

#include <cmath>

#include "core/elementwiseIter.h"

namespace cinder {

namespace {

// Optimizer updates do several loads, stores and a square root or division per element: worth
// splitting across threads at a smaller size than a plain add.
constexpr int64_t kOptimGrain = 16384;

// Operand roles, for messages: operand 0 is the parameter, 1 the gradient, the rest state.
struct Operands {
  const TensorDesc* t[kMaxOperands];
  const char* name[kMaxOperands];
  int count = 0;
  void add(const TensorDesc* d, const char* n) {
    t[count] = d;
    name[count] = n;
    count++;
  }
};

void checkOperands(const char* op, const Operands& o) {
  const TensorDesc& p = *o.t[0];
  CINDER_CHECK(p.dtype == DType::Float32 || p.dtype == DType::Float64, op, ": param dtype ", dtypeName(p.dtype),
               " is not supported (float32 and float64 are)");
  for (int k = 1; k < o.count; k++) {
    const TensorDesc& t = *o.t[k];
    CINDER_CHECK(t.dtype == p.dtype, op, ": ", o.name[k], " has dtype ", dtypeName(t.dtype), " but param has dtype ",
                 dtypeName(p.dtype));
    bool same = t.ndim == p.ndim;
    for (int d = 0; same && d < p.ndim; d++) same = t.shape[d] == p.shape[d];
    CINDER_CHECK(same, op, ": ", o.name[k], " of shape ", t.shapeString(), " does not match param of shape ",
                 p.shapeString());
  }
  // Written operands (all but the gradient) must not have elements sharing memory.
  for (int k = 0; k < o.count; k++) {
    if (k == 1) continue;
    const TensorDesc& t = *o.t[k];
    for (int d = 0; d < t.ndim; d++) {
      CINDER_CHECK(t.strides[d] != 0 || t.shape[d] <= 1, op, ": ", o.name[k], " of shape ", t.shapeString(),
                   " has elements sharing memory (an expanded view) and cannot be updated in place; clone() it first");
    }
  }
}

template <typename T, typename F>
void contiguousLoop(int64_t n, T* __restrict a, const T* __restrict g, T* __restrict s0, T* __restrict s1,
                    T* __restrict s2, const F& f) {
  for (int64_t i = 0; i < n; i++) f(i, a, g, s0, s1, s2);
}

// Runs f(i, param, grad, state0, state1, state2) over every element; pointers past the operand
// count are null and the functor never touches them.
template <typename T, typename F>
void runFused(const Operands& o, const char* op, const F& f) {
  ElementwiseIter it(op, o.t, o.count);
  const int nops = o.count;
  it.forEach(
      [&](char** ptr, const int64_t* st, int64_t n) {
        char* base[kMaxOperands] = {};
        int64_t stride[kMaxOperands] = {};
        bool contiguous = true;
        for (int k = 0; k < nops; k++) {
          base[k] = ptr[k];
          stride[k] = st[k];
          contiguous &= st[k] == (int64_t)sizeof(T);
        }
        auto at = [&](int k, int64_t i) { return base[k] == nullptr ? nullptr : reinterpret_cast<T*>(base[k] + i * stride[k]); };
        if (contiguous) {
          contiguousLoop<T>(n, at(0, 0), at(1, 0), at(2, 0), at(3, 0), at(4, 0), f);
        } else {
          for (int64_t i = 0; i < n; i++) f(0, at(0, i), at(1, i), at(2, i), at(3, i), at(4, i));
        }
      },
      kOptimGrain);
}

// Weight decay: none, added to the gradient (L2), or applied to the parameter (decoupled).
enum WeightDecay { kNoDecay = 0, kL2 = 1, kDecoupled = 2 };

template <typename T, int WD, bool AMS>
struct AdamUpdate {
  T sign, wd, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps, negStepSize;
  void operator()(int64_t i, T* p, const T* g, T* m, T* v, T* vmax) const {
    T gi = g[i] * sign;
    T pi = p[i];
    if constexpr (WD == kL2) gi = gi + wd * pi;
    if constexpr (WD == kDecoupled) pi = pi * decay;
    const T mi = m[i] * beta1 + oneMinusBeta1 * gi;
    const T vi = v[i] * beta2 + oneMinusBeta2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    T vhat = vi;
    if constexpr (AMS) {
      const T prev = vmax[i];
      vhat = prev >= vi || prev != prev ? prev : vi;  // maximum, propagating NaN
      vmax[i] = vhat;
    }
    const T denom = std::sqrt(vhat) / bc2Sqrt + eps;
    p[i] = pi + negStepSize * (mi / denom);
  }
};

template <typename T, int WD, bool AMS>
void runAdam(const Operands& ops, const AdamOptions& o) {
  const double bc1 = 1 - std::pow(o.beta1, o.step);
  const double bc2 = 1 - std::pow(o.beta2, o.step);
  AdamUpdate<T, WD, AMS> f{(T)(o.maximize ? -1 : 1), (T)o.weightDecay, (T)(1 - o.lr * o.weightDecay), (T)o.beta1,
                           (T)(1 - o.beta1), (T)o.beta2, (T)(1 - o.beta2), (T)std::sqrt(bc2), (T)o.eps,
                           (T)(-(o.lr / bc1))};
  runFused<T>(ops, "adamStep", f);
}

template <typename T>
void adamTyped(const Operands& ops, const AdamOptions& o) {
  const int wd = o.weightDecay == 0 ? kNoDecay : o.decoupled ? kDecoupled : kL2;
  if (o.amsgrad) {
    if (wd == kNoDecay) runAdam<T, kNoDecay, true>(ops, o);
    else if (wd == kL2) runAdam<T, kL2, true>(ops, o);
    else runAdam<T, kDecoupled, true>(ops, o);
  } else {
    if (wd == kNoDecay) runAdam<T, kNoDecay, false>(ops, o);
    else if (wd == kL2) runAdam<T, kL2, false>(ops, o);
    else runAdam<T, kDecoupled, false>(ops, o);
  }
}

// Momentum: none, first step (the buffer takes the gradient), or later steps.
enum Momentum { kNoMomentum = 0, kInitBuffer = 1, kUpdateBuffer = 2 };

template <typename T, bool WD, int MOM, bool NESTEROV>
struct SgdUpdate {
  T sign, wd, momentum, oneMinusDampening, negLr;
  void operator()(int64_t i, T* p, const T* g, T* buf, T*, T*) const {
    T d = g[i] * sign;
    if constexpr (WD) d = d + wd * p[i];
    if constexpr (MOM != kNoMomentum) {
      T b;
      if constexpr (MOM == kInitBuffer) b = d;
      else b = buf[i] * momentum + oneMinusDampening * d;
      buf[i] = b;
      if constexpr (NESTEROV) d = d + momentum * b;
      else d = b;
    }
    p[i] = p[i] + negLr * d;
  }
};

template <typename T, bool WD, int MOM, bool NESTEROV>
void runSgd(const Operands& ops, const SgdOptions& o) {
  SgdUpdate<T, WD, MOM, NESTEROV> f{(T)(o.maximize ? -1 : 1), (T)o.weightDecay, (T)o.momentum, (T)(1 - o.dampening),
                                    (T)(-o.lr)};
  runFused<T>(ops, "sgdStep", f);
}

template <typename T, bool WD>
void sgdMomentum(const Operands& ops, const SgdOptions& o) {
  if (o.momentum == 0) return runSgd<T, WD, kNoMomentum, false>(ops, o);
  if (o.initBuffer) {
    if (o.nesterov) return runSgd<T, WD, kInitBuffer, true>(ops, o);
    return runSgd<T, WD, kInitBuffer, false>(ops, o);
  }
  if (o.nesterov) return runSgd<T, WD, kUpdateBuffer, true>(ops, o);
  runSgd<T, WD, kUpdateBuffer, false>(ops, o);
}

template <typename T>
void sgdTyped(const Operands& ops, const SgdOptions& o) {
  if (o.weightDecay != 0) sgdMomentum<T, true>(ops, o);
  else sgdMomentum<T, false>(ops, o);
}

template <typename T, bool WD, bool CENTERED, bool MOM>
struct RmspropUpdate {
  T sign, wd, alpha, oneMinusAlpha, eps, momentum, negLr;
  void operator()(int64_t i, T* p, const T* g, T* sq, T* gavg, T* buf) const {
    T gi = g[i] * sign;
    if constexpr (WD) gi = gi + wd * p[i];
    const T s = sq[i] * alpha + oneMinusAlpha * gi * gi;
    sq[i] = s;
    T avg;
    if constexpr (CENTERED) {
      const T ga = gavg[i] * alpha + oneMinusAlpha * gi;
      gavg[i] = ga;
      avg = std::sqrt(s - ga * ga);
    } else {
      avg = std::sqrt(s);
    }
    avg = avg + eps;
    if constexpr (MOM) {
      const T b = buf[i] * momentum + gi / avg;
      buf[i] = b;
      p[i] = p[i] + negLr * b;
    } else {
      p[i] = p[i] + negLr * (gi / avg);
    }
  }
};

// The centred variant's gradient average comes before the momentum buffer in the operands; with
// momentum but no centring the buffer is state operand 1, so the functor's arguments are shifted.
template <typename T, bool WD, bool CENTERED, bool MOM>
void runRmsprop(const Operands& ops, const RmspropOptions& o) {
  RmspropUpdate<T, WD, CENTERED, MOM> f{(T)(o.maximize ? -1 : 1), (T)o.weightDecay, (T)o.alpha, (T)(1 - o.alpha),
                                        (T)o.eps, (T)o.momentum, (T)(-o.lr)};
  if constexpr (MOM && !CENTERED) {
    auto shifted = [f](int64_t i, T* p, const T* g, T* sq, T* buf, T*) { f(i, p, g, sq, nullptr, buf); };
    runFused<T>(ops, "rmspropStep", shifted);
  } else {
    runFused<T>(ops, "rmspropStep", f);
  }
}

template <typename T, bool WD>
void rmspropFlags(const Operands& ops, const RmspropOptions& o) {
  const bool mom = o.momentum > 0;
  if (o.centered) {
    if (mom) runRmsprop<T, WD, true, true>(ops, o);
    else runRmsprop<T, WD, true, false>(ops, o);
  } else {
    if (mom) runRmsprop<T, WD, false, true>(ops, o);
    else runRmsprop<T, WD, false, false>(ops, o);
  }
}

template <typename T>
void rmspropTyped(const Operands& ops, const RmspropOptions& o) {
  if (o.weightDecay != 0) rmspropFlags<T, true>(ops, o);
  else rmspropFlags<T, false>(ops, o);
}

template <typename T, bool WD>
struct AdagradUpdate {
  T sign, wd, eps, negClr;
  void operator()(int64_t i, T* p, const T* g, T* sum, T*, T*) const {
    T gi = g[i] * sign;
    if constexpr (WD) gi = gi + wd * p[i];
    const T s = sum[i] + gi * gi;
    sum[i] = s;
    const T std = std::sqrt(s) + eps;
    p[i] = p[i] + negClr * (gi / std);
  }
};

template <typename T, bool WD>
void runAdagrad(const Operands& ops, const AdagradOptions& o) {
  const double clr = o.lr / (1 + (o.step - 1) * o.lrDecay);
  AdagradUpdate<T, WD> f{(T)(o.maximize ? -1 : 1), (T)o.weightDecay, (T)o.eps, (T)(-clr)};
  runFused<T>(ops, "adagradStep", f);
}

template <typename T>
void adagradTyped(const Operands& ops, const AdagradOptions& o) {
  if (o.weightDecay != 0) runAdagrad<T, true>(ops, o);
  else runAdagrad<T, false>(ops, o);
}

}  // namespace

void adamStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& expAvg, const TensorDesc& expAvgSq,
              const TensorDesc* maxExpAvgSq, const AdamOptions& o) {
  const char* op = "adamStep";
  CINDER_CHECK(o.step >= 1, op, ": step must be at least 1, got ", o.step);
  CINDER_CHECK(!o.amsgrad || maxExpAvgSq != nullptr, op, ": amsgrad needs the maxExpAvgSq buffer");
  Operands ops;
  ops.add(&param, "param");
  ops.add(&grad, "grad");
  ops.add(&expAvg, "expAvg");
  ops.add(&expAvgSq, "expAvgSq");
  if (o.amsgrad) ops.add(maxExpAvgSq, "maxExpAvgSq");
  checkOperands(op, ops);
  if (param.dtype == DType::Float32) adamTyped<float>(ops, o);
  else adamTyped<double>(ops, o);
}

void sgdStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc* momentumBuffer, const SgdOptions& o) {
  const char* op = "sgdStep";
  const bool mom = o.momentum != 0;
  CINDER_CHECK(!mom || momentumBuffer != nullptr, op, ": momentum needs the momentumBuffer");
  Operands ops;
  ops.add(&param, "param");
  ops.add(&grad, "grad");
  if (mom) ops.add(momentumBuffer, "momentumBuffer");
  checkOperands(op, ops);
  if (param.dtype == DType::Float32) sgdTyped<float>(ops, o);
  else sgdTyped<double>(ops, o);
}

void rmspropStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& squareAvg, const TensorDesc* gradAvg,
                 const TensorDesc* momentumBuffer, const RmspropOptions& o) {
  const char* op = "rmspropStep";
  const bool mom = o.momentum > 0;
  CINDER_CHECK(!o.centered || gradAvg != nullptr, op, ": centered needs the gradAvg buffer");
  CINDER_CHECK(!mom || momentumBuffer != nullptr, op, ": momentum needs the momentumBuffer");
  Operands ops;
  ops.add(&param, "param");
  ops.add(&grad, "grad");
  ops.add(&squareAvg, "squareAvg");
  if (o.centered) ops.add(gradAvg, "gradAvg");
  if (mom) ops.add(momentumBuffer, "momentumBuffer");
  checkOperands(op, ops);
  if (param.dtype == DType::Float32) rmspropTyped<float>(ops, o);
  else rmspropTyped<double>(ops, o);
}

void adagradStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& stateSum, const AdagradOptions& o) {
  const char* op = "adagradStep";
  CINDER_CHECK(o.step >= 1, op, ": step must be at least 1, got ", o.step);
  Operands ops;
  ops.add(&param, "param");
  ops.add(&grad, "grad");
  ops.add(&stateSum, "stateSum");
  checkOperands(op, ops);
  if (param.dtype == DType::Float32) adagradTyped<float>(ops, o);
  else adagradTyped<double>(ops, o);
}

}  // namespace cinder
