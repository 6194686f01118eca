#include "binding/cuda/common.h"

#include <vector>

#include "cuda/cudaDevice.h"

namespace cinder {

int cudaDeviceArg(const Napi::CallbackInfo& info, const char* op) {
  CINDER_CHECK(info.Length() >= 1 && info[0].IsNumber(), op, ": expected a CUDA device index");
  double d = info[0].As<Napi::Number>().DoubleValue();
  CINDER_CHECK(d >= 0 && d < 1024 && d == (int)d, op, ": invalid CUDA device index ", d);
  int dev = (int)d;
  requireCudaDevice(dev, op);
  return dev;
}

DeviceTemps::~DeviceTemps() {
  for (int i = 0; i < n_; i++) releaseStorage(s_[i]);
}

void* DeviceTemps::bytes(size_t n) {
  CINDER_CHECK(n_ < kMax, op_, ": internal error: too many temporaries");
  Storage* s = newDeviceStorage(device_, n > 0 ? n : 1, op_);
  s_[n_++] = s;
  return s->data;
}

TensorDesc DeviceTemps::make(DType dt, const int64_t* shape, int nd) {
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= shape[i];
  void* p = bytes((size_t)n * itemSize(dt));
  return contiguousDesc(static_cast<char*>(p), dt, shape, nd);
}

namespace {
struct Entry {
  const char* name;
  BindingFn fn;
};
// Function-local so registrars in any translation unit may run first.
std::vector<Entry>& registry() {
  static std::vector<Entry> r;
  return r;
}
}  // namespace

CudaBindingRegistrar::CudaBindingRegistrar(const char* name, BindingFn fn) { registry().push_back({name, fn}); }

void registerCudaBindings(Napi::Env env, Napi::Object exports, Context* ctx) {
  for (const Entry& e : registry()) exportFunction(env, exports, ctx, e.name, e.fn);
}

}  // namespace cinder
