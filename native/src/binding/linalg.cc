// Linalg bindings: matmul (every matmul-like op of @cinder/tensor lowers to it), the
// factorizations and the norms.
#include "binding/families.h"
#include "cpu/copy.h"
#include "cpu/gemm.h"
#include "cpu/linalg.h"

namespace cinder {

// frame: a [..., m, k], b [..., k, n] (same rank, batch dims aligned, broadcast ones with stride 0),
// output spec [..., m, n], alpha, beta, hasBias, [bias tensor broadcastable to the output].
static Napi::Value matmul(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "matmul");
  TensorDesc a = r.tensor();
  TensorDesc b = r.tensor();
  TensorDesc out = r.output();
  double alpha = r.num();
  double beta = r.num();
  bool hasBias = r.flag();
  if (hasBias) {
    TensorDesc bias = r.tensor();
    copyCast(out, bias, "addmm");
  } else {
    beta = 0;
  }
  matmulBatched(a, b, out, alpha, beta, "matmul");
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value gemmArch(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemmArchName());
}

void registerLinalg(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "matmul", matmul);
  exportFunction(env, exports, ctx, "gemmArch", gemmArch);
}

}  // namespace cinder
