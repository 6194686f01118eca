// CUDA sort bindings: the frames of binding/index.cc's sortSort, sortTopk, sortKth, sortUnique and
// sortSearchsorted, plus the device index as the one JS argument.
#include "binding/cuda/common.h"
#include "binding/indexFrame.h"
#include "cuda/sort.h"

namespace cinder {
namespace {

CudaScratch scratchOf(DeviceTemps& temps) {
  return [&temps](size_t n) { return temps.bytes(n); };
}

Napi::Value sort(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "sort");
  FrameReader r(contextOf(info), "sort", dev);
  SortFrame f;
  readSort(r, f);
  DeviceTemps temps(dev, "sort");
  cudaSortKernel(dev, f.values, f.indices, f.self, f.dim, f.descending, scratchOf(temps), "sort");
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value topk(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "topk");
  FrameReader r(contextOf(info), "topk", dev);
  TopkFrame f;
  readTopk(r, f);
  DeviceTemps temps(dev, "topk");
  cudaTopkKernel(dev, f.values, f.indices, f.self, f.dim, f.k, f.largest, scratchOf(temps), "topk");
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value kth(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = kthFrameOp(ctx);
  int dev = cudaDeviceArg(info, op);
  FrameReader r(ctx, op, dev);
  KthFrame f;
  readKth(r, f);
  DeviceTemps temps(dev, op);
  cudaKthKernel(dev, f.values, f.indices, f.self, f.dim, f.k, f.median, scratchOf(temps), op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// Returns the outputs, then the unique count.
Napi::Value unique(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "unique");
  FrameReader r(contextOf(info), "unique", dev);
  UniqueFrame f;
  readUnique(r, f);
  DeviceTemps temps(dev, "unique");
  int64_t u = f.byRows ? cudaUniqueDimKernel(dev, f.self, f.inverse, f.counts, allocatorOf(r), scratchOf(temps), "unique")
                       : cudaUniqueKernel(dev, f.self, f.inverse, f.counts, allocatorOf(r), scratchOf(temps), "unique");
  r.result((double)u);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value searchsorted(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "searchsorted");
  FrameReader r(contextOf(info), "searchsorted", dev);
  SearchsortedFrame f;
  readSearchsorted(r, f);
  cudaSearchsortedKernel(dev, f.out, f.seq, f.values, f.right, "searchsorted");
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
