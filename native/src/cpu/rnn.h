// Recurrent layers over a whole sequence, one direction of one layer per call: the Elman RNN
// (tanh or relu), the LSTM and the GRU, with PyTorch's gate order and formulas. The input
// projection x W_ih^T + b_ih of every time step is computed by the caller in one GEMM; a call here
// runs the recurrence: per time step one GEMM h W_hh^T and one fused pass over the gates. The
// forward saves the activated gates in a workspace, and the backward walks the steps in reverse,
// then forms the recurrent weight gradient in one GEMM over all steps.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {

enum class RnnMode : int { Tanh = 0, Relu = 1, Lstm = 2, Gru = 3 };

// Gates per hidden unit: 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n).
int rnnGateCount(RnnMode mode);
// Workspace values per (step, batch row): 0 (RNN), 5H (LSTM: i, f, g, o activated, then c),
// 4H (GRU: r, z, n activated, then W_hn h + b_hn).
int64_t rnnWorkspaceWidth(RnnMode mode, int64_t hidden);

// xProj [T, N, G*H], h0 [N, H], c0 [N, H] (LSTM only, else null), wHh [G*H, H], bHh [G*H] or null;
// all contiguous, one floating dtype. Outputs: out [T, N, H] (h of every step, in time order),
// hN [N, H], cN [N, H] (LSTM only), ws [T, N, W]. `reverse` runs the steps from T-1 down to 0.
void rnnLayerForward(RnnMode mode, bool reverse, const TensorDesc& xProj, const TensorDesc& h0, const TensorDesc* c0,
                     const TensorDesc& wHh, const TensorDesc* bHh, const TensorDesc& out, const TensorDesc& hN,
                     const TensorDesc* cN, const TensorDesc& ws, const char* op);

// Gradients of rnnLayerForward. gOut [T, N, H], ghN, gcN [N, H] may each be null (zero). Outputs:
// gXProj [T, N, G*H] (always), gh0 [N, H] (always), gc0 [N, H] (LSTM only), gWhh [G*H, H] and
// gbHh [G*H] (each null when not wanted).
void rnnLayerBackward(RnnMode mode, bool reverse, const TensorDesc* gOut, const TensorDesc* ghN, const TensorDesc* gcN,
                      const TensorDesc& h0, const TensorDesc* c0, const TensorDesc& wHh, const TensorDesc* bHh,
                      const TensorDesc& out, const TensorDesc& ws, const TensorDesc& gXProj, const TensorDesc& gh0,
                      const TensorDesc* gc0, const TensorDesc* gWhh, const TensorDesc* gbHh, const char* op);

}  // namespace cinder
