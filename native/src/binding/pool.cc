// Pooling, upsampling and padding bindings (kernels in cpu/pool.cc). Frame layouts are documented
// per function; output specs are [dtype, ndim, ...shape].
#include "binding/families.h"
#include "cpu/pool.h"

namespace cinder {

namespace {

PoolGeometry readGeometry(FrameReader& r) {
  PoolGeometry g;
  g.kH = r.i64();
  g.kW = r.i64();
  g.sH = r.i64();
  g.sW = r.i64();
  g.pH = r.i64();
  g.pW = r.i64();
  g.dH = r.i64();
  g.dW = r.i64();
  return g;
}

// frame: x, kH, kW, sH, sW, pH, pW, dH, dW, values spec, indices spec.
Napi::Value maxPool2dBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "maxPool2d");
  TensorDesc x, values, indices;
  r.tensorInto(x);
  const PoolGeometry g = readGeometry(r);
  r.outputInto(values);
  r.outputInto(indices);
  maxPool2dForward(x, values, indices, g, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: gradOutput, indices, gradInput spec.
Napi::Value maxPool2dBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "maxPool2dBackward");
  TensorDesc g, indices, gi;
  r.tensorInto(g);
  r.tensorInto(indices);
  r.outputInto(gi);
  maxPool2dBackward(g, indices, gi, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: x, geometry (8), countIncludePad, divisorOverride, out spec.
Napi::Value avgPool2dBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "avgPool2d");
  TensorDesc x, out;
  r.tensorInto(x);
  const PoolGeometry g = readGeometry(r);
  AvgPoolOptions o;
  o.countIncludePad = r.flag();
  o.divisorOverride = r.i64();
  r.outputInto(out);
  avgPool2dForward(x, out, g, o, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: gradOutput, geometry (8), countIncludePad, divisorOverride, gradInput spec.
Napi::Value avgPool2dBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "avgPool2dBackward");
  TensorDesc g, gi;
  r.tensorInto(g);
  const PoolGeometry geo = readGeometry(r);
  AvgPoolOptions o;
  o.countIncludePad = r.flag();
  o.divisorOverride = r.i64();
  r.outputInto(gi);
  avgPool2dBackward(g, gi, geo, o, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op code (0 average, 1 max), x, out spec, [indices spec when max].
Napi::Value adaptivePool2dBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const bool isMax = ctx->frame[0] == 1;
  FrameReader r(ctx, isMax ? "adaptiveMaxPool2d" : "adaptiveAvgPool2d");
  r.i32();
  TensorDesc x, out, indices;
  r.tensorInto(x);
  r.outputInto(out);
  if (isMax) {
    r.outputInto(indices);
    adaptiveMaxPool2dForward(x, out, indices, r.op());
  } else {
    adaptiveAvgPool2dForward(x, out, r.op());
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: gradOutput, gradInput spec.
Napi::Value adaptiveAvgPool2dBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "adaptiveAvgPool2dBackward");
  TensorDesc g, gi;
  r.tensorInto(g);
  r.outputInto(gi);
  adaptiveAvgPool2dBackward(g, gi, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

const char* upsampleName(int code, bool backward) {
  if (code == 0) return backward ? "upsampleNearest2dBackward" : "upsampleNearest2d";
  return backward ? "upsampleBilinear2dBackward" : "upsampleBilinear2d";
}

// frame: mode (0 nearest, 1 bilinear), x, alignCorners, scaleH, scaleW, out spec.
Napi::Value upsample2dBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code == 0 || code == 1, "upsample2d: unknown mode code ", code);
  FrameReader r(ctx, upsampleName(code, false));
  r.i32();
  TensorDesc x, out;
  r.tensorInto(x);
  const bool alignCorners = r.flag();
  const double sh = r.num(), sw = r.num();
  r.outputInto(out);
  if (code == 0) upsampleNearest2d(x, out, sh, sw, r.op());
  else upsampleBilinear2d(x, out, alignCorners, sh, sw, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: mode, gradOutput, alignCorners, scaleH, scaleW, gradInput spec.
Napi::Value upsample2dBackwardBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code == 0 || code == 1, "upsample2dBackward: unknown mode code ", code);
  FrameReader r(ctx, upsampleName(code, true));
  r.i32();
  TensorDesc g, gi;
  r.tensorInto(g);
  const bool alignCorners = r.flag();
  const double sh = r.num(), sw = r.num();
  r.outputInto(gi);
  if (code == 0) upsampleNearest2dBackward(g, gi, sh, sw, r.op());
  else upsampleBilinear2dBackward(g, gi, alignCorners, sh, sw, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

PadMode readPadMode(FrameReader& r) {
  const int m = r.i32();
  CINDER_CHECK(m >= 0 && m <= 3, r.op(), ": unknown padding mode code ", m);
  return (PadMode)m;
}

// before[d] for every dim of a tensor of rank nd.
void readBefore(FrameReader& r, int nd, int64_t* before) {
  const int n = r.i32();
  CINDER_CHECK(n == nd, r.op(), ": ", n, " padding entries for a tensor of ", nd, " dims");
  for (int i = 0; i < n; i++) before[i] = r.i64();
}

// frame: x, mode, value, nd, before[nd], out spec.
Napi::Value padBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "pad");
  TensorDesc x, out;
  r.tensorInto(x);
  const PadMode mode = readPadMode(r);
  const double value = r.num();
  int64_t before[kMaxDims];
  readBefore(r, x.ndim, before);
  r.outputInto(out);
  padForward(x, out, before, mode, value, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: gradOutput, mode, nd, before[nd], gradInput spec.
Napi::Value padBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "padBackward");
  TensorDesc g, gi;
  r.tensorInto(g);
  const PadMode mode = readPadMode(r);
  int64_t before[kMaxDims];
  readBefore(r, g.ndim, before);
  r.outputInto(gi);
  padBackward(g, gi, before, mode, r.op());
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
