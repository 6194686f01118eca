// The CUDA runtime as the rest of the core sees it: device query, the caching device allocator,
// pinned staging, copies and synchronisation. Declared without CUDA headers so plain C++ (the
// bindings, the storage table) can call it; implemented in cudaRuntime.cu when nvcc is present
// and in noCuda.cc otherwise, where every entry point answers "no CUDA" (queries) or throws
// "CUDA is not available: ..." (everything that would touch a device).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace cinder {

struct Storage;

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

// Throws "<op>: CUDA is not available: <why>" unless `device` names a usable device.
void requireCudaDevice(int device, const char* op);

struct CudaMemoryStats {
  uint64_t allocatedBytes = 0;  // bytes in live blocks (rounded to their class)
  uint64_t reservedBytes = 0;   // allocated + cached, as obtained from cudaMalloc
  uint64_t peakAllocatedBytes = 0;
  uint64_t allocations = 0;     // calls to allocate
  uint64_t cacheHits = 0;       // served from the cache
  uint64_t retries = 0;         // out-of-memory retries after emptying the cache
  uint64_t pinnedReservedBytes = 0;  // pinned host staging memory held
};

// A new storage of nbytes on `device` (Storage::device = device), from the device's caching
// allocator. On out-of-memory the device's cache is freed and the allocation retried once; a
// second failure throws naming `op` and the bytes.
Storage* newDeviceStorage(int device, size_t nbytes, const char* op);
// Returns a block to its device's cache (called by releaseStorage; never throws).
void releaseDeviceBlock(int device, void* ptr, size_t classBytes);

// Copies, ordered on the device's stream. hostToDevice returns once the source may be reused
// (the bytes are staged in pinned memory); deviceToHost returns once the bytes have arrived.
void cudaCopyHostToDevice(void* dst, int device, const void* src, size_t nbytes, const char* op);
void cudaCopyDeviceToHost(void* dst, const void* src, int device, size_t nbytes, const char* op);
void cudaCopyDeviceToDevice(void* dst, int dstDevice, const void* src, int srcDevice, size_t nbytes, const char* op);

// An asynchronous device-to-host read: start() enqueues the copy into pinned staging on the
// device's stream (main thread); wait() blocks until it has arrived (any thread); finish() copies
// the bytes out and returns the staging block (main thread). Used by dataAsync().
struct CudaPendingRead;
CudaPendingRead* cudaStartRead(const void* src, int device, size_t nbytes, const char* op);
// Empty string on success, else the error message.
std::string cudaWaitRead(CudaPendingRead* r);
void cudaFinishRead(CudaPendingRead* r, void* dst);  // dst may be null (discard); frees r

// Waits for all work queued on the device's stream; device -1 means every initialised device.
void cudaSynchronizeDevice(int device, const char* op);
CudaMemoryStats cudaMemoryStats(int device);
// Frees the cached (unused) blocks of a device (-1: every device) and its idle pinned staging.
void cudaEmptyCache(int device);

}  // namespace cinder
