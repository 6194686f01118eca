// Normalization bindings (kernels in cpu/norm.cc). Flags come first in each frame, so the optional
// operands that follow are known before they are read.
#include "binding/families.h"
#include "cpu/norm.h"

namespace cinder {

namespace {

// frame: training, hasWeight, hasBias, hasRunningMean, hasRunningVar, momentum, eps,
//        x, [weight], [bias], [runningMean], [runningVar], out spec, saveMean spec, saveInvstd spec.
Napi::Value batchNormBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "batchNorm");
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
  batchNormForward(x, pw, pb, pm, pv, training, momentum, eps, out, sm, si, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: training, hasWeight, needInput, needWeight, needBias, gradOut, x, [weight], saveMean,
//        saveInvstd, [gradInput spec], [gradWeight spec], [gradBias spec].
Napi::Value batchNormBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "batchNormBackward");
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
  batchNormBackward(g, x, pw, sm, si, training, pgi, pgw, pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: hasWeight, hasBias, eps, x, [weight], [bias], out spec, mean spec, rstd spec.
Napi::Value layerNormBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "layerNorm");
  const bool hw = r.flag(), hb = r.flag();
  const double eps = r.num();
  TensorDesc x, w, b, out, mean, rstd;
  r.tensorInto(x);
  const TensorDesc* pw = r.optionalTensor(hw, w);
  const TensorDesc* pb = r.optionalTensor(hb, b);
  r.outputInto(out);
  r.outputInto(mean);
  r.outputInto(rstd);
  layerNormForward(x, pw, pb, eps, out, mean, rstd, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: hasWeight, needInput, needWeight, needBias, gradOut, x, [weight], mean, rstd, [specs].
Napi::Value layerNormBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "layerNormBackward");
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
  layerNormBackward(g, x, pw, mean, rstd, pgi, pgw, pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: groups, hasWeight, hasBias, eps, x, [weight], [bias], out spec, mean spec, rstd spec.
Napi::Value groupNormBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "groupNorm");
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
  groupNormForward(x, groups, pw, pb, eps, out, mean, rstd, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: groups, hasWeight, needInput, needWeight, needBias, gradOut, x, [weight], mean, rstd, [specs].
Napi::Value groupNormBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "groupNormBackward");
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
  groupNormBackward(g, x, groups, pw, mean, rstd, pgi, pgw, pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

void registerNorm(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "batchNorm", batchNormBinding);
  exportFunction(env, exports, ctx, "batchNormBackward", batchNormBackwardBinding);
  exportFunction(env, exports, ctx, "layerNorm", layerNormBinding);
  exportFunction(env, exports, ctx, "layerNormBackward", layerNormBackwardBinding);
  exportFunction(env, exports, ctx, "groupNorm", groupNormBinding);
  exportFunction(env, exports, ctx, "groupNormBackward", groupNormBackwardBinding);
}

}  // namespace cinder
