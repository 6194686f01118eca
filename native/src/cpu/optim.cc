// Fused optimizer updates (see optim.h): operand checks (optimOperands.h), the constants of each
// update (rounded to the parameter's dtype), and the iteration: the one iteration helper splits
// large parameters across the thread pool and hands out runs of elements; contiguous runs go to
// the loops of the ISA set this CPU runs (optimArch.h), strided ones to the same per-element code
// compiled here.
#include "cpu/optim.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "core/elementwiseIter.h"
#include "cpu/optimConsts.h"
#include "cpu/optimImpl.h"
#include "cpu/optimOperands.h"

namespace cinder {

namespace {

OptimArch pickOptimArch(const char* want) {
  std::string w = want ? want : "";
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  if ((w.empty() || w == "avx512") && avx512) return optimArchAvx512();
  if ((w.empty() || w == "avx512" || w == "avx2") && avx2) return optimArchAvx2();
#endif
  return optimArchGeneric();
}

// Optimizer updates do several loads, stores and a square root or division per element: worth
// splitting across threads at a smaller size than a plain add.
constexpr int64_t kOptimGrain = 16384;

using Operands = OptimOperands;

template <typename T, typename C>
using ElemFn = void (*)(int64_t, T*, const T*, T*, T*, T*, const C&);

// Runs the update over every element: contiguous runs through `loop`, strided ones element by
// element through `elem` (the same arithmetic).
template <typename T, typename C>
void runFused(const Operands& o, const char* op, OptimLoop<T, C> loop, ElemFn<T, C> elem, const C& c) {
  ElementwiseIter it(op, o.t, o.count);
  it.forEach(
      [&](char** ptr, const int64_t* st, int64_t n) {
        char* base[kMaxOperands] = {};
        int64_t stride[kMaxOperands] = {};
        bool contiguous = true;
        for (int k = 0; k < o.count; k++) {
          base[o.slot[k]] = ptr[k];
          stride[o.slot[k]] = st[k];
          contiguous &= st[k] == (int64_t)sizeof(T);
        }
        auto at = [&](int s, int64_t i) {
          return base[s] == nullptr ? nullptr : reinterpret_cast<T*>(base[s] + i * stride[s]);
        };
        if (contiguous) {
          loop(n, at(0, 0), at(1, 0), at(2, 0), at(3, 0), at(4, 0), c);
        } else {
          for (int64_t i = 0; i < n; i++) elem(0, at(0, i), at(1, i), at(2, i), at(3, i), at(4, i), c);
        }
      },
      kOptimGrain);
}

template <typename T>
const OptimLoops<T>& loopsFor();
template <>
const OptimLoops<float>& loopsFor<float>() {
  return optimArch().f32;
}
template <>
const OptimLoops<double>& loopsFor<double>() {
  return optimArch().f64;
}

template <typename T>
void adamTyped(const Operands& ops, const AdamOptions& o) {
  const AdamConsts<T> c = adamConsts<T>(o);
  const int wd = adamDecay(o);
  static constexpr ElemFn<T, AdamConsts<T>> elems[3][2] = {
      {adamElem<T, kNoDecay, false>, adamElem<T, kNoDecay, true>},
      {adamElem<T, kL2, false>, adamElem<T, kL2, true>},
      {adamElem<T, kDecoupled, false>, adamElem<T, kDecoupled, true>},
  };
  runFused<T>(ops, "adamStep", loopsFor<T>().adam[wd][o.amsgrad], elems[wd][o.amsgrad], c);
}

template <typename T>
void sgdTyped(const Operands& ops, const SgdOptions& o) {
  const SgdConsts<T> c = sgdConsts<T>(o);
  const int wd = o.weightDecay != 0;
  const int mom = sgdMomentum(o);
  const int nest = mom != kNoMomentum && o.nesterov;
  static constexpr ElemFn<T, SgdConsts<T>> elems[2][3][2] = {
      {{sgdElem<T, false, kNoMomentum, false>, nullptr},
       {sgdElem<T, false, kInitBuffer, false>, sgdElem<T, false, kInitBuffer, true>},
       {sgdElem<T, false, kUpdateBuffer, false>, sgdElem<T, false, kUpdateBuffer, true>}},
      {{sgdElem<T, true, kNoMomentum, false>, nullptr},
       {sgdElem<T, true, kInitBuffer, false>, sgdElem<T, true, kInitBuffer, true>},
       {sgdElem<T, true, kUpdateBuffer, false>, sgdElem<T, true, kUpdateBuffer, true>}},
  };
  runFused<T>(ops, "sgdStep", loopsFor<T>().sgd[wd][mom][nest], elems[wd][mom][nest], c);
}

template <typename T>
void rmspropTyped(const Operands& ops, const RmspropOptions& o) {
  const RmspropConsts<T> c = rmspropConsts<T>(o);
  const int wd = o.weightDecay != 0, cen = o.centered, mom = o.momentum > 0;
  static constexpr ElemFn<T, RmspropConsts<T>> elems[2][2][2] = {
      {{rmspropElem<T, false, false, false>, rmspropElem<T, false, false, true>},
       {rmspropElem<T, false, true, false>, rmspropElem<T, false, true, true>}},
      {{rmspropElem<T, true, false, false>, rmspropElem<T, true, false, true>},
       {rmspropElem<T, true, true, false>, rmspropElem<T, true, true, true>}},
  };
  runFused<T>(ops, "rmspropStep", loopsFor<T>().rmsprop[wd][cen][mom], elems[wd][cen][mom], c);
}

template <typename T>
void adagradTyped(const Operands& ops, const AdagradOptions& o) {
  const AdagradConsts<T> c = adagradConsts<T>(o);
  const int wd = o.weightDecay != 0;
  static constexpr ElemFn<T, AdagradConsts<T>> elems[2] = {adagradElem<T, false>, adagradElem<T, true>};
  runFused<T>(ops, "adagradStep", loopsFor<T>().adagrad[wd], elems[wd], c);
}

}  // namespace

const OptimArch& optimArch() {
  static const OptimArch a = pickOptimArch(std::getenv("CINDER_OPTIM_ARCH"));
  return a;
}

void adamStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& expAvg, const TensorDesc& expAvgSq,
              const TensorDesc* maxExpAvgSq, const AdamOptions& o) {
  const Operands ops = adamOperands(param, grad, expAvg, expAvgSq, maxExpAvgSq, o);
  if (param.dtype == DType::Float32) adamTyped<float>(ops, o);
  else adamTyped<double>(ops, o);
}

void sgdStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc* momentumBuffer, const SgdOptions& o) {
  const Operands ops = sgdOperands(param, grad, momentumBuffer, o);
  if (param.dtype == DType::Float32) sgdTyped<float>(ops, o);
  else sgdTyped<double>(ops, o);
}

void rmspropStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& squareAvg, const TensorDesc* gradAvg,
                 const TensorDesc* momentumBuffer, const RmspropOptions& o) {
  const Operands ops = rmspropOperands(param, grad, squareAvg, gradAvg, momentumBuffer, o);
  if (param.dtype == DType::Float32) rmspropTyped<float>(ops, o);
  else rmspropTyped<double>(ops, o);
}

void adagradStep(const TensorDesc& param, const TensorDesc& grad, const TensorDesc& stateSum, const AdagradOptions& o) {
  const Operands ops = adagradOperands(param, grad, stateSum, o);
  if (param.dtype == DType::Float32) adagradTyped<float>(ops, o);
  else adagradTyped<double>(ops, o);
}

}  // namespace cinder
