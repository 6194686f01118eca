// CUDA creation bindings: tensors made on a device without a host round trip.
//   cudaFull     (CPU twin: full)  frame: output spec, value
//   cudaAllocate                   frame: output spec (uninitialised, for empty())
//   cudaArange, cudaLinspace       frame: output spec, start, step, end (the value at i is
//                                  start + i * step; linspace's second half end - (n - 1 - i) * step)
// The value of a fill is converted to the element's bytes here, with the CPU's own conversion,
// so a device fill stores exactly the bits a CPU fill would.
#include <cstring>

#include "binding/cuda/common.h"
#include "core/convert.h"
#include "cuda/creation.h"

namespace cinder {
namespace {

int64_t numelOf(const TensorDesc& d) {
  int64_t n = 1;
  for (int i = 0; i < d.ndim; i++) n *= d.shape[i];
  return n;
}

Napi::Value full(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "full");
  FrameReader r(contextOf(info), "full", dev);
  TensorDesc out;
  r.outputInto(out);
  double v = r.num();
  uint64_t pattern = 0;
  int itemBytes = (int)itemSize(out.dtype);
  CINDER_DISPATCH_EVERY(out.dtype, bool, [&] {
    const scalar_t x = toStorage<scalar_t>(v);
    static_assert(sizeof(scalar_t) <= sizeof(pattern), "element wider than the fill pattern");
    std::memcpy(&pattern, &x, sizeof(scalar_t));
  });
  cudaLaunchFillPattern(dev, out.data, (size_t)numelOf(out) * itemBytes, itemBytes, pattern, "full");
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value allocate(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "empty");
  FrameReader r(contextOf(info), "empty", dev);
  TensorDesc out;
  r.outputInto(out);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value range(const Napi::CallbackInfo& info, const char* op, bool symmetric) {
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc out;
  r.outputInto(out);
  double start = r.num();
  double step = r.num();
  double end = r.num();
  CINDER_CHECK(out.ndim == 1, op, ": internal error: a range is 1-d, got ", out.ndim, " dims");
  cudaLaunchRange(dev, out.dtype, out.data, out.shape[0], start, step, end, symmetric, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value arange(const Napi::CallbackInfo& info) { return range(info, "arange", false); }
Napi::Value linspace(const Napi::CallbackInfo& info) { return range(info, "linspace", true); }

}  // namespace

CINDER_CUDA_BINDING("cudaFull", full);
CINDER_CUDA_BINDING("cudaAllocate", allocate);
CINDER_CUDA_BINDING("cudaArange", arange);
CINDER_CUDA_BINDING("cudaLinspace", linspace);

}  // namespace cinder
