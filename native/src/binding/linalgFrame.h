// What the linalg bindings of both devices read alike from a call frame, and the checks of the
// strided GEMM test entry point. Each reader takes a FrameReader already opened with the op's name
// (and, on CUDA, its device) and reads the frame in the order TS writes it.
#pragma once
#include <cstdlib>

#include "binding/context.h"

namespace cinder {

// frame: a [..., m, k], b [..., k, n] (same rank, batch dims aligned, broadcast ones with stride 0),
// output spec [..., m, n], alpha, beta, hasBias, [bias tensor broadcastable to the output].
// Without a bias, beta is 0.
struct MatmulFrame {
  TensorDesc a, b, out, biasDesc;
  const TensorDesc* bias;  // &biasDesc, or null
  double alpha, beta;
};

inline void readMatmul(FrameReader& r, MatmulFrame& f) {
  r.tensorInto(f.a);
  r.tensorInto(f.b);
  r.outputInto(f.out);
  f.alpha = r.num();
  f.beta = r.num();
  f.bias = r.optionalTensor(r.flag(), f.biasDesc);
  if (!f.bias) f.beta = 0;
}

// frame: a [m, k], b [k, n], c [m, n] (existing views with any strides), alpha, beta, threads.
struct GemmStridedFrame {
  TensorDesc a, b, c;
  double alpha, beta;
  int threads;
};

inline void readGemmStrided(FrameReader& r, GemmStridedFrame& f) {
  r.tensorInto(f.a);
  r.tensorInto(f.b);
  r.tensorInto(f.c);
  f.alpha = r.num();
  f.beta = r.num();
  f.threads = r.i32();
}

inline void checkGemmStridedRanks(const GemmStridedFrame& f) {
  CINDER_CHECK(f.a.ndim == 2 && f.b.ndim == 2 && f.c.ndim == 2, "gemmStrided: expected 2-D operands, got ",
               f.a.shapeString(), ", ", f.b.shapeString(), " and ", f.c.shapeString());
}

// After the dtype check (which differs by device): the shapes and the thread count.
inline void checkGemmStridedShapes(const GemmStridedFrame& f) {
  const TensorDesc &a = f.a, &b = f.b, &c = f.c;
  CINDER_CHECK(b.shape[0] == a.shape[1] && c.shape[0] == a.shape[0] && c.shape[1] == b.shape[1],
               "gemmStrided: shapes ", a.shapeString(), ", ", b.shapeString(), " and ", c.shapeString(),
               " do not match");
  CINDER_CHECK(f.threads >= 0, "gemmStrided: expected threads >= 0, got ", f.threads);
}

// The address range [lo, hi] (in elements from data) a 2-D view reaches.
inline void span2(const TensorDesc& t, int64_t& lo, int64_t& hi) {
  lo = hi = 0;
  for (int d = 0; d < 2; d++) {
    int64_t e = (t.shape[d] - 1) * t.strides[d];
    (e > 0 ? hi : lo) += e;
  }
}

// c is written while a and b are read: no element of c may alias another or an input. For a
// non-empty c.
inline void checkGemmStridedOutput(const GemmStridedFrame& f) {
  const TensorDesc &a = f.a, &b = f.b, &c = f.c;
  int small = std::abs(c.strides[0]) <= std::abs(c.strides[1]) ? 0 : 1, big = 1 - small;
  bool distinct = (c.shape[small] <= 1 || c.strides[small] != 0) &&
                  (c.shape[big] <= 1 || std::abs(c.strides[big]) >= std::abs(c.strides[small]) * c.shape[small]);
  CINDER_CHECK(distinct, "gemmStrided: the output view ", c.shapeString(), " has overlapping elements");
  int64_t clo, chi;
  span2(c, clo, chi);
  const int64_t item = (int64_t)itemSize(c.dtype);
  for (const TensorDesc* t : {&a, &b}) {
    if (t->numel() == 0) continue;
    int64_t lo, hi;
    span2(*t, lo, hi);
    const char* tlo = t->data + lo * item;
    const char* thi = t->data + (hi + 1) * item;
    const char* olo = c.data + clo * item;
    const char* ohi = c.data + (chi + 1) * item;
    CINDER_CHECK(thi <= olo || ohi <= tlo, "gemmStrided: the output overlaps an input");
  }
}

// frame: a [..., n, n], output spec, upper.
struct CholeskyFrame {
  TensorDesc a, out;
  bool upper;
};

inline void readCholesky(FrameReader& r, CholeskyFrame& f) {
  r.tensorInto(f.a);
  r.outputInto(f.out);
  f.upper = r.flag();
}

// frame: isInverse, a [..., n, n], hasRhs, [rhs [..., n, m]], output spec [..., n, m].
inline bool solveIsInverse(Context* ctx) { return ctx->frame[0] != 0; }
inline const char* solveName(bool inverse) { return inverse ? "linalg.inv" : "linalg.solve"; }

struct SolveFrame {
  TensorDesc a, rhsDesc, out;
  const TensorDesc* rhs;  // &rhsDesc, or null for the inverse
};

inline void readSolve(FrameReader& r, SolveFrame& f) {
  r.num();
  r.tensorInto(f.a);
  f.rhs = r.optionalTensor(r.flag(), f.rhsDesc);
  r.outputInto(f.out);
}

// frame: a [..., n, n], three output specs [...]: det, sign, logabsdet.
struct DetFrame {
  TensorDesc a, det, sign, logabs;
};

inline void readDet(FrameReader& r, DetFrame& f) {
  r.tensorInto(f.a);
  r.outputInto(f.det);
  r.outputInto(f.sign);
  r.outputInto(f.logabs);
}

// frame: a [..., n, n], rhs [..., n, m], output spec, upper, unitriangular.
struct SolveTriangularFrame {
  TensorDesc a, rhs, out;
  bool upper, unit;
};

inline void readSolveTriangular(FrameReader& r, SolveTriangularFrame& f) {
  r.tensorInto(f.a);
  r.tensorInto(f.rhs);
  r.outputInto(f.out);
  f.upper = r.flag();
  f.unit = r.flag();
}

// frame: a [..., m, n], complete, wantQ, [Q spec], R spec.
struct QrFrame {
  TensorDesc a, qDesc, rr;
  const TensorDesc* q;  // &qDesc, or null
  bool complete;
};

inline void readQr(FrameReader& r, QrFrame& f) {
  r.tensorInto(f.a);
  f.complete = r.flag();
  f.q = r.optionalOutput(r.flag(), f.qDesc);
  r.outputInto(f.rr);
}

// frame: a [..., n, n], lower, wantVectors, eigenvalues spec, [eigenvectors spec].
struct EighFrame {
  TensorDesc a, w, vDesc;
  const TensorDesc* v;  // &vDesc, or null
  bool lower;
};

inline void readEigh(FrameReader& r, EighFrame& f) {
  r.tensorInto(f.a);
  f.lower = r.flag();
  const bool wantV = r.flag();
  r.outputInto(f.w);
  f.v = r.optionalOutput(wantV, f.vDesc);
}

// frame: a [..., m, n], output spec [..., min(m, n)].
struct SvdvalsFrame {
  TensorDesc a, s;
};

inline void readSvdvals(FrameReader& r, SvdvalsFrame& f) {
  r.tensorInto(f.a);
  r.outputInto(f.s);
}

// frame: a [..., m, n], fullMatrices, U spec, S spec, Vh spec.
struct SvdFrame {
  TensorDesc a, u, s, vh;
  bool full;
};

inline void readSvd(FrameReader& r, SvdFrame& f) {
  r.tensorInto(f.a);
  f.full = r.flag();
  r.outputInto(f.u);
  r.outputInto(f.s);
  r.outputInto(f.vh);
}

}  // namespace cinder
