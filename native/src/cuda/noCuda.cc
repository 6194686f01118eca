// Built instead of the .cu sources when nvcc is not found: the same queries, answering "no CUDA".
#include "cuda/cudaDevice.h"

namespace cinder {
bool cudaCompiled() { return false; }
int cudaDeviceCount() { return 0; }
bool cudaDeviceInfo(int, CudaDeviceInfo*) { return false; }
std::string cudaRuntimeVersion() { return ""; }
}  // namespace cinder
