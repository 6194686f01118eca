// CUDA index bindings: the frames of binding/index.cc's gather/scatter family, take, masked
// fill/select, nonzero and oneHot, and of binding/loss.cc's embeddingBackward, plus the device
// index as the one JS argument. Outputs are published in the CPU twins' order.
#include "binding/cuda/common.h"
#include "binding/indexFrame.h"
#include "binding/lossFrame.h"
#include "cuda/index.h"

namespace cinder {
namespace {

CudaScratch scratchOf(DeviceTemps& temps) {
  return [&temps](size_t n) { return temps.bytes(n); };
}

Napi::Value gather(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "gather");
  Context* ctx = contextOf(info);
  const char* op = gatherFrameOp(ctx);
  FrameReader r(ctx, op, dev);
  GatherFrame f;
  readGather(r, f);
  DeviceTemps temps(dev, op);
  cudaGatherKernel(dev, f.out, f.self, f.index, f.dim, scratchOf(temps), op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value scatter(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "scatter");
  Context* ctx = contextOf(info);
  const char* op = scatterFrameOp(ctx);
  FrameReader r(ctx, op, dev);
  ScatterFrame f;
  readScatter(r, f);
  DeviceTemps temps(dev, op);
  cudaScatterKernel(dev, f.self, f.index, f.src, f.dim, f.shape, f.nd, f.reduce, f.includeSelf, f.alpha,
                    scratchOf(temps), op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value take(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "take");
  FrameReader r(contextOf(info), "take", dev);
  TakeFrame f;
  readTake(r, f);
  DeviceTemps temps(dev, "take");
  cudaTakeKernel(dev, f.out, f.self, f.index, scratchOf(temps), "take");
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value maskedFill(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "maskedFill");
  FrameReader r(contextOf(info), "maskedFill", dev);
  MaskedFillFrame f;
  readMaskedFill(r, f);
  cudaMaskedFillKernel(dev, f.self, f.mask, f.value, "maskedFill");
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

Napi::Value embeddingBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "embeddingBackward");
  FrameReader r(contextOf(info), "embeddingBackward", dev);
  EmbeddingBackwardFrame f;
  readEmbeddingBackward(r, f);
  DeviceTemps temps(dev, r.op());
  cudaEmbeddingBackward(dev, f.g, f.idx, f.paddingIdx, f.scale, f.gw, scratchOf(temps), r.op());
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
