// Checks of the index and sort kernels' operands shared by both devices (cpu/index.cc,
// cpu/sort.cc, cuda/index.cu, cuda/sort.cu). Host code.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"
#include "cpu/index.h"

namespace cinder {

// A scatter reduction's name, for messages.
inline const char* scatterReduceName(ScatterReduce r) {
  switch (r) {
    case ScatterReduce::Sum: return "sum";
    case ScatterReduce::Prod: return "prod";
    case ScatterReduce::Mean: return "mean";
    case ScatterReduce::Amax: return "amax";
    case ScatterReduce::Amin: return "amin";
    default: return "none";
  }
}

inline void checkDim(const TensorDesc& t, int dim, const char* op) {
  CINDER_CHECK(dim >= 0 && dim < t.ndim, op, ": dimension ", dim, " out of range for a tensor of shape ",
               t.shapeString());
}

// scatter's operands over the iteration shape (the index's); returns the element count to scatter.
inline int64_t checkScatter(const TensorDesc& self, const TensorDesc& src, int dim, const int64_t* iterShape,
                            int iterNd, const char* op) {
  checkDim(self, dim, op);
  CINDER_CHECK(iterNd == self.ndim, op, ": index must have as many dimensions as self (", iterNd, " vs ", self.ndim, ")");
  CINDER_CHECK(src.dtype == self.dtype, op, ": expected src of dtype ", dtypeName(self.dtype), ", got ",
               dtypeName(src.dtype));
  int64_t total = 1;
  for (int d = 0; d < iterNd; d++) {
    total *= iterShape[d];
    CINDER_CHECK(d == dim || iterShape[d] <= self.shape[d], op, ": index is larger than self of shape ",
                 self.shapeString(), " at dimension ", d);
    CINDER_CHECK(src.ndim == 0 || (src.ndim == iterNd && iterShape[d] <= src.shape[d]), op,
                 ": index is larger than src of shape ", src.shapeString(), " at dimension ", d);
  }
  return total;
}

// searchsorted's operands; returns the number of values.
inline int64_t checkSearchsorted(const TensorDesc& out, const TensorDesc& seq, const TensorDesc& values,
                                 const char* op) {
  CINDER_CHECK(seq.ndim >= 1, op, ": the sorted sequence must have at least one dimension");
  CINDER_CHECK(seq.dtype == values.dtype, op, ": sorted sequence and values must have one dtype");
  CINDER_CHECK(out.dtype == DType::Int64 || out.dtype == DType::Int32, op, ": output must be int64 or int32");
  if (seq.ndim > 1) {
    bool ok = seq.ndim == values.ndim;
    for (int d = 0; ok && d < seq.ndim - 1; d++) ok = seq.shape[d] == values.shape[d];
    CINDER_CHECK(ok, op, ": the sorted sequence of shape ", seq.shapeString(), " and values of shape ",
                 values.shapeString(), " must match in every dimension but the last");
  }
  const int64_t n = values.numel();
  CINDER_CHECK(out.numel() == n && out.isContiguous(), op, ": internal: output ", out.shapeString(),
               " does not fit values ", values.shapeString());
  return n;
}

// oneHot's output shape (self's, then the class count) into shape; numClasses < 0: the largest
// class value + 1. lo, hi: the smallest and largest class value (unused when empty). Returns the
// class count.
inline int64_t oneHotShape(const TensorDesc& self, bool empty, int64_t lo, int64_t hi, int64_t numClasses,
                           int64_t* shape, const char* op) {
  if (numClasses < 0) {
    CINDER_CHECK(!empty, op, ": cannot infer the number of classes from an empty tensor");
    numClasses = hi + 1;
  }
  if (!empty) {
    CINDER_CHECK(lo >= 0, op, ": class values must be non-negative, got ", lo);
    CINDER_CHECK(hi < numClasses, op, ": class values must be smaller than numClasses (got ", hi, " for numClasses ",
                 numClasses, ")");
  }
  CINDER_CHECK(self.ndim < kMaxDims, op, ": tensors may have at most ", kMaxDims, " dims");
  for (int d = 0; d < self.ndim; d++) shape[d] = self.shape[d];
  shape[self.ndim] = numClasses;
  return numClasses;
}

}  // namespace cinder
