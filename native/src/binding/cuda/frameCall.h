// The body of a CUDA binding that reads its whole frame through a shared reader
// (binding/<family>Frame.h): the device argument, the frame, the launcher, the commit.
#pragma once
#include "binding/cuda/common.h"

namespace cinder {

// Reads `op`'s frame into a Frame with `read`, runs `launch(device, frame, op)` and commits the
// outputs.
template <typename Frame, typename Launch>
Napi::Value cudaFrameCall(const Napi::CallbackInfo& info, const char* op, void (*read)(FrameReader&, Frame&),
                          Launch launch) {
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  Frame f;
  read(r, f);
  launch(dev, f, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace cinder
