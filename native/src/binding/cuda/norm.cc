// CUDA normalization bindings: the frames of binding/normFrame.h, kernels in cuda/norm.cu.
#include "binding/cuda/frameCall.h"
#include "binding/normFrame.h"
#include "cuda/norm.h"

namespace cinder {
namespace {

Napi::Value batchNorm(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "batchNorm", readBatchNorm, [](int dev, const BatchNormFrame& f, const char* op) {
    cudaBatchNormForward(dev, f.x, f.pw, f.pb, f.pm, f.pv, f.training, f.momentum, f.eps, f.out, f.sm, f.si, op);
  });
}

Napi::Value batchNormBackward(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "batchNormBackward", readBatchNormBackward,
                       [](int dev, const BatchNormBackwardFrame& f, const char* op) {
                         cudaBatchNormBackward(dev, f.g, f.x, f.pw, f.mean, f.rstd, f.training, f.pgi, f.pgw, f.pgb,
                                               op);
                       });
}

Napi::Value layerNorm(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "layerNorm", readLayerNorm, [](int dev, const LayerNormFrame& f, const char* op) {
    cudaLayerNormForward(dev, f.x, f.pw, f.pb, f.eps, f.out, f.mean, f.rstd, op);
  });
}

Napi::Value layerNormBackward(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "layerNormBackward", readLayerNormBackward,
                       [](int dev, const LayerNormBackwardFrame& f, const char* op) {
                         cudaLayerNormBackward(dev, f.g, f.x, f.pw, f.mean, f.rstd, f.pgi, f.pgw, f.pgb, op);
                       });
}

Napi::Value groupNorm(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "groupNorm", readGroupNorm, [](int dev, const GroupNormFrame& f, const char* op) {
    cudaGroupNormForward(dev, f.x, f.groups, f.pw, f.pb, f.eps, f.out, f.mean, f.rstd, op);
  });
}

Napi::Value groupNormBackward(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "groupNormBackward", readGroupNormBackward,
                       [](int dev, const GroupNormBackwardFrame& f, const char* op) {
                         cudaGroupNormBackward(dev, f.g, f.x, f.groups, f.pw, f.mean, f.rstd, f.pgi, f.pgw, f.pgb, op);
                       });
}

}  // namespace

CINDER_CUDA_BINDING("cudaBatchNorm", batchNorm);
CINDER_CUDA_BINDING("cudaBatchNormBackward", batchNormBackward);
CINDER_CUDA_BINDING("cudaLayerNorm", layerNorm);
CINDER_CUDA_BINDING("cudaLayerNormBackward", layerNormBackward);
CINDER_CUDA_BINDING("cudaGroupNorm", groupNorm);
CINDER_CUDA_BINDING("cudaGroupNormBackward", groupNormBackward);

}  // namespace cinder
