// Copy bindings: strided copies with dtype conversion (contiguous, to(dtype), assignment into
// views) and fills.
#include "binding/families.h"
#include "cpu/copy.h"

namespace cinder {

// frame: src tensor, dst tensor. dst <- src (src broadcast to dst).
static Napi::Value copyInto(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "copy_");
  TensorDesc src = r.tensor();
  TensorDesc dst = r.tensor();
  copyCast(dst, src, "copy_");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: src tensor, output spec. Returns a fresh contiguous copy (possibly of another dtype).
static Napi::Value copyNew(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "contiguous");
  TensorDesc src = r.tensor();
  TensorDesc out = r.output();
  copyCast(out, src, "contiguous");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: dst tensor, value.
static Napi::Value fill(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "fill_");
  TensorDesc dst = r.tensor();
  double v = r.num();
  fillValue(dst, v);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: output spec, value. A fresh tensor filled with value.
static Napi::Value full(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "full");
  TensorDesc out = r.output();
  double v = r.num();
  fillValue(out, v);
  r.commit(info.Env());
  return info.Env().Undefined();
}

void registerCopy(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "copyInto", copyInto);
  exportFunction(env, exports, ctx, "copyNew", copyNew);
  exportFunction(env, exports, ctx, "fill", fill);
  exportFunction(env, exports, ctx, "full", full);
}

}  // namespace cinder
