// Vectorised float32 transcendental kernels over contiguous arrays, one set per ISA (see
// arch/vecmath_*.cc), picked once by cpuid like the GEMM kernels. Each kernel reads n floats
// from `in` and writes n floats to `out` (which may alias `in`); `params` carries the op's
// scalar arguments (softplus: beta, threshold).
#pragma once
#include <cstdint>

namespace cinder {

enum class VecFn : int {
  exp, expm1, log, log1p, tanh, sigmoid, silu, geluTanh, geluErf, softplus, erf, sin, cos, count
};

using VecUnaryFn = void (*)(const float* in, float* out, int64_t n, const float* params);

struct VecMathArch {
  const char* name;
  VecUnaryFn fn[(int)VecFn::count];
};

VecMathArch vecMathGeneric();
#if defined(__x86_64__) || defined(_M_X64)
VecMathArch vecMathAvx2();
VecMathArch vecMathAvx512();
#endif

// The best set this CPU runs, or the one named by CINDER_VECMATH_ARCH (generic, avx2, avx512)
// when the CPU supports it.
const VecMathArch& vecMath();

}  // namespace cinder
