// Index and sort bindings: gather/scatter family, take, masked fill/select, nonzero, oneHot,
// sort/topk/kthvalue, unique, searchsorted. Frame layouts are documented per function.
#include "binding/families.h"
#include "binding/indexFrame.h"
#include "cpu/sort.h"

namespace cinder {

namespace {

Napi::Value indexGather(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = gatherFrameOp(ctx);
  FrameReader r(ctx, op);
  GatherFrame f;
  readGather(r, f);
  gatherKernel(f.out, f.self, f.index, f.dim, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value indexScatter(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = scatterFrameOp(ctx);
  FrameReader r(ctx, op);
  ScatterFrame f;
  readScatter(r, f);
  scatterKernel(f.self, f.index, f.src, f.dim, f.shape, f.nd, f.reduce, f.includeSelf, f.alpha, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value indexTake(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "take");
  TakeFrame f;
  readTake(r, f);
  takeKernel(f.out, f.self, f.index, "take");
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value indexMaskedFill(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "maskedFill");
  MaskedFillFrame f;
  readMaskedFill(r, f);
  maskedFillKernel(f.self, f.mask, f.value, "maskedFill");
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

Napi::Value sortSort(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "sort");
  SortFrame f;
  readSort(r, f);
  sortKernel(f.values, f.indices, f.self, f.dim, f.descending, "sort");
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value sortTopk(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "topk");
  TopkFrame f;
  readTopk(r, f);
  topkKernel(f.values, f.indices, f.self, f.dim, f.k, f.largest, "topk");
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value sortKth(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = kthFrameOp(ctx);
  FrameReader r(ctx, op);
  KthFrame f;
  readKth(r, f);
  kthKernel(f.values, f.indices, f.self, f.dim, f.k, f.median, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// Returns the outputs (see uniqueKernel / uniqueDimKernel), then the unique count.
Napi::Value sortUnique(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "unique");
  UniqueFrame f;
  readUnique(r, f);
  int64_t u = f.byRows ? uniqueDimKernel(f.self, f.inverse, f.counts, allocatorOf(r), "unique")
                       : uniqueKernel(f.self, f.inverse, f.counts, allocatorOf(r), "unique");
  r.result((double)u);
  r.commit(info.Env());
  return info.Env().Undefined();
}

Napi::Value sortSearchsorted(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "searchsorted");
  SearchsortedFrame f;
  readSearchsorted(r, f);
  searchsortedKernel(f.out, f.seq, f.values, f.right, "searchsorted");
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
