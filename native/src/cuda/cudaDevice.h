// Device query shared by the CUDA build and the CPU-only build.
#pragma once
#include <string>

namespace cinder {
struct CudaDeviceInfo {
  std::string name;
  int major = 0, minor = 0;
  double totalMemoryBytes = 0;
  int multiprocessors = 0;
};
// Number of usable devices; 0 when the runtime or the driver is missing (never throws).
int cudaDeviceCount();
bool cudaDeviceInfo(int index, CudaDeviceInfo* out);
// Whether CUDA kernels were compiled into this build.
bool cudaCompiled();
std::string cudaRuntimeVersion();
}  // namespace cinder
