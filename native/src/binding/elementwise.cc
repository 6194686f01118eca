// Elementwise bindings: one entry point per arity, with op codes exported as name -> code maps
// (unaryOps, binaryOps, ternaryOps) so TS and C++ cannot drift.
//
// TS chooses the compute dtype (PyTorch's promoted type; float32 for float16/bfloat16); operands
// of another dtype are cast into contiguous temporaries here, and an output of another dtype
// (float16 results, in-place into a narrower tensor) is written through one. A JS number operand
// becomes a 0-d operand over a stack value, so no tensor is allocated for it.
#include "binding/elementwiseFrame.h"
#include "binding/scalarOperand.h"
#include "binding/families.h"
#include "core/convert.h"
#include "cpu/copy.h"
#include "cpu/elementwise.h"

namespace cinder {
namespace {

// Temporaries owned by one call; released on every path, including errors.
class Temps {
 public:
  ~Temps() {
    for (int i = 0; i < n_; i++) releaseStorage(s_[i]);
  }
  TensorDesc make(DType dt, const int64_t* shape, int nd) {
    int64_t n = 1;
    for (int i = 0; i < nd; i++) n *= shape[i];
    Storage* s = newHostStorage((size_t)n * itemSize(dt));
    s_[n_++] = s;
    return contiguousDesc(static_cast<char*>(s->data), dt, shape, nd);
  }

 private:
  Storage* s_[8];
  int n_ = 0;
};

TensorDesc castTo(const TensorDesc& d, DType dt, Temps& temps, const char* op) {
  if (d.dtype == dt) return d;
  TensorDesc t = temps.make(dt, d.shape, d.ndim);
  copyCast(t, d, op);
  return t;
}

// Operands are read into descriptors the caller owns: a descriptor is a few hundred bytes, and
// copying them around was a visible part of a tiny op's time.

// frame: kind (0 tensor, 1 number), then the tensor or the number. Cast to dt.
void readOperand(FrameReader& r, DType dt, ScalarBuf& buf, Temps& temps, const char* op, TensorDesc& d) {
  int kind = r.i32();
  if (kind == 1) {
    scalarInto(r.num(), dt, buf.bytes, d);
    return;
  }
  r.tensorInto(d);
  if (d.dtype != dt) d = castTo(d, dt, temps, op);
}

// Runs body(target) where target has dtype rdt, then stores it into out if out's dtype differs.
template <typename Body>
void throughOutput(const TensorDesc& out, DType rdt, Temps& temps, const char* op, Body body) {
  if (out.dtype == rdt) {
    body(out);
    return;
  }
  TensorDesc t = temps.make(rdt, out.shape, out.ndim);
  body(t);
  copyCast(out, t, op);
}

// frame: code, p0, p1, p2, computeDtype, input tensor, out.
Napi::Value unary(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "unary");
  int code = readCode(r, (int)UnaryOp::kCount);
  const char* name = kUnaryNames[code];
  double params[3];
  for (double& v : params) v = r.num();
  DType cdt = r.dtype();
  Temps temps;
  TensorDesc in;
  r.tensorInto(in);
  if (in.dtype != cdt) in = castTo(in, cdt, temps, name);
  TensorDesc out;
  readOut(r, out);
  UnaryOp op = (UnaryOp)code;
  DType rdt = unaryIsPredicate(op) ? DType::Bool : cdt;
  throughOutput(out, rdt, temps, name, [&](const TensorDesc& o) { unaryOp(op, o, in, params, name); });
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: code, alpha, computeDtype, operand a, operand b, out.
Napi::Value binary(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "binary");
  int code = readCode(r, (int)BinaryOp::kCount);
  const char* name = kBinaryNames[code];
  if (code == (int)BinaryOp::divTrunc || code == (int)BinaryOp::divFloor) name = "div";
  double alpha = r.num();
  DType cdt = r.dtype();
  Temps temps;
  ScalarBuf sa, sb;
  TensorDesc a, b, out;
  readOperand(r, cdt, sa, temps, name, a);
  readOperand(r, cdt, sb, temps, name, b);
  readOut(r, out);
  BinaryOp op = (BinaryOp)code;
  DType rdt = binaryIsPredicate(op) ? DType::Bool : cdt;
  throughOutput(out, rdt, temps, name, [&](const TensorDesc& o) { binaryOp(op, o, a, b, alpha, name); });
  r.commit(info.Env());
  return info.Env().Undefined();
}

// frame: code, computeDtype, operand x (where: the bool condition), operand a, operand b, out.
Napi::Value ternary(const Napi::CallbackInfo& info) {
  FrameReader r(contextOf(info), "ternary");
  int code = readCode(r, (int)TernaryOp::kCount);
  const char* name = kTernaryNames[code];
  DType cdt = r.dtype();
  TernaryOp op = (TernaryOp)code;
  Temps temps;
  ScalarBuf sx, sa, sb;
  TensorDesc x, a, b, out;
  readOperand(r, op == TernaryOp::where ? DType::Bool : cdt, sx, temps, name, x);
  readOperand(r, cdt, sa, temps, name, a);
  readOperand(r, cdt, sb, temps, name, b);
  readOut(r, out);
  throughOutput(out, cdt, temps, name, [&](const TensorDesc& o) { ternaryOp(op, o, x, a, b, name); });
  r.commit(info.Env());
  return info.Env().Undefined();
}

template <size_t N>
Napi::Object codeMap(Napi::Env env, const char* const (&names)[N]) {
  Napi::Object m = Napi::Object::New(env);
  for (size_t i = 0; i < N; i++) m.Set(names[i], Napi::Number::New(env, (double)i));
  return m;
}

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "ewUnary", unary);
  exportFunction(env, exports, ctx, "ewBinary", binary);
  exportFunction(env, exports, ctx, "ewTernary", ternary);
  exports.Set("unaryOps", codeMap(env, kUnaryNames));
  exports.Set("binaryOps", codeMap(env, kBinaryNames));
  exports.Set("ternaryOps", codeMap(env, kTernaryNames));
}

}  // namespace cinder
