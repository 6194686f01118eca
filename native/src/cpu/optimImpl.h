// The arithmetic of the fused optimizer updates, written once as per-element templates. Each
// arch/optim_*.cc includes it with its own compile flags (the compiler vectorises the contiguous
// loops at that ISA's width), and optim.cc includes it for the strided path. Everything sits in
// an anonymous namespace: no definition compiled for one ISA may be shared with another unit.
//
// Every operation happens in the parameter's dtype, in the order PyTorch's eager updates perform
// them (m.mul_(beta1).add_(g, alpha=1 - beta1), param.addcdiv_(m, denom, value=-step_size), ...).
#pragma once
#include <cmath>
#include <cstdint>

#include "cpu/optimArch.h"

namespace cinder {
namespace {

template <typename T, int WD, bool AMS>
inline void adamElem(int64_t i, T* p, const T* g, T* m, T* v, T* vmax, const AdamConsts<T>& c) {
  T gi = g[i] * c.sign;
  T pi = p[i];
  if constexpr (WD == kL2) gi = gi + c.wd * pi;
  if constexpr (WD == kDecoupled) pi = pi * c.decay;
  const T mi = m[i] * c.beta1 + c.oneMinusBeta1 * gi;
  const T vi = v[i] * c.beta2 + c.oneMinusBeta2 * gi * gi;
  m[i] = mi;
  v[i] = vi;
  T vhat = vi;
  if constexpr (AMS) {
    const T prev = vmax[i];
    vhat = prev >= vi || prev != prev ? prev : vi;  // maximum, propagating NaN
    vmax[i] = vhat;
  }
  const T denom = std::sqrt(vhat) / c.bc2Sqrt + c.eps;
  p[i] = pi + c.negStepSize * (mi / denom);
}

template <typename T, bool WD, int MOM, bool NESTEROV>
inline void sgdElem(int64_t i, T* p, const T* g, T* buf, T*, T*, const SgdConsts<T>& c) {
  T d = g[i] * c.sign;
  if constexpr (WD) d = d + c.wd * p[i];
  if constexpr (MOM != kNoMomentum) {
    T b;
    if constexpr (MOM == kInitBuffer) b = d;
    else b = buf[i] * c.momentum + c.oneMinusDampening * d;
    buf[i] = b;
    if constexpr (NESTEROV) d = d + c.momentum * b;
    else d = b;
  }
  p[i] = p[i] + c.negLr * d;
}

template <typename T, bool WD, bool CENTERED, bool MOM>
inline void rmspropElem(int64_t i, T* p, const T* g, T* sq, T* gavg, T* buf, const RmspropConsts<T>& c) {
  T gi = g[i] * c.sign;
  if constexpr (WD) gi = gi + c.wd * p[i];
  const T s = sq[i] * c.alpha + c.oneMinusAlpha * gi * gi;
  sq[i] = s;
  T avg;
  if constexpr (CENTERED) {
    const T ga = gavg[i] * c.alpha + c.oneMinusAlpha * gi;
    gavg[i] = ga;
    avg = std::sqrt(s - ga * ga);
  } else {
    avg = std::sqrt(s);
  }
  avg = avg + c.eps;
  if constexpr (MOM) {
    const T b = buf[i] * c.momentum + gi / avg;
    buf[i] = b;
    p[i] = p[i] + c.negLr * b;
  } else {
    p[i] = p[i] + c.negLr * (gi / avg);
  }
}

template <typename T, bool WD>
inline void adagradElem(int64_t i, T* p, const T* g, T* sum, T*, T*, const AdagradConsts<T>& c) {
  T gi = g[i] * c.sign;
  if constexpr (WD) gi = gi + c.wd * p[i];
  const T s = sum[i] + gi * gi;
  sum[i] = s;
  const T std = std::sqrt(s) + c.eps;
  p[i] = p[i] + c.negClr * (gi / std);
}

// The contiguous loops: restrict pointers, and the constants copied to a local (which nothing
// can alias), so the compiler vectorises the body.
template <typename T, typename C, void (*Elem)(int64_t, T*, const T*, T*, T*, T*, const C&)>
void contiguousLoop(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict s0, T* __restrict s1,
                    T* __restrict s2, const C& constants) {
  const C c = constants;
  for (int64_t i = 0; i < n; i++) Elem(i, p, g, s0, s1, s2, c);
}

template <typename T>
OptimLoops<T> makeOptimLoops() {
  OptimLoops<T> t{};
#define CINDER_ADAM(WD, AMS) \
  t.adam[WD][AMS] = contiguousLoop<T, AdamConsts<T>, adamElem<T, WD, AMS>>;
  CINDER_ADAM(0, 0) CINDER_ADAM(0, 1) CINDER_ADAM(1, 0) CINDER_ADAM(1, 1) CINDER_ADAM(2, 0) CINDER_ADAM(2, 1)
#undef CINDER_ADAM
#define CINDER_SGD(WD, MOM, NEST) \
  t.sgd[WD][MOM][NEST] = contiguousLoop<T, SgdConsts<T>, sgdElem<T, WD, MOM, NEST>>;
  CINDER_SGD(0, 0, 0) CINDER_SGD(0, 1, 0) CINDER_SGD(0, 1, 1) CINDER_SGD(0, 2, 0) CINDER_SGD(0, 2, 1)
  CINDER_SGD(1, 0, 0) CINDER_SGD(1, 1, 0) CINDER_SGD(1, 1, 1) CINDER_SGD(1, 2, 0) CINDER_SGD(1, 2, 1)
#undef CINDER_SGD
#define CINDER_RMS(WD, CEN, MOM) \
  t.rmsprop[WD][CEN][MOM] = contiguousLoop<T, RmspropConsts<T>, rmspropElem<T, WD, CEN, MOM>>;
  CINDER_RMS(0, 0, 0) CINDER_RMS(0, 0, 1) CINDER_RMS(0, 1, 0) CINDER_RMS(0, 1, 1)
  CINDER_RMS(1, 0, 0) CINDER_RMS(1, 0, 1) CINDER_RMS(1, 1, 0) CINDER_RMS(1, 1, 1)
#undef CINDER_RMS
  t.adagrad[0] = contiguousLoop<T, AdagradConsts<T>, adagradElem<T, false>>;
  t.adagrad[1] = contiguousLoop<T, AdagradConsts<T>, adagradElem<T, true>>;
  return t;
}

inline OptimArch makeOptimArch(const char* name) { return OptimArch{name, makeOptimLoops<float>(), makeOptimLoops<double>()}; }

}  // namespace
}  // namespace cinder
