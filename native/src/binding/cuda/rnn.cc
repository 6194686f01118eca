// CUDA recurrent-layer bindings: the frames of binding/rnn.cc, kernels in cuda/rnn.cu.
#include "binding/cuda/common.h"
#include "cuda/rnn.h"

namespace cinder {
namespace {

RnnMode modeOf(FrameReader& r) {
  const int32_t m = r.i32();
  CINDER_CHECK(m >= 0 && m <= 3, r.op(), ": unknown recurrent mode ", m);
  return (RnnMode)m;
}

// frame: mode, reverse, hasBias, xProj, h0, [c0 (LSTM)], wHh, [bHh], out spec, hN spec,
//        [cN spec (LSTM)], workspace spec.
Napi::Value rnnLayer(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "rnnLayer");
  FrameReader r(contextOf(info), "rnnLayer", dev);
  const RnnMode mode = modeOf(r);
  const bool reverse = r.flag(), hb = r.flag();
  const bool lstm = mode == RnnMode::Lstm;
  TensorDesc x, h0, c0, w, b, out, hN, cN, ws;
  r.tensorInto(x);
  r.tensorInto(h0);
  const TensorDesc* pc0 = r.optionalTensor(lstm, c0);
  r.tensorInto(w);
  const TensorDesc* pb = r.optionalTensor(hb, b);
  r.outputInto(out);
  r.outputInto(hN);
  const TensorDesc* pcN = r.optionalOutput(lstm, cN);
  r.outputInto(ws);
  cudaRnnLayerForward(dev, mode, reverse, x, h0, pc0, w, pb, out, hN, pcN, ws, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: mode, reverse, hasBias, hasGradOut, hasGradHN, hasGradCN, needWeight, needBias, [gradOut],
//        [gradHN], [gradCN], h0, [c0 (LSTM)], wHh, [bHh], out, workspace, gradXProj spec,
//        gradH0 spec, [gradC0 spec (LSTM)], [gradWeight spec], [gradBias spec].
Napi::Value rnnLayerBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "rnnLayerBackward");
  FrameReader r(contextOf(info), "rnnLayerBackward", dev);
  const RnnMode mode = modeOf(r);
  const bool reverse = r.flag(), hb = r.flag(), hgo = r.flag(), hgh = r.flag(), hgc = r.flag();
  const bool nw = r.flag(), nb = r.flag();
  const bool lstm = mode == RnnMode::Lstm;
  TensorDesc go, gh, gc, h0, c0, w, b, out, ws, gx, gh0, gc0, gw, gb;
  const TensorDesc* pgo = r.optionalTensor(hgo, go);
  const TensorDesc* pgh = r.optionalTensor(hgh, gh);
  const TensorDesc* pgc = r.optionalTensor(hgc, gc);
  r.tensorInto(h0);
  const TensorDesc* pc0 = r.optionalTensor(lstm, c0);
  r.tensorInto(w);
  const TensorDesc* pb = r.optionalTensor(hb, b);
  r.tensorInto(out);
  r.tensorInto(ws);
  r.outputInto(gx);
  r.outputInto(gh0);
  const TensorDesc* pgc0 = r.optionalOutput(lstm, gc0);
  const TensorDesc* pgw = r.optionalOutput(nw, gw);
  const TensorDesc* pgb = r.optionalOutput(nb, gb);
  cudaRnnLayerBackward(dev, mode, reverse, pgo, pgh, pgc, h0, pc0, w, pb, out, ws, gx, gh0, pgc0, pgw, pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaRnnLayer", rnnLayer);
CINDER_CUDA_BINDING("cudaRnnLayerBackward", rnnLayerBackward);

}  // namespace cinder
