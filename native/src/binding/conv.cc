// Convolution bindings: forward, input gradient (also the transposed convolution) and weight
// gradient. The public op a call serves (for error messages) travels as a code from `convOps`.
#include "binding/convFrame.h"
#include "binding/families.h"
#include "cpu/conv.h"

namespace cinder {

static const char* const kConvOpNames[] = {
    "convolution",    "conv1d",          "conv2d",          "conv3d", "convTranspose1d", "convTranspose2d",
    "convTranspose3d", "convolutionBackwardInput", "convolutionBackwardWeight",
};
constexpr int kNumConvOps = sizeof(kConvOpNames) / sizeof(kConvOpNames[0]);

const char* convOpName(Context* ctx) {
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < kNumConvOps, "convolution: unknown op code ", code);
  return kConvOpNames[code];
}

ConvParams readConvParams(FrameReader& r) {
  ConvParams p;
  p.spatial = r.i32();
  CINDER_CHECK(p.spatial >= 1 && p.spatial <= kMaxConvSpatial, r.op(),
               ": convolutions over 1 to 3 spatial dims are supported, got ", p.spatial);
  for (int i = 0; i < p.spatial; i++) p.stride[i] = r.i64();
  for (int i = 0; i < p.spatial; i++) p.padBefore[i] = r.i64();
  for (int i = 0; i < p.spatial; i++) p.padAfter[i] = r.i64();
  for (int i = 0; i < p.spatial; i++) p.dilation[i] = r.i64();
  p.groups = r.i64();
  return p;
}

// convolution, or convolutionBackwardInput when `gradInput` (their frames are alike).
static Napi::Value convolutionOrGradInput(const Napi::CallbackInfo& info, bool gradInput) {
  Context* ctx = contextOf(info);
  FrameReader r(ctx, convOpName(ctx));
  ConvFrame f;
  readConv(r, f);
  if (gradInput) convBackwardInput(f.in, f.w, f.bias, f.out, f.p, r.op());
  else convForward(f.in, f.w, f.bias, f.out, f.p, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value convolution(const Napi::CallbackInfo& info) { return convolutionOrGradInput(info, false); }
static Napi::Value convolutionBackwardInput(const Napi::CallbackInfo& info) {
  return convolutionOrGradInput(info, true);
}

static Napi::Value convolutionBackwardWeight(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  FrameReader r(ctx, convOpName(ctx));
  ConvWeightFrame f;
  readConvWeight(r, f);
  convBackwardWeight(f.x, f.gy, f.gw, f.p, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

void registerConv(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "convolution", convolution);
  exportFunction(env, exports, ctx, "convolutionBackwardInput", convolutionBackwardInput);
  exportFunction(env, exports, ctx, "convolutionBackwardWeight", convolutionBackwardWeight);
  Napi::Object codes = Napi::Object::New(env);
  for (int i = 0; i < kNumConvOps; i++) codes.Set(kConvOpNames[i], Napi::Number::New(env, i));
  exports.Set("convOps", codes);
}

}  // namespace cinder
