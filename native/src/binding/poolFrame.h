// What the pooling, upsampling and padding bindings of both devices read alike from a call frame.
// Each reader takes a FrameReader already opened with the op's name (and, on CUDA, its device) and
// reads the frame in the order TS writes it; output specs are [dtype, ndim, ...shape].
#pragma once
#include "binding/context.h"
#include "cpu/pool.h"

namespace cinder {

// kH, kW, sH, sW, pH, pW, dH, dW.
inline PoolGeometry readPoolGeometry(FrameReader& r) {
  PoolGeometry g;
  g.kH = r.i64();
  g.kW = r.i64();
  g.sH = r.i64();
  g.sW = r.i64();
  g.pH = r.i64();
  g.pW = r.i64();
  g.dH = r.i64();
  g.dW = r.i64();
  return g;
}

// frame: x, kH, kW, sH, sW, pH, pW, dH, dW, values spec, indices spec.
struct MaxPool2dFrame {
  TensorDesc x, values, indices;
  PoolGeometry g;
};

inline void readMaxPool2d(FrameReader& r, MaxPool2dFrame& f) {
  r.tensorInto(f.x);
  f.g = readPoolGeometry(r);
  r.outputInto(f.values);
  r.outputInto(f.indices);
}

// frame: gradOutput, indices, gradInput spec.
struct MaxPool2dBackwardFrame {
  TensorDesc g, indices, gi;
};

inline void readMaxPool2dBackward(FrameReader& r, MaxPool2dBackwardFrame& f) {
  r.tensorInto(f.g);
  r.tensorInto(f.indices);
  r.outputInto(f.gi);
}

// forward frame: x, geometry (8), countIncludePad, divisorOverride, out spec;
// backward frame: gradOutput, geometry (8), countIncludePad, divisorOverride, gradInput spec.
struct AvgPool2dFrame {
  TensorDesc in, out;  // forward: x and out; backward: gradOutput and gradInput
  PoolGeometry g;
  AvgPoolOptions o;
};

inline void readAvgPool2d(FrameReader& r, AvgPool2dFrame& f) {
  r.tensorInto(f.in);
  f.g = readPoolGeometry(r);
  f.o.countIncludePad = r.flag();
  f.o.divisorOverride = r.i64();
  r.outputInto(f.out);
}

// frame: op code (0 average, 1 max), x, out spec, [indices spec when max].
inline bool adaptivePoolIsMax(Context* ctx) { return ctx->frame[0] == 1; }
inline const char* adaptivePoolName(bool isMax) { return isMax ? "adaptiveMaxPool2d" : "adaptiveAvgPool2d"; }

struct AdaptivePool2dFrame {
  TensorDesc x, out, indices;
};

inline void readAdaptivePool2d(FrameReader& r, bool isMax, AdaptivePool2dFrame& f) {
  r.i32();
  r.tensorInto(f.x);
  r.outputInto(f.out);
  if (isMax) r.outputInto(f.indices);
}

// frame: gradOutput, gradInput spec (also the frame of every op with one input and one output).
struct GradFrame {
  TensorDesc g, gi;
};

inline void readGrad(FrameReader& r, GradFrame& f) {
  r.tensorInto(f.g);
  r.outputInto(f.gi);
}

// The upsampling mode (frame[0]: 0 nearest, 1 bilinear), checked.
inline int upsampleCode(Context* ctx, bool backward) {
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code == 0 || code == 1, backward ? "upsample2dBackward" : "upsample2d", ": unknown mode code ",
               code);
  return code;
}

inline const char* upsampleName(int code, bool backward) {
  if (code == 0) return backward ? "upsampleNearest2dBackward" : "upsampleNearest2d";
  return backward ? "upsampleBilinear2dBackward" : "upsampleBilinear2d";
}

// forward frame: mode, x, alignCorners, scaleH, scaleW, out spec;
// backward frame: mode, gradOutput, alignCorners, scaleH, scaleW, gradInput spec.
struct Upsample2dFrame {
  TensorDesc in, out;  // forward: x and out; backward: gradOutput and gradInput
  bool alignCorners;
  double sh, sw;
};

inline void readUpsample2d(FrameReader& r, Upsample2dFrame& f) {
  r.i32();
  r.tensorInto(f.in);
  f.alignCorners = r.flag();
  f.sh = r.num();
  f.sw = r.num();
  r.outputInto(f.out);
}

// forward frame: x, mode, value, nd, before[nd], out spec;
// backward frame: gradOutput, mode, nd, before[nd], gradInput spec.
struct PadFrame {
  TensorDesc in, out;  // forward: x and out; backward: gradOutput and gradInput
  PadMode mode;
  double value = 0;  // forward only
  int64_t before[kMaxDims];
};

inline void readPad(FrameReader& r, bool backward, PadFrame& f) {
  r.tensorInto(f.in);
  const int m = r.i32();
  CINDER_CHECK(m >= 0 && m <= 3, r.op(), ": unknown padding mode code ", m);
  f.mode = (PadMode)m;
  if (!backward) f.value = r.num();
  const int n = r.i32();
  CINDER_CHECK(n == f.in.ndim, r.op(), ": ", n, " padding entries for a tensor of ", f.in.ndim, " dims");
  for (int i = 0; i < n; i++) f.before[i] = r.i64();
  r.outputInto(f.out);
}

}  // namespace cinder
