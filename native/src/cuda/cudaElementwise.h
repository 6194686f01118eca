// The CUDA elementwise iteration: what the binding hands to the .cu launchers. It is built on
// the host by the same broadcasting/coalescing helper as the CPU kernels (ElementwiseIter), so
// both devices agree on shapes, broadcasting and errors. No CUDA headers here.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "core/tensorDesc.h"
#include "cpu/elementwise.h"

namespace cinder {

constexpr int kCudaMaxOperands = 4;  // the output and up to three inputs

struct CudaIterArgs {
  int ndim = 0;  // after coalescing; 0 for a single element
  int nops = 0;
  int64_t numel = 0;
  int64_t shape[kMaxDims];
  int64_t strides[kCudaMaxOperands][kMaxDims];  // bytes
  char* data[kCudaMaxOperands];
  // Operands passed by value (JS numbers): bit k set means operand k is the 8 bytes scalar[k].
  uint32_t scalarMask = 0;
  alignas(8) unsigned char scalar[kCudaMaxOperands][8];
};

// out = op(in) with in of compute dtype `dt`; out has dt, or bool for predicates.
void cudaLaunchUnary(int device, UnaryOp op, DType dt, const CudaIterArgs& it, const double* params, const char* name);
// out = op(a, b), alpha scaling b for add/sub.
void cudaLaunchBinary(int device, BinaryOp op, DType dt, const CudaIterArgs& it, double alpha, const char* name);
// where(cond, a, b) (cond bool), lerp, clamp: dt is the dtype of a, b and out.
void cudaLaunchTernary(int device, TernaryOp op, DType dt, const CudaIterArgs& it, const char* name);
// dst (operand 0, dtype dstType) <- src (operand 1, dtype srcType), converting.
void cudaLaunchCopyCast(int device, DType dstType, DType srcType, const CudaIterArgs& it, const char* name);

}  // namespace cinder
