// Recurrent-layer bindings (kernels in cpu/rnn.cc); the frames are read by binding/rnnFrame.h.
#include "binding/families.h"
#include "binding/rnnFrame.h"

namespace cinder {

namespace {

Napi::Value rnnLayerBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "rnnLayer");
  RnnLayerFrame f;
  readRnnLayer(r, f);
  rnnLayerForward(f.mode, f.reverse, f.x, f.h0, f.pc0, f.w, f.pb, f.out, f.hN, f.pcN, f.ws, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value rnnLayerBackwardBinding(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "rnnLayerBackward");
  RnnLayerBackwardFrame f;
  readRnnLayerBackward(r, f);
  rnnLayerBackward(f.mode, f.reverse, f.pgo, f.pgh, f.pgc, f.h0, f.pc0, f.w, f.pb, f.out, f.ws, f.gx, f.gh0, f.pgc0,
                   f.pgw, f.pgb, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

void registerRnn(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "rnnLayer", rnnLayerBinding);
  exportFunction(env, exports, ctx, "rnnLayerBackward", rnnLayerBackwardBinding);
}

}  // namespace cinder
