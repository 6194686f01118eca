// CUDA optimizer bindings: the frames of binding/optimFrame.h, the operand checks of
// cpu/optimOperands.h (those of the CPU), then one fused pass on the device (cuda/optim.cu).
#include "binding/cuda/common.h"
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
  const char* op = "adamStep";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  AdamFrame f;
  readAdamStep(r, f);
  const OptimOperands ops = adamOperands(f.param, f.grad, f.expAvg, f.expAvgSq, f.pMaxExpAvgSq, f.o);
  cudaAdamStep(dev, f.param.dtype, launchIter(op, ops), f.o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value sgdStep(const Napi::CallbackInfo& info) {
  const char* op = "sgdStep";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  SgdFrame f;
  readSgdStep(r, f);
  const OptimOperands ops = sgdOperands(f.param, f.grad, f.pBuf, f.o);
  cudaSgdStep(dev, f.param.dtype, launchIter(op, ops), f.o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value rmspropStep(const Napi::CallbackInfo& info) {
  const char* op = "rmspropStep";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  RmspropFrame f;
  readRmspropStep(r, f);
  const OptimOperands ops = rmspropOperands(f.param, f.grad, f.squareAvg, f.pGradAvg, f.pBuf, f.o);
  cudaRmspropStep(dev, f.param.dtype, launchIter(op, ops), f.o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value adagradStep(const Napi::CallbackInfo& info) {
  const char* op = "adagradStep";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  AdagradFrame f;
  readAdagradStep(r, f);
  const OptimOperands ops = adagradOperands(f.param, f.grad, f.stateSum, f.o);
  cudaAdagradStep(dev, f.param.dtype, launchIter(op, ops), f.o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaAdamStep", adamStep);
CINDER_CUDA_BINDING("cudaSgdStep", sgdStep);
CINDER_CUDA_BINDING("cudaRmspropStep", rmspropStep);
CINDER_CUDA_BINDING("cudaAdagradStep", adagradStep);

}  // namespace cinder
