// The plan every reduction of both devices runs through: the kept dims (in order, so the
// contiguous output is indexed by their flat index) and the reduced dims, each stripped of size-1
// dims and coalesced. Host code (cpu/reduce.cc; cuda/reduce.cu and cuda/reduceLine.cu pass the
// plan to their kernels).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "core/tensorDesc.h"

namespace cinder {

struct ReducePlan {
  int nk = 0;  // kept dims, coalesced; the output is contiguous over them
  int64_t kShape[kMaxDims] = {};
  int64_t kStride[kMaxDims] = {};
  int nr = 0;  // reduced dims, coalesced; always >= 1 (a size-1 dim when nothing is reduced)
  int64_t rShape[kMaxDims] = {};
  int64_t rStride[kMaxDims] = {};
  int64_t numOut = 1;
  int64_t numRed = 1;
};

// Merges adjacent dims d-1, d where stride[d-1] == stride[d] * shape[d].
inline void coalesceDims(int64_t* shape, int64_t* stride, int& n) {
  if (n <= 1) return;
  int out = 0;
  for (int d = 1; d < n; d++) {
    if (stride[out] == stride[d] * shape[d]) {
      shape[out] *= shape[d];
      stride[out] = stride[d];
    } else {
      ++out;
      shape[out] = shape[d];
      stride[out] = stride[d];
    }
  }
  n = out + 1;
}

// sortReduced reorders reduced dims by decreasing stride (better locality); index reductions keep
// the original order so the flat reduced index is the row-major index PyTorch reports.
inline ReducePlan makeReducePlan(const TensorDesc& x, const bool* reduced, bool sortReduced) {
  ReducePlan P;
  int rd[kMaxDims];
  int nrd = 0;
  for (int d = 0; d < x.ndim; d++) {
    const int64_t s = x.shape[d];
    if (reduced[d]) {
      P.numRed *= s;
      if (s != 1) rd[nrd++] = d;
    } else {
      P.numOut *= s;
      if (s != 1) {
        P.kShape[P.nk] = s;
        P.kStride[P.nk] = x.strides[d];
        P.nk++;
      }
    }
  }
  if (sortReduced) {
    std::stable_sort(rd, rd + nrd, [&](int a, int b) { return std::llabs(x.strides[a]) > std::llabs(x.strides[b]); });
  }
  for (int i = 0; i < nrd; i++) {
    P.rShape[i] = x.shape[rd[i]];
    P.rStride[i] = x.strides[rd[i]];
  }
  P.nr = nrd;
  coalesceDims(P.kShape, P.kStride, P.nk);
  coalesceDims(P.rShape, P.rStride, P.nr);
  if (P.nr == 0) {
    P.rShape[0] = 1;
    P.rStride[0] = 1;
    P.nr = 1;
  }
  return P;
}

// The plan of the lines along `dim` (scans, softmax): numOut lines of x.shape[dim] elements, once
// out is checked to be a contiguous tensor of x's shape.
inline ReducePlan makeLinePlan(const TensorDesc& x, int dim, const TensorDesc& out, const char* op) {
  CINDER_CHECK(dim >= 0 && dim < x.ndim, op, ": dim ", dim, " out of range for shape ", x.shapeString());
  CINDER_CHECK(out.ndim == x.ndim && out.isContiguous(), op, ": output shape ", out.shapeString(),
               " does not match input shape ", x.shapeString());
  for (int d = 0; d < x.ndim; d++)
    CINDER_CHECK(out.shape[d] == x.shape[d], op, ": output shape ", out.shapeString(), " does not match input shape ",
                 x.shapeString());
  bool mask[kMaxDims] = {};
  mask[dim] = true;
  return makeReducePlan(x, mask, false);
}

}  // namespace cinder
