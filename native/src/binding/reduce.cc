// Reduce bindings: dim reductions (one entry point, op codes exported as `reduceOps`), index
// reductions, scans and softmax.
#include "binding/families.h"
#include "cpu/reduce.h"

namespace cinder {

static void readMask(FrameReader& r, const TensorDesc& x, bool* mask) {
  for (int d = 0; d < x.ndim; d++) mask[d] = r.flag();
}

// frame: opCode, x, out spec, mask[x.ndim], param, param2, hasAux, [aux]
static Napi::Value reduce(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)ReduceOp::kCount, "reduce: unknown op code ", code);
  const ReduceOp op = (ReduceOp)code;
  FrameReader r(ctx, reduceOpName(op));
  r.num();
  TensorDesc x = r.tensor();
  TensorDesc out = r.output();
  bool mask[kMaxDims] = {};
  readMask(r, x, mask);
  const double param = r.num();
  const double param2 = r.num();
  const bool hasAux = r.flag();
  TensorDesc aux;
  if (hasAux) aux = r.tensor();
  reduceDims(op, x, mask, out, hasAux ? &aux : nullptr, param, param2);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static const char* const kArgNames[] = {"argmax", "argmin", "max", "min"};

// frame: code (0 argmax, 1 argmin, 2 max, 3 min), x, mask[x.ndim], [values spec], indices spec
static Napi::Value reduceArgBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "reduceArg: unknown op code ", code);
  FrameReader r(ctx, kArgNames[code]);
  r.num();
  TensorDesc x = r.tensor();
  bool mask[kMaxDims] = {};
  readMask(r, x, mask);
  const bool withValues = code >= 2;
  TensorDesc values;
  if (withValues) values = r.output();
  TensorDesc indices = r.output();
  reduceArg(code % 2 == 0, x, mask, withValues ? &values : nullptr, indices, kArgNames[code]);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static const char* const kLineNames[] = {"cumsum", "cumprod", "softmax", "logSoftmax"};

// frame: code (0 cumsum, 1 cumprod, 2 softmax, 3 logSoftmax), x, dim, out spec
static Napi::Value lineOp(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "reduceLine: unknown op code ", code);
  const char* name = kLineNames[code];
  FrameReader r(ctx, name);
  r.num();
  TensorDesc x = r.tensor();
  const int dim = r.i32();
  TensorDesc out = r.output();
  if (code < 2) scanDim(code == 1, x, dim, out, name);
  else softmaxDim(code == 3, x, dim, out, name);
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
  for (int i = 0; i < 4; i++) argCodes.Set(kArgNames[i], i);
  exports.Set("reduceArgOps", argCodes);
  Napi::Object lineCodes = Napi::Object::New(env);
  for (int i = 0; i < 4; i++) lineCodes.Set(kLineNames[i], i);
  exports.Set("reduceLineOps", lineCodes);
}

}  // namespace cinder
