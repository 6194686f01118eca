// CUDA elementwise bindings: the same frame layouts as the CPU elementwise and copy bindings
// (so TS writes operands once and only picks the entry point), plus the device index as the one
// JS argument. Op codes are the CPU's (cpu/elementwise.h): one table, no drift.
//
// Operands of another dtype are cast into contiguous device temporaries; JS numbers travel by
// value in the kernel's arguments; an output of another dtype is written through a temporary.
#include <cstring>

#include "binding/elementwiseFrame.h"
#include "binding/scalarOperand.h"
#include "binding/cuda/common.h"
#include "core/elementwiseIter.h"
#include "cuda/cudaDevice.h"
#include "cuda/cudaElementwise.h"

namespace cinder {
namespace {

// Builds the launch description of operands[0..count) (operands[0] the output); bit k of
// scalarMask marks operand k as a by-value number whose bytes are at operands[k]->data (host).
void buildIter(const char* op, const TensorDesc* const* operands, int count, uint32_t scalarMask, CudaIterArgs& it) {
  CINDER_CHECK(count <= kCudaMaxOperands, op, ": internal error: ", count, " operands");
  ElementwiseIter e(op, operands, count);
  it.ndim = e.ndim();
  it.nops = count;
  it.numel = e.numel();
  it.scalarMask = scalarMask;
  for (int d = 0; d < it.ndim; d++) it.shape[d] = e.shapeAt(d);
  for (int k = 0; k < count; k++) {
    for (int d = 0; d < it.ndim; d++) it.strides[k][d] = e.strideAt(k, d);
    it.data[k] = e.dataAt(k);
    std::memset(it.scalar[k], 0, 8);
    if (scalarMask & (1u << k)) std::memcpy(it.scalar[k], operands[k]->data, itemSize(operands[k]->dtype));
  }
}

void copyOnDevice(int device, const TensorDesc& dst, const TensorDesc& src, uint32_t srcIsScalar, const char* op) {
  const TensorDesc* ops[2] = {&dst, &src};
  CudaIterArgs it;
  buildIter(op, ops, 2, srcIsScalar ? 2u : 0u, it);
  cudaLaunchCopyCast(device, dst.dtype, src.dtype, it, op);
}

TensorDesc castTo(int device, const TensorDesc& d, DType dt, DeviceTemps& temps, const char* op) {
  if (d.dtype == dt) return d;
  TensorDesc t = temps.make(dt, d.shape, d.ndim);
  copyOnDevice(device, t, d, 0, op);
  return t;
}

// frame: kind (0 tensor, 1 number), then the tensor or the number; cast to dt. Returns whether
// the operand is a by-value number.
bool readOperand(FrameReader& r, int device, DType dt, ScalarBuf& buf, DeviceTemps& temps, const char* op,
                 TensorDesc& d) {
  int kind = r.i32();
  if (kind == 1) {
    scalarInto(r.num(), dt, buf.bytes, d);
    return true;
  }
  r.tensorInto(d);
  if (d.dtype != dt) d = castTo(device, d, dt, temps, op);
  return false;
}

template <typename Body>
void throughOutput(int device, const TensorDesc& out, DType rdt, DeviceTemps& temps, const char* op, Body body) {
  if (out.dtype == rdt) {
    body(out);
    return;
  }
  TensorDesc t = temps.make(rdt, out.shape, out.ndim);
  body(t);
  copyOnDevice(device, out, t, 0, op);
}

// frame: code, p0, p1, p2, computeDtype, input tensor, out.
Napi::Value unary(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "unary");
  FrameReader r(contextOf(info), "unary", dev);
  int code = readCode(r, (int)UnaryOp::kCount);
  const char* name = kUnaryNames[code];
  double params[3];
  for (double& v : params) v = r.num();
  DType cdt = r.dtype();
  DeviceTemps temps(dev, name);
  TensorDesc in, out;
  r.tensorInto(in);
  if (in.dtype != cdt) in = castTo(dev, in, cdt, temps, name);
  readOut(r, out);
  UnaryOp op = (UnaryOp)code;
  DType rdt = unaryIsPredicate(op) ? DType::Bool : cdt;
  throughOutput(dev, out, rdt, temps, name, [&](const TensorDesc& o) {
    const TensorDesc* ops[2] = {&o, &in};
    CudaIterArgs it;
    buildIter(name, ops, 2, 0, it);
    cudaLaunchUnary(dev, op, cdt, it, params, name);
  });
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: code, alpha, computeDtype, operand a, operand b, out.
Napi::Value binary(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "binary");
  FrameReader r(contextOf(info), "binary", dev);
  int code = readCode(r, (int)BinaryOp::kCount);
  const char* name = kBinaryNames[code];
  if (code == (int)BinaryOp::divTrunc || code == (int)BinaryOp::divFloor) name = "div";
  double alpha = r.num();
  DType cdt = r.dtype();
  DeviceTemps temps(dev, name);
  ScalarBuf sa, sb;
  TensorDesc a, b, out;
  uint32_t mask = 0;
  if (readOperand(r, dev, cdt, sa, temps, name, a)) mask |= 2u;
  if (readOperand(r, dev, cdt, sb, temps, name, b)) mask |= 4u;
  readOut(r, out);
  BinaryOp op = (BinaryOp)code;
  DType rdt = binaryIsPredicate(op) ? DType::Bool : cdt;
  throughOutput(dev, out, rdt, temps, name, [&](const TensorDesc& o) {
    const TensorDesc* ops[3] = {&o, &a, &b};
    CudaIterArgs it;
    buildIter(name, ops, 3, mask, it);
    cudaLaunchBinary(dev, op, cdt, it, alpha, name);
  });
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: code, computeDtype, operand x (where: the bool condition), operand a, operand b, out.
Napi::Value ternary(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "ternary");
  FrameReader r(contextOf(info), "ternary", dev);
  int code = readCode(r, (int)TernaryOp::kCount);
  const char* name = kTernaryNames[code];
  DType cdt = r.dtype();
  TernaryOp op = (TernaryOp)code;
  DeviceTemps temps(dev, name);
  ScalarBuf sx, sa, sb;
  TensorDesc x, a, b, out;
  uint32_t mask = 0;
  if (readOperand(r, dev, op == TernaryOp::where ? DType::Bool : cdt, sx, temps, name, x)) mask |= 2u;
  if (readOperand(r, dev, cdt, sa, temps, name, a)) mask |= 4u;
  if (readOperand(r, dev, cdt, sb, temps, name, b)) mask |= 8u;
  readOut(r, out);
  throughOutput(dev, out, cdt, temps, name, [&](const TensorDesc& o) {
    const TensorDesc* ops[4] = {&o, &x, &a, &b};
    CudaIterArgs it;
    buildIter(name, ops, 4, mask, it);
    cudaLaunchTernary(dev, op, cdt, it, name);
  });
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: src tensor, then dst: an existing tensor (copy_: dst <- src, broadcast) or an output spec
// (contiguous: a fresh contiguous copy, possibly of another dtype); dtypes are converted.
Napi::Value copyTo(const Napi::CallbackInfo& info, const char* op, bool fresh) {
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  TensorDesc src, dst;
  r.tensorInto(src);
  if (fresh) r.outputInto(dst);
  else r.tensorInto(dst);
  copyOnDevice(dev, dst, src, 0, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value copyInto(const Napi::CallbackInfo& info) { return copyTo(info, "copy_", false); }
Napi::Value copyNew(const Napi::CallbackInfo& info) { return copyTo(info, "contiguous", true); }

// frame: dst tensor, value. Every element of dst <- value (converted as the CPU's fill does).
Napi::Value fill(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "fill_");
  FrameReader r(contextOf(info), "fill_", dev);
  TensorDesc dst;
  r.tensorInto(dst);
  double v = r.num();
  ScalarBuf buf;
  TensorDesc src;
  scalarInto(v, DType::Float64, buf.bytes, src);
  copyOnDevice(dev, dst, src, 1, "fill_");
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaEwUnary", unary);
CINDER_CUDA_BINDING("cudaEwBinary", binary);
CINDER_CUDA_BINDING("cudaEwTernary", ternary);
CINDER_CUDA_BINDING("cudaCopyInto", copyInto);
CINDER_CUDA_BINDING("cudaCopyNew", copyNew);
CINDER_CUDA_BINDING("cudaFill", fill);

}  // namespace cinder
