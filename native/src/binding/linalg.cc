// Linalg bindings: matmul (every matmul-like op of @cinder/tensor lowers to it), the
// factorizations and the norms.
#include <cstdlib>

#include "binding/families.h"
#include "cpu/copy.h"
#include "cpu/gemm.h"
#include "cpu/linalg.h"

namespace cinder {

// frame: a [..., m, k], b [..., k, n] (same rank, batch dims aligned, broadcast ones with stride 0),
// output spec [..., m, n], alpha, beta, hasBias, [bias tensor broadcastable to the output].
static Napi::Value matmul(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "matmul");
  TensorDesc a = r.tensor();
  TensorDesc b = r.tensor();
  TensorDesc out = r.output();
  double alpha = r.num();
  double beta = r.num();
  bool hasBias = r.flag();
  if (hasBias) {
    TensorDesc bias = r.tensor();
    copyCast(out, bias, "addmm");
  } else {
    beta = 0;
  }
  matmulBatched(a, b, out, alpha, beta, "matmul");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., n, n], output spec, upper.
static Napi::Value linalgCholesky(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.cholesky");
  TensorDesc a = r.tensor();
  TensorDesc out = r.output();
  bool upper = r.flag();
  choleskyBatched(a, out, upper);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., n, n], hasRhs, [rhs [..., n, m]], output spec [..., n, m], isInverse.
