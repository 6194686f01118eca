// What the normalization bindings of both devices read alike from a call frame. Flags come first
// in each frame, so the optional operands that follow are known before they are read. The
// pointers of a frame point into the frame itself: read it in place, do not copy it.
#pragma once
#include "binding/context.h"

namespace cinder {

// x, [weight], [bias], then the output and the two saved statistics.
struct NormForwardFrame {
  double eps = 0;
  TensorDesc x, w, b, out, mean, rstd;
  const TensorDesc* pw = nullptr;
  const TensorDesc* pb = nullptr;
};

// gradOut, x, [weight], the two saved statistics (mean and rstd: batch norm's saveMean and
// saveInvstd), then the requested gradients.
struct NormBackwardFrame {
  TensorDesc g, x, w, mean, rstd, gi, gw, gb;
  const TensorDesc* pw = nullptr;
  const TensorDesc* pgi = nullptr;
  const TensorDesc* pgw = nullptr;
  const TensorDesc* pgb = nullptr;
};

// hasWeight, hasBias, eps, x, [weight], [bias], out spec, mean spec, rstd spec.
inline void readNormForward(FrameReader& r, NormForwardFrame& f) {
  const bool hw = r.flag(), hb = r.flag();
  f.eps = r.num();
  r.tensorInto(f.x);
  f.pw = r.optionalTensor(hw, f.w);
  f.pb = r.optionalTensor(hb, f.b);
  r.outputInto(f.out);
  r.outputInto(f.mean);
  r.outputInto(f.rstd);
}

// hasWeight, needInput, needWeight, needBias, gradOut, x, [weight], mean, rstd,
// [gradInput spec], [gradWeight spec], [gradBias spec].
inline void readNormBackward(FrameReader& r, NormBackwardFrame& f) {
  const bool hw = r.flag(), ni = r.flag(), nw = r.flag(), nb = r.flag();
  r.tensorInto(f.g);
  r.tensorInto(f.x);
  f.pw = r.optionalTensor(hw, f.w);
  r.tensorInto(f.mean);
  r.tensorInto(f.rstd);
  f.pgi = r.optionalOutput(ni, f.gi);
  f.pgw = r.optionalOutput(nw, f.gw);
  f.pgb = r.optionalOutput(nb, f.gb);
}

// frame: training, hasWeight, hasBias, hasRunningMean, hasRunningVar, momentum, eps,
//        x, [weight], [bias], [runningMean], [runningVar], out spec, saveMean spec, saveInvstd spec.
struct BatchNormFrame {
  bool training = false;
  double momentum = 0, eps = 0;
  TensorDesc x, w, b, rm, rv, out, sm, si;
  const TensorDesc* pw = nullptr;
  const TensorDesc* pb = nullptr;
  const TensorDesc* pm = nullptr;
  const TensorDesc* pv = nullptr;
};
inline void readBatchNorm(FrameReader& r, BatchNormFrame& f) {
  f.training = r.flag();
  const bool hw = r.flag(), hb = r.flag(), hm = r.flag(), hv = r.flag();
  f.momentum = r.num();
  f.eps = r.num();
  r.tensorInto(f.x);
  f.pw = r.optionalTensor(hw, f.w);
  f.pb = r.optionalTensor(hb, f.b);
  f.pm = r.optionalTensor(hm, f.rm);
  f.pv = r.optionalTensor(hv, f.rv);
  r.outputInto(f.out);
  r.outputInto(f.sm);
  r.outputInto(f.si);
}

// frame: training, then the backward frame (statistics: saveMean, saveInvstd).
struct BatchNormBackwardFrame : NormBackwardFrame {
  bool training = false;
};
inline void readBatchNormBackward(FrameReader& r, BatchNormBackwardFrame& f) {
  f.training = r.flag();
  readNormBackward(r, f);
}

// frame: the forward frame (statistics: mean, rstd).
using LayerNormFrame = NormForwardFrame;
inline void readLayerNorm(FrameReader& r, LayerNormFrame& f) { readNormForward(r, f); }

// frame: the backward frame (statistics: mean, rstd).
using LayerNormBackwardFrame = NormBackwardFrame;
inline void readLayerNormBackward(FrameReader& r, LayerNormBackwardFrame& f) { readNormBackward(r, f); }

// frame: groups, then the forward frame (statistics: mean, rstd).
struct GroupNormFrame : NormForwardFrame {
  int64_t groups = 0;
};
inline void readGroupNorm(FrameReader& r, GroupNormFrame& f) {
  f.groups = r.i64();
  readNormForward(r, f);
}

// frame: groups, then the backward frame (statistics: mean, rstd).
struct GroupNormBackwardFrame : NormBackwardFrame {
  int64_t groups = 0;
};
inline void readGroupNormBackward(FrameReader& r, GroupNormBackwardFrame& f) {
  f.groups = r.i64();
  readNormBackward(r, f);
}

}  // namespace cinder
