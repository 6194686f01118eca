// Reduce bindings: dim reductions (one entry point, op codes exported as `reduceOps`), index
// reductions, scans and softmax.
#include "binding/families.h"
#include "binding/reduceFrame.h"

namespace cinder {

static Napi::Value reduce(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const ReduceOp op = reduceFrameOp(ctx);
  FrameReader r(ctx, reduceOpName(op));
  ReduceFrame f;
  readReduce(r, f);
  reduceDims(op, f.x, f.mask, f.out, f.auxOrNull(), f.param, f.param2);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value reduceArgBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = reduceArgFrameCode(ctx);
  FrameReader r(ctx, kReduceArgNames[code]);
  ReduceArgFrame f;
  readReduceArg(r, code, f);
  reduceArg(f.isMax(), f.x, f.mask, f.valuesOrNull(), f.indices, kReduceArgNames[code]);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value lineOp(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = reduceLineFrameCode(ctx);
  const char* name = kReduceLineNames[code];
  FrameReader r(ctx, name);
  ReduceLineFrame f;
  readReduceLine(r, f);
  if (code < 2) scanDim(code == 1, f.x, f.dim, f.out, name);
  else softmaxDim(code == 3, f.x, f.dim, f.out, name);
  r.commit(info.Env());
  return info.Env().Undefined();
}

void registerReduce(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "reduce", reduce);
  exportFunction(env, exports, ctx, "reduceArg", reduceArgBinding);
  exportFunction(env, exports, ctx, "reduceLine", lineOp);
  Napi::Object codes = Napi::Object::New(env);
  for (int i = 0; i < (int)ReduceOp::kCount; i++) codes.Set(reduceOpName((ReduceOp)i), i);
  exports.Set("reduceOps", codes);
  Napi::Object argCodes = Napi::Object::New(env);
  for (int i = 0; i < 4; i++) argCodes.Set(kReduceArgNames[i], i);
  exports.Set("reduceArgOps", argCodes);
  Napi::Object lineCodes = Napi::Object::New(env);
  for (int i = 0; i < 4; i++) lineCodes.Set(kReduceLineNames[i], i);
  exports.Set("reduceLineOps", lineCodes);
}

}  // namespace cinder
