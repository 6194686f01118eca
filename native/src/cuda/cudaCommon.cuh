// Helpers shared by the CUDA sources: error checks that throw CinderError naming the op or
// kernel, the current-device guard, and each device's stream.
#pragma once
#include <cuda_runtime.h>

#include "core/error.h"

namespace cinder {

// Throws "<what>: CUDA error <name>: <description>" when `expr` fails, after clearing the
// runtime's last-error state (sticky errors, such as a kernel fault, stay sticky: every later
// call reports them too, which is the truth about a device in that state).
#define CINDER_CUDA_CHECK(expr, ...)                                                                    \
  do {                                                                                                  \
    cudaError_t cinder_err_ = (expr);                                                                   \
    if (cinder_err_ != cudaSuccess) {                                                                   \
      cudaGetLastError();                                                                               \
      ::cinder::fail(__VA_ARGS__, ": CUDA error ", cudaGetErrorName(cinder_err_), ": ",                \
                     cudaGetErrorString(cinder_err_));                                                  \
    }                                                                                                   \
  } while (0)

// After a kernel launch: a bad launch configuration (or an earlier asynchronous fault) becomes an
// error naming the kernel.
#define CINDER_CUDA_LAUNCH_CHECK(kernelName) CINDER_CUDA_CHECK(cudaGetLastError(), "CUDA kernel ", kernelName)

// Makes `device` current on this host thread for the guard's lifetime (a no-op when it already is).
class CudaDeviceGuard {
 public:
  CudaDeviceGuard(int device, const char* op);
  ~CudaDeviceGuard();

 private:
  int prev_;
};

// The one stream of a device (created on first use; work on a device is ordered on it, which is
// what lets the allocator hand a freed block to the next op without events).
cudaStream_t cudaStreamOf(int device, const char* op);

// Launch configuration for a 1-D grid over n items (n > 0): blocks of `threads`, at most
// kMaxGridBlocks blocks; kernels stride by gridDim * blockDim so any n is covered.
constexpr int kMaxGridBlocks = 65535 * 4;
inline unsigned gridFor(int64_t n, int threads) {
  int64_t b = (n + threads - 1) / threads;
  if (b < 1) b = 1;
  if (b > kMaxGridBlocks) b = kMaxGridBlocks;
  return (unsigned)b;
}

}  // namespace cinder
