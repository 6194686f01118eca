// CUDA reduce bindings: the frames of binding/reduce.cc (reduce, reduceArg, reduceLine) plus the
// device index; kernels in cuda/reduce.cu and cuda/reduceLine.cu.
#include "binding/cuda/common.h"
#include "cpu/reduce.h"
#include "cuda/cudaReduce.h"

namespace cinder {
namespace {

void readMask(FrameReader& r, const TensorDesc& x, bool* mask) {
  for (int d = 0; d < x.ndim; d++) mask[d] = r.flag();
}

// frame: opCode, x, out spec, mask[x.ndim], param, param2, hasAux, [aux]
Napi::Value reduce(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)ReduceOp::kCount, "reduce: unknown op code ", code);
  const ReduceOp op = (ReduceOp)code;
  const int dev = cudaDeviceArg(info, reduceOpName(op));
  FrameReader r(ctx, reduceOpName(op), dev);
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
  cudaReduceDims(dev, op, x, mask, out, hasAux ? &aux : nullptr, param, param2);
  r.commit(info.Env());
  return info.Env().Undefined();
}

const char* const kArgNames[] = {"argmax", "argmin", "max", "min"};

// frame: code (0 argmax, 1 argmin, 2 max, 3 min), x, mask[x.ndim], [values spec], indices spec
Napi::Value reduceArg(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "reduceArg: unknown op code ", code);
  const int dev = cudaDeviceArg(info, kArgNames[code]);
  FrameReader r(ctx, kArgNames[code], dev);
  r.num();
  TensorDesc x = r.tensor();
  bool mask[kMaxDims] = {};
  readMask(r, x, mask);
  const bool withValues = code >= 2;
  TensorDesc values;
  if (withValues) values = r.output();
  TensorDesc indices = r.output();
  cudaReduceArg(dev, code % 2 == 0, x, mask, withValues ? &values : nullptr, indices, kArgNames[code]);
  r.commit(info.Env());
  return info.Env().Undefined();
}

const char* const kLineNames[] = {"cumsum", "cumprod", "softmax", "logSoftmax"};

// frame: code (0 cumsum, 1 cumprod, 2 softmax, 3 logSoftmax), x, dim, out spec
Napi::Value reduceLine(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "reduceLine: unknown op code ", code);
  const char* name = kLineNames[code];
  const int dev = cudaDeviceArg(info, name);
  FrameReader r(ctx, name, dev);
  r.num();
  TensorDesc x = r.tensor();
  const int dim = r.i32();
  TensorDesc out = r.output();
  if (code < 2) cudaScanDim(dev, code == 1, x, dim, out, name);
  else cudaSoftmaxDim(dev, code == 3, x, dim, out, name);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaReduce", reduce);
CINDER_CUDA_BINDING("cudaReduceArg", reduceArg);
CINDER_CUDA_BINDING("cudaReduceLine", reduceLine);

}  // namespace cinder
