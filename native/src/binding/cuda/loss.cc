// CUDA cross entropy bindings: binding/loss.cc's crossEntropy and crossEntropyBackward frames
// plus the device index; kernels in cuda/loss.cu.
#include "binding/cuda/common.h"
#include "cpu/loss.h"
#include "cuda/cudaLoss.h"

namespace cinder {
namespace {

CrossEntropyOptions readCeOptions(FrameReader& r) {
  CrossEntropyOptions o;
  o.ignoreIndex = r.i64();
  o.labelSmoothing = r.num();
  const int red = r.i32();
  CINDER_CHECK(red >= 0 && red <= 2, r.op(), ": unknown reduction code ", red);
  o.reduction = (LossReduction)red;
  return o;
}

// frame: hasWeight, ignoreIndex, labelSmoothing, reduction, x, target, [weight],
//        loss spec, lse spec, totalWeight spec.
Napi::Value crossEntropy(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "crossEntropy");
  FrameReader r(contextOf(info), "crossEntropy", dev);
  const bool hw = r.flag();
  const CrossEntropyOptions o = readCeOptions(r);
  TensorDesc x, target, w, loss, lse, total;
  r.tensorInto(x);
  r.tensorInto(target);
  if (hw) r.tensorInto(w);
  r.outputInto(loss);
  r.outputInto(lse);
  r.outputInto(total);
  cudaCrossEntropyForward(dev, x, target, hw ? &w : nullptr, o, loss, lse, total, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: hasWeight, ignoreIndex, labelSmoothing, reduction, grad, x, target, [weight], lse,
//        totalWeight, gradInput spec.
Napi::Value crossEntropyBackward(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "crossEntropyBackward");
  FrameReader r(contextOf(info), "crossEntropyBackward", dev);
  const bool hw = r.flag();
  const CrossEntropyOptions o = readCeOptions(r);
  TensorDesc g, x, target, w, lse, total, gi;
  r.tensorInto(g);
  r.tensorInto(x);
  r.tensorInto(target);
  if (hw) r.tensorInto(w);
  r.tensorInto(lse);
  r.tensorInto(total);
  r.outputInto(gi);
  cudaCrossEntropyBackward(dev, g, x, target, hw ? &w : nullptr, lse, total, o, gi, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaCrossEntropy", crossEntropy);
CINDER_CUDA_BINDING("cudaCrossEntropyBackward", crossEntropyBackward);

}  // namespace cinder
