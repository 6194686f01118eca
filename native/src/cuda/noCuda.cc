// Built instead of the .cu sources when nvcc is not found: the same entry points, answering
// "no CUDA" to queries and throwing "CUDA is not available" from everything that needs a device.
#include "core/error.h"
#include "cuda/cudaDevice.h"

namespace cinder {

static const char* const kWhy =
    "this build of @cinder/native was compiled without CUDA (nvcc was not found, or CINDER_DISABLE_CUDA was set)";

bool cudaCompiled() { return false; }
int cudaDeviceCount() { return 0; }
bool cudaDeviceInfo(int, CudaDeviceInfo*) { return false; }
std::string cudaRuntimeVersion() { return ""; }

void requireCudaDevice(int, const char* op) { fail(op, ": CUDA is not available: ", kWhy); }
Storage* newDeviceStorage(int device, size_t, const char* op) {
  requireCudaDevice(device, op);
  return nullptr;
}
void releaseDeviceBlock(int, void*, size_t) {}
void cudaCopyHostToDevice(void*, int device, const void*, size_t, const char* op) { requireCudaDevice(device, op); }
void cudaCopyDeviceToHost(void*, const void*, int device, size_t, const char* op) { requireCudaDevice(device, op); }
void cudaCopyDeviceToDevice(void*, int device, const void*, int, size_t, const char* op) {
  requireCudaDevice(device, op);
}
CudaPendingRead* cudaStartRead(const void*, int device, size_t, const char* op) {
  requireCudaDevice(device, op);
  return nullptr;
}
std::string cudaWaitRead(CudaPendingRead*) { return kWhy; }
void cudaFinishRead(CudaPendingRead*, void*) {}
void cudaSynchronizeDevice(int device, const char* op) {
  if (device >= 0) requireCudaDevice(device, op);
}
CudaMemoryStats cudaMemoryStats(int) { return CudaMemoryStats{}; }
void cudaEmptyCache(int) {}

}  // namespace cinder
