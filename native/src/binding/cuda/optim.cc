// CUDA optimizer bindings: the frames of binding/optim.cc, the operand checks of cpu/optim.cc (same
// messages), then one fused pass on the device (cuda/optim.cu).
#include "binding/cuda/common.h"
#include "core/elementwiseIter.h"
#include "cuda/optim.h"

namespace cinder {
namespace {

// The operands of one update in slot order (0 param, 1 grad, 2.. state), with their names.
struct Slots {
  const TensorDesc* t[kCudaOptimSlots] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  const char* name[kCudaOptimSlots] = {"", "", "", "", ""};
  void set(int slot, const TensorDesc* d, const char* n) {
    t[slot] = d;
    name[slot] = n;
  }
};

// Checks as cpu/optim.cc does, then coalesces the present operands into the launch iteration.
CudaOptimIter prepare(const char* op, const Slots& s) {
  const TensorDesc& p = *s.t[0];
  CINDER_CHECK(p.dtype == DType::Float32 || p.dtype == DType::Float64, op, ": param dtype ", dtypeName(p.dtype),
               " is not supported (float32 and float64 are)");
  for (int k = 1; k < kCudaOptimSlots; k++) {
    if (!s.t[k]) continue;
    const TensorDesc& t = *s.t[k];
    CINDER_CHECK(t.dtype == p.dtype, op, ": ", s.name[k], " has dtype ", dtypeName(t.dtype), " but param has dtype ",
                 dtypeName(p.dtype));
    bool same = t.ndim == p.ndim;
    for (int d = 0; same && d < p.ndim; d++) same = t.shape[d] == p.shape[d];
    CINDER_CHECK(same, op, ": ", s.name[k], " of shape ", t.shapeString(), " does not match param of shape ",
                 p.shapeString());
  }
  // Written operands (all but the gradient) must not have elements sharing memory.
  for (int k = 0; k < kCudaOptimSlots; k++) {
    if (k == 1 || !s.t[k]) continue;
    const TensorDesc& t = *s.t[k];
    for (int d = 0; d < t.ndim; d++) {
      CINDER_CHECK(t.strides[d] != 0 || t.shape[d] <= 1, op, ": ", s.name[k], " of shape ", t.shapeString(),
                   " has elements sharing memory (an expanded view) and cannot be updated in place; clone() it first");
    }
  }
  const TensorDesc* ops[kCudaOptimSlots];
  int slotOf[kCudaOptimSlots];
  int count = 0;
  for (int k = 0; k < kCudaOptimSlots; k++) {
    if (!s.t[k]) continue;
    ops[count] = s.t[k];
    slotOf[count++] = k;
  }
  ElementwiseIter e(op, ops, count);
  CudaOptimIter it;
  it.ndim = e.ndim();
  it.numel = e.numel();
  for (int d = 0; d < it.ndim; d++) it.shape[d] = e.shapeAt(d);
  for (int k = 0; k < kCudaOptimSlots; k++)
    for (int d = 0; d < it.ndim; d++) it.strides[k][d] = 0;
  for (int i = 0; i < count; i++) {
    const int k = slotOf[i];
    it.data[k] = e.dataAt(i);
    for (int d = 0; d < it.ndim; d++) it.strides[k][d] = e.strideAt(i, d);
  }
  return it;
}

// frame: amsgrad, decoupled, maximize, step, lr, beta1, beta2, eps, weightDecay,
//        param, grad, expAvg, expAvgSq, [maxExpAvgSq when amsgrad]
Napi::Value adamStep(const Napi::CallbackInfo& info) {
  const char* op = "adamStep";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  AdamOptions o;
  o.amsgrad = r.flag();
  o.decoupled = r.flag();
  o.maximize = r.flag();
  o.step = r.num();
  o.lr = r.num();
  o.beta1 = r.num();
  o.beta2 = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  TensorDesc param, grad, expAvg, expAvgSq, maxExpAvgSq;
  r.tensorInto(param);
  r.tensorInto(grad);
  r.tensorInto(expAvg);
  r.tensorInto(expAvgSq);
  if (o.amsgrad) r.tensorInto(maxExpAvgSq);
  CINDER_CHECK(o.step >= 1, op, ": step must be at least 1, got ", o.step);
  Slots s;
  s.set(0, &param, "param");
  s.set(1, &grad, "grad");
  s.set(2, &expAvg, "expAvg");
  s.set(3, &expAvgSq, "expAvgSq");
  if (o.amsgrad) s.set(4, &maxExpAvgSq, "maxExpAvgSq");
  cudaAdamStep(dev, param.dtype, prepare(op, s), o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: lr, momentum, dampening, weightDecay, nesterov, maximize, initBuffer,
//        param, grad, [momentumBuffer when momentum != 0]
Napi::Value sgdStep(const Napi::CallbackInfo& info) {
  const char* op = "sgdStep";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  SgdOptions o;
  o.lr = r.num();
  o.momentum = r.num();
  o.dampening = r.num();
  o.weightDecay = r.num();
  o.nesterov = r.flag();
  o.maximize = r.flag();
  o.initBuffer = r.flag();
  TensorDesc param, grad, buf;
  r.tensorInto(param);
  r.tensorInto(grad);
  const bool mom = o.momentum != 0;
  if (mom) r.tensorInto(buf);
  Slots s;
  s.set(0, &param, "param");
  s.set(1, &grad, "grad");
  if (mom) s.set(2, &buf, "momentumBuffer");
  cudaSgdStep(dev, param.dtype, prepare(op, s), o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: lr, alpha, eps, weightDecay, momentum, centered, maximize,
//        param, grad, squareAvg, [gradAvg when centered], [momentumBuffer when momentum > 0]
Napi::Value rmspropStep(const Napi::CallbackInfo& info) {
  const char* op = "rmspropStep";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  RmspropOptions o;
  o.lr = r.num();
  o.alpha = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  o.momentum = r.num();
  o.centered = r.flag();
  o.maximize = r.flag();
  TensorDesc param, grad, squareAvg, gradAvg, buf;
  r.tensorInto(param);
  r.tensorInto(grad);
  r.tensorInto(squareAvg);
  if (o.centered) r.tensorInto(gradAvg);
  const bool mom = o.momentum > 0;
  if (mom) r.tensorInto(buf);
  Slots s;
  s.set(0, &param, "param");
  s.set(1, &grad, "grad");
  s.set(2, &squareAvg, "squareAvg");
  if (o.centered) s.set(3, &gradAvg, "gradAvg");
  if (mom) s.set(4, &buf, "momentumBuffer");
  cudaRmspropStep(dev, param.dtype, prepare(op, s), o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: step, lr, lrDecay, eps, weightDecay, maximize, param, grad, stateSum
Napi::Value adagradStep(const Napi::CallbackInfo& info) {
  const char* op = "adagradStep";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  AdagradOptions o;
  o.step = r.num();
  o.lr = r.num();
  o.lrDecay = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  o.maximize = r.flag();
  TensorDesc param, grad, stateSum;
  r.tensorInto(param);
  r.tensorInto(grad);
  r.tensorInto(stateSum);
  CINDER_CHECK(o.step >= 1, op, ": step must be at least 1, got ", o.step);
  Slots s;
  s.set(0, &param, "param");
  s.set(1, &grad, "grad");
  s.set(2, &stateSum, "stateSum");
  cudaAdagradStep(dev, param.dtype, prepare(op, s), o);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaAdamStep", adamStep);
CINDER_CUDA_BINDING("cudaSgdStep", sgdStep);
CINDER_CUDA_BINDING("cudaRmspropStep", rmspropStep);
CINDER_CUDA_BINDING("cudaAdagradStep", adagradStep);

}  // namespace cinder
