// CUDA normalization bindings: the frames of binding/normFrame.h, kernels in cuda/norm.cu.
#include "binding/cuda/common.h"
#include "binding/normFrame.h"
#include "cuda/norm.h"

namespace cinder {
namespace {

Napi::Value batchNorm(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "batchNorm");
  FrameReader r(contextOf(info), "batchNorm", dev);
  BatchNormFrame f;
  readBatchNorm(r, f);
  cudaBatchNormForward(dev, f.x, f.pw, f.pb, f.pm, f.pv, f.training, f.momentum, f.eps, f.out, f.sm, f.si, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value batchNormBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "batchNormBackward");
  FrameReader r(contextOf(info), "batchNormBackward", dev);
  BatchNormBackwardFrame f;
  readBatchNormBackward(r, f);
  cudaBatchNormBackward(dev, f.g, f.x, f.pw, f.mean, f.rstd, f.training, f.pgi, f.pgw, f.pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value layerNorm(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "layerNorm");
  FrameReader r(contextOf(info), "layerNorm", dev);
  LayerNormFrame f;
  readLayerNorm(r, f);
  cudaLayerNormForward(dev, f.x, f.pw, f.pb, f.eps, f.out, f.mean, f.rstd, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value layerNormBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "layerNormBackward");
  FrameReader r(contextOf(info), "layerNormBackward", dev);
  LayerNormBackwardFrame f;
  readLayerNormBackward(r, f);
  cudaLayerNormBackward(dev, f.g, f.x, f.pw, f.mean, f.rstd, f.pgi, f.pgw, f.pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value groupNorm(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "groupNorm");
  FrameReader r(contextOf(info), "groupNorm", dev);
  GroupNormFrame f;
  readGroupNorm(r, f);
  cudaGroupNormForward(dev, f.x, f.groups, f.pw, f.pb, f.eps, f.out, f.mean, f.rstd, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value groupNormBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "groupNormBackward");
  FrameReader r(contextOf(info), "groupNormBackward", dev);
  GroupNormBackwardFrame f;
  readGroupNormBackward(r, f);
  cudaGroupNormBackward(dev, f.g, f.x, f.groups, f.pw, f.mean, f.rstd, f.pgi, f.pgw, f.pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaBatchNorm", batchNorm);
CINDER_CUDA_BINDING("cudaBatchNormBackward", batchNormBackward);
CINDER_CUDA_BINDING("cudaLayerNorm", layerNorm);
CINDER_CUDA_BINDING("cudaLayerNormBackward", layerNormBackward);
CINDER_CUDA_BINDING("cudaGroupNorm", groupNorm);
CINDER_CUDA_BINDING("cudaGroupNormBackward", groupNormBackward);

}  // namespace cinder
