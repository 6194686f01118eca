// Optimizer bindings: fused in-place updates of one parameter and its state buffers per call.
// Attributes come first in the frame, so the flags that decide which state tensors follow are
// known before those tensors are read.
#include "binding/families.h"
#include "cpu/optim.h"
#include "cpu/optimArch.h"

namespace cinder {

// frame: amsgrad, decoupled, maximize, step, lr, beta1, beta2, eps, weightDecay,
//        param, grad, expAvg, expAvgSq, [maxExpAvgSq when amsgrad]
static Napi::Value adamStepBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "adamStep");
  AdamOptions o;
  o.amsgrad = r.flag();
  o.decoupled = r.flag();
  o.maximize = r.flag();
  o.step = r.num();
  o.lr = r.num();
  o.beta1 = r.num();
  o.beta2 = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  TensorDesc param, grad, expAvg, expAvgSq, maxExpAvgSq;
  r.tensorInto(param);
  r.tensorInto(grad);
  r.tensorInto(expAvg);
  r.tensorInto(expAvgSq);
  if (o.amsgrad) r.tensorInto(maxExpAvgSq);
  adamStep(param, grad, expAvg, expAvgSq, o.amsgrad ? &maxExpAvgSq : nullptr, o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: lr, momentum, dampening, weightDecay, nesterov, maximize, initBuffer,
//        param, grad, [momentumBuffer when momentum != 0]
static Napi::Value sgdStepBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "sgdStep");
  SgdOptions o;
  o.lr = r.num();
  o.momentum = r.num();
  o.dampening = r.num();
  o.weightDecay = r.num();
  o.nesterov = r.flag();
  o.maximize = r.flag();
  o.initBuffer = r.flag();
  TensorDesc param, grad, buf;
  r.tensorInto(param);
  r.tensorInto(grad);
  const bool mom = o.momentum != 0;
  if (mom) r.tensorInto(buf);
  sgdStep(param, grad, mom ? &buf : nullptr, o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: lr, alpha, eps, weightDecay, momentum, centered, maximize,
//        param, grad, squareAvg, [gradAvg when centered], [momentumBuffer when momentum > 0]
static Napi::Value rmspropStepBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "rmspropStep");
  RmspropOptions o;
  o.lr = r.num();
  o.alpha = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  o.momentum = r.num();
  o.centered = r.flag();
  o.maximize = r.flag();
  TensorDesc param, grad, squareAvg, gradAvg, buf;
  r.tensorInto(param);
  r.tensorInto(grad);
  r.tensorInto(squareAvg);
  if (o.centered) r.tensorInto(gradAvg);
  const bool mom = o.momentum > 0;
  if (mom) r.tensorInto(buf);
  rmspropStep(param, grad, squareAvg, o.centered ? &gradAvg : nullptr, mom ? &buf : nullptr, o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: step, lr, lrDecay, eps, weightDecay, maximize, param, grad, stateSum
static Napi::Value adagradStepBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "adagradStep");
  AdagradOptions o;
  o.step = r.num();
  o.lr = r.num();
  o.lrDecay = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  o.maximize = r.flag();
  TensorDesc param, grad, stateSum;
  r.tensorInto(param);
  r.tensorInto(grad);
  r.tensorInto(stateSum);
  adagradStep(param, grad, stateSum, o);
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
