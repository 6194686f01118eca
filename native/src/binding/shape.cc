// Shape bindings: the copying shape ops that need a kernel of their own (tril/triu). Views and
// the other copying ops (cat, flip, roll, repeat...) are built in TypeScript on the copy kernels.
#include "binding/families.h"
#include "cpu/shape.h"

namespace cinder {

// frame: src tensor, dst tensor, k, upper. dst <- tril/triu(src, k); dst may be src (in-place).
static Napi::Value trilTriuBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "tril");
  TensorDesc src = r.tensor();
  TensorDesc dst = r.tensor();
  int64_t k = r.i64();
  bool upper = r.flag();
  trilTriu(dst, src, k, upper, upper ? "triu" : "tril");
  r.commit(info.Env());
  return info.Env().Undefined();
}

void registerShape(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "trilTriu", trilTriuBinding);
}

}  // namespace cinder
