// The operand checks and geometry of the recurrent layers (rnn.h): host code that the CPU kernels
// (rnn.cc) and the CUDA launchers (cuda/rnn.cu) share, so both devices accept the same operands
// with the same messages. Each check returns the geometry its kernels run on.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>

#include "core/dtype.h"
#include "core/error.h"
#include "core/tensorDesc.h"
#include "cpu/rnn.h"

namespace cinder {

// T steps, N batch rows, H hidden units, G gates (GH = G * H), W workspace columns per row.
struct RnnDims {
  int64_t T, N, H, G, GH, W;
};

namespace rnnChecks {

inline void checkShape(const TensorDesc& d, std::initializer_list<int64_t> shape, DType dt, const char* op,
                       const char* what, bool contiguous = true) {
  bool ok = d.ndim == (int)shape.size();
  int i = 0;
  for (int64_t s : shape) {
    if (!ok) break;
    ok = d.shape[i++] == s;
  }
  std::string want = "[";
  i = 0;
  for (int64_t s : shape) want += (i++ ? ", " : "") + std::to_string(s);
  want += "]";
  CINDER_CHECK(ok, op, ": ", what, " has shape ", d.shapeString(), ", expected ", want);
  CINDER_CHECK(d.dtype == dt, op, ": ", what, " has dtype ", dtypeName(d.dtype), ", expected ", dtypeName(dt));
  CINDER_CHECK(!contiguous || d.isContiguous(), op, ": ", what, " must be contiguous");
}

inline RnnDims dimsOf(RnnMode mode, const TensorDesc& xProj, const TensorDesc& h0, const char* op) {
  CINDER_CHECK(xProj.ndim == 3, op, ": expected a 3-d input projection [T, N, G*H], got ", xProj.shapeString());
  CINDER_CHECK(h0.ndim == 2, op, ": expected a 2-d hidden state [N, H], got ", h0.shapeString());
  RnnDims d;
  d.T = xProj.shape[0];
  d.N = xProj.shape[1];
  d.H = h0.shape[1];
  d.G = rnnGateCount(mode);
  d.GH = d.G * d.H;
  d.W = rnnWorkspaceWidth(mode, d.H);
  CINDER_CHECK(d.T >= 1, op, ": expected a sequence of at least one step, got ", xProj.shapeString());
  CINDER_CHECK(xProj.shape[2] == d.GH, op, ": input projection ", xProj.shapeString(), " does not match ", d.G,
               " gates of hidden size ", d.H);
  return d;
}

}  // namespace rnnChecks

// The operands of rnnLayerForward (same parameters).
inline RnnDims checkRnnLayerForward(RnnMode mode, const TensorDesc& xProj, const TensorDesc& h0, const TensorDesc* c0,
                                    const TensorDesc& wHh, const TensorDesc* bHh, const TensorDesc& out,
                                    const TensorDesc& hN, const TensorDesc* cN, const TensorDesc& ws, const char* op) {
  using namespace rnnChecks;
  const RnnDims d = dimsOf(mode, xProj, h0, op);
  const DType dt = xProj.dtype;
  const bool lstm = mode == RnnMode::Lstm;
  checkShape(xProj, {d.T, d.N, d.GH}, dt, op, "input projection");
  checkShape(h0, {d.N, d.H}, dt, op, "hx");
  CINDER_CHECK(lstm == (c0 != nullptr) && lstm == (cN != nullptr), op, ": a cell state goes with the LSTM only");
  if (c0) checkShape(*c0, {d.N, d.H}, dt, op, "cx");
  checkShape(wHh, {d.GH, d.H}, dt, op, "weight_hh");
  if (bHh) checkShape(*bHh, {d.GH}, dt, op, "bias_hh");
  checkShape(out, {d.T, d.N, d.H}, dt, op, "output");
  checkShape(hN, {d.N, d.H}, dt, op, "h_n");
  if (cN) checkShape(*cN, {d.N, d.H}, dt, op, "c_n");
  checkShape(ws, {d.T, d.N, d.W}, dt, op, "workspace");
  return d;
}

// The operands of rnnLayerBackward (same parameters).
inline RnnDims checkRnnLayerBackward(RnnMode mode, const TensorDesc* gOut, const TensorDesc* ghN,
                                     const TensorDesc* gcN, const TensorDesc& h0, const TensorDesc* c0,
                                     const TensorDesc& wHh, const TensorDesc* bHh, const TensorDesc& out,
                                     const TensorDesc& ws, const TensorDesc& gXProj, const TensorDesc& gh0,
                                     const TensorDesc* gc0, const TensorDesc* gWhh, const TensorDesc* gbHh,
                                     const char* op) {
  using namespace rnnChecks;
  const RnnDims d = dimsOf(mode, gXProj, h0, op);
  const DType dt = h0.dtype;
  const bool lstm = mode == RnnMode::Lstm;
  checkShape(gXProj, {d.T, d.N, d.GH}, dt, op, "input projection gradient");
  checkShape(h0, {d.N, d.H}, dt, op, "hx");
  CINDER_CHECK(lstm == (c0 != nullptr) && lstm == (gc0 != nullptr), op, ": a cell state goes with the LSTM only");
  CINDER_CHECK(lstm || gcN == nullptr, op, ": a cell state goes with the LSTM only");
  if (c0) checkShape(*c0, {d.N, d.H}, dt, op, "cx");
  checkShape(wHh, {d.GH, d.H}, dt, op, "weight_hh");
  if (bHh) checkShape(*bHh, {d.GH}, dt, op, "bias_hh");
  checkShape(out, {d.T, d.N, d.H}, dt, op, "output");
  checkShape(ws, {d.T, d.N, d.W}, dt, op, "workspace");
  // The output gradient may have any strides (a sum's gradient arrives expanded, with stride 0).
  if (gOut) checkShape(*gOut, {d.T, d.N, d.H}, dt, op, "output gradient", false);
  if (ghN) checkShape(*ghN, {d.N, d.H}, dt, op, "h_n gradient");
  if (gcN) checkShape(*gcN, {d.N, d.H}, dt, op, "c_n gradient");
  checkShape(gh0, {d.N, d.H}, dt, op, "hx gradient");
  if (gc0) checkShape(*gc0, {d.N, d.H}, dt, op, "cx gradient");
  if (gWhh) checkShape(*gWhh, {d.GH, d.H}, dt, op, "weight_hh gradient");
  if (gbHh) checkShape(*gbHh, {d.GH}, dt, op, "bias_hh gradient");
  return d;
}

}  // namespace cinder
