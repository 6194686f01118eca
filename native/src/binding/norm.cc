// Normalization bindings (kernels in cpu/norm.cc); the frames are read by binding/normFrame.h.
#include "binding/families.h"
#include "binding/normFrame.h"
#include "cpu/norm.h"

namespace cinder {

namespace {

Napi::Value batchNormBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "batchNorm");
  BatchNormFrame f;
  readBatchNorm(r, f);
  batchNormForward(f.x, f.pw, f.pb, f.pm, f.pv, f.training, f.momentum, f.eps, f.out, f.sm, f.si, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value batchNormBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "batchNormBackward");
  BatchNormBackwardFrame f;
  readBatchNormBackward(r, f);
  batchNormBackward(f.g, f.x, f.pw, f.mean, f.rstd, f.training, f.pgi, f.pgw, f.pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value layerNormBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "layerNorm");
  LayerNormFrame f;
  readLayerNorm(r, f);
  layerNormForward(f.x, f.pw, f.pb, f.eps, f.out, f.mean, f.rstd, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value layerNormBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "layerNormBackward");
  LayerNormBackwardFrame f;
  readLayerNormBackward(r, f);
  layerNormBackward(f.g, f.x, f.pw, f.mean, f.rstd, f.pgi, f.pgw, f.pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value groupNormBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "groupNorm");
  GroupNormFrame f;
  readGroupNorm(r, f);
  groupNormForward(f.x, f.groups, f.pw, f.pb, f.eps, f.out, f.mean, f.rstd, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value groupNormBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "groupNormBackward");
  GroupNormBackwardFrame f;
  readGroupNormBackward(r, f);
  groupNormBackward(f.g, f.x, f.groups, f.pw, f.mean, f.rstd, f.pgi, f.pgw, f.pgb, r.op());
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
