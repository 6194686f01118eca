// The fused optimizer loops compiled for AVX-512.
#include "cpu/optimImpl.h"

namespace cinder {
OptimArch optimArchAvx512() { return makeOptimArch("avx512"); }
}  // namespace cinder
