// CUDA optimizer bindings: the frames of binding/optimFrame.h, the operand checks of
// cpu/optimOperands.h (those of the CPU), then one fused pass on the device (cuda/optim.cu).
#include "binding/cuda/frameCall.h"
#include "binding/optimFrame.h"
#include "cpu/optimOperands.h"
#include "cuda/optim.h"

namespace cinder {
namespace {

// Coalesces the checked operands into the launch iteration (strides per loop slot; absent slots
// stay null).
CudaOptimIter launchIter(const char* op, const OptimOperands& o) {
  ElementwiseIter e(op, o.t, o.count);
  CudaOptimIter it;
  it.ndim = e.ndim();
  it.numel = e.numel();
  for (int d = 0; d < it.ndim; d++) it.shape[d] = e.shapeAt(d);
  for (int k = 0; k < kCudaOptimSlots; k++)
    for (int d = 0; d < it.ndim; d++) it.strides[k][d] = 0;
  for (int i = 0; i < o.count; i++) {
    const int k = o.slot[i];
    it.data[k] = e.dataAt(i);
    for (int d = 0; d < it.ndim; d++) it.strides[k][d] = e.strideAt(i, d);
  }
  return it;
}

Napi::Value adamStep(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "adamStep", readAdamStep, [](int dev, const AdamFrame& f, const char* op) {
    cudaAdamStep(dev, f.param.dtype,
                 launchIter(op, adamOperands(f.param, f.grad, f.expAvg, f.expAvgSq, f.pMaxExpAvgSq, f.o)), f.o);
  });
}

Napi::Value sgdStep(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "sgdStep", readSgdStep, [](int dev, const SgdFrame& f, const char* op) {
    cudaSgdStep(dev, f.param.dtype, launchIter(op, sgdOperands(f.param, f.grad, f.pBuf, f.o)), f.o);
  });
}

Napi::Value rmspropStep(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "rmspropStep", readRmspropStep, [](int dev, const RmspropFrame& f, const char* op) {
    cudaRmspropStep(dev, f.param.dtype,
                    launchIter(op, rmspropOperands(f.param, f.grad, f.squareAvg, f.pGradAvg, f.pBuf, f.o)), f.o);
  });
}

Napi::Value adagradStep(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "adagradStep", readAdagradStep, [](int dev, const AdagradFrame& f, const char* op) {
    cudaAdagradStep(dev, f.param.dtype, launchIter(op, adagradOperands(f.param, f.grad, f.stateSum, f.o)), f.o);
  });
}

}  // namespace

CINDER_CUDA_BINDING("cudaAdamStep", adamStep);
CINDER_CUDA_BINDING("cudaSgdStep", sgdStep);
CINDER_CUDA_BINDING("cudaRmspropStep", rmspropStep);
CINDER_CUDA_BINDING("cudaAdagradStep", adagradStep);

}  // namespace cinder
