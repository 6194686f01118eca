// The vecmath kernels at 8 floats per vector.
#define CINDER_VEC_WIDTH 8
#include "cpu/vecmathImpl.h"

namespace cinder {
VecMathArch vecMathAvx2() { return makeVecMathArch("avx2"); }
}  // namespace cinder
