// Random bindings. The generator's state lives in JS (seed, offset); each call passes the key and
// the offset it may start from, and returns how much of the stream it used.
#include "binding/families.h"
#include "core/philox.h"
#include "cpu/random.h"
#include "cpu/randomGrad.h"

namespace cinder {

static PhiloxState readState(FrameReader& r) {
  PhiloxState g;
  g.key[0] = (uint32_t)r.num();
  g.key[1] = (uint32_t)r.num();
  const double off = r.num();
  CINDER_CHECK(off >= 0 && off < 9007199254740992.0, r.op(), ": generator offset out of range");
  g.offset = (uint64_t)off;
  return g;
}

// frame: counter[4], key[2] -> the block's four words. For known-answer tests.
static Napi::Value philoxBlock(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "philox4x32");
  uint32_t c[4], k[2], o[4];
  for (auto& w : c) w = (uint32_t)r.num();
  for (auto& w : k) w = (uint32_t)r.num();
  philox::block(c, k, o);
  for (uint32_t w : o) r.result((double)w);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static const char* const kFillNames[] = {"uniform_", "normal_", "exponential_", "bernoulli_", "randint", "random_"};
static const char* const kSampleNames[] = {"bernoulli", "normal", "exponential", "uniform",
                                           "standardGamma", "poisson", "binomial", "beta"};

// frame: op, out tensor (contiguous), a, b, key[2], offset -> blocks used.
static Napi::Value randomFillBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)FillOp::Count, "randomFill: unknown op code ", code);
  FrameReader r(ctx, kFillNames[code]);
  r.num();
  TensorDesc out = r.tensor();
  const double a = r.num(), b = r.num();
  PhiloxState g = readState(r);
  r.result((double)randomFill((FillOp)code, out, a, b, g, kFillNames[code]));
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op, out tensor (contiguous), a tensor, b tensor, key[2], offset.
static Napi::Value randomSampleBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)SampleOp::Count, "randomSample: unknown op code ", code);
  FrameReader r(ctx, kSampleNames[code]);
  r.num();
  TensorDesc out = r.tensor();
  TensorDesc a = r.tensor();
  TensorDesc b = r.tensor();
  PhiloxState g = readState(r);
  randomSample((SampleOp)code, out, a, b, g, kSampleNames[code]);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: out tensor (1-d, contiguous), key[2], offset -> blocks used.
static Napi::Value randpermBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "randperm");
  TensorDesc out = r.tensor();
  CINDER_CHECK(out.ndim == 1 && out.isContiguous(), "randperm: internal: output must be 1-d and contiguous");
  PhiloxState g = readState(r);
  r.result((double)randperm(out, g));
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: out int64 [rows, n], probs [rows, k] (contiguous), replacement, key[2], offset.
static Napi::Value multinomialBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "multinomial");
  TensorDesc out = r.tensor();
  TensorDesc probs = r.tensor();
  const bool replacement = r.flag();
  PhiloxState g = readState(r);
  multinomial(out, probs, replacement, g);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: out [rows, k], alpha [rows, k] (contiguous, same dtype), key[2], offset.
static Napi::Value dirichletBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "dirichlet");
  TensorDesc out = r.tensor();
  TensorDesc alpha = r.tensor();
  PhiloxState g = readState(r);
  dirichlet(out, alpha, g);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static const char* const kGradNames[] = {"standardGammaGrad", "betaGrad"};

// frame: op, out (contiguous), x, a, b (same dtype, broadcast to out).
static Napi::Value randomGradBinding(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < (int)RandomGradOp::Count, "randomGrad: unknown op code ", code);
  FrameReader r(ctx, kGradNames[code]);
  r.num();
  TensorDesc out = r.tensor();
  TensorDesc x = r.tensor();
  TensorDesc a = r.tensor();
  TensorDesc b = r.tensor();
  randomGrad((RandomGradOp)code, out, x, a, b, kGradNames[code]);
  r.commit(info.Env());
  return info.Env().Undefined();
}

void registerRandom(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "philoxBlock", philoxBlock);
  exportFunction(env, exports, ctx, "randomFill", randomFillBinding);
  exportFunction(env, exports, ctx, "randomSample", randomSampleBinding);
  exportFunction(env, exports, ctx, "randperm", randpermBinding);
  exportFunction(env, exports, ctx, "multinomial", multinomialBinding);
  exportFunction(env, exports, ctx, "dirichlet", dirichletBinding);
  exportFunction(env, exports, ctx, "randomGrad", randomGradBinding);
  Napi::Object fills = Napi::Object::New(env);
  for (int i = 0; i < (int)FillOp::Count; i++) fills.Set(kFillNames[i], i);
  exports.Set("randomFillOps", fills);
  Napi::Object samples = Napi::Object::New(env);
  for (int i = 0; i < (int)SampleOp::Count; i++) samples.Set(kSampleNames[i], i);
  exports.Set("randomSampleOps", samples);
  Napi::Object grads = Napi::Object::New(env);
  for (int i = 0; i < (int)RandomGradOp::Count; i++) grads.Set(kGradNames[i], i);
  exports.Set("randomGradOps", grads);
}

}  // namespace cinder
