#include "cpu/vecmath.h"

#include <cstdlib>
#include <string>

namespace cinder {

namespace {

VecMathArch pickVecMath(const char* want) {
  std::string w = want ? want : "";
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  if ((w.empty() || w == "avx512") && avx512) return vecMathAvx512();
  if ((w.empty() || w == "avx512" || w == "avx2") && avx2) return vecMathAvx2();
#endif
  return vecMathGeneric();
}

}  // namespace

const VecMathArch& vecMath() {
  static const VecMathArch a = pickVecMath(std::getenv("CINDER_VECMATH_ARCH"));
  return a;
}

}  // namespace cinder
