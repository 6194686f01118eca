// Loss and embedding bindings (kernels in cpu/loss.cc).
#include "binding/families.h"
#include "binding/lossFrame.h"

namespace cinder {

namespace {

Napi::Value crossEntropyBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "crossEntropy");
  CrossEntropyFrame f;
  readCrossEntropy(r, f);
  crossEntropyForward(f.x, f.target, f.weight(), f.o, f.loss, f.lse, f.total, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value crossEntropyBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "crossEntropyBackward");
  CrossEntropyBackwardFrame f;
  readCrossEntropyBackward(r, f);
  crossEntropyBackward(f.g, f.x, f.target, f.weight(), f.lse, f.total, f.o, f.gi, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value embeddingBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "embeddingBackward");
  EmbeddingBackwardFrame f;
  readEmbeddingBackward(r, f);
  embeddingBackward(f.g, f.idx, f.paddingIdx, f.scale, f.gw, r.op());
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
