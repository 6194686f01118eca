// The vecmath kernels at 4 floats per vector.
#define CINDER_VEC_WIDTH 4
#include "cpu/vecmathImpl.h"

namespace cinder {
VecMathArch vecMathGeneric() { return makeVecMathArch("generic"); }
}  // namespace cinder
