// CUDA twins of linalg.cc's vector norm and matrix absolute-sum norm bindings (same frames, plus
// the device index); kernels in cuda/reduce.cu.
#include "binding/cuda/common.h"
#include "cuda/cudaReduce.h"

namespace cinder {
namespace {

// frame: x, reducedDims, ord, output spec.
Napi::Value linalgVectorNorm(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "linalg.vectorNorm");
  FrameReader r(contextOf(info), "linalg.vectorNorm", dev);
  TensorDesc x = r.tensor();
  const int rd = r.i32();
  const double ord = r.num();
  TensorDesc out = r.output();
  cudaVectorNorm(dev, x, rd, ord, out);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., m, n], rows, takeMax, output spec [...].
Napi::Value linalgAbsSumNorm(const Napi::CallbackInfo& info) {
  const int dev = cudaDeviceArg(info, "linalg.matrixNorm");
  FrameReader r(contextOf(info), "linalg.matrixNorm", dev);
  TensorDesc a = r.tensor();
  const bool rows = r.flag();
  const bool takeMax = r.flag();
  TensorDesc out = r.output();
  cudaMatrixAbsSumNorm(dev, a, rows, takeMax, out);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaLinalgVectorNorm", linalgVectorNorm);
CINDER_CUDA_BINDING("cudaLinalgAbsSumNorm", linalgAbsSumNorm);

}  // namespace cinder
