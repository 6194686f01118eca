// CUDA pooling, upsampling and padding bindings: the same frames, checks (with the CPU's
// messages) and outputs as binding/pool.cc and cpu/pool.cc, plus the device index.
#include <cstring>

#include "binding/cuda/common.h"
#include "cpu/pool.h"
#include "cuda/pool.h"

namespace cinder {
namespace {

struct Planes {
  int64_t count, H, W;
};

Planes planesOf(const TensorDesc& t, const char* op, const char* what) {
  CINDER_CHECK(t.ndim >= 2, op, ": ", what, " must have at least 2 dims, got shape ", t.shapeString());
  CINDER_CHECK(t.isContiguous(), op, ": ", what, " must be contiguous");
  Planes p;
  p.H = t.shape[t.ndim - 2];
  p.W = t.shape[t.ndim - 1];
  p.count = 1;
  for (int i = 0; i < t.ndim - 2; i++) p.count *= t.shape[i];
  return p;
}

// The planes of an op whose input side is `in` and output side `out`, checked in the CPU's order
// (forward: the input first; backward: gradOutput first).
CudaPlanes planesOf(const TensorDesc& in, const char* inWhat, const TensorDesc& out, const char* outWhat,
                    const char* op, bool backward = false) {
  const Planes a = backward ? Planes{} : planesOf(in, op, inWhat);
  const Planes b = planesOf(out, op, outWhat);
  const Planes a2 = backward ? planesOf(in, op, inWhat) : a;
  const TensorDesc& first = backward ? out : in;
  const TensorDesc& second = backward ? in : out;
  CINDER_CHECK(a2.count == b.count, op, ": shapes ", first.shapeString(), " and ", second.shapeString(),
               " have different numbers of planes");
  CudaPlanes p;
  p.count = a2.count;
  p.H = a2.H;
  p.W = a2.W;
  p.OH = b.H;
  p.OW = b.W;
  return p;
}

void checkDType(const TensorDesc& t, DType want, const char* op, const char* what) {
  CINDER_CHECK(t.dtype == want, op, ": ", what, " has dtype ", dtypeName(t.dtype), ", expected ", dtypeName(want));
}

void checkFloat(DType dt, const char* op) {
  CINDER_CHECK(dt == DType::Float32 || dt == DType::Float64, op, ": not supported for dtype ", dtypeName(dt));
}

void checkAdaptive(const CudaPlanes& p, const char* op) {
  CINDER_CHECK((p.OH > 0 && p.OW > 0) || p.count == 0, op, ": output size must be positive");
  CINDER_CHECK((p.H > 0 && p.W > 0) || p.count == 0, op, ": input planes must not be empty");
}

void checkUpsample(const CudaPlanes& p, const char* op) {
  CINDER_CHECK(p.count == 0 || (p.H > 0 && p.W > 0 && p.OH > 0 && p.OW > 0), op,
               ": input and output sizes should be greater than 0, got input (", p.H, ", ", p.W, ") and output (",
               p.OH, ", ", p.OW, ")");
}

PoolGeometry readGeometry(FrameReader& r) {
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
Napi::Value maxPool2d(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2d";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc x, values, indices;
  r.tensorInto(x);
  const PoolGeometry g = readGeometry(r);
  r.outputInto(values);
  r.outputInto(indices);
  const CudaPlanes pl = planesOf(x, "input", values, "output", op);
  checkDType(values, x.dtype, op, "output");
  checkDType(indices, DType::Int64, op, "indices");
  CINDER_CHECK(indices.numel() == values.numel() && indices.isContiguous(), op, ": indices do not match the output");
  CINDER_CHECK(g.kH > 0 && g.kW > 0 && g.sH > 0 && g.sW > 0 && g.dH > 0 && g.dW > 0 && g.pH >= 0 && g.pW >= 0, op,
               ": invalid pooling geometry");
  checkFloat(x.dtype, op);
  cudaMaxPool2d(dev, x.dtype, x.data, values.data, indices.ptr<int64_t>(), pl, g, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: gradOutput, indices, gradInput spec.
Napi::Value maxPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2dBackward";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc g, indices, gi;
  r.tensorInto(g);
  r.tensorInto(indices);
  r.outputInto(gi);
  const CudaPlanes pl = planesOf(gi, "gradInput", g, "gradOutput", op, true);
  checkDType(gi, g.dtype, op, "gradInput");
  checkDType(indices, DType::Int64, op, "indices");
  CINDER_CHECK(indices.numel() == g.numel() && indices.isContiguous(), op, ": indices of shape ",
               indices.shapeString(), " do not match gradOutput ", g.shapeString());
  checkFloat(g.dtype, op);
  DeviceTemps temps(dev, op);
  void* flags = temps.bytes(16);
  cudaMaxPool2dBackward(dev, g.dtype, g.data, indices.ptr<int64_t>(), gi.data, pl, flags, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: x, geometry (8), countIncludePad, divisorOverride, out spec.
Napi::Value avgPool2d(const Napi::CallbackInfo& info) {
  const char* op = "avgPool2d";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc x, out;
  r.tensorInto(x);
  const PoolGeometry g = readGeometry(r);
  AvgPoolOptions o;
  o.countIncludePad = r.flag();
  o.divisorOverride = r.i64();
  r.outputInto(out);
  const CudaPlanes pl = planesOf(x, "input", out, "output", op);
  checkDType(out, x.dtype, op, "output");
  CINDER_CHECK(g.kH > 0 && g.kW > 0 && g.sH > 0 && g.sW > 0 && g.pH >= 0 && g.pW >= 0, op,
               ": invalid pooling geometry");
  checkFloat(x.dtype, op);
  cudaAvgPool2d(dev, x.dtype, x.data, out.data, pl, g, o, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: gradOutput, geometry (8), countIncludePad, divisorOverride, gradInput spec.
Napi::Value avgPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "avgPool2dBackward";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc g, gi;
  r.tensorInto(g);
  const PoolGeometry geo = readGeometry(r);
  AvgPoolOptions o;
  o.countIncludePad = r.flag();
  o.divisorOverride = r.i64();
  r.outputInto(gi);
  const CudaPlanes pl = planesOf(gi, "gradInput", g, "gradOutput", op, true);
  checkDType(gi, g.dtype, op, "gradInput");
  CINDER_CHECK(geo.kH > 0 && geo.kW > 0 && geo.sH > 0 && geo.sW > 0 && geo.pH >= 0 && geo.pW >= 0, op,
               ": invalid pooling geometry");
  checkFloat(g.dtype, op);
  cudaAvgPool2dBackward(dev, g.dtype, g.data, gi.data, pl, geo, o, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op code (0 average, 1 max), x, out spec, [indices spec when max].
Napi::Value adaptivePool2d(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const bool isMax = ctx->frame[0] == 1;
  const char* op = isMax ? "adaptiveMaxPool2d" : "adaptiveAvgPool2d";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(ctx, op, dev);
  r.i32();
  TensorDesc x, out, indices;
  r.tensorInto(x);
  r.outputInto(out);
  if (isMax) r.outputInto(indices);
  const CudaPlanes pl = planesOf(x, "input", out, "output", op);
  checkDType(out, x.dtype, op, "output");
  if (isMax) {
    checkDType(indices, DType::Int64, op, "indices");
    CINDER_CHECK(indices.numel() == out.numel() && indices.isContiguous(), op, ": indices do not match the output");
  }
  checkAdaptive(pl, op);
  checkFloat(x.dtype, op);
  if (isMax) cudaAdaptiveMaxPool2d(dev, x.dtype, x.data, out.data, indices.ptr<int64_t>(), pl, op);
  else cudaAdaptiveAvgPool2d(dev, x.dtype, x.data, out.data, pl, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: gradOutput, gradInput spec.
Napi::Value adaptiveAvgPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "adaptiveAvgPool2dBackward";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc g, gi;
  r.tensorInto(g);
  r.outputInto(gi);
  const CudaPlanes pl = planesOf(gi, "gradInput", g, "gradOutput", op, true);
  checkDType(gi, g.dtype, op, "gradInput");
  checkAdaptive(pl, op);
  checkFloat(g.dtype, op);
  cudaAdaptiveAvgPool2dBackward(dev, g.dtype, g.data, gi.data, pl, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

const char* upsampleName(int code, bool backward) {
  if (code == 0) return backward ? "upsampleNearest2dBackward" : "upsampleNearest2d";
  return backward ? "upsampleBilinear2dBackward" : "upsampleBilinear2d";
}

// frame: mode (0 nearest, 1 bilinear), x, alignCorners, scaleH, scaleW, out spec.
Napi::Value upsample2d(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code == 0 || code == 1, "upsample2d: unknown mode code ", code);
  const char* op = upsampleName(code, false);
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(ctx, op, dev);
  r.i32();
  TensorDesc x, out;
  r.tensorInto(x);
  const bool alignCorners = r.flag();
  const double sh = r.num(), sw = r.num();
  r.outputInto(out);
  const CudaPlanes pl = planesOf(x, "input", out, "output", op);
  checkDType(out, x.dtype, op, "output");
  checkUpsample(pl, op);
  if (pl.count > 0) {
    checkFloat(x.dtype, op);
    if (code == 0) cudaUpsampleNearest2d(dev, x.dtype, x.data, out.data, pl, sh, sw, op);
    else cudaUpsampleBilinear2d(dev, x.dtype, x.data, out.data, pl, alignCorners, sh, sw, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: mode, gradOutput, alignCorners, scaleH, scaleW, gradInput spec.
Napi::Value upsample2dBackward(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const int code = (int)ctx->frame[0];
  CINDER_CHECK(code == 0 || code == 1, "upsample2dBackward: unknown mode code ", code);
  const char* op = upsampleName(code, true);
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(ctx, op, dev);
  r.i32();
  TensorDesc g, gi;
  r.tensorInto(g);
  const bool alignCorners = r.flag();
  const double sh = r.num(), sw = r.num();
  r.outputInto(gi);
  const CudaPlanes pl = planesOf(gi, "gradInput", g, "gradOutput", op, true);
  checkDType(gi, g.dtype, op, "gradInput");
  checkUpsample(pl, op);
  if (pl.count > 0) {
    checkFloat(g.dtype, op);
    if (code == 0) cudaUpsampleNearest2dBackward(dev, g.dtype, g.data, gi.data, pl, sh, sw, op);
    else cudaUpsampleBilinear2dBackward(dev, g.dtype, g.data, gi.data, pl, alignCorners, sh, sw, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

PadMode readPadMode(FrameReader& r) {
  const int m = r.i32();
  CINDER_CHECK(m >= 0 && m <= 3, r.op(), ": unknown padding mode code ", m);
  return (PadMode)m;
}

void readBefore(FrameReader& r, int nd, int64_t* before) {
  const int n = r.i32();
  CINDER_CHECK(n == nd, r.op(), ": ", n, " padding entries for a tensor of ", nd, " dims");
  for (int i = 0; i < n; i++) before[i] = r.i64();
}

// The kernels' view of a padding, after the CPU's checks (every output index must read an input
// index in range, or be a constant pad). `strided`: the padded side's strides (backward) or the
// input's (forward).
CudaPadArgs padArgs(const TensorDesc& in, const TensorDesc& out, const int64_t* before, PadMode mode,
                    const TensorDesc& strided, const char* op) {
  CINDER_CHECK(in.ndim == out.ndim, op, ": input ", in.shapeString(), " and output ", out.shapeString(),
               " have different ranks");
  CudaPadArgs a;
  a.nd = in.ndim;
  a.mode = (int)mode;
  for (int d = 0; d < in.ndim; d++) {
    const int64_t n = in.shape[d], m = out.shape[d], b = before[d];
    for (int64_t o = 0; o < m; o++) {
      const int64_t i = padSourceIndex(o, b, n, m, (int)mode);
      CINDER_CHECK((i >= 0 && i < n) || (mode == PadMode::Constant && i == -1), op, ": padding of ", b,
                   " before a dim of size ", n, " is out of range for this mode (output size ", m, ")");
    }
    a.inShape[d] = n;
    a.outShape[d] = m;
    a.before[d] = b;
    a.strides[d] = strided.strides[d];
  }
  return a;
}

// The constant's bytes as the CPU's (T)value gives them.
uint64_t fillBits(DType dt, double value, const char* op) {
  uint64_t bits = 0;
  switch (dt) {
    case DType::Float32: {
      const float v = (float)value;
      std::memcpy(&bits, &v, sizeof(v));
      break;
    }
    case DType::Float64: std::memcpy(&bits, &value, sizeof(value)); break;
    case DType::Int32: {
      const int32_t v = (int32_t)value;
      std::memcpy(&bits, &v, sizeof(v));
      break;
    }
    case DType::Int64: {
      const int64_t v = (int64_t)value;
      std::memcpy(&bits, &v, sizeof(v));
      break;
    }
    case DType::Uint8:
    case DType::Bool: {
      const uint8_t v = (uint8_t)value;
      std::memcpy(&bits, &v, sizeof(v));
      break;
    }
    default: fail(op, ": not supported for dtype ", dtypeName(dt));
  }
  return bits;
}

// frame: x, mode, value, nd, before[nd], out spec.
Napi::Value pad(const Napi::CallbackInfo& info) {
  const char* op = "pad";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc x, out;
  r.tensorInto(x);
  const PadMode mode = readPadMode(r);
  const double value = r.num();
  int64_t before[kMaxDims];
  readBefore(r, x.ndim, before);
  r.outputInto(out);
  checkDType(out, x.dtype, op, "output");
  CINDER_CHECK(out.isContiguous(), op, ": output must be contiguous");
  CINDER_CHECK(x.ndim >= 1, op, ": cannot pad a 0-d tensor");
  if (out.numel() > 0) {
    const CudaPadArgs a = padArgs(x, out, before, mode, x, op);
    const uint64_t bits = fillBits(x.dtype, value, op);
    cudaPad(dev, (int)itemSize(x.dtype), a, x.data, out.data, bits, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: gradOutput, mode, nd, before[nd], gradInput spec.
Napi::Value padBackward(const Napi::CallbackInfo& info) {
  const char* op = "padBackward";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc g, gi;
  r.tensorInto(g);
  const PadMode mode = readPadMode(r);
  int64_t before[kMaxDims];
  readBefore(r, g.ndim, before);
  r.outputInto(gi);
  checkDType(gi, g.dtype, op, "gradInput");
  CINDER_CHECK(gi.isContiguous(), op, ": gradInput must be contiguous");
  CINDER_CHECK(gi.ndim >= 1, op, ": cannot pad a 0-d tensor");
  const CudaPadArgs a = padArgs(gi, g, before, mode, g, op);
  checkFloat(g.dtype, op);
  cudaPadBackward(dev, g.dtype, a, g.data, gi.data, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaMaxPool2d", maxPool2d);
CINDER_CUDA_BINDING("cudaMaxPool2dBackward", maxPool2dBackward);
CINDER_CUDA_BINDING("cudaAvgPool2d", avgPool2d);
CINDER_CUDA_BINDING("cudaAvgPool2dBackward", avgPool2dBackward);
CINDER_CUDA_BINDING("cudaAdaptivePool2d", adaptivePool2d);
CINDER_CUDA_BINDING("cudaAdaptiveAvgPool2dBackward", adaptiveAvgPool2dBackward);
CINDER_CUDA_BINDING("cudaUpsample2d", upsample2d);
CINDER_CUDA_BINDING("cudaUpsample2dBackward", upsample2dBackward);
CINDER_CUDA_BINDING("cudaPad", pad);
CINDER_CUDA_BINDING("cudaPadBackward", padBackward);

}  // namespace cinder
