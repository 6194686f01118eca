// What the recurrent-layer bindings of both devices read alike from a call frame. Flags come
// first in each frame, so the optional operands that follow are known before they are read. The
// pointers of a frame point into the frame itself: read it in place, do not copy it.
#pragma once
#include "binding/context.h"
#include "cpu/rnn.h"

namespace cinder {

inline RnnMode readRnnMode(FrameReader& r) {
  const int32_t m = r.i32();
  CINDER_CHECK(m >= 0 && m <= 3, r.op(), ": unknown recurrent mode ", m);
  return (RnnMode)m;
}

// frame: mode, reverse, hasBias, xProj, h0, [c0 (LSTM)], wHh, [bHh], out spec, hN spec,
//        [cN spec (LSTM)], workspace spec.
struct RnnLayerFrame {
  RnnMode mode{};
  bool reverse = false;
  TensorDesc x, h0, c0, w, b, out, hN, cN, ws;
  const TensorDesc* pc0 = nullptr;
  const TensorDesc* pb = nullptr;
  const TensorDesc* pcN = nullptr;
};
inline void readRnnLayer(FrameReader& r, RnnLayerFrame& f) {
  f.mode = readRnnMode(r);
  f.reverse = r.flag();
  const bool hb = r.flag();
  const bool lstm = f.mode == RnnMode::Lstm;
  r.tensorInto(f.x);
  r.tensorInto(f.h0);
  f.pc0 = r.optionalTensor(lstm, f.c0);
  r.tensorInto(f.w);
  f.pb = r.optionalTensor(hb, f.b);
  r.outputInto(f.out);
  r.outputInto(f.hN);
  f.pcN = r.optionalOutput(lstm, f.cN);
  r.outputInto(f.ws);
}

// frame: mode, reverse, hasBias, hasGradOut, hasGradHN, hasGradCN, needWeight, needBias, [gradOut],
//        [gradHN], [gradCN], h0, [c0 (LSTM)], wHh, [bHh], out, workspace, gradXProj spec,
//        gradH0 spec, [gradC0 spec (LSTM)], [gradWeight spec], [gradBias spec].
struct RnnLayerBackwardFrame {
  RnnMode mode{};
  bool reverse = false;
  TensorDesc go, gh, gc, h0, c0, w, b, out, ws, gx, gh0, gc0, gw, gb;
  const TensorDesc* pgo = nullptr;
  const TensorDesc* pgh = nullptr;
  const TensorDesc* pgc = nullptr;
  const TensorDesc* pc0 = nullptr;
  const TensorDesc* pb = nullptr;
  const TensorDesc* pgc0 = nullptr;
  const TensorDesc* pgw = nullptr;
  const TensorDesc* pgb = nullptr;
};
inline void readRnnLayerBackward(FrameReader& r, RnnLayerBackwardFrame& f) {
  f.mode = readRnnMode(r);
  f.reverse = r.flag();
  const bool hb = r.flag(), hgo = r.flag(), hgh = r.flag(), hgc = r.flag();
  const bool nw = r.flag(), nb = r.flag();
  const bool lstm = f.mode == RnnMode::Lstm;
  f.pgo = r.optionalTensor(hgo, f.go);
  f.pgh = r.optionalTensor(hgh, f.gh);
  f.pgc = r.optionalTensor(hgc, f.gc);
  r.tensorInto(f.h0);
  f.pc0 = r.optionalTensor(lstm, f.c0);
  r.tensorInto(f.w);
  f.pb = r.optionalTensor(hb, f.b);
  r.tensorInto(f.out);
  r.tensorInto(f.ws);
  r.outputInto(f.gx);
  r.outputInto(f.gh0);
  f.pgc0 = r.optionalOutput(lstm, f.gc0);
  f.pgw = r.optionalOutput(nw, f.gw);
  f.pgb = r.optionalOutput(nb, f.gb);
}

}  // namespace cinder
