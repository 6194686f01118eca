// What the optimizer bindings of both devices read alike from a call frame. Attributes come first
// in each frame, so the flags that decide which state tensors follow are known before those
// tensors are read. The pointers of a frame point into the frame itself: read it in place.
#pragma once
#include "binding/context.h"
#include "cpu/optim.h"

namespace cinder {

// frame: amsgrad, decoupled, maximize, step, lr, beta1, beta2, eps, weightDecay,
//        param, grad, expAvg, expAvgSq, [maxExpAvgSq when amsgrad]
struct AdamFrame {
  AdamOptions o{};
  TensorDesc param, grad, expAvg, expAvgSq, maxExpAvgSq;
  const TensorDesc* pMaxExpAvgSq = nullptr;
};
inline void readAdamStep(FrameReader& r, AdamFrame& f) {
  AdamOptions& o = f.o;
  o.amsgrad = r.flag();
  o.decoupled = r.flag();
  o.maximize = r.flag();
  o.step = r.num();
  o.lr = r.num();
  o.beta1 = r.num();
  o.beta2 = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  r.tensorInto(f.param);
  r.tensorInto(f.grad);
  r.tensorInto(f.expAvg);
  r.tensorInto(f.expAvgSq);
  f.pMaxExpAvgSq = r.optionalTensor(o.amsgrad, f.maxExpAvgSq);
}

// frame: lr, momentum, dampening, weightDecay, nesterov, maximize, initBuffer,
//        param, grad, [momentumBuffer when momentum != 0]
struct SgdFrame {
  SgdOptions o{};
  TensorDesc param, grad, buf;
  const TensorDesc* pBuf = nullptr;
};
inline void readSgdStep(FrameReader& r, SgdFrame& f) {
  SgdOptions& o = f.o;
  o.lr = r.num();
  o.momentum = r.num();
  o.dampening = r.num();
  o.weightDecay = r.num();
  o.nesterov = r.flag();
  o.maximize = r.flag();
  o.initBuffer = r.flag();
  r.tensorInto(f.param);
  r.tensorInto(f.grad);
  f.pBuf = r.optionalTensor(o.momentum != 0, f.buf);
}

// frame: lr, alpha, eps, weightDecay, momentum, centered, maximize,
//        param, grad, squareAvg, [gradAvg when centered], [momentumBuffer when momentum > 0]
struct RmspropFrame {
  RmspropOptions o{};
  TensorDesc param, grad, squareAvg, gradAvg, buf;
  const TensorDesc* pGradAvg = nullptr;
  const TensorDesc* pBuf = nullptr;
};
inline void readRmspropStep(FrameReader& r, RmspropFrame& f) {
  RmspropOptions& o = f.o;
  o.lr = r.num();
  o.alpha = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  o.momentum = r.num();
  o.centered = r.flag();
  o.maximize = r.flag();
  r.tensorInto(f.param);
  r.tensorInto(f.grad);
  r.tensorInto(f.squareAvg);
  f.pGradAvg = r.optionalTensor(o.centered, f.gradAvg);
  f.pBuf = r.optionalTensor(o.momentum > 0, f.buf);
}

// frame: step, lr, lrDecay, eps, weightDecay, maximize, param, grad, stateSum
struct AdagradFrame {
  AdagradOptions o{};
  TensorDesc param, grad, stateSum;
};
inline void readAdagradStep(FrameReader& r, AdagradFrame& f) {
  AdagradOptions& o = f.o;
  o.step = r.num();
  o.lr = r.num();
  o.lrDecay = r.num();
  o.eps = r.num();
  o.weightDecay = r.num();
  o.maximize = r.flag();
  r.tensorInto(f.param);
  r.tensorInto(f.grad);
  r.tensorInto(f.stateSum);
}

}  // namespace cinder
