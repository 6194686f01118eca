// What every CUDA binding shares: the device argument, device temporaries released on every path,
// and self-registration. CUDA bindings are plain C++ (the kernels live in src/cuda/*.cu behind
// launchers declared without CUDA headers) and are compiled only into builds with CUDA: where
// they are absent, TS never reaches them (no tensor can live on a device there).
//
// A binding takes the same call frame as its CPU twin (so TS writes operands once and only picks
// the entry point) plus the device index as its one JS argument, and registers itself with
// CINDER_CUDA_BINDING("cudaName", fn): the name is the CPU entry point's with a "cuda" prefix
// (reduce -> cudaReduce), which is how TS's runOn() finds it.
#pragma once
#include <napi.h>

#include "binding/context.h"
#include "core/storage.h"
#include "core/tensorDesc.h"

namespace cinder {

// Reads info[0] as a CUDA device index and checks that the device is usable.
int cudaDeviceArg(const Napi::CallbackInfo& info, const char* op);

// Device temporaries owned by one call; released on every path, including errors.
class DeviceTemps {
 public:
  DeviceTemps(int device, const char* op) : device_(device), op_(op) {}
  ~DeviceTemps();
  DeviceTemps(const DeviceTemps&) = delete;
  DeviceTemps& operator=(const DeviceTemps&) = delete;
  // A contiguous tensor of dtype dt and the given shape.
  TensorDesc make(DType dt, const int64_t* shape, int nd);
  // Raw scratch bytes (at least 1).
  void* bytes(size_t n);

 private:
  static constexpr int kMax = 16;
  int device_;
  const char* op_;
  Storage* s_[kMax];
  int n_ = 0;
};

using BindingFn = Napi::Value (*)(const Napi::CallbackInfo&);
struct CudaBindingRegistrar {
  CudaBindingRegistrar(const char* name, BindingFn fn);
};
#define CINDER_CUDA_BINDING_CAT2(a, b) a##b
#define CINDER_CUDA_BINDING_CAT(a, b) CINDER_CUDA_BINDING_CAT2(a, b)
#define CINDER_CUDA_BINDING(name, fn) \
  static ::cinder::CudaBindingRegistrar CINDER_CUDA_BINDING_CAT(cinderCudaBinding_, __LINE__)(name, fn)

// Exports every registered CUDA binding (called once per environment by addon.cc).
void registerCudaBindings(Napi::Env env, Napi::Object exports, Context* ctx);

}  // namespace cinder
