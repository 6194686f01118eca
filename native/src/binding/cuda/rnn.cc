// CUDA recurrent-layer bindings: the frames of binding/rnnFrame.h, kernels in cuda/rnn.cu.
#include "binding/cuda/common.h"
#include "binding/rnnFrame.h"
#include "cuda/rnn.h"

namespace cinder {
namespace {

Napi::Value rnnLayer(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "rnnLayer");
  FrameReader r(contextOf(info), "rnnLayer", dev);
  RnnLayerFrame f;
  readRnnLayer(r, f);
  cudaRnnLayerForward(dev, f.mode, f.reverse, f.x, f.h0, f.pc0, f.w, f.pb, f.out, f.hN, f.pcN, f.ws, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value rnnLayerBackward(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "rnnLayerBackward");
  FrameReader r(contextOf(info), "rnnLayerBackward", dev);
  RnnLayerBackwardFrame f;
  readRnnLayerBackward(r, f);
  cudaRnnLayerBackward(dev, f.mode, f.reverse, f.pgo, f.pgh, f.pgc, f.h0, f.pc0, f.w, f.pb, f.out, f.ws, f.gx, f.gh0,
                       f.pgc0, f.pgw, f.pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaRnnLayer", rnnLayer);
CINDER_CUDA_BINDING("cudaRnnLayerBackward", rnnLayerBackward);

}  // namespace cinder
