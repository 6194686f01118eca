// CUDA device query. cudart is linked statically; every call tolerates the absence of a driver
// or a device, so the addon loads and reports "no GPU" on CPU-only machines.
#include <cuda_runtime.h>

#include "cuda/cudaDevice.h"

namespace cinder {

bool cudaCompiled() { return true; }

int cudaDeviceCount() {
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error state
    return 0;
  }
  return n;
}

bool cudaDeviceInfo(int index, CudaDeviceInfo* out) {
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, index) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  out->name = prop.name;
  out->major = prop.major;
  out->minor = prop.minor;
  out->totalMemoryBytes = (double)prop.totalGlobalMem;
  out->multiprocessors = prop.multiProcessorCount;
  return true;
}

std::string cudaRuntimeVersion() {
  int v = 0;
  cudaRuntimeGetVersion(&v);
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

}  // namespace cinder
