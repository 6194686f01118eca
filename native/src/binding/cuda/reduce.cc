// CUDA reduce bindings: the frames of binding/reduce.cc (reduce, reduceArg, reduceLine) plus the
// device index; kernels in cuda/reduce.cu and cuda/reduceLine.cu.
#include "binding/cuda/common.h"
#include "binding/reduceFrame.h"
#include "cuda/cudaReduce.h"

namespace cinder {
namespace {

Napi::Value reduce(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const ReduceOp op = reduceFrameOp(ctx);
  const int dev = cudaDeviceArg(info, reduceOpName(op));
  FrameReader r(ctx, reduceOpName(op), dev);
  ReduceFrame f;
  readReduce(r, f);
  cudaReduceDims(dev, op, f.x, f.mask, f.out, f.auxOrNull(), f.param, f.param2);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value reduceArg(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = reduceArgFrameCode(ctx);
  const int dev = cudaDeviceArg(info, kReduceArgNames[code]);
  FrameReader r(ctx, kReduceArgNames[code], dev);
  ReduceArgFrame f;
  readReduceArg(r, code, f);
  cudaReduceArg(dev, f.isMax(), f.x, f.mask, f.valuesOrNull(), f.indices, kReduceArgNames[code]);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value reduceLine(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = reduceLineFrameCode(ctx);
  const char* name = kReduceLineNames[code];
  const int dev = cudaDeviceArg(info, name);
  FrameReader r(ctx, name, dev);
  ReduceLineFrame f;
  readReduceLine(r, f);
  if (code < 2) cudaScanDim(dev, code == 1, f.x, f.dim, f.out, name);
  else cudaSoftmaxDim(dev, code == 3, f.x, f.dim, f.out, name);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaReduce", reduce);
CINDER_CUDA_BINDING("cudaReduceArg", reduceArg);
CINDER_CUDA_BINDING("cudaReduceLine", reduceLine);

}  // namespace cinder
