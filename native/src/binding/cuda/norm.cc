// CUDA normalization bindings: the frames of binding/norm.cc, kernels in cuda/norm.cu.
#include "binding/cuda/common.h"
#include "cuda/norm.h"

namespace cinder {
namespace {

// frame: training, hasWeight, hasBias, hasRunningMean, hasRunningVar, momentum, eps,
//        x, [weight], [bias], [runningMean], [runningVar], out spec, saveMean spec, saveInvstd spec.
Napi::Value batchNorm(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "batchNorm");
  FrameReader r(contextOf(info), "batchNorm", dev);
  const bool training = r.flag(), hw = r.flag(), hb = r.flag(), hm = r.flag(), hv = r.flag();
  const double momentum = r.num(), eps = r.num();
  TensorDesc x, w, b, rm, rv, out, sm, si;
  r.tensorInto(x);
  const TensorDesc* pw = r.optionalTensor(hw, w);
  const TensorDesc* pb = r.optionalTensor(hb, b);
  const TensorDesc* pm = r.optionalTensor(hm, rm);
  const TensorDesc* pv = r.optionalTensor(hv, rv);
  r.outputInto(out);
  r.outputInto(sm);
  r.outputInto(si);
  cudaBatchNormForward(dev, x, pw, pb, pm, pv, training, momentum, eps, out, sm, si, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: training, hasWeight, needInput, needWeight, needBias, gradOut, x, [weight], saveMean,
//        saveInvstd, [gradInput spec], [gradWeight spec], [gradBias spec].
Napi::Value batchNormBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "batchNormBackward");
  FrameReader r(contextOf(info), "batchNormBackward", dev);
  const bool training = r.flag(), hw = r.flag(), ni = r.flag(), nw = r.flag(), nb = r.flag();
  TensorDesc g, x, w, sm, si, gi, gw, gb;
  r.tensorInto(g);
  r.tensorInto(x);
  const TensorDesc* pw = r.optionalTensor(hw, w);
  r.tensorInto(sm);
  r.tensorInto(si);
  const TensorDesc* pgi = r.optionalOutput(ni, gi);
  const TensorDesc* pgw = r.optionalOutput(nw, gw);
  const TensorDesc* pgb = r.optionalOutput(nb, gb);
  cudaBatchNormBackward(dev, g, x, pw, sm, si, training, pgi, pgw, pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: hasWeight, hasBias, eps, x, [weight], [bias], out spec, mean spec, rstd spec.
Napi::Value layerNorm(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "layerNorm");
  FrameReader r(contextOf(info), "layerNorm", dev);
  const bool hw = r.flag(), hb = r.flag();
  const double eps = r.num();
  TensorDesc x, w, b, out, mean, rstd;
  r.tensorInto(x);
  const TensorDesc* pw = r.optionalTensor(hw, w);
  const TensorDesc* pb = r.optionalTensor(hb, b);
  r.outputInto(out);
  r.outputInto(mean);
  r.outputInto(rstd);
  cudaLayerNormForward(dev, x, pw, pb, eps, out, mean, rstd, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: hasWeight, needInput, needWeight, needBias, gradOut, x, [weight], mean, rstd, [specs].
Napi::Value layerNormBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "layerNormBackward");
  FrameReader r(contextOf(info), "layerNormBackward", dev);
  const bool hw = r.flag(), ni = r.flag(), nw = r.flag(), nb = r.flag();
  TensorDesc g, x, w, mean, rstd, gi, gw, gb;
  r.tensorInto(g);
  r.tensorInto(x);
  const TensorDesc* pw = r.optionalTensor(hw, w);
  r.tensorInto(mean);
  r.tensorInto(rstd);
  const TensorDesc* pgi = r.optionalOutput(ni, gi);
  const TensorDesc* pgw = r.optionalOutput(nw, gw);
  const TensorDesc* pgb = r.optionalOutput(nb, gb);
  cudaLayerNormBackward(dev, g, x, pw, mean, rstd, pgi, pgw, pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: groups, hasWeight, hasBias, eps, x, [weight], [bias], out spec, mean spec, rstd spec.
Napi::Value groupNorm(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "groupNorm");
  FrameReader r(contextOf(info), "groupNorm", dev);
  const int64_t groups = r.i64();
  const bool hw = r.flag(), hb = r.flag();
  const double eps = r.num();
  TensorDesc x, w, b, out, mean, rstd;
  r.tensorInto(x);
  const TensorDesc* pw = r.optionalTensor(hw, w);
  const TensorDesc* pb = r.optionalTensor(hb, b);
  r.outputInto(out);
  r.outputInto(mean);
  r.outputInto(rstd);
  cudaGroupNormForward(dev, x, groups, pw, pb, eps, out, mean, rstd, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: groups, hasWeight, needInput, needWeight, needBias, gradOut, x, [weight], mean, rstd, [specs].
Napi::Value groupNormBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "groupNormBackward");
  FrameReader r(contextOf(info), "groupNormBackward", dev);
  const int64_t groups = r.i64();
  const bool hw = r.flag(), ni = r.flag(), nw = r.flag(), nb = r.flag();
  TensorDesc g, x, w, mean, rstd, gi, gw, gb;
  r.tensorInto(g);
  r.tensorInto(x);
  const TensorDesc* pw = r.optionalTensor(hw, w);
  r.tensorInto(mean);
  r.tensorInto(rstd);
  const TensorDesc* pgi = r.optionalOutput(ni, gi);
  const TensorDesc* pgw = r.optionalOutput(nw, gw);
  const TensorDesc* pgb = r.optionalOutput(nb, gb);
  cudaGroupNormBackward(dev, g, x, groups, pw, mean, rstd, pgi, pgw, pgb, r.op());
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
