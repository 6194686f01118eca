// Index and sort bindings: gather/scatter family, take, masked fill/select, nonzero, oneHot,
// sort/topk/kthvalue, unique, searchsorted. Frame layouts are documented per function.
#include "binding/families.h"
#include "cpu/index.h"
#include "cpu/sort.h"

namespace cinder {

namespace {

Allocator allocatorOf(FrameReader& r) {
  return [&r](DType dt, const int64_t* shape, int nd) { return r.allocate(dt, shape, nd); };
}

// frame: op code (0 gather, 1 indexSelect, 2 searchsorted's sorter, 3 takeAlongDim), self, index, dim, out spec.
// out[..j..] = self[..index[..j..]..] (index broadcasts to out).
Napi::Value indexGather(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  static const char* names[] = {"gather", "indexSelect", "searchsorted", "takeAlongDim"};
  int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 4, "gather: unknown op code ", code);
  const char* op = names[code];
  FrameReader r(ctx, op);
  r.i32();
  TensorDesc self = r.tensor();
  TensorDesc index = r.tensor();
  int dim = r.i32();
  TensorDesc out = r.output();
  gatherKernel(out, self, index, dim, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op code (0 scatter, 1 scatterAdd, 2 indexAdd, 3 scatterReduce, 4 indexCopy, 5 indexFill), self, index, src, dim,
// reduce, includeSelf, alpha, iterNd, iterShape... Writes into self.
Napi::Value indexScatter(const Napi::CallbackInfo& info) {
  static const char* names[] = {"scatter", "scatterAdd", "indexAdd", "scatterReduce", "indexCopy", "indexFill"};
  Context* ctx = contextOf(info);
  int code = (int)ctx->frame[0];
  CINDER_CHECK(code >= 0 && code < 6, "scatter: unknown op code ", code);
  const char* op = names[code];
  FrameReader r(ctx, op);
  r.i32();
  TensorDesc self = r.tensor();
  TensorDesc index = r.tensor();
  TensorDesc src = r.tensor();
  int dim = r.i32();
  int reduce = r.i32();
  CINDER_CHECK(reduce >= 0 && reduce <= 5, op, ": unknown reduce code ", reduce);
  bool includeSelf = r.flag();
  double alpha = r.num();
  int nd = r.i32();
  CINDER_CHECK(nd >= 0 && nd <= kMaxDims, op, ": too many dims");
  int64_t shape[kMaxDims];
  for (int i = 0; i < nd; i++) shape[i] = r.i64();
  scatterKernel(self, index, src, dim, shape, nd, (ScatterReduce)reduce, includeSelf, alpha, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self (contiguous), index, out spec.
Napi::Value indexTake(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "take");
  TensorDesc self = r.tensor();
  TensorDesc index = r.tensor();
  TensorDesc out = r.output();
  takeKernel(out, self, index, "take");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, mask, value. In place.
Napi::Value indexMaskedFill(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "maskedFill");
  TensorDesc self = r.tensor();
  TensorDesc mask = r.tensor();
  double value = r.num();
  maskedFillKernel(self, mask, value, "maskedFill");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, mask (one shape). Returns the 1-d output, then its length.
Napi::Value indexMaskedSelect(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "maskedSelect");
  TensorDesc self = r.tensor();
  TensorDesc mask = r.tensor();
  int64_t n = 0;
  maskedSelectKernel(self, mask, [&](DType dt, const int64_t* shape, int nd) {
    n = shape[0];
    return r.allocate(dt, shape, nd);
  }, "maskedSelect");
  r.result((double)n);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self. Returns the [n, ndim] output, then n.
Napi::Value indexNonzero(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "nonzero");
  TensorDesc self = r.tensor();
  int64_t n = nonzeroKernel(self, allocatorOf(r), "nonzero");
  r.result((double)n);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, numClasses. Returns the output, then the class count.
Napi::Value indexOneHot(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "oneHot");
  TensorDesc self = r.tensor();
  int64_t numClasses = r.i64();
  int64_t c = oneHotKernel(self, numClasses, allocatorOf(r), "oneHot");
  r.result((double)c);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, dim, descending, values spec, indices spec.
Napi::Value sortSort(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "sort");
  TensorDesc self = r.tensor();
  int dim = r.i32();
  bool descending = r.flag();
  TensorDesc values = r.output();
  TensorDesc indices = r.output();
  sortKernel(values, indices, self, dim, descending, "sort");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, dim, k, largest, values spec, indices spec.
Napi::Value sortTopk(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "topk");
  TensorDesc self = r.tensor();
  int dim = r.i32();
  int64_t k = r.i64();
  bool largest = r.flag();
  TensorDesc values = r.output();
  TensorDesc indices = r.output();
  topkKernel(values, indices, self, dim, k, largest, "topk");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: op code (0 kthvalue, 1 median), self, dim, k (0-based), values spec, indices spec.
Napi::Value sortKth(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = ctx->frame[0] == 1 ? "median" : "kthvalue";
  FrameReader r(ctx, op);
  bool median = r.i32() == 1;
  TensorDesc self = r.tensor();
  int dim = r.i32();
  int64_t k = r.i64();
  TensorDesc values = r.output();
  TensorDesc indices = r.output();
  kthKernel(values, indices, self, dim, k, median, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: self, returnInverse, returnCounts, byRows. Returns the outputs (see uniqueKernel /
// uniqueDimKernel), then the unique count.
Napi::Value sortUnique(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "unique");
  TensorDesc self = r.tensor();
  bool inverse = r.flag();
  bool counts = r.flag();
  bool byRows = r.flag();
  int64_t u = byRows ? uniqueDimKernel(self, inverse, counts, allocatorOf(r), "unique")
                     : uniqueKernel(self, inverse, counts, allocatorOf(r), "unique");
  r.result((double)u);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: sorted sequence, values, right, out spec.
Napi::Value sortSearchsorted(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "searchsorted");
  TensorDesc seq = r.tensor();
  TensorDesc values = r.tensor();
  bool right = r.flag();
  TensorDesc out = r.output();
  searchsortedKernel(out, seq, values, right, "searchsorted");
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

void registerIndex(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "indexGather", indexGather);
  exportFunction(env, exports, ctx, "indexScatter", indexScatter);
  exportFunction(env, exports, ctx, "indexTake", indexTake);
  exportFunction(env, exports, ctx, "indexMaskedFill", indexMaskedFill);
  exportFunction(env, exports, ctx, "indexMaskedSelect", indexMaskedSelect);
  exportFunction(env, exports, ctx, "indexNonzero", indexNonzero);
  exportFunction(env, exports, ctx, "indexOneHot", indexOneHot);
  exportFunction(env, exports, ctx, "sortSort", sortSort);
  exportFunction(env, exports, ctx, "sortTopk", sortTopk);
  exportFunction(env, exports, ctx, "sortKth", sortKth);
  exportFunction(env, exports, ctx, "sortUnique", sortUnique);
  exportFunction(env, exports, ctx, "sortSearchsorted", sortSearchsorted);
}

}  // namespace cinder
