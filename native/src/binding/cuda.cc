// CUDA bindings: build and device query, transfers between devices, dataAsync, synchronisation
// and the device allocator's controls. Everything here works (or throws "CUDA is not available")
// on a build without CUDA and on a machine without a driver.
#include <cstring>

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

static int readDevice(const Napi::Value& v, const char* op, bool allowAll) {
  double d = v.IsUndefined() ? (allowAll ? -1.0 : 0.0) : v.As<Napi::Number>().DoubleValue();
  CINDER_CHECK(d == (int)d && (d >= 0 || (allowAll && d == -1)) && d < 1024, op, ": invalid device index ", d);
  return (int)d;
}

// copyStorage(handle, byteOffset, nbytes, device) -> handle of a new storage on `device`
// (-1: the host) holding bytes [byteOffset, byteOffset + nbytes) of the source storage.
static Napi::Value copyStorage(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = "to";
  Storage* src = ctx->table.get(info[0].As<Napi::Number>().DoubleValue(), op);
  double off = info[1].As<Napi::Number>().DoubleValue();
  double n = info[2].As<Napi::Number>().DoubleValue();
  int dev = readDevice(info[3], op, true);
  CINDER_CHECK(off >= 0 && n >= 0 && off == (double)(size_t)off && n == (double)(size_t)n &&
                   (size_t)off + (size_t)n <= src->nbytes,
               op, ": ", n, " bytes at offset ", off, " exceed the storage of ", src->nbytes, " bytes");
  size_t nbytes = (size_t)n;
  const char* from = static_cast<const char*>(src->data) + (size_t)off;
  Storage* dst = dev < 0 ? newHostStorage(nbytes) : newDeviceStorage(dev, nbytes, op);
  try {
    if (nbytes > 0) {
      if (src->device < 0 && dev < 0) std::memcpy(dst->data, from, nbytes);
      else if (src->device < 0) cudaCopyHostToDevice(dst->data, dev, from, nbytes, op);
      else if (dev < 0) cudaCopyDeviceToHost(dst->data, from, src->device, nbytes, op);
      else cudaCopyDeviceToDevice(dst->data, dev, from, src->device, nbytes, op);
    }
  } catch (...) {
    releaseStorage(dst);
    throw;
  }
  reportExternal(info.Env(), ctx, reportedBytes(dst));
  return Napi::Number::New(info.Env(), ctx->table.add(dst));
}

// Waits on a worker thread for a device-to-host copy queued on the device's stream, then
// resolves its promise with an ArrayBuffer of the bytes: the event loop keeps running meanwhile.
class ReadWorker : public Napi::AsyncWorker {
 public:
  ReadWorker(Napi::Env env, CudaPendingRead* read, Storage* src, size_t nbytes)
      : Napi::AsyncWorker(env, "cinder.dataAsync"), deferred_(Napi::Promise::Deferred::New(env)), read_(read),
        src_(src), nbytes_(nbytes) {}
  ~ReadWorker() override {
    if (read_ != nullptr) cudaFinishRead(read_, nullptr);
    releaseStorage(src_);
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    std::string err = cudaWaitRead(read_);
    if (!err.empty()) SetError("dataAsync: " + err);
  }
  void OnOK() override {
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(Env(), nbytes_);
    CudaPendingRead* r = read_;
    read_ = nullptr;
    cudaFinishRead(r, nbytes_ ? buf.Data() : nullptr);
    deferred_.Resolve(buf);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  CudaPendingRead* read_;
  Storage* src_;
  size_t nbytes_;
};

// readAsync(handle, byteOffset, nbytes) -> Promise<ArrayBuffer> (device storages only).
static Napi::Value readAsync(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = "dataAsync";
  Storage* src = ctx->table.get(info[0].As<Napi::Number>().DoubleValue(), op);
  double off = info[1].As<Napi::Number>().DoubleValue();
  double n = info[2].As<Napi::Number>().DoubleValue();
  CINDER_CHECK(src->device >= 0, op, ": storage is not on a CUDA device");
  CINDER_CHECK(off >= 0 && n >= 0 && off == (double)(size_t)off && n == (double)(size_t)n &&
                   (size_t)off + (size_t)n <= src->nbytes,
               op, ": ", n, " bytes at offset ", off, " exceed the storage of ", src->nbytes, " bytes");
  CudaPendingRead* read = cudaStartRead(static_cast<const char*>(src->data) + (size_t)off, src->device, (size_t)n, op);
  retainStorage(src);
  auto* w = new ReadWorker(info.Env(), read, src, (size_t)n);  // deletes itself when done
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

static Napi::Value synchronize(const Napi::CallbackInfo& info) {
  cudaSynchronizeDevice(readDevice(info[0], "cuda.synchronize", true), "cuda.synchronize");
  return info.Env().Undefined();
}

static Napi::Value memoryStats(const Napi::CallbackInfo& info) {
  int dev = readDevice(info[0], "cuda.memoryStats", false);
  CudaMemoryStats st = cudaMemoryStats(dev);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("allocatedBytes", (double)st.allocatedBytes);
  o.Set("reservedBytes", (double)st.reservedBytes);
  o.Set("peakAllocatedBytes", (double)st.peakAllocatedBytes);
  o.Set("allocations", (double)st.allocations);
  o.Set("cacheHits", (double)st.cacheHits);
  o.Set("oomRetries", (double)st.retries);
  o.Set("pinnedReservedBytes", (double)st.pinnedReservedBytes);
  return o;
}

static Napi::Value emptyCache(const Napi::CallbackInfo& info) {
  cudaEmptyCache(readDevice(info[0], "cuda.emptyCache", true));
  return info.Env().Undefined();
}

void registerCuda(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "cudaIsAvailable", isAvailable);
  exportFunction(env, exports, ctx, "cudaDeviceCount", deviceCount);
  exportFunction(env, exports, ctx, "cudaIsCompiled", isCompiled);
  exportFunction(env, exports, ctx, "cudaRuntimeVersion", runtimeVersion);
  exportFunction(env, exports, ctx, "cudaDeviceProperties", deviceProperties);
  exportFunction(env, exports, ctx, "cudaCopyStorage", copyStorage);
  exportFunction(env, exports, ctx, "cudaReadAsync", readAsync);
  exportFunction(env, exports, ctx, "cudaSynchronize", synchronize);
  exportFunction(env, exports, ctx, "cudaMemoryStats", memoryStats);
  exportFunction(env, exports, ctx, "cudaEmptyCache", emptyCache);
}

}  // namespace cinder
