// The fused optimizer loops compiled for AVX2.
#include "cpu/optimImpl.h"

namespace cinder {
OptimArch optimArchAvx2() { return makeOptimArch("avx2"); }
}  // namespace cinder
