// What the convolution bindings of both devices read alike from a call frame: the public op the
// call serves (frame[0], a code from `convOps`, for error messages) and the parameters.
#pragma once
#include "binding/context.h"
#include "cpu/conv.h"

namespace cinder {

// The name of the op whose code is frame[0].
const char* convOpName(Context* ctx);
// Parameters: spatial, stride[s], padBefore[s], padAfter[s], dilation[s], groups.
ConvParams readConvParams(FrameReader& r);

// forward frame: opCode, x, w, hasBias, [bias], params, output spec y;
// input-gradient frame: opCode, gy, w, hasBias, [bias], params, output spec gx.
struct ConvFrame {
  TensorDesc in, w, biasDesc, out;  // forward: x and y; input gradient: gy and gx
  const TensorDesc* bias;           // &biasDesc, or null without a bias
  ConvParams p;
};

inline void readConv(FrameReader& r, ConvFrame& f) {
  r.num();
  r.tensorInto(f.in);
  r.tensorInto(f.w);
  const bool hasBias = r.flag();
  f.bias = r.optionalTensor(hasBias, f.biasDesc);
  f.p = readConvParams(r);
  r.outputInto(f.out);
}

// frame: opCode, x, gy, params, output spec gw.
struct ConvWeightFrame {
  TensorDesc x, gy, gw;
  ConvParams p;
};

inline void readConvWeight(FrameReader& r, ConvWeightFrame& f) {
  r.num();
  r.tensorInto(f.x);
  r.tensorInto(f.gy);
  f.p = readConvParams(r);
  r.outputInto(f.gw);
}

}  // namespace cinder
