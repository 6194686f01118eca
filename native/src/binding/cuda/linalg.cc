// CUDA linalg bindings: the frames of binding/linalg.cc (matmul and the factorizations) plus the
// device index. matmul maps onto cudaGemm; Cholesky, solve/inverse, det, triangular solves,
// Householder QR and eigh (parallel Jacobi, n <= 256) run as device kernels (cuda/linalg.cu) in a
// float64 workspace like their CPU twins; svdvals, svd and larger eigh run the CPU kernels on a
// host copy (device -> host, CPU twin, host -> device).
//
// Also exported: cudaMatmulPrecision(mode?) (the float32 matmul precision, "high" or "highest") and
// cudaMatmulPath(dtypeCode) (which GEMM kernel a dtype runs on, in words).
#include <string>
#include <vector>

#include "binding/cuda/common.h"
#include "binding/linalgFrame.h"
#include "core/elementwiseIter.h"
#include "cpu/linalg.h"
#include "cuda/cudaDevice.h"
#include "cuda/cudaElementwise.h"
#include "cuda/cudaGemm.h"
#include "cuda/cudaLinalg.h"

namespace cinder {
namespace {

// dst <- src on the device (src broadcast to dst's shape, dtype converted).
void deviceCopy(int device, const TensorDesc& dst, const TensorDesc& src, const char* op) {
  if (dst.numel() == 0) return;
  const TensorDesc* ops[2] = {&dst, &src};
  ElementwiseIter e(op, ops, 2);
  CudaIterArgs it;
  it.ndim = e.ndim();
  it.nops = 2;
  it.numel = e.numel();
  it.scalarMask = 0;
  for (int d = 0; d < it.ndim; d++) it.shape[d] = e.shapeAt(d);
  for (int k = 0; k < 2; k++) {
    for (int d = 0; d < it.ndim; d++) it.strides[k][d] = e.strideAt(k, d);
    it.data[k] = e.dataAt(k);
  }
  cudaLaunchCopyCast(device, dst.dtype, src.dtype, it, op);
}

// ---- matmul ------------------------------------------------------------------------------------

// The CPU's matmulBatched on the device: batch dims of a and b aligned to out's (stride 0 where
// broadcast), out contiguous. Batch dims merge into one strided GEMM batch while a's and b's
// strides allow; any remaining outer batch dims become separate launches.
void matmulOnDevice(int dev, const TensorDesc& a, const TensorDesc& b, const TensorDesc& out, double alpha,
                    double beta, const char* op) {
  const MatmulSizes z = checkMatmulOperands(a, b, out, op);
  int nd = out.ndim, nb = z.nb;
  int64_t m = z.m, n = z.n, k = z.k, batch = z.batch;
  DType dt = out.dtype;
  CINDER_CHECK(dt == DType::Float32 || dt == DType::Float64 || dt == DType::Float16 || dt == DType::BFloat16 ||
                   dt == DType::Int32 || dt == DType::Int64,
               op, ": not supported for dtype ", dtypeName(dt));
  if (batch == 0 || m == 0 || n == 0) return;
  if (dt == DType::Int32 || dt == DType::Int64) alpha = 1;  // as the CPU's integer kernel

  int dims[kMaxDims];
  int cnt = 0;
  for (int d = 0; d < nb; d++)
    if (out.shape[d] > 1) dims[cnt++] = d;
  int64_t inner = 1, sa = 0, sb = 0;
  int split = cnt;  // dims[split..cnt) form the GEMM's batch
  for (int q = cnt - 1; q >= 0; q--) {
    int d = dims[q];
    if (q == cnt - 1) {
      sa = a.strides[d];
      sb = b.strides[d];
    } else if (a.strides[d] != sa * inner || b.strides[d] != sb * inner) {
      break;
    }
    inner *= out.shape[d];
    split = q;
  }
  int64_t outer = 1;
  for (int q = 0; q < split; q++) outer *= out.shape[dims[q]];

  CudaGemmArgs g;
  g.dtype = dt;
  g.m = m;
  g.n = n;
  g.k = k;
  g.batch = inner;
  g.aRow = a.strides[nd - 2];
  g.aCol = a.strides[nd - 1];
  g.aBatch = sa;
  g.bRow = b.strides[nd - 2];
  g.bCol = b.strides[nd - 1];
  g.bBatch = sb;
  g.cRow = n;
  g.cCol = 1;
  g.cBatch = m * n;
  g.alpha = alpha;
  g.beta = beta;
  const int64_t es = (int64_t)itemSize(dt);
  for (int64_t o = 0; o < outer; o++) {
    int64_t rem = o, offA = 0, offB = 0;
    for (int q = split - 1; q >= 0; q--) {
      int d = dims[q];
      int64_t i = rem % out.shape[d];
      rem /= out.shape[d];
      offA += i * a.strides[d];
      offB += i * b.strides[d];
    }
    g.a = a.data + offA * es;
    g.b = b.data + offB * es;
    g.c = out.data + o * inner * m * n * es;
    cudaGemm(dev, g, op);
  }
}

Napi::Value matmul(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "matmul");
  FrameReader r(contextOf(info), "matmul", dev);
  MatmulFrame f;
  readMatmul(r, f);
  if (f.bias) deviceCopy(dev, f.out, *f.bias, "addmm");
  matmulOnDevice(dev, f.a, f.b, f.out, f.alpha, f.beta, "matmul");
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [m, k], b [k, n], c [m, n] (existing views with any strides, one dtype: float32,
// float64, float16 or bfloat16), alpha, beta, threads (ignored on CUDA): c = alpha * a @ b +
// beta * c in place, straight into cudaGemm, so tests reach every operand layout.
Napi::Value gemmStrided(const Napi::CallbackInfo& info) {
  int dev = cudaDeviceArg(info, "gemmStrided");
  FrameReader r(contextOf(info), "gemmStrided", dev);
  GemmStridedFrame f;
  readGemmStrided(r, f);
  const TensorDesc &a = f.a, &b = f.b, &c = f.c;
  checkGemmStridedRanks(f);
  DType dt = a.dtype;
  CINDER_CHECK(b.dtype == dt && c.dtype == dt &&
                   (dt == DType::Float32 || dt == DType::Float64 || dt == DType::Float16 || dt == DType::BFloat16),
               "gemmStrided: expected float32, float64, float16 or bfloat16 operands of one dtype, got ",
               dtypeName(a.dtype), ", ", dtypeName(b.dtype), " and ", dtypeName(c.dtype));
  checkGemmStridedShapes(f);
  int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
  if (c.numel() > 0) {
    checkGemmStridedOutput(f);
    CudaGemmArgs g;
    g.dtype = dt;
    g.m = m;
    g.n = n;
    g.k = k;
    g.a = a.data;
    g.aRow = a.strides[0];
    g.aCol = a.strides[1];
    g.b = b.data;
    g.bRow = b.strides[0];
    g.bCol = b.strides[1];
    g.c = c.data;
    g.cRow = c.strides[0];
    g.cCol = c.strides[1];
    g.alpha = f.alpha;
    g.beta = f.beta;
    cudaGemm(dev, g, "gemmStrided");
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// cudaMatmulPrecision(mode?: 'high' | 'highest'): sets the float32 matmul precision when given;
// returns the one in force.
Napi::Value matmulPrecision(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    CINDER_CHECK(info[0].IsString(), "setFloat32MatmulPrecision: expected 'high' or 'highest'");
    std::string s = info[0].As<Napi::String>().Utf8Value();
    CINDER_CHECK(s == "high" || s == "highest", "setFloat32MatmulPrecision: expected 'high' or 'highest', got '", s,
                 "'");
    cudaSetFloat32MatmulHighest(s == "highest");
  }
  return Napi::String::New(info.Env(), cudaFloat32MatmulHighest() ? "highest" : "high");
}

// cudaMatmulPath(dtypeCode): the kernel a CUDA matrix product of that dtype runs on.
Napi::Value matmulPath(const Napi::CallbackInfo& info) {
  CINDER_CHECK(info.Length() > 0 && info[0].IsNumber(), "cuda.matmulPath: expected a dtype code");
  DType dt = dtypeFromInt(info[0].As<Napi::Number>().Int32Value(), "cuda.matmulPath");
  return Napi::String::New(info.Env(), cudaGemmPath(dt));
}

// ---- factorizations ----------------------------------------------------------------------------

void checkFloat(const TensorDesc& t, const char* op) {
  CINDER_CHECK(t.dtype == DType::Float32 || t.dtype == DType::Float64, op,
               ": expected a float32 or float64 tensor, got ", dtypeName(t.dtype));
}

// t is [batch..., rows, cols] with batch dims equal to bshape's (or broadcast with stride 0).
void checkShape(const TensorDesc& t, int64_t rows, int64_t cols, const int64_t* bshape, int nb, const char* op,
                const char* what) {
  CINDER_CHECK(t.ndim == nb + 2, op, ": ", what, " has shape ", t.shapeString(), ", expected ", nb + 2, " dims");
  for (int d = 0; d < nb; d++)
    CINDER_CHECK(t.shape[d] == bshape[d] || t.strides[d] == 0, op, ": ", what, " of shape ", t.shapeString(),
                 " does not match the batch dims");
  CINDER_CHECK(t.shape[nb] == rows && t.shape[nb + 1] == cols, op, ": ", what, " has shape ", t.shapeString(),
               ", expected matrices of ", rows, " x ", cols);
}

CudaMatView viewOf(const TensorDesc& t, const int64_t* bshape, int nb) {
  CudaMatView v;
  v.data = t.data;
  v.dtype = t.dtype;
  v.nb = nb;
  for (int d = 0; d < nb; d++) {
    v.bshape[d] = bshape[d];
    v.bstride[d] = t.shape[d] == 1 ? 0 : t.strides[d];
  }
  v.rs = t.strides[nb];
  v.cs = t.strides[nb + 1];
  return v;
}

int64_t batchOf(const int64_t* shape, int nb) {
  int64_t b = 1;
  for (int d = 0; d < nb; d++) b *= shape[d];
  return b;
}

std::string batchPrefix(int64_t batch, int64_t b) {
  return batch > 1 ? "(Batch element " + std::to_string(b) + "): " : "";
}

template <typename T>
T* scratch(DeviceTemps& temps, int64_t count) {
  return static_cast<T*>(temps.bytes((size_t)count * sizeof(T)));
}

// The first nonzero flag of a device array of `batch` ints, or -1.
int64_t firstFlagged(int dev, const int* flags, int64_t batch, std::vector<int>& host, const char* op) {
  host.assign((size_t)batch, 0);
  if (batch > 0) cudaCopyDeviceToHost(host.data(), flags, dev, (size_t)batch * sizeof(int), op);
  for (int64_t b = 0; b < batch; b++)
    if (host[b] != 0) return b;
  return -1;
}

// frame: a [..., n, n], output spec, upper.
Napi::Value linalgCholesky(const Napi::CallbackInfo& info) {
  const char* op = "linalg.cholesky";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  CholeskyFrame f;
  readCholesky(r, f);
  const TensorDesc &a = f.a, &out = f.out;
  const bool upper = f.upper;
  checkFloat(a, op);
  CINDER_CHECK(a.ndim >= 2, op, ": expected a batch of matrices, got shape ", a.shapeString());
  int nb = a.ndim - 2;
  int64_t n = a.shape[nb + 1];
  checkShape(a, n, n, a.shape, nb, op, "A");
  checkShape(out, n, n, a.shape, nb, op, "output");
  CINDER_CHECK(out.dtype == a.dtype, op, ": output dtype");
  int64_t batch = batchOf(a.shape, nb);
  if (batch > 0 && n > 0) {
    DeviceTemps temps(dev, op);
    double* w = scratch<double>(temps, batch * n * n);
    int* flags = scratch<int>(temps, batch);
    cudaLinalgGather(dev, viewOf(a, a.shape, nb), batch, n, n, w, op);
    cudaCholesky(dev, w, batch, n, flags, op);
    std::vector<int> host;
    int64_t bad = firstFlagged(dev, flags, batch, host, op);
    if (bad >= 0) {
      fail(op, ": ", batchPrefix(batch, bad), "The factorization could not be completed because the input is not ",
           "positive-definite (the leading minor of order ", host[bad], " is not positive-definite).");
    }
    cudaLinalgScatter(dev, w, out.data, out.dtype, batch, n, n, upper ? 2 : 1, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: isInverse, a [..., n, n], hasRhs, [rhs [..., n, m]], output spec [..., n, m].
Napi::Value linalgSolve(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  const char* op = solveName(solveIsInverse(ctx));
  int dev = cudaDeviceArg(info, op);
  FrameReader r(ctx, op, dev);
  SolveFrame f;
  readSolve(r, f);
  const TensorDesc &a = f.a, &rhs = f.rhsDesc, &out = f.out;
  const bool hasRhs = f.rhs != nullptr;
  checkFloat(a, op);
  CINDER_CHECK(out.ndim >= 2 && out.dtype == a.dtype, op, ": bad output");
  int nb = out.ndim - 2;
  int64_t n = out.shape[nb], m = out.shape[nb + 1];
  checkShape(a, n, n, out.shape, nb, op, "A");
  if (hasRhs) {
    CINDER_CHECK(rhs.dtype == a.dtype, op, ": expected B of dtype ", dtypeName(a.dtype), ", got ",
                 dtypeName(rhs.dtype));
    checkShape(rhs, n, m, out.shape, nb, op, "B");
  } else {
    CINDER_CHECK(m == n, op, ": the inverse must be square");
  }
  int64_t batch = batchOf(out.shape, nb);
  if (batch > 0 && n > 0) {
    DeviceTemps temps(dev, op);
    double* w = scratch<double>(temps, batch * n * n);
    double* x = scratch<double>(temps, batch * n * m);
    int* piv = scratch<int>(temps, batch * n);
    int* swaps = scratch<int>(temps, batch);
    int* singular = scratch<int>(temps, batch);
    cudaLinalgGather(dev, viewOf(a, out.shape, nb), batch, n, n, w, op);
    if (hasRhs) cudaLinalgGather(dev, viewOf(rhs, out.shape, nb), batch, n, m, x, op);
    else cudaLinalgIdentity(dev, batch, n, x, op);
    cudaLu(dev, w, batch, n, piv, swaps, singular, op);
    cudaLuSolve(dev, w, piv, x, batch, n, m, op);
    std::vector<int> host;
    int64_t bad = firstFlagged(dev, singular, batch, host, op);
    if (bad >= 0) fail(op, ": ", batchPrefix(batch, bad), "The solver failed because the input matrix is singular.");
    cudaLinalgScatter(dev, x, out.data, out.dtype, batch, n, m, 0, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., n, n], three output specs [...]: det, sign, logabsdet.
Napi::Value linalgDet(const Napi::CallbackInfo& info) {
  const char* op = "linalg.det";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  DetFrame f;
  readDet(r, f);
  const TensorDesc &a = f.a, &det = f.det, &sign = f.sign, &logabs = f.logabs;
  checkFloat(a, op);
  CINDER_CHECK(a.ndim >= 2, op, ": expected a batch of matrices, got shape ", a.shapeString());
  int nb = a.ndim - 2;
  int64_t n = a.shape[nb + 1];
  checkShape(a, n, n, a.shape, nb, op, "A");
  for (const TensorDesc* o : {&det, &sign, &logabs}) {
    CINDER_CHECK(o->dtype == a.dtype && o->ndim == nb, op, ": output dtype or rank");
    for (int d = 0; d < nb; d++) CINDER_CHECK(o->shape[d] == a.shape[d], op, ": output shape");
  }
  int64_t batch = batchOf(a.shape, nb);
  if (batch > 0) {
    DeviceTemps temps(dev, op);
    double* w = scratch<double>(temps, batch * n * n);
    int* piv = scratch<int>(temps, batch * n);
    int* swaps = scratch<int>(temps, batch);
    int* singular = scratch<int>(temps, batch);
    cudaLinalgGather(dev, viewOf(a, a.shape, nb), batch, n, n, w, op);
    cudaLu(dev, w, batch, n, piv, swaps, singular, op);
    cudaLuDet(dev, w, swaps, batch, n, det.data, sign.data, logabs.data, a.dtype, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., n, n], rhs [..., n, m], output spec, upper, unitriangular.
Napi::Value linalgSolveTriangular(const Napi::CallbackInfo& info) {
  const char* op = "linalg.solveTriangular";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  SolveTriangularFrame f;
  readSolveTriangular(r, f);
  const TensorDesc &a = f.a, &rhs = f.rhs, &out = f.out;
  const bool upper = f.upper, unit = f.unit;
  checkFloat(a, op);
  CINDER_CHECK(out.ndim >= 2 && out.dtype == a.dtype && rhs.dtype == a.dtype, op, ": bad operands");
  int nb = out.ndim - 2;
  int64_t n = out.shape[nb], m = out.shape[nb + 1];
  checkShape(a, n, n, out.shape, nb, op, "A");
  checkShape(rhs, n, m, out.shape, nb, op, "B");
  int64_t batch = batchOf(out.shape, nb);
  if (batch > 0 && n > 0 && m > 0) {
    DeviceTemps temps(dev, op);
    double* t = scratch<double>(temps, batch * n * n);
    double* x = scratch<double>(temps, batch * n * m);
    cudaLinalgGather(dev, viewOf(a, out.shape, nb), batch, n, n, t, op);
    cudaLinalgGather(dev, viewOf(rhs, out.shape, nb), batch, n, m, x, op);
    cudaTriangularSolve(dev, t, x, batch, n, m, upper, unit, op);
    cudaLinalgScatter(dev, x, out.data, out.dtype, batch, n, m, 0, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// ---- decompositions on a host copy -------------------------------------------------------------

// A contiguous host copy of a device tensor (held in buf).
TensorDesc hostCopy(int dev, const TensorDesc& d, DeviceTemps& temps, std::vector<char>& buf, const char* op) {
  TensorDesc c = temps.make(d.dtype, d.shape, d.ndim);
  deviceCopy(dev, c, d, op);
  size_t bytes = (size_t)d.numel() * itemSize(d.dtype);
  buf.resize(bytes > 0 ? bytes : 1);
  if (bytes > 0) cudaCopyDeviceToHost(buf.data(), c.data, dev, bytes, op);
  return contiguousDesc(buf.data(), d.dtype, d.shape, d.ndim);
}

// A host twin of a (contiguous) device output.
TensorDesc hostTwin(const TensorDesc& out, std::vector<char>& buf) {
  size_t bytes = (size_t)out.numel() * itemSize(out.dtype);
  buf.assign(bytes > 0 ? bytes : 1, 0);
  return contiguousDesc(buf.data(), out.dtype, out.shape, out.ndim);
}

void upload(int dev, const TensorDesc& out, const std::vector<char>& buf, const char* op) {
  size_t bytes = (size_t)out.numel() * itemSize(out.dtype);
  if (bytes > 0) cudaCopyHostToDevice(out.data, dev, buf.data(), bytes, op);
}

// frame: a [..., m, n], complete, wantQ, [Q spec], R spec.
Napi::Value linalgQr(const Napi::CallbackInfo& info) {
  const char* op = "linalg.qr";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  QrFrame f;
  readQr(r, f);
  const TensorDesc &a = f.a, &q = f.qDesc, &rr = f.rr;
  const bool complete = f.complete, wantQ = f.q != nullptr;
  checkFloat(a, op);
  CINDER_CHECK(a.ndim >= 2, op, ": expected a batch of matrices, got shape ", a.shapeString());
  int nb = a.ndim - 2;
  int64_t m = a.shape[nb], n = a.shape[nb + 1], k = m < n ? m : n;
  int64_t qc = complete ? m : k, rrows = complete ? m : k;
  checkShape(rr, rrows, n, a.shape, nb, op, "R");
  CINDER_CHECK(rr.dtype == a.dtype, op, ": output dtype");
  if (wantQ) {
    checkShape(q, m, qc, a.shape, nb, op, "Q");
    CINDER_CHECK(q.dtype == a.dtype, op, ": output dtype");
  }
  int64_t batch = batchOf(a.shape, nb);
  if (batch > 0) {
    DeviceTemps temps(dev, op);
    double* w = scratch<double>(temps, batch * m * n);
    double* vs = scratch<double>(temps, batch * k * m);
    double* tau = scratch<double>(temps, batch * k);
    double* wrow = scratch<double>(temps, batch * n);
    double* ro = scratch<double>(temps, batch * rrows * n);
    double* qw = wantQ ? scratch<double>(temps, batch * m * qc) : nullptr;
    double* wq = wantQ ? scratch<double>(temps, batch * qc) : nullptr;
    cudaLinalgGather(dev, viewOf(a, a.shape, nb), batch, m, n, w, op);
    cudaQr(dev, w, vs, tau, wrow, qw, wq, ro, batch, m, n, qc, rrows, op);
    cudaLinalgScatter(dev, ro, rr.data, rr.dtype, batch, rrows, n, 0, op);
    if (wantQ) cudaLinalgScatter(dev, qw, q.data, q.dtype, batch, m, qc, 0, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., n, n], lower, wantVectors, eigenvalues spec, [eigenvectors spec]. Parallel
// Jacobi on the device up to kCudaJacobiMaxN; larger matrices go through the CPU's tridiagonal QR
// on a host copy.
Napi::Value linalgEigh(const Napi::CallbackInfo& info) {
  const char* op = "linalg.eigh";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  EighFrame f;
  readEigh(r, f);
  const TensorDesc &a = f.a, &w = f.w, &v = f.vDesc;
  const bool lower = f.lower, wantV = f.v != nullptr;
  checkFloat(a, op);
  CINDER_CHECK(a.ndim >= 2, op, ": expected a batch of matrices, got shape ", a.shapeString());
  int nb = a.ndim - 2;
  int64_t n = a.shape[nb + 1];
  checkShape(a, n, n, a.shape, nb, op, "A");
  CINDER_CHECK(w.dtype == a.dtype && w.ndim == nb + 1 && w.shape[nb] == n, op, ": eigenvalues output");
  if (wantV) checkShape(v, n, n, a.shape, nb, op, "eigenvectors");
  if (n <= kCudaJacobiMaxN) {
    int64_t batch = batchOf(a.shape, nb);
    if (batch > 0 && n > 0) {
      DeviceTemps temps(dev, op);
      double* aw = scratch<double>(temps, batch * n * n);
      double* vw = wantV ? scratch<double>(temps, batch * n * n) : nullptr;
      double* vo = wantV ? scratch<double>(temps, batch * n * n) : nullptr;
      double* ww = scratch<double>(temps, batch * n);
      cudaLinalgGather(dev, viewOf(a, a.shape, nb), batch, n, n, aw, op);
      cudaJacobiEigh(dev, aw, vw, ww, vo, batch, n, lower, wantV, op);
      cudaLinalgScatter(dev, ww, w.data, w.dtype, batch, 1, n, 0, op);
      if (wantV) cudaLinalgScatter(dev, vo, v.data, v.dtype, batch, n, n, 0, op);
    }
  } else {
    DeviceTemps temps(dev, op);
    std::vector<char> ab, wb, vb;
    TensorDesc ha = hostCopy(dev, a, temps, ab, op);
    TensorDesc hw = hostTwin(w, wb);
    TensorDesc hv = wantV ? hostTwin(v, vb) : TensorDesc();
    eighBatched(ha, hw, wantV ? &hv : nullptr, lower);
    upload(dev, w, wb, op);
    if (wantV) upload(dev, v, vb, op);
  }
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., m, n], output spec [..., min(m, n)].
Napi::Value linalgSvdvals(const Napi::CallbackInfo& info) {
  const char* op = "linalg.svdvals";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  SvdvalsFrame f;
  readSvdvals(r, f);
  const TensorDesc &a = f.a, &s = f.s;
  DeviceTemps temps(dev, op);
  std::vector<char> ab, sb;
  TensorDesc ha = hostCopy(dev, a, temps, ab, op);
  TensorDesc hs = hostTwin(s, sb);
  svdvalsBatched(ha, hs);
  upload(dev, s, sb, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: a [..., m, n], fullMatrices, U spec, S spec, Vh spec.
Napi::Value linalgSvd(const Napi::CallbackInfo& info) {
  const char* op = "linalg.svd";
  int dev = cudaDeviceArg(info, op);
  FrameReader r(contextOf(info), op, dev);
  SvdFrame f;
  readSvd(r, f);
  const TensorDesc &a = f.a, &u = f.u, &s = f.s, &vh = f.vh;
  const bool full = f.full;
  DeviceTemps temps(dev, op);
  std::vector<char> ab, ub, sb, vb;
  TensorDesc ha = hostCopy(dev, a, temps, ab, op);
  TensorDesc hu = hostTwin(u, ub);
  TensorDesc hs = hostTwin(s, sb);
  TensorDesc hv = hostTwin(vh, vb);
  svdBatched(ha, hu, hs, hv, full);
  upload(dev, u, ub, op);
  upload(dev, s, sb, op);
  upload(dev, vh, vb, op);
  r.commit(info.Env());
  return info.Env().Undefined();
}

}  // namespace

CINDER_CUDA_BINDING("cudaMatmul", matmul);
CINDER_CUDA_BINDING("cudaGemmStrided", gemmStrided);
CINDER_CUDA_BINDING("cudaMatmulPrecision", matmulPrecision);
CINDER_CUDA_BINDING("cudaMatmulPath", matmulPath);
CINDER_CUDA_BINDING("cudaLinalgCholesky", linalgCholesky);
CINDER_CUDA_BINDING("cudaLinalgSolve", linalgSolve);
CINDER_CUDA_BINDING("cudaLinalgDet", linalgDet);
CINDER_CUDA_BINDING("cudaLinalgSolveTriangular", linalgSolveTriangular);
CINDER_CUDA_BINDING("cudaLinalgQr", linalgQr);
CINDER_CUDA_BINDING("cudaLinalgEigh", linalgEigh);
CINDER_CUDA_BINDING("cudaLinalgSvdvals", linalgSvdvals);
CINDER_CUDA_BINDING("cudaLinalgSvd", linalgSvd);

}  // namespace cinder
