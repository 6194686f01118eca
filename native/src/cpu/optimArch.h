// The contiguous loops of the fused optimizer updates, one set per ISA (arch/optim_*.cc, built
// from optimImpl.h with each ISA's compile flags) and picked once by cpuid, as the vecmath and
// GEMM kernels are. The sets compute the same bits: no FMA contraction in any of them.
//
// Each loop takes the element count, the parameter, the gradient and up to three state buffers
// (slots s0..s2, null where the variant has none) and the update's constants, already rounded
// to the parameter's dtype.
#pragma once
#include <cstdint>

namespace cinder {

template <typename T>
struct AdamConsts {
  T sign, wd, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps, negStepSize;
};
template <typename T>
struct SgdConsts {
  T sign, wd, momentum, oneMinusDampening, negLr;
};
template <typename T>
struct RmspropConsts {
  T sign, wd, alpha, oneMinusAlpha, eps, momentum, negLr;
};
template <typename T>
struct AdagradConsts {
  T sign, wd, eps, negClr;
};

template <typename T, typename C>
using OptimLoop = void (*)(int64_t n, T* p, const T* g, T* s0, T* s1, T* s2, const C& c);

// Weight decay: none, added to the gradient (L2), or applied to the parameter (decoupled).
enum OptimWeightDecay { kNoDecay = 0, kL2 = 1, kDecoupled = 2 };
// Momentum: none, first step (the buffer takes the gradient), or later steps.
enum OptimMomentum { kNoMomentum = 0, kInitBuffer = 1, kUpdateBuffer = 2 };

template <typename T>
struct OptimLoops {
  OptimLoop<T, AdamConsts<T>> adam[3][2];            // [weight decay][amsgrad]; s0 m, s1 v, s2 max v
  OptimLoop<T, SgdConsts<T>> sgd[2][3][2];           // [weight decay][momentum][nesterov]; s0 buffer
  OptimLoop<T, RmspropConsts<T>> rmsprop[2][2][2];   // [weight decay][centered][momentum]; s0 sq, s1 grad avg, s2 buffer
  OptimLoop<T, AdagradConsts<T>> adagrad[2];         // [weight decay]; s0 sum
};

struct OptimArch {
  const char* name;
  OptimLoops<float> f32;
  OptimLoops<double> f64;
};

OptimArch optimArchGeneric();
#if defined(__x86_64__) || defined(_M_X64)
OptimArch optimArchAvx2();
OptimArch optimArchAvx512();
#endif

// The best set this CPU runs, or the one named by CINDER_OPTIM_ARCH (generic, avx2, avx512) when
// the CPU supports it.
const OptimArch& optimArch();

}  // namespace cinder
