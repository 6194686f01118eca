// The plane view of the pooling and upsampling operands (see pool.h) and the checks the kernels of
// both devices make on them, with the same messages.
#pragma once
#include <cstdint>

#include "core/error.h"
#include "core/tensorDesc.h"

namespace cinder {

struct PoolPlanes {
  int64_t count, H, W;
};

// `what` names the operand in messages; it must have at least 2 dims and be contiguous.
inline PoolPlanes poolPlanesOf(const TensorDesc& t, const char* op, const char* what) {
  CINDER_CHECK(t.ndim >= 2, op, ": ", what, " must have at least 2 dims, got shape ", t.shapeString());
  CINDER_CHECK(t.isContiguous(), op, ": ", what, " must be contiguous");
  PoolPlanes p;
  p.H = t.shape[t.ndim - 2];
  p.W = t.shape[t.ndim - 1];
  p.count = 1;
  for (int i = 0; i < t.ndim - 2; i++) p.count *= t.shape[i];
  return p;
}

inline void checkSamePoolPlanes(const PoolPlanes& a, const PoolPlanes& b, const TensorDesc& ta, const TensorDesc& tb,
                                const char* op) {
  CINDER_CHECK(a.count == b.count, op, ": shapes ", ta.shapeString(), " and ", tb.shapeString(),
               " have different numbers of planes");
}

inline void checkPoolDType(const TensorDesc& t, DType want, const char* op, const char* what) {
  CINDER_CHECK(t.dtype == want, op, ": ", what, " has dtype ", dtypeName(t.dtype), ", expected ", dtypeName(want));
}

}  // namespace cinder
