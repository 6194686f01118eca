// What the index and sort bindings of both devices read alike from a call frame; each binding
// differs only in the kernel it calls. Frame layouts are documented per reader.
#pragma once
#include "binding/context.h"
#include "cpu/index.h"

namespace cinder {

inline Allocator allocatorOf(FrameReader& r) {
  return [&r](DType dt, const int64_t* shape, int nd) { return r.allocate(dt, shape, nd); };
}

// The op (gather, indexSelect, searchsorted's sorter, takeAlongDim) whose code is frame[0].
inline const char* gatherFrameOp(Context* ctx) {
  static const char* names[] = {"gather", "indexSelect", "searchsorted", "takeAlongDim"};
  int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "gather: unknown op code ", code);
  return names[code];
}

struct GatherFrame {
  TensorDesc self, index, out;
  int dim = 0;
};

// frame: op code, self, index, dim, out spec.
// out[..j..] = self[..index[..j..]..] (index broadcasts to out).
inline void readGather(FrameReader& r, GatherFrame& f) {
  r.i32();
  r.tensorInto(f.self);
  r.tensorInto(f.index);
  f.dim = r.i32();
  r.outputInto(f.out);
}

// The op (scatter, scatterAdd, indexAdd, scatterReduce, indexCopy, indexFill) whose code is
// frame[0].
inline const char* scatterFrameOp(Context* ctx) {
  static const char* names[] = {"scatter", "scatterAdd", "indexAdd", "scatterReduce", "indexCopy", "indexFill"};
  int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 6, "scatter: unknown op code ", code);
  return names[code];
}

struct ScatterFrame {
  TensorDesc self, index, src;
  int dim = 0;
  ScatterReduce reduce = ScatterReduce::None;
  bool includeSelf = false;
  double alpha = 0;
  int nd = 0;
  int64_t shape[kMaxDims];
};

// frame: op code, self, index, src, dim, reduce, includeSelf, alpha, iterNd, iterShape...
// Writes into self.
inline void readScatter(FrameReader& r, ScatterFrame& f) {
  r.i32();
  r.tensorInto(f.self);
  r.tensorInto(f.index);
  r.tensorInto(f.src);
  f.dim = r.i32();
  int reduce = r.i32();
  CINDER_CHECK(reduce >= 0 && reduce <= 5, r.op(), ": unknown reduce code ", reduce);
  f.reduce = (ScatterReduce)reduce;
  f.includeSelf = r.flag();
  f.alpha = r.num();
  f.nd = r.i32();
  CINDER_CHECK(f.nd >= 0 && f.nd <= kMaxDims, r.op(), ": too many dims");
  for (int i = 0; i < f.nd; i++) f.shape[i] = r.i64();
}

// take: self (contiguous), index, out spec.
struct TakeFrame {
  TensorDesc self, index, out;
};
inline void readTake(FrameReader& r, TakeFrame& f) {
  r.tensorInto(f.self);
  r.tensorInto(f.index);
  r.outputInto(f.out);
}

// maskedFill: self, mask, value. In place.
struct MaskedFillFrame {
  TensorDesc self, mask;
  double value = 0;
};
inline void readMaskedFill(FrameReader& r, MaskedFillFrame& f) {
  r.tensorInto(f.self);
  r.tensorInto(f.mask);
  f.value = r.num();
}

// sort: self, dim, descending, values spec, indices spec.
struct SortFrame {
  TensorDesc self, values, indices;
  int dim = 0;
  bool descending = false;
};
inline void readSort(FrameReader& r, SortFrame& f) {
  r.tensorInto(f.self);
  f.dim = r.i32();
  f.descending = r.flag();
  r.outputInto(f.values);
  r.outputInto(f.indices);
}

// topk: self, dim, k, largest, values spec, indices spec.
struct TopkFrame {
  TensorDesc self, values, indices;
  int dim = 0;
  int64_t k = 0;
  bool largest = false;
};
inline void readTopk(FrameReader& r, TopkFrame& f) {
  r.tensorInto(f.self);
  f.dim = r.i32();
  f.k = r.i64();
  f.largest = r.flag();
  r.outputInto(f.values);
  r.outputInto(f.indices);
}

// The op (kthvalue, median) whose code is frame[0].
inline const char* kthFrameOp(Context* ctx) { return ctx->frame[0] == 1 ? "median" : "kthvalue"; }

// kth: op code (0 kthvalue, 1 median), self, dim, k (0-based), values spec, indices spec.
struct KthFrame {
  bool median = false;
  TensorDesc self, values, indices;
  int dim = 0;
  int64_t k = 0;
};
inline void readKth(FrameReader& r, KthFrame& f) {
  f.median = r.i32() == 1;
  r.tensorInto(f.self);
  f.dim = r.i32();
  f.k = r.i64();
  r.outputInto(f.values);
  r.outputInto(f.indices);
}

// unique: self, returnInverse, returnCounts, byRows. Returns the outputs, then the unique count.
struct UniqueFrame {
  TensorDesc self;
  bool inverse = false, counts = false, byRows = false;
};
inline void readUnique(FrameReader& r, UniqueFrame& f) {
  r.tensorInto(f.self);
  f.inverse = r.flag();
  f.counts = r.flag();
  f.byRows = r.flag();
}

// searchsorted: sorted sequence, values, right, out spec.
struct SearchsortedFrame {
  TensorDesc seq, values, out;
  bool right = false;
};
inline void readSearchsorted(FrameReader& r, SearchsortedFrame& f) {
  r.tensorInto(f.seq);
  r.tensorInto(f.values);
  f.right = r.flag();
  r.outputInto(f.out);
}

}  // namespace cinder