static Napi::Value linalgSolve(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  bool inverse = ctx->frame[0] != 0;
  FrameReader r(ctx, inverse ? "linalg.inv" : "linalg.solve");
  r.num();
  TensorDesc a = r.tensor();
  bool hasRhs = r.flag();
  TensorDesc rhs;
  if (hasRhs) rhs = r.tensor();
  TensorDesc out = r.output();
  solveBatched(a, hasRhs ? &rhs : nullptr, out, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., n, n], three output specs [...]: det, sign, logabsdet.
static Napi::Value linalgDet(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.det");
  TensorDesc a = r.tensor();
  TensorDesc det = r.output();
  TensorDesc sign = r.output();
  TensorDesc logabs = r.output();
  detBatched(a, det, sign, logabs);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., n, n], rhs [..., n, m], output spec, upper, unitriangular.
static Napi::Value linalgSolveTriangular(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.solveTriangular");
  TensorDesc a = r.tensor();
  TensorDesc rhs = r.tensor();
  TensorDesc out = r.output();
  bool upper = r.flag();
  bool unit = r.flag();
  solveTriangularBatched(a, rhs, out, upper, unit);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., m, n], complete, wantQ, [Q spec], R spec.
static Napi::Value linalgQr(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.qr");
  TensorDesc a = r.tensor();
  bool complete = r.flag();
  bool wantQ = r.flag();
  TensorDesc q;
  if (wantQ) q = r.output();
  TensorDesc rr = r.output();
  qrBatched(a, wantQ ? &q : nullptr, rr, complete);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., n, n], lower, wantVectors, eigenvalues spec, [eigenvectors spec].
static Napi::Value linalgEigh(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.eigh");
  TensorDesc a = r.tensor();
  bool lower = r.flag();
  bool wantV = r.flag();
  TensorDesc w = r.output();
  TensorDesc v;
  if (wantV) v = r.output();
  eighBatched(a, w, wantV ? &v : nullptr, lower);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., m, n], output spec [..., min(m, n)].
static Napi::Value linalgSvdvals(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.svdvals");
  TensorDesc a = r.tensor();
  TensorDesc s = r.output();
  svdvalsBatched(a, s);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., m, n], fullMatrices, U spec, S spec, Vh spec.
static Napi::Value linalgSvd(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.svd");
  TensorDesc a = r.tensor();
  bool full = r.flag();
  TensorDesc u = r.output();
  TensorDesc s = r.output();
  TensorDesc vh = r.output();
  svdBatched(a, u, s, vh, full);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: x (reduced dims last), reducedDims, ord, output spec.
static Napi::Value linalgVectorNorm(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.vectorNorm");
  TensorDesc x = r.tensor();
  int rd = r.i32();
  double ord = r.num();
  TensorDesc out = r.output();
  vectorNorm(x, rd, ord, out);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., m, n], rows, takeMax, output spec [...].
static Napi::Value linalgAbsSumNorm(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.matrixNorm");
  TensorDesc a = r.tensor();
  bool rows = r.flag();
  bool takeMax = r.flag();
  TensorDesc out = r.output();
  matrixAbsSumNorm(a, rows, takeMax, out);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value gemmArch(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemmArchName());
}

static Napi::Value gemmSetArch(const Napi::CallbackInfo& info) {
  std::string name = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "auto";
  return Napi::String::New(info.Env(), setGemmArch(name.c_str()));
}

// The address range [lo, hi] (in elements from data) a 2-D view reaches.
static void span2(const TensorDesc& t, int64_t& lo, int64_t& hi) {
  lo = hi = 0;
  for (int d = 0; d < 2; d++) {
    int64_t e = (t.shape[d] - 1) * t.strides[d];
    (e > 0 ? hi : lo) += e;
  }
}

// frame: a [m, k], b [k, n], c [m, n] (existing float32/float64 views with any strides), alpha,
// beta, threads: c = alpha * a @ b + beta * c in place, straight into cinder::gemm, so tests can
// reach every operand layout the C++ callers use (a strided or column-major C included).
static Napi::Value gemmStrided(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "gemmStrided");
  TensorDesc a = r.tensor();
  TensorDesc b = r.tensor();
  TensorDesc c = r.tensor();
  double alpha = r.num(), beta = r.num();
  int threads = r.i32();
  CINDER_CHECK(a.ndim == 2 && b.ndim == 2 && c.ndim == 2, "gemmStrided: expected 2-D operands, got ", a.shapeString(),
               ", ", b.shapeString(), " and ", c.shapeString());
  CINDER_CHECK(a.dtype == b.dtype && a.dtype == c.dtype && (a.dtype == DType::Float32 || a.dtype == DType::Float64),
               "gemmStrided: expected float32 or float64 operands of one dtype, got ", dtypeName(a.dtype), ", ",
               dtypeName(b.dtype), " and ", dtypeName(c.dtype));
  int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
  CINDER_CHECK(b.shape[0] == k && c.shape[0] == m && c.shape[1] == n, "gemmStrided: shapes ", a.shapeString(), ", ",
               b.shapeString(), " and ", c.shapeString(), " do not match");
  CINDER_CHECK(threads >= 0, "gemmStrided: expected threads >= 0, got ", threads);
  if (c.numel() > 0) {
    // c is written while a and b are read: no element of c may alias another or an input.
    int small = std::abs(c.strides[0]) <= std::abs(c.strides[1]) ? 0 : 1, big = 1 - small;
    bool distinct = (c.shape[small] <= 1 || c.strides[small] != 0) &&
                    (c.shape[big] <= 1 || std::abs(c.strides[big]) >= std::abs(c.strides[small]) * c.shape[small]);
    CINDER_CHECK(distinct, "gemmStrided: the output view ", c.shapeString(), " has overlapping elements");
    int64_t clo, chi;
    span2(c, clo, chi);
    size_t item = itemSize(c.dtype);
    for (const TensorDesc* t : {&a, &b}) {
      if (t->numel() == 0) continue;
      int64_t lo, hi;
      span2(*t, lo, hi);
      const char* tlo = t->data + lo * (int64_t)item;
      const char* thi = t->data + (hi + 1) * (int64_t)item;
      const char* olo = c.data + clo * (int64_t)item;
      const char* ohi = c.data + (chi + 1) * (int64_t)item;
      CINDER_CHECK(thi <= olo || ohi <= tlo, "gemmStrided: the output overlaps an input");
    }
  }
  if (a.dtype == DType::Float32) {
    gemm<float>(m, n, k, (float)alpha, a.ptr<float>(), a.strides[0], a.strides[1], b.ptr<float>(), b.strides[0],
                b.strides[1], (float)beta, c.ptr<float>(), c.strides[0], c.strides[1], threads);
  } else {
    gemm<double>(m, n, k, alpha, a.ptr<double>(), a.strides[0], a.strides[1], b.ptr<double>(), b.strides[0],
                 b.strides[1], beta, c.ptr<double>(), c.strides[0], c.strides[1], threads);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// fmaPeak(threads = 0, float64 = false, seconds = 0.25): the machine's vector FMA throughput in
// GFLOP/s (see gemmFmaPeak), for benchmarks to quote GEMM speeds as a fraction of it.
static Napi::Value fmaPeak(const Napi::CallbackInfo& info) {
  auto arg = [&](size_t i, double dflt) {
    if (info.Length() <= i || info[i].IsUndefined()) return dflt;
    if (info[i].IsBoolean()) return info[i].As<Napi::Boolean>().Value() ? 1.0 : 0.0;
    CINDER_CHECK(info[i].IsNumber(), "fmaPeak: expected (threads?: number, float64?: boolean, seconds?: number)");
    return info[i].As<Napi::Number>().DoubleValue();
  };
  double threads = arg(0, 0), f64 = arg(1, 0), seconds = arg(2, 0.25);
  CINDER_CHECK(threads >= 0 && threads <= 256 && seconds > 0 && seconds <= 60,
               "fmaPeak: expected 0 <= threads <= 256 and 0 < seconds <= 60, got ", threads, " and ", seconds);
  return Napi::Number::New(info.Env(), gemmFmaPeak((int)threads, f64 != 0, seconds));
}

void registerLinalg(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "matmul", matmul);
  exportFunction(env, exports, ctx, "gemmArch", gemmArch);
  exportFunction(env, exports, ctx, "gemmSetArch", gemmSetArch);
  exportFunction(env, exports, ctx, "fmaPeak", fmaPeak);
  exportFunction(env, exports, ctx, "gemmStrided", gemmStrided);
  exportFunction(env, exports, ctx, "linalgCholesky", linalgCholesky);
  exportFunction(env, exports, ctx, "linalgSolve", linalgSolve);
  exportFunction(env, exports, ctx, "linalgDet", linalgDet);
  exportFunction(env, exports, ctx, "linalgSolveTriangular", linalgSolveTriangular);
  exportFunction(env, exports, ctx, "linalgQr", linalgQr);
  exportFunction(env, exports, ctx, "linalgEigh", linalgEigh);
  exportFunction(env, exports, ctx, "linalgSvdvals", linalgSvdvals);
  exportFunction(env, exports, ctx, "linalgSvd", linalgSvd);
  exportFunction(env, exports, ctx, "linalgVectorNorm", linalgVectorNorm);
  exportFunction(env, exports, ctx, "linalgAbsSumNorm", linalgAbsSumNorm);
}

}  // namespace cinder
