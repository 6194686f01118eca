// CUDA cross entropy bindings: binding/loss.cc's crossEntropy and crossEntropyBackward frames
// plus the device index; kernels in cuda/loss.cu.
#include "binding/cuda/common.h"
#include "binding/lossFrame.h"
#include "cuda/cudaLoss.h"

namespace cinder {
namespace {

Napi::Value crossEntropy(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "crossEntropy");
  FrameReader r(contextOf(info), "crossEntropy", dev);
  CrossEntropyFrame f;
  readCrossEntropy(r, f);
  cudaCrossEntropyForward(dev, f.x, f.target, f.weight(), f.o, f.loss, f.lse, f.total, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value crossEntropyBackward(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "crossEntropyBackward");
  FrameReader r(contextOf(info), "crossEntropyBackward", dev);
  CrossEntropyBackwardFrame f;
  readCrossEntropyBackward(r, f);
  cudaCrossEntropyBackward(dev, f.g, f.x, f.target, f.weight(), f.lse, f.total, f.o, f.gi, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaCrossEntropy", crossEntropy);
CINDER_CUDA_BINDING("cudaCrossEntropyBackward", crossEntropyBackward);

}  // namespace cinder
