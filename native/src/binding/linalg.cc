// Linalg bindings: matmul (every matmul-like op of @cinder/tensor lowers to it), the
// factorizations (frames in binding/linalgFrame.h) and the norms.
#include "binding/families.h"
#include "binding/linalgFrame.h"
#include "cpu/copy.h"
#include "cpu/gemm.h"
#include "cpu/linalg.h"

namespace cinder {

static Napi::Value matmul(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "matmul");
  MatmulFrame f;
  readMatmul(r, f);
  if (f.bias) copyCast(f.out, *f.bias, "addmm");
  matmulBatched(f.a, f.b, f.out, f.alpha, f.beta, "matmul");
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value linalgCholesky(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.cholesky");
  CholeskyFrame f;
  readCholesky(r, f);
  choleskyBatched(f.a, f.out, f.upper);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value linalgSolve(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  FrameReader r(ctx, solveName(solveIsInverse(ctx)));
  SolveFrame f;
  readSolve(r, f);
  solveBatched(f.a, f.rhs, f.out, r.op());
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value linalgDet(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.det");
  DetFrame f;
  readDet(r, f);
  detBatched(f.a, f.det, f.sign, f.logabs);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value linalgSolveTriangular(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.solveTriangular");
  SolveTriangularFrame f;
  readSolveTriangular(r, f);
  solveTriangularBatched(f.a, f.rhs, f.out, f.upper, f.unit);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value linalgQr(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.qr");
  QrFrame f;
  readQr(r, f);
  qrBatched(f.a, f.q, f.rr, f.complete);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value linalgEigh(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.eigh");
  EighFrame f;
  readEigh(r, f);
  eighBatched(f.a, f.w, f.v, f.lower);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value linalgSvdvals(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.svdvals");
  SvdvalsFrame f;
  readSvdvals(r, f);
  svdvalsBatched(f.a, f.s);
  r.commit(info.Env());
  return info.Env().Undefined();
}

static Napi::Value linalgSvd(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "linalg.svd");
  SvdFrame f;
  readSvd(r, f);
  svdBatched(f.a, f.u, f.s, f.vh, f.full);
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

// frame: a [m, k], b [k, n], c [m, n] (existing float32/float64 views with any strides), alpha,
// beta, threads: c = alpha * a @ b + beta * c in place, straight into cinder::gemm, so tests can
// reach every operand layout the C++ callers use (a strided or column-major C included).
static Napi::Value gemmStrided(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "gemmStrided");
  GemmStridedFrame f;
  readGemmStrided(r, f);
  const TensorDesc &a = f.a, &b = f.b, &c = f.c;
  checkGemmStridedRanks(f);
  CINDER_CHECK(a.dtype == b.dtype && a.dtype == c.dtype && (a.dtype == DType::Float32 || a.dtype == DType::Float64),
               "gemmStrided: expected float32 or float64 operands of one dtype, got ", dtypeName(a.dtype), ", ",
               dtypeName(b.dtype), " and ", dtypeName(c.dtype));
  checkGemmStridedShapes(f);
  int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
  if (c.numel() > 0) checkGemmStridedOutput(f);
  const double alpha = f.alpha, beta = f.beta;
  const int threads = f.threads;
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
