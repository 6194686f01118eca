// The fused optimizer loops compiled for the baseline ISA (SSE2 on x86-64).
#include "cpu/optimImpl.h"

namespace cinder {
OptimArch optimArchGeneric() { return makeOptimArch("generic"); }
}  // namespace cinder
