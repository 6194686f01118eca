// The vecmath kernels at 16 floats per vector.
#define CINDER_VEC_WIDTH 16
#include "cpu/vecmathImpl.h"

namespace cinder {
VecMathArch vecMathAvx512() { return makeVecMathArch("avx512"); }
}  // namespace cinder
