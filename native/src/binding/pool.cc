// Pooling, upsampling and padding bindings (kernels in cpu/pool.cc; frames in binding/poolFrame.h).
#include "binding/families.h"
#include "binding/poolFrame.h"
#include "cpu/pool.h"

namespace cinder {

namespace {

Napi::Value maxPool2dBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "maxPool2d");
  MaxPool2dFrame f;
  readMaxPool2d(r, f);
  maxPool2dForward(f.x, f.values, f.indices, f.g, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value maxPool2dBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "maxPool2dBackward");
  MaxPool2dBackwardFrame f;
  readMaxPool2dBackward(r, f);
  maxPool2dBackward(f.g, f.indices, f.gi, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value avgPool2dBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "avgPool2d");
  AvgPool2dFrame f;
  readAvgPool2d(r, f);
  avgPool2dForward(f.in, f.out, f.g, f.o, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value avgPool2dBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "avgPool2dBackward");
  AvgPool2dFrame f;
  readAvgPool2d(r, f);
  avgPool2dBackward(f.in, f.out, f.g, f.o, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value adaptivePool2dBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const bool isMax = adaptivePoolIsMax(ctx);
  FrameReader r(ctx, adaptivePoolName(isMax));
  AdaptivePool2dFrame f;
  readAdaptivePool2d(r, isMax, f);
  if (isMax) adaptiveMaxPool2dForward(f.x, f.out, f.indices, r.op());
  else adaptiveAvgPool2dForward(f.x, f.out, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value adaptiveAvgPool2dBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "adaptiveAvgPool2dBackward");
  GradFrame f;
  readGrad(r, f);
  adaptiveAvgPool2dBackward(f.g, f.gi, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value upsample2dBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = upsampleCode(ctx, false);
  FrameReader r(ctx, upsampleName(code, false));
  Upsample2dFrame f;
  readUpsample2d(r, f);
  if (code == 0) upsampleNearest2d(f.in, f.out, f.sh, f.sw, r.op());
  else upsampleBilinear2d(f.in, f.out, f.alignCorners, f.sh, f.sw, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value upsample2dBackwardBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = upsampleCode(ctx, true);
  FrameReader r(ctx, upsampleName(code, true));
  Upsample2dFrame f;
  readUpsample2d(r, f);
  if (code == 0) upsampleNearest2dBackward(f.in, f.out, f.sh, f.sw, r.op());
  else upsampleBilinear2dBackward(f.in, f.out, f.alignCorners, f.sh, f.sw, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value padBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "pad");
  PadFrame f;
  readPad(r, false, f);
  padForward(f.in, f.out, f.before, f.mode, f.value, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value padBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "padBackward");
  PadFrame f;
  readPad(r, true, f);
  padBackward(f.in, f.out, f.before, f.mode, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "maxPool2d", maxPool2dBinding);
  exportFunction(env, exports, ctx, "maxPool2dBackward", maxPool2dBackwardBinding);
  exportFunction(env, exports, ctx, "avgPool2d", avgPool2dBinding);
  exportFunction(env, exports, ctx, "avgPool2dBackward", avgPool2dBackwardBinding);
  exportFunction(env, exports, ctx, "adaptivePool2d", adaptivePool2dBinding);
  exportFunction(env, exports, ctx, "adaptiveAvgPool2dBackward", adaptiveAvgPool2dBackwardBinding);
  exportFunction(env, exports, ctx, "upsample2d", upsample2dBinding);
  exportFunction(env, exports, ctx, "upsample2dBackward", upsample2dBackwardBinding);
  exportFunction(env, exports, ctx, "pad", padBinding);
  exportFunction(env, exports, ctx, "padBackward", padBackwardBinding);
}

}  // namespace cinder
