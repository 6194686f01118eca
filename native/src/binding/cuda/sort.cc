// CUDA sort bindings: the frames of binding/index.cc's sortSort, sortTopk, sortKth, sortUnique and
// sortSearchsorted, plus the device index as the one JS argument.
#include "binding/cuda/common.h"
#include "cuda/sort.h"

namespace cinder {
namespace {

CudaScratch scratchOf(DeviceTemps& temps) {
  return [&temps](size_t n) { return temps.bytes(n); };
}

// frame: self, dim, descending, values spec, indices spec.
Napi::Value sort(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "sort");
  FrameReader r(contextOf(info), "sort", dev);
  TensorDesc self = r.tensor();
  int dim = r.i32();
  bool descending = r.flag();
  TensorDesc values = r.output();
  TensorDesc indices = r.output();
  DeviceTemps temps(dev, "sort");
  cudaSortKernel(dev, values, indices, self, dim, descending, scratchOf(temps), "sort");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, dim, k, largest, values spec, indices spec.
Napi::Value topk(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "topk");
  FrameReader r(contextOf(info), "topk", dev);
  TensorDesc self = r.tensor();
  int dim = r.i32();
  int64_t k = r.i64();
  bool largest = r.flag();
  TensorDesc values = r.output();
  TensorDesc indices = r.output();
  DeviceTemps temps(dev, "topk");
  cudaTopkKernel(dev, values, indices, self, dim, k, largest, scratchOf(temps), "topk");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op code (0 kthvalue, 1 median), self, dim, k (0-based), values spec, indices spec.
Napi::Value kth(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = ctx->frame[0] == 1 ? "median" : "kthvalue";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(ctx, op, dev);
  bool median = r.i32() == 1;
  TensorDesc self = r.tensor();
  int dim = r.i32();
  int64_t k = r.i64();
  TensorDesc values = r.output();
  TensorDesc indices = r.output();
  DeviceTemps temps(dev, op);
  cudaKthKernel(dev, values, indices, self, dim, k, median, scratchOf(temps), op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, returnInverse, returnCounts, byRows. Returns the outputs, then the unique count.
Napi::Value unique(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "unique");
  FrameReader r(contextOf(info), "unique", dev);
  TensorDesc self = r.tensor();
  bool inverse = r.flag();
  bool counts = r.flag();
  bool byRows = r.flag();
  DeviceTemps temps(dev, "unique");
  Allocator alloc = [&r](DType dt, const int64_t* shape, int nd) { return r.allocate(dt, shape, nd); };
  int64_t u = byRows ? cudaUniqueDimKernel(dev, self, inverse, counts, alloc, scratchOf(temps), "unique")
                     : cudaUniqueKernel(dev, self, inverse, counts, alloc, scratchOf(temps), "unique");
  r.result((double)u);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: sorted sequence, values, right, out spec.
Napi::Value searchsorted(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "searchsorted");
  FrameReader r(contextOf(info), "searchsorted", dev);
  TensorDesc seq = r.tensor();
  TensorDesc values = r.tensor();
  bool right = r.flag();
  TensorDesc out = r.output();
  cudaSearchsortedKernel(dev, out, seq, values, right, "searchsorted");
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaSortSort", sort);
CINDER_CUDA_BINDING("cudaSortTopk", topk);
CINDER_CUDA_BINDING("cudaSortKth", kth);
CINDER_CUDA_BINDING("cudaSortUnique", unique);
CINDER_CUDA_BINDING("cudaSortSearchsorted", searchsorted);

}  // namespace cinder
