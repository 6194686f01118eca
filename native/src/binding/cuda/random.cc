// CUDA random bindings: the frames of binding/random.cc (the generator's key and offset come
// from JS, and each call returns how much of the stream it used, exactly as on the CPU), with the
// device index as the one JS argument. The kernels draw the same numbers as the CPU's.
#include <cstring>

#include "binding/cuda/common.h"
#include "core/elementwiseIter.h"
#include "cpu/random.h"
#include "cpu/randomGrad.h"
#include "cuda/cudaRandom.h"

namespace cinder {
namespace {

PhiloxState readState(FrameReader& r) {
  PhiloxState g;
  g.key[0] = (uint32_t)r.num();
  g.key[1] = (uint32_t)r.num();
  const double off = r.num();
  CINDER_CHECK(off >= 0 && off < 9007199254740992.0, r.op(), ": generator offset out of range");
  g.offset = (uint64_t)off;
  return g;
}

// The broadcast iteration over operands[0..count) (operands[0] the contiguous output).
CudaIterArgs iterOver(const char* op, const TensorDesc* const* operands, int count) {
  ElementwiseIter e(op, operands, count);
  CudaIterArgs it;
  it.ndim = e.ndim();
  it.nops = count;
  it.numel = e.numel();
  it.scalarMask = 0;
  for (int d = 0; d < it.ndim; d++) it.shape[d] = e.shapeAt(d);
  for (int k = 0; k < count; k++) {
    for (int d = 0; d < it.ndim; d++) it.strides[k][d] = e.strideAt(k, d);
    it.data[k] = e.dataAt(k);
    std::memset(it.scalar[k], 0, 8);
  }
  return it;
}

const char* const kFillNames[] = {"uniform_", "normal_", "exponential_", "bernoulli_", "randint", "random_"};
const char* const kSampleNames[] = {"bernoulli", "normal", "exponential", "uniform",
                                    "standardGamma", "poisson", "binomial", "beta"};
const char* const kGradNames[] = {"standardGammaGrad", "betaGrad"};

// frame: op, out tensor (contiguous), a, b, key[2], offset -> blocks used.
Napi::Value randomFill(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "randomFill");
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)FillOp::Count, "randomFill: unknown op code ", code);
  FrameReader r(ctx, kFillNames[code], dev);
  r.num();
  TensorDesc out = r.tensor();
  const double a = r.num(), b = r.num();
  PhiloxState g = readState(r);
  r.result((double)cudaRandomFill(dev, (FillOp)code, out, a, b, g, kFillNames[code]));
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op, out tensor (contiguous), a tensor, b tensor, key[2], offset.
Napi::Value randomSample(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "randomSample");
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)SampleOp::Count, "randomSample: unknown op code ", code);
  const char* name = kSampleNames[code];
  FrameReader r(ctx, name, dev);
  r.num();
  TensorDesc out = r.tensor();
  TensorDesc a = r.tensor();
  TensorDesc b = r.tensor();
  PhiloxState g = readState(r);
  CINDER_CHECK(out.isContiguous(), name, ": internal: output must be contiguous");
  CINDER_CHECK(a.dtype == out.dtype && b.dtype == out.dtype, name, ": internal: parameter dtype mismatch");
  const TensorDesc* ops[3] = {&out, &a, &b};
  cudaRandomSample(dev, (SampleOp)code, out.dtype, iterOver(name, ops, 3), g, name);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: out tensor (1-d, contiguous), key[2], offset -> blocks used.
Napi::Value randperm(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "randperm");
  FrameReader r(contextOf(info), "randperm", dev);
  TensorDesc out = r.tensor();
  CINDER_CHECK(out.ndim == 1 && out.isContiguous(), "randperm: internal: output must be 1-d and contiguous");
  PhiloxState g = readState(r);
  r.result((double)cudaRandperm(dev, out, g));
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: out int64 [rows, n], probs [rows, k] (contiguous), replacement, key[2], offset.
Napi::Value multinomial(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "multinomial");
  FrameReader r(contextOf(info), "multinomial", dev);
  TensorDesc out = r.tensor();
  TensorDesc probs = r.tensor();
  const bool replacement = r.flag();
  PhiloxState g = readState(r);
  cudaMultinomial(dev, out, probs, replacement, g);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: out [rows, k], alpha [rows, k] (contiguous, same dtype), key[2], offset.
Napi::Value dirichlet(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "dirichlet");
  FrameReader r(contextOf(info), "dirichlet", dev);
  TensorDesc out = r.tensor();
  TensorDesc alpha = r.tensor();
  PhiloxState g = readState(r);
  cudaDirichlet(dev, out, alpha, g);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op, out (contiguous), x, a, b (same dtype, broadcast to out).
Napi::Value randomGrad(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "randomGrad");
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)RandomGradOp::Count, "randomGrad: unknown op code ", code);
  const char* name = kGradNames[code];
  FrameReader r(ctx, name, dev);
  r.num();
  TensorDesc out = r.tensor();
  TensorDesc x = r.tensor();
  TensorDesc a = r.tensor();
  TensorDesc b = r.tensor();
  CINDER_CHECK(out.isContiguous(), name, ": internal: output must be contiguous");
  CINDER_CHECK(x.dtype == out.dtype && a.dtype == out.dtype && b.dtype == out.dtype, name,
               ": internal: operand dtype mismatch");
  const TensorDesc* ops[4] = {&out, &x, &a, &b};
  cudaRandomGrad(dev, (RandomGradOp)code, out.dtype, iterOver(name, ops, 4), name);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaRandomFill", randomFill);
CINDER_CUDA_BINDING("cudaRandomSample", randomSample);
CINDER_CUDA_BINDING("cudaRandperm", randperm);
CINDER_CUDA_BINDING("cudaMultinomial", multinomial);
CINDER_CUDA_BINDING("cudaDirichlet", dirichlet);
CINDER_CUDA_BINDING("cudaRandomGrad", randomGrad);

}  // namespace cinder
