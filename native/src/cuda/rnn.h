// CUDA recurrent layers (cpu/rnn.h is the twin: same operands, checks, outputs and workspace).
// Per time step one cudaGemm (h W_hh^T) and one fused gate kernel; the backward walks the steps
// in reverse the same way and forms the recurrent weight gradient with two GEMMs over all steps.
// Declared without CUDA headers.
#pragma once
#include "core/tensorDesc.h"
#include "cpu/rnn.h"

namespace cinder {

void cudaRnnLayerForward(int device, RnnMode mode, bool reverse, const TensorDesc& xProj, const TensorDesc& h0,
                         const TensorDesc* c0, const TensorDesc& wHh, const TensorDesc* bHh, const TensorDesc& out,
                         const TensorDesc& hN, const TensorDesc* cN, const TensorDesc& ws, const char* op);

void cudaRnnLayerBackward(int device, RnnMode mode, bool reverse, const TensorDesc* gOut, const TensorDesc* ghN,
                          const TensorDesc* gcN, const TensorDesc& h0, const TensorDesc* c0, const TensorDesc& wHh,
                          const TensorDesc* bHh, const TensorDesc& out, const TensorDesc& ws, const TensorDesc& gXProj,
                          const TensorDesc& gh0, const TensorDesc* gc0, const TensorDesc* gWhh, const TensorDesc* gbHh,
                          const char* op);

}  // namespace cinder
