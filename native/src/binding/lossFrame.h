// What the loss bindings of both devices read alike from a call frame (crossEntropy,
// crossEntropyBackward, embeddingBackward); each binding differs only in the kernel it calls.
#pragma once
#include "binding/context.h"
#include "cpu/loss.h"

namespace cinder {

// ignoreIndex, labelSmoothing, reduction.
inline CrossEntropyOptions readCeOptions(FrameReader& r) {
  CrossEntropyOptions o;
  o.ignoreIndex = r.i64();
  o.labelSmoothing = r.num();
  const int red = r.i32();
  CINDER_CHECK(red >= 0 && red <= 2, r.op(), ": unknown reduction code ", red);
  o.reduction = (LossReduction)red;
  return o;
}

struct CrossEntropyFrame {
  bool hasWeight = false;
  CrossEntropyOptions o;
  TensorDesc x, target, w, loss, lse, total;
  const TensorDesc* weight() const { return hasWeight ? &w : nullptr; }
};

// frame: hasWeight, ignoreIndex, labelSmoothing, reduction, x, target, [weight],
//        loss spec, lse spec, totalWeight spec.
inline void readCrossEntropy(FrameReader& r, CrossEntropyFrame& f) {
  f.hasWeight = r.flag();
  f.o = readCeOptions(r);
  r.tensorInto(f.x);
  r.tensorInto(f.target);
  if (f.hasWeight) r.tensorInto(f.w);
  r.outputInto(f.loss);
  r.outputInto(f.lse);
  r.outputInto(f.total);
}

struct CrossEntropyBackwardFrame {
  bool hasWeight = false;
  CrossEntropyOptions o;
  TensorDesc g, x, target, w, lse, total, gi;
  const TensorDesc* weight() const { return hasWeight ? &w : nullptr; }
};

// frame: hasWeight, ignoreIndex, labelSmoothing, reduction, grad, x, target, [weight], lse,
//        totalWeight, gradInput spec.
inline void readCrossEntropyBackward(FrameReader& r, CrossEntropyBackwardFrame& f) {
  f.hasWeight = r.flag();
  f.o = readCeOptions(r);
  r.tensorInto(f.g);
  r.tensorInto(f.x);
  r.tensorInto(f.target);
  if (f.hasWeight) r.tensorInto(f.w);
  r.tensorInto(f.lse);
  r.tensorInto(f.total);
  r.outputInto(f.gi);
}

struct EmbeddingBackwardFrame {
  int64_t paddingIdx = -1;
  bool scale = false;
  TensorDesc g, idx, gw;
};

// frame: paddingIdx (-1: none), scaleGradByFreq, grad [M, D], indices [M], gradWeight spec.
inline void readEmbeddingBackward(FrameReader& r, EmbeddingBackwardFrame& f) {
  f.paddingIdx = r.i64();
  f.scale = r.flag();
  r.tensorInto(f.g);
  r.tensorInto(f.idx);
  r.outputInto(f.gw);
}

}  // namespace cinder
