// The constants of each fused optimizer update, computed from its options in double and rounded
// to the parameter's dtype, and the variant it runs: host code that the CPU updates (optim.cc) and
// the CUDA launchers (cuda/optim.cu) share, so both devices round the same constants.
#pragma once
#include <cmath>

#include "cpu/optim.h"
#include "cpu/optimArch.h"

namespace cinder {

template <typename T>
AdamConsts<T> adamConsts(const AdamOptions& o) {
  const double bc1 = 1 - std::pow(o.beta1, o.step);
  const double bc2 = 1 - std::pow(o.beta2, o.step);
  return AdamConsts<T>{(T)(o.maximize ? -1 : 1), (T)o.weightDecay, (T)(1 - o.lr * o.weightDecay), (T)o.beta1,
                       (T)(1 - o.beta1), (T)o.beta2, (T)(1 - o.beta2), (T)std::sqrt(bc2), (T)o.eps,
                       (T)(-(o.lr / bc1))};
}
inline OptimWeightDecay adamDecay(const AdamOptions& o) {
  return o.weightDecay == 0 ? kNoDecay : o.decoupled ? kDecoupled : kL2;
}

template <typename T>
SgdConsts<T> sgdConsts(const SgdOptions& o) {
  return SgdConsts<T>{(T)(o.maximize ? -1 : 1), (T)o.weightDecay, (T)o.momentum, (T)(1 - o.dampening), (T)(-o.lr)};
}
inline OptimMomentum sgdMomentum(const SgdOptions& o) {
  return o.momentum == 0 ? kNoMomentum : o.initBuffer ? kInitBuffer : kUpdateBuffer;
}

template <typename T>
RmspropConsts<T> rmspropConsts(const RmspropOptions& o) {
  return RmspropConsts<T>{(T)(o.maximize ? -1 : 1), (T)o.weightDecay, (T)o.alpha, (T)(1 - o.alpha),
                          (T)o.eps, (T)o.momentum, (T)(-o.lr)};
}

template <typename T>
AdagradConsts<T> adagradConsts(const AdagradOptions& o) {
  const double clr = o.lr / (1 + (o.step - 1) * o.lrDecay);
  return AdagradConsts<T>{(T)(o.maximize ? -1 : 1), (T)o.weightDecay, (T)o.eps, (T)(-clr)};
}

}  // namespace cinder
