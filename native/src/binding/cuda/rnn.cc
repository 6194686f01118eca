// CUDA recurrent-layer bindings: the frames of binding/rnnFrame.h, kernels in cuda/rnn.cu.
#include "binding/cuda/frameCall.h"
#include "binding/rnnFrame.h"
#include "cuda/rnn.h"

namespace cinder {
namespace {

Napi::Value rnnLayer(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "rnnLayer", readRnnLayer, [](int dev, const RnnLayerFrame& f, const char* op) {
    cudaRnnLayerForward(dev, f.mode, f.reverse, f.x, f.h0, f.pc0, f.w, f.pb, f.out, f.hN, f.pcN, f.ws, op);
  });
}

Napi::Value rnnLayerBackward(const Napi::CallbackInfo& info) {
  return cudaFrameCall(info, "rnnLayerBackward", readRnnLayerBackward,
                       [](int dev, const RnnLayerBackwardFrame& f, const char* op) {
                         cudaRnnLayerBackward(dev, f.mode, f.reverse, f.pgo, f.pgh, f.pgc, f.h0, f.pc0, f.w, f.pb,
                                              f.out, f.ws, f.gx, f.gh0, f.pgc0, f.pgw, f.pgb, op);
                       });
}

}  // namespace

CINDER_CUDA_BINDING("cudaRnnLayer", rnnLayer);
CINDER_CUDA_BINDING("cudaRnnLayerBackward", rnnLayerBackward);

}  // namespace cinder
