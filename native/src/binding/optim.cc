// Optimizer bindings: fused in-place updates of one parameter and its state buffers per call; the
// frames are read by binding/optimFrame.h.
#include "binding/families.h"
#include "binding/optimFrame.h"
#include "cpu/optim.h"
#include "cpu/optimArch.h"

namespace cinder {

static Napi::Value adamStepBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "adamStep");
  AdamFrame f;
  readAdamStep(r, f);
  adamStep(f.param, f.grad, f.expAvg, f.expAvgSq, f.pMaxExpAvgSq, f.o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value sgdStepBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "sgdStep");
  SgdFrame f;
  readSgdStep(r, f);
  sgdStep(f.param, f.grad, f.pBuf, f.o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value rmspropStepBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "rmspropStep");
  RmspropFrame f;
  readRmspropStep(r, f);
  rmspropStep(f.param, f.grad, f.squareAvg, f.pGradAvg, f.pBuf, f.o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value adagradStepBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "adagradStep");
  AdagradFrame f;
  readAdagradStep(r, f);
  adagradStep(f.param, f.grad, f.stateSum, f.o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// The ISA set of the contiguous update loops ("generic", "avx2" or "avx512").
static Napi::Value optimArchBinding(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), optimArch().name);
}

void registerOptim(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "adamStep", adamStepBinding);
  exportFunction(env, exports, ctx, "sgdStep", sgdStepBinding);
  exportFunction(env, exports, ctx, "rmspropStep", rmspropStepBinding);
  exportFunction(env, exports, ctx, "adagradStep", adagradStepBinding);
  exportFunction(env, exports, ctx, "optimArch", optimArchBinding);
}

}  // namespace cinder
