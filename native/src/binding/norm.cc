// Normalization bindings (kernels in cpu/norm.cc). Flags come first in each frame, so the optional
// operands that follow are known before they are read.
#include "binding/families.h"
#include "cpu/norm.h"

namespace cinder {

namespace {

// Reads an optional tensor into d when present; returns &d or null.
const TensorDesc* optional(FrameReader& r, bool present, TensorDesc& d) {
  if (!present) return nullptr;
  r.tensorInto(d);
  return &d;
}

const TensorDesc* optionalOutput(FrameReader& r, bool wanted, TensorDesc& d) {
  if (!wanted) return nullptr;
  r.outputInto(d);
  return &d;
}

// frame: training, hasWeight, hasBias, hasRunningMean, hasRunningVar, momentum, eps,
//        x, [weight], [bias], [runningMean], [runningVar], out spec, saveMean spec, saveInvstd spec.
Napi::Value batchNormBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "batchNorm");
  const bool training = r.flag(), hw = r.flag(), hb = r.flag(), hm = r.flag(), hv = r.flag();
  const double momentum = r.num(), eps = r.num();
  TensorDesc x, w, b, rm, rv, out, sm, si;
  r.tensorInto(x);
  const TensorDesc* pw = optional(r, hw, w);
  const TensorDesc* pb = optional(r, hb, b);
  const TensorDesc* pm = optional(r, hm, rm);
  const TensorDesc* pv = optional(r, hv, rv);
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
  const TensorDesc* pw = optional(r, hw, w);
  r.tensorInto(sm);
  r.tensorInto(si);
  const TensorDesc* pgi = optionalOutput(r, ni, gi);
  const TensorDesc* pgw = optionalOutput(r, nw, gw);
  const TensorDesc* pgb = optionalOutput(r, nb, gb);
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
  const TensorDesc* pw = optional(r, hw, w);
  const TensorDesc* pb = optional(r, hb, b);
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
  const TensorDesc* pw = optional(r, hw, w);
  r.tensorInto(mean);
  r.tensorInto(rstd);
  const TensorDesc* pgi = optionalOutput(r, ni, gi);
  const TensorDesc* pgw = optionalOutput(r, nw, gw);
  const TensorDesc* pgb = optionalOutput(r, nb, gb);
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
  const TensorDesc* pw = optional(r, hw, w);
  const TensorDesc* pb = optional(r, hb, b);
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
  const TensorDesc* pw = optional(r, hw, w);
  r.tensorInto(mean);
  r.tensorInto(rstd);
  const TensorDesc* pgi = optionalOutput(r, ni, gi);
  const TensorDesc* pgw = optionalOutput(r, nw, gw);
  const TensorDesc* pgb = optionalOutput(r, nb, gb);
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
