// CUDA pooling, upsampling and padding bindings: the same frames, checks (with the CPU's
// messages) and outputs as binding/pool.cc and cpu/pool.cc, plus the device index.
#include <cstring>

#include "binding/cuda/common.h"
#include "binding/poolFrame.h"
#include "cpu/pool.h"
#include "cpu/poolPlanes.h"
#include "cuda/pool.h"

namespace cinder {
namespace {

// The planes of an op whose frame input is `in` (x, or gradOutput when `backward`) and frame output
// `out` (the output, or gradInput), checked in the CPU's order (the frame input first), then the
// output's dtype against the input's. (H, W) is the forward input's plane, (OH, OW) the output's.
CudaPlanes planesOf(const TensorDesc& in, const TensorDesc& out, const char* op, bool backward) {
  const char* outWhat = backward ? "gradInput" : "output";
  const PoolPlanes a = poolPlanesOf(in, op, backward ? "gradOutput" : "input");
  const PoolPlanes b = poolPlanesOf(out, op, outWhat);
  checkSamePoolPlanes(a, b, in, out, op);
  checkPoolDType(out, in.dtype, op, outWhat);
  const PoolPlanes& fin = backward ? b : a;
  const PoolPlanes& fout = backward ? a : b;
  CudaPlanes p;
  p.count = fin.count;
  p.H = fin.H;
  p.W = fin.W;
  p.OH = fout.H;
  p.OW = fout.W;
  return p;
}

void checkFloat(DType dt, const char* op) {
  CINDER_CHECK(dt == DType::Float32 || dt == DType::Float64, op, ": not supported for dtype ", dtypeName(dt));
}

void checkIndices(const TensorDesc& indices, const char* op) {
  checkPoolDType(indices, DType::Int64, op, "indices");
}

void checkGeometry(const PoolGeometry& g, bool dilated, const char* op) {
  CINDER_CHECK(g.kH > 0 && g.kW > 0 && g.sH > 0 && g.sW > 0 && (!dilated || (g.dH > 0 && g.dW > 0)) && g.pH >= 0 &&
                   g.pW >= 0,
               op, ": invalid pooling geometry");
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

Napi::Value maxPool2d(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2d";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  MaxPool2dFrame f;
  readMaxPool2d(r, f);
  const CudaPlanes pl = planesOf(f.x, f.values, op, false);
  checkIndices(f.indices, op);
  CINDER_CHECK(f.indices.numel() == f.values.numel() && f.indices.isContiguous(), op,
               ": indices do not match the output");
  checkGeometry(f.g, true, op);
  checkFloat(f.x.dtype, op);
  cudaMaxPool2d(dev, f.x.dtype, f.x.data, f.values.data, f.indices.ptr<int64_t>(), pl, f.g, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value maxPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2dBackward";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  MaxPool2dBackwardFrame f;
  readMaxPool2dBackward(r, f);
  const CudaPlanes pl = planesOf(f.g, f.gi, op, true);
  checkIndices(f.indices, op);
  CINDER_CHECK(f.indices.numel() == f.g.numel() && f.indices.isContiguous(), op, ": indices of shape ",
               f.indices.shapeString(), " do not match gradOutput ", f.g.shapeString());
  checkFloat(f.g.dtype, op);
  DeviceTemps temps(dev, op);
  void* flags = temps.bytes(16);
  cudaMaxPool2dBackward(dev, f.g.dtype, f.g.data, f.indices.ptr<int64_t>(), f.gi.data, pl, flags, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// avgPool2d, or avgPool2dBackward when `backward`.
Napi::Value avgPool(const Napi::CallbackInfo& info, bool backward) {
  const char* op = backward ? "avgPool2dBackward" : "avgPool2d";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  AvgPool2dFrame f;
  readAvgPool2d(r, f);
  const CudaPlanes pl = planesOf(f.in, f.out, op, backward);
  checkGeometry(f.g, false, op);
  checkFloat(f.in.dtype, op);
  if (backward) cudaAvgPool2dBackward(dev, f.in.dtype, f.in.data, f.out.data, pl, f.g, f.o, op);
  else cudaAvgPool2d(dev, f.in.dtype, f.in.data, f.out.data, pl, f.g, f.o, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value avgPool2d(const Napi::CallbackInfo& info) { return avgPool(info, false); }
Napi::Value avgPool2dBackward(const Napi::CallbackInfo& info) { return avgPool(info, true); }

Napi::Value adaptivePool2d(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const bool isMax = adaptivePoolIsMax(ctx);
  const char* op = adaptivePoolName(isMax);
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(ctx, op, dev);
  AdaptivePool2dFrame f;
  readAdaptivePool2d(r, isMax, f);
  const CudaPlanes pl = planesOf(f.x, f.out, op, false);
  if (isMax) {
    checkIndices(f.indices, op);
    CINDER_CHECK(f.indices.numel() == f.out.numel() && f.indices.isContiguous(), op,
                 ": indices do not match the output");
  }
  checkAdaptive(pl, op);
  checkFloat(f.x.dtype, op);
  if (isMax) cudaAdaptiveMaxPool2d(dev, f.x.dtype, f.x.data, f.out.data, f.indices.ptr<int64_t>(), pl, op);
  else cudaAdaptiveAvgPool2d(dev, f.x.dtype, f.x.data, f.out.data, pl, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value adaptiveAvgPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "adaptiveAvgPool2dBackward";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  GradFrame f;
  readGrad(r, f);
  const CudaPlanes pl = planesOf(f.g, f.gi, op, true);
  checkAdaptive(pl, op);
  checkFloat(f.g.dtype, op);
  cudaAdaptiveAvgPool2dBackward(dev, f.g.dtype, f.g.data, f.gi.data, pl, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// upsample2d, or upsample2dBackward when `backward`.
Napi::Value upsample(const Napi::CallbackInfo& info, bool backward) {
  Context* ctx = contextOf(info);
  const int code = upsampleCode(ctx, backward);
  const char* op = upsampleName(code, backward);
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(ctx, op, dev);
  Upsample2dFrame f;
  readUpsample2d(r, f);
  const CudaPlanes pl = planesOf(f.in, f.out, op, backward);
  checkUpsample(pl, op);
  if (pl.count > 0) {
    checkFloat(f.in.dtype, op);
    const DType dt = f.in.dtype;
    if (!backward && code == 0) cudaUpsampleNearest2d(dev, dt, f.in.data, f.out.data, pl, f.sh, f.sw, op);
    else if (!backward) cudaUpsampleBilinear2d(dev, dt, f.in.data, f.out.data, pl, f.alignCorners, f.sh, f.sw, op);
    else if (code == 0) cudaUpsampleNearest2dBackward(dev, dt, f.in.data, f.out.data, pl, f.sh, f.sw, op);
    else cudaUpsampleBilinear2dBackward(dev, dt, f.in.data, f.out.data, pl, f.alignCorners, f.sh, f.sw, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value upsample2d(const Napi::CallbackInfo& info) { return upsample(info, false); }
Napi::Value upsample2dBackward(const Napi::CallbackInfo& info) { return upsample(info, true); }

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

// The bytes of `v`, zero-extended to 64 bits.
template <typename T>
uint64_t bitsOf(T v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(v));
  return bits;
}

// The constant's bytes as the CPU's (T)value gives them.
uint64_t fillBits(DType dt, double value, const char* op) {
  switch (dt) {
    case DType::Float32: return bitsOf((float)value);
    case DType::Float64: return bitsOf(value);
    case DType::Int32: return bitsOf((int32_t)value);
    case DType::Int64: return bitsOf((int64_t)value);
    case DType::Uint8:
    case DType::Bool: return bitsOf((uint8_t)value);
    default: fail(op, ": not supported for dtype ", dtypeName(dt));
  }
  return 0;
}

Napi::Value pad(const Napi::CallbackInfo& info) {
  const char* op = "pad";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  PadFrame f;
  readPad(r, false, f);
  const TensorDesc &x = f.in, &out = f.out;
  checkPoolDType(out, x.dtype, op, "output");
  CINDER_CHECK(out.isContiguous(), op, ": output must be contiguous");
  CINDER_CHECK(x.ndim >= 1, op, ": cannot pad a 0-d tensor");
  if (out.numel() > 0) {
    const CudaPadArgs a = padArgs(x, out, f.before, f.mode, x, op);
    const uint64_t bits = fillBits(x.dtype, f.value, op);
    cudaPad(dev, (int)itemSize(x.dtype), a, x.data, out.data, bits, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value padBackward(const Napi::CallbackInfo& info) {
  const char* op = "padBackward";
  const int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  PadFrame f;
  readPad(r, true, f);
  const TensorDesc &g = f.in, &gi = f.out;
  checkPoolDType(gi, g.dtype, op, "gradInput");
  CINDER_CHECK(gi.isContiguous(), op, ": gradInput must be contiguous");
  CINDER_CHECK(gi.ndim >= 1, op, ": cannot pad a 0-d tensor");
  const CudaPadArgs a = padArgs(gi, g, f.before, f.mode, g, op);
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
