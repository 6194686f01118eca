// The addon's entry point: context-aware (one Context per environment, so it loads in every
// worker_thread), registering every family of bindings.
#include <napi.h>

#include "binding/families.h"
#ifdef CINDER_WITH_CUDA
#include "binding/cuda/common.h"
#endif

namespace cinder {

void FrameReader::commit(Napi::Env env) {
  int64_t bytes = 0;
  for (int i = 0; i < npending_; i++) {
    ctx_->frame[i] = ctx_->table.add(pending_[i]);
    bytes += reportedBytes(pending_[i]);
  }
  for (int j = 0; j < nextra_; j++) ctx_->frame[npending_ + j] = extra_[j];
  npending_ = 0;
  if (bytes > 0) reportExternal(env, ctx_, bytes);
}

// Does nothing: tools/bench times it as the bare cost of crossing into the addon.
static Napi::Value nop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* ctx = new Context();
  env.SetInstanceData<Context>(ctx);  // deleted (with its storages) when the environment exits
  auto buffer = Napi::ArrayBuffer::New(env, kFrameLength * sizeof(double));
  ctx->frame = static_cast<double*>(buffer.Data());
  ctx->frameBuffer = Napi::Persistent(buffer);
  exports.Set("frame", buffer);
  exportFunction(env, exports, ctx, "nop", nop);
  registerStorage(env, exports, ctx);
  registerCopy(env, exports, ctx);
  registerElementwise(env, exports, ctx);
  registerReduce(env, exports, ctx);
  registerLinalg(env, exports, ctx);
  registerIndex(env, exports, ctx);
  registerRandom(env, exports, ctx);
  registerShape(env, exports, ctx);
  registerOptim(env, exports, ctx);
  registerPool(env, exports, ctx);
  registerNorm(env, exports, ctx);
  registerLoss(env, exports, ctx);
  registerConv(env, exports, ctx);
  registerRnn(env, exports, ctx);
  registerCuda(env, exports, ctx);
#ifdef CINDER_WITH_CUDA
  registerCudaBindings(env, exports, ctx);
#endif
  return exports;
}

}  // namespace cinder

static Napi::Object InitCinder(Napi::Env env, Napi::Object exports) { return cinder::Init(env, exports); }

NODE_API_MODULE(cinder, InitCinder)
