// CUDA bindings: build and device query. The op families on CUDA come with the CUDA backend.
#include "binding/families.h"
#include "cuda/cudaDevice.h"

namespace cinder {

static Napi::Value isAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), cudaDeviceCount() > 0);
}

static Napi::Value deviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cudaDeviceCount());
}

static Napi::Value isCompiled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), cudaCompiled());
}

static Napi::Value runtimeVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), cudaRuntimeVersion());
}

static Napi::Value deviceProperties(const Napi::CallbackInfo& info) {
  int idx = info[0].As<Napi::Number>().Int32Value();
  int count = cudaDeviceCount();
  CINDER_CHECK(idx >= 0 && idx < count, "cuda.getDeviceProperties: device ", idx, " does not exist (", count,
               " CUDA device(s) present)");
  CudaDeviceInfo d;
  CINDER_CHECK(cudaDeviceInfo(idx, &d), "cuda.getDeviceProperties: query of device ", idx, " failed");
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("name", d.name);
  o.Set("major", d.major);
  o.Set("minor", d.minor);
  o.Set("totalMemory", d.totalMemoryBytes);
  o.Set("multiProcessorCount", d.multiprocessors);
  return o;
}

void registerCuda(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "cudaIsAvailable", isAvailable);
  exportFunction(env, exports, ctx, "cudaDeviceCount", deviceCount);
  exportFunction(env, exports, ctx, "cudaIsCompiled", isCompiled);
  exportFunction(env, exports, ctx, "cudaRuntimeVersion", runtimeVersion);
  exportFunction(env, exports, ctx, "cudaDeviceProperties", deviceProperties);
}

}  // namespace cinder
