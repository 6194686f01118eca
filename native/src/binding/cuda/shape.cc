// CUDA shape bindings: tril/triu with the frame of binding/shape.cc, plus the device index as the
// one JS argument.
#include "binding/cuda/common.h"
#include "cuda/index.h"

namespace cinder {
namespace {

// frame: src tensor, dst tensor, k. dst <- tril/triu(src, k); dst may be src itself (in-place).
template <bool Upper>
Napi::Value trilTriu(const Napi::CallbackInfo& info) {
  const char* op = Upper ? "triu" : "tril";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc src = r.tensor();
  TensorDesc dst = r.tensor();
  int64_t k = r.i64();
  cudaTrilTriu(dev, dst, src, k, Upper, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaTril", trilTriu<false>);
CINDER_CUDA_BINDING("cudaTriu", trilTriu<true>);

}  // namespace cinder
