// Loss and embedding bindings (kernels in cpu/loss.cc).
#include "binding/families.h"
#include "cpu/loss.h"

namespace cinder {

namespace {

CrossEntropyOptions readCeOptions(FrameReader& r) {
  CrossEntropyOptions o;
  o.ignoreIndex = r.i64();
  o.labelSmoothing = r.num();
  const int red = r.i32();
  CINDER_CHECK(red >= 0 && red <= 2, r.op(), ": unknown reduction code ", red);
  o.reduction = (LossReduction)red;
  return o;
}

// frame: hasWeight, ignoreIndex, labelSmoothing, reduction, x, target, [weight],
//        loss spec, lse spec, totalWeight spec.
Napi::Value crossEntropyBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "crossEntropy");
  const bool hw = r.flag();
  const CrossEntropyOptions o = readCeOptions(r);
  TensorDesc x, target, w, loss, lse, total;
  r.tensorInto(x);
  r.tensorInto(target);
  if (hw) r.tensorInto(w);
  r.outputInto(loss);
  r.outputInto(lse);
  r.outputInto(total);
  crossEntropyForward(x, target, hw ? &w : nullptr, o, loss, lse, total, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: hasWeight, ignoreIndex, labelSmoothing, reduction, grad, x, target, [weight], lse,
//        totalWeight, gradInput spec.
Napi::Value crossEntropyBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "crossEntropyBackward");
  const bool hw = r.flag();
  const CrossEntropyOptions o = readCeOptions(r);
  TensorDesc g, x, target, w, lse, total, gi;
  r.tensorInto(g);
  r.tensorInto(x);
  r.tensorInto(target);
  if (hw) r.tensorInto(w);
  r.tensorInto(lse);
  r.tensorInto(total);
  r.outputInto(gi);
  crossEntropyBackward(g, x, target, hw ? &w : nullptr, lse, total, o, gi, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: paddingIdx (-1: none), scaleGradByFreq, grad [M, D], indices [M], gradWeight spec.
Napi::Value embeddingBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "embeddingBackward");
  const int64_t paddingIdx = r.i64();
  const bool scale = r.flag();
  TensorDesc g, idx, gw;
  r.tensorInto(g);
  r.tensorInto(idx);
  r.outputInto(gw);
  embeddingBackward(g, idx, paddingIdx, scale, gw, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

void registerLoss(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "crossEntropy", crossEntropyBinding);
  exportFunction(env, exports, ctx, "crossEntropyBackward", crossEntropyBackwardBinding);
  exportFunction(env, exports, ctx, "embeddingBackward", embeddingBackwardBinding);
}

}  // namespace cinder
