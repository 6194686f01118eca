// Shape bindings: the copying shape ops that need a kernel of their own (tril/triu). Views and
// the other copying ops (cat, flip, roll, repeat...) are built in TypeScript on the copy kernels.
#include "binding/families.h"
#include "cpu/shape.h"

namespace cinder {

// frame: src tensor, dst tensor, k. dst <- tril/triu(src, k); dst may be src itself (in-place).
template <bool Upper>
static Napi::Value trilTriuBinding(const Napi::CallbackInfo& info) {
  const char* op = Upper ? "triu" : "tril";
  FrameReader r(contextOf(info), op);
  TensorDesc src = r.tensor();
  TensorDesc dst = r.tensor();
  int64_t k = r.i64();
  trilTriu(dst, src, k, Upper, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

void registerShape(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "tril", trilTriuBinding<false>);
  exportFunction(env, exports, ctx, "triu", trilTriuBinding<true>);
}

}  // namespace cinder
