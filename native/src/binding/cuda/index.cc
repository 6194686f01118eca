// CUDA index bindings: the frames of binding/index.cc's gather/scatter family, take, masked
// fill/select, nonzero and oneHot, and of binding/loss.cc's embeddingBackward, plus the device
// index as the one JS argument. Outputs are published in the CPU twins' order.
#include "binding/cuda/common.h"
#include "cuda/index.h"

namespace cinder {
namespace {

Allocator allocatorOf(FrameReader& r) {
  return [&r](DType dt, const int64_t* shape, int nd) { return r.allocate(dt, shape, nd); };
}

CudaScratch scratchOf(DeviceTemps& temps) {
  return [&temps](size_t n) { return temps.bytes(n); };
}

// frame: op code (0 gather, 1 indexSelect, 2 searchsorted's sorter, 3 takeAlongDim), self, index, dim, out spec.
Napi::Value gather(const Napi::CallbackInfo& info) {
  static const char* names[] = {"gather", "indexSelect", "searchsorted", "takeAlongDim"};
  int dev = cudaDeviceArg(info, "gather");
  Context* ctx = contextOf(info);
  int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "gather: unknown op code ", code);
  const char* op = names[code];
  FrameReader r(ctx, op, dev);
  r.i32();
  TensorDesc self = r.tensor();
  TensorDesc index = r.tensor();
  int dim = r.i32();
  TensorDesc out = r.output();
  DeviceTemps temps(dev, op);
  cudaGatherKernel(dev, out, self, index, dim, scratchOf(temps), op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op code (0 scatter, 1 scatterAdd, 2 indexAdd, 3 scatterReduce, 4 indexCopy, 5 indexFill), self, index, src, dim,
// reduce, includeSelf, alpha, iterNd, iterShape... Writes into self.
Napi::Value scatter(const Napi::CallbackInfo& info) {
  static const char* names[] = {"scatter", "scatterAdd", "indexAdd", "scatterReduce", "indexCopy", "indexFill"};
  int dev = cudaDeviceArg(info, "scatter");
  Context* ctx = contextOf(info);
  int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 6, "scatter: unknown op code ", code);
  const char* op = names[code];
  FrameReader r(ctx, op, dev);
  r.i32();
  TensorDesc self = r.tensor();
  TensorDesc index = r.tensor();
  TensorDesc src = r.tensor();
  int dim = r.i32();
  int reduce = r.i32();
  CINDER_CHECK(reduce >= 0 && reduce <= 5, op, ": unknown reduce code ", reduce);
  bool includeSelf = r.flag();
  double alpha = r.num();
  int nd = r.i32();
  CINDER_CHECK(nd >= 0 && nd <= kMaxDims, op, ": too many dims");
  int64_t shape[kMaxDims];
  for (int i = 0; i < nd; i++) shape[i] = r.i64();
  DeviceTemps temps(dev, op);
  cudaScatterKernel(dev, self, index, src, dim, shape, nd, (ScatterReduce)reduce, includeSelf, alpha, scratchOf(temps), op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self (contiguous), index, out spec.
Napi::Value take(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "take");
  FrameReader r(contextOf(info), "take", dev);
  TensorDesc self = r.tensor();
  TensorDesc index = r.tensor();
  TensorDesc out = r.output();
  DeviceTemps temps(dev, "take");
  cudaTakeKernel(dev, out, self, index, scratchOf(temps), "take");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, mask, value. In place.
Napi::Value maskedFill(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "maskedFill");
  FrameReader r(contextOf(info), "maskedFill", dev);
  TensorDesc self = r.tensor();
  TensorDesc mask = r.tensor();
  double value = r.num();
  cudaMaskedFillKernel(dev, self, mask, value, "maskedFill");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, mask (one shape). Returns the 1-d output, then its length.
Napi::Value maskedSelect(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "maskedSelect");
  FrameReader r(contextOf(info), "maskedSelect", dev);
  TensorDesc self = r.tensor();
  TensorDesc mask = r.tensor();
  DeviceTemps temps(dev, "maskedSelect");
  int64_t n = 0;
  cudaMaskedSelectKernel(dev, self, mask, [&](DType dt, const int64_t* shape, int nd) {
    n = shape[0];
    return r.allocate(dt, shape, nd);
  }, scratchOf(temps), "maskedSelect");
  r.result((double)n);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self. Returns the [n, ndim] output, then n.
Napi::Value nonzero(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "nonzero");
  FrameReader r(contextOf(info), "nonzero", dev);
  TensorDesc self = r.tensor();
  DeviceTemps temps(dev, "nonzero");
  int64_t n = cudaNonzeroKernel(dev, self, allocatorOf(r), scratchOf(temps), "nonzero");
  r.result((double)n);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, numClasses. Returns the output, then the class count.
Napi::Value oneHot(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "oneHot");
  FrameReader r(contextOf(info), "oneHot", dev);
  TensorDesc self = r.tensor();
  int64_t numClasses = r.i64();
  DeviceTemps temps(dev, "oneHot");
  int64_t c = cudaOneHotKernel(dev, self, numClasses, allocatorOf(r), scratchOf(temps), "oneHot");
  r.result((double)c);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: paddingIdx (-1: none), scaleGradByFreq, grad [M, D], indices [M], gradWeight spec.
Napi::Value embeddingBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "embeddingBackward");
  FrameReader r(contextOf(info), "embeddingBackward", dev);
  const int64_t paddingIdx = r.i64();
  const bool scale = r.flag();
  TensorDesc g, idx, gw;
  r.tensorInto(g);
  r.tensorInto(idx);
  r.outputInto(gw);
  DeviceTemps temps(dev, r.op());
  cudaEmbeddingBackward(dev, g, idx, paddingIdx, scale, gw, scratchOf(temps), r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaIndexGather", gather);
CINDER_CUDA_BINDING("cudaIndexScatter", scatter);
CINDER_CUDA_BINDING("cudaIndexTake", take);
CINDER_CUDA_BINDING("cudaIndexMaskedFill", maskedFill);
CINDER_CUDA_BINDING("cudaIndexMaskedSelect", maskedSelect);
CINDER_CUDA_BINDING("cudaIndexNonzero", nonzero);
CINDER_CUDA_BINDING("cudaIndexOneHot", oneHot);
CINDER_CUDA_BINDING("cudaEmbeddingBackward", embeddingBackward);

}  // namespace cinder
