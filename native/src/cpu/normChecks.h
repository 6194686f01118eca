// The operand checks and geometry of batch, layer and group norm (norm.h): host code that the CPU
// kernels (norm.cc) and the CUDA launchers (cuda/norm.cu) share, so both devices accept the same
// operands with the same messages. Each check returns the geometry its kernels run on.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "core/error.h"
#include "core/tensorDesc.h"

namespace cinder {

// Batch and group norm: x as [N, C, S] (S the product of the trailing dims).
struct NormNCS {
  int64_t N, C, S;
};
// Layer norm: x as M rows of K normalized elements.
struct NormMK {
  int64_t M, K;
};

namespace normChecks {

inline void checkVector(const TensorDesc* d, int64_t n, DType dt, const char* op, const char* what) {
  if (!d) return;
  CINDER_CHECK(d->ndim == 1 && d->shape[0] == n, op, ": ", what, " should have shape [", n, "], got ",
               d->shapeString());
  CINDER_CHECK(d->dtype == dt, op, ": ", what, " has dtype ", dtypeName(d->dtype), ", expected ", dtypeName(dt));
}

inline void checkLike(const TensorDesc& a, const TensorDesc& b, const char* op, const char* what) {
  CINDER_CHECK(a.ndim == b.ndim, op, ": ", what, " has shape ", a.shapeString(), ", expected ", b.shapeString());
  for (int i = 0; i < a.ndim; i++)
    CINDER_CHECK(a.shape[i] == b.shape[i], op, ": ", what, " has shape ", a.shapeString(), ", expected ",
                 b.shapeString());
  CINDER_CHECK(a.dtype == b.dtype, op, ": ", what, " has dtype ", dtypeName(a.dtype), ", expected ",
               dtypeName(b.dtype));
  CINDER_CHECK(a.isContiguous(), op, ": ", what, " must be contiguous");
}

inline void checkContiguousOut(const TensorDesc& d, int64_t n, DType dt, const char* op, const char* what) {
  CINDER_CHECK(d.numel() == n && d.isContiguous(), op, ": ", what, " should hold ", n, " contiguous elements");
  CINDER_CHECK(d.dtype == dt, op, ": ", what, " has dtype ", dtypeName(d.dtype), ", expected ", dtypeName(dt));
}

inline NormNCS ncsOf(const TensorDesc& x, const char* op) {
  CINDER_CHECK(x.ndim >= 2, op, ": expected an input of at least 2 dims, got shape ", x.shapeString());
  CINDER_CHECK(x.isContiguous(), op, ": input must be contiguous");
  NormNCS r{x.shape[0], x.shape[1], 1};
  for (int i = 2; i < x.ndim; i++) r.S *= x.shape[i];
  return r;
}

inline NormMK mkOf(const TensorDesc& x, const TensorDesc& mean, const char* op) {
  CINDER_CHECK(x.isContiguous(), op, ": input must be contiguous");
  const int64_t M = mean.numel();
  const int64_t n = x.numel();
  CINDER_CHECK(M >= 0 && (M == 0 ? n == 0 : n % M == 0), op, ": ", M, " rows do not divide an input of shape ",
               x.shapeString());
  return {M, M == 0 ? 0 : n / M};
}

inline void checkGroups(const NormNCS& d, int64_t groups, const char* op) {
  CINDER_CHECK(groups > 0 && d.C % groups == 0, op, ": expected the number of channels ", d.C,
               " to be divisible by num_groups ", groups);
}

}  // namespace normChecks

inline NormNCS checkBatchNormForward(const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias,
                                     const TensorDesc* runningMean, const TensorDesc* runningVar, bool training,
                                     const TensorDesc& out, const TensorDesc& saveMean, const TensorDesc& saveInvstd,
                                     const char* op) {
  using namespace normChecks;
  const NormNCS d = ncsOf(x, op);
  checkLike(out, x, op, "output");
  checkVector(weight, d.C, x.dtype, op, "weight");
  checkVector(bias, d.C, x.dtype, op, "bias");
  checkVector(runningMean, d.C, x.dtype, op, "running_mean");
  checkVector(runningVar, d.C, x.dtype, op, "running_var");
  checkContiguousOut(saveMean, d.C, x.dtype, op, "save_mean");
  checkContiguousOut(saveInvstd, d.C, x.dtype, op, "save_invstd");
  CINDER_CHECK(training || (runningMean && runningVar), op, ": running_mean and running_var are required in evaluation");
  return d;
}

inline NormNCS checkBatchNormBackward(const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                                      const TensorDesc& saveMean, const TensorDesc& saveInvstd,
                                      const TensorDesc* gradInput, const TensorDesc* gradWeight,
                                      const TensorDesc* gradBias, const char* op) {
  using namespace normChecks;
  const NormNCS d = ncsOf(x, op);
  checkLike(gradOut, x, op, "grad_output");
  if (gradInput) checkLike(*gradInput, x, op, "grad_input");
  checkVector(weight, d.C, x.dtype, op, "weight");
  checkVector(&saveMean, d.C, x.dtype, op, "save_mean");
  checkVector(&saveInvstd, d.C, x.dtype, op, "save_invstd");
  if (gradWeight) checkContiguousOut(*gradWeight, d.C, x.dtype, op, "grad_weight");
  if (gradBias) checkContiguousOut(*gradBias, d.C, x.dtype, op, "grad_bias");
  return d;
}

inline NormMK checkLayerNormForward(const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias,
                                    const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd,
                                    const char* op) {
  using namespace normChecks;
  const NormMK d = mkOf(x, mean, op);
  checkLike(out, x, op, "output");
  checkContiguousOut(mean, d.M, x.dtype, op, "mean");
  checkContiguousOut(rstd, d.M, x.dtype, op, "rstd");
  if (weight) CINDER_CHECK(weight->numel() == d.K && weight->isContiguous() && weight->dtype == x.dtype, op,
                           ": weight does not match the normalized shape");
  if (bias) CINDER_CHECK(bias->numel() == d.K && bias->isContiguous() && bias->dtype == x.dtype, op,
                         ": bias does not match the normalized shape");
  return d;
}

inline NormMK checkLayerNormBackward(const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                                     const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput,
                                     const TensorDesc* gradWeight, const TensorDesc* gradBias, const char* op) {
  using namespace normChecks;
  const NormMK d = mkOf(x, mean, op);
  checkLike(gradOut, x, op, "grad_output");
  if (gradInput) checkLike(*gradInput, x, op, "grad_input");
  CINDER_CHECK(mean.isContiguous() && rstd.isContiguous() && rstd.numel() == d.M && mean.dtype == x.dtype &&
                   rstd.dtype == x.dtype,
               op, ": mean and rstd do not match the input");
  if (weight) CINDER_CHECK(weight->numel() == d.K && weight->isContiguous() && weight->dtype == x.dtype, op,
                           ": weight does not match the normalized shape");
  if (gradWeight) checkContiguousOut(*gradWeight, d.K, x.dtype, op, "grad_weight");
  if (gradBias) checkContiguousOut(*gradBias, d.K, x.dtype, op, "grad_bias");
  return d;
}

inline NormNCS checkGroupNormForward(const TensorDesc& x, int64_t groups, const TensorDesc* weight,
                                     const TensorDesc* bias, const TensorDesc& out, const TensorDesc& mean,
                                     const TensorDesc& rstd, const char* op) {
  using namespace normChecks;
  const NormNCS d = ncsOf(x, op);
  checkGroups(d, groups, op);
  checkLike(out, x, op, "output");
  checkVector(weight, d.C, x.dtype, op, "weight");
  checkVector(bias, d.C, x.dtype, op, "bias");
  checkContiguousOut(mean, d.N * groups, x.dtype, op, "mean");
  checkContiguousOut(rstd, d.N * groups, x.dtype, op, "rstd");
  return d;
}

inline NormNCS checkGroupNormBackward(const TensorDesc& gradOut, const TensorDesc& x, int64_t groups,
                                      const TensorDesc* weight, const TensorDesc& mean, const TensorDesc& rstd,
                                      const TensorDesc* gradInput, const TensorDesc* gradWeight,
                                      const TensorDesc* gradBias, const char* op) {
  using namespace normChecks;
  const NormNCS d = ncsOf(x, op);
  checkGroups(d, groups, op);
  checkLike(gradOut, x, op, "grad_output");
  if (gradInput) checkLike(*gradInput, x, op, "grad_input");
  checkVector(weight, d.C, x.dtype, op, "weight");
  CINDER_CHECK(mean.isContiguous() && rstd.isContiguous() && mean.numel() == d.N * groups &&
                   rstd.numel() == d.N * groups && mean.dtype == x.dtype && rstd.dtype == x.dtype,
               op, ": mean and rstd do not match the input");
  if (gradWeight) checkContiguousOut(*gradWeight, d.C, x.dtype, op, "grad_weight");
  if (gradBias) checkContiguousOut(*gradBias, d.C, x.dtype, op, "grad_bias");
  return d;
}

}  // namespace cinder
