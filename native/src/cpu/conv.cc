// Convolution on the GEMM. Every spatial case is handled as 3-D (a 1-d or 2-d convolution gets
// leading spatial dims of size 1 with a kernel of 1), with the output positions of one sample
// flattened to L = prod(out):
//   forward          y[n, group]  = W_g [Cout_g, K] * col [K, L]         K = Cin_g * prod(kernel)
//   input gradient   col          = W_g^T [K, Cout_g] * gy[n, group],    then col2im adds into gx
//   weight gradient  gW_g        += gy[n, group] [Cout_g, L] * col^T [L, K]
// where col is the im2col matrix of x[n, group]. col is built a block of output positions at a
// time in a per-thread scratch buffer (sized to stay in L2 while the GEMM packs it); 1x1
// stride-1 unpadded kernels use x (or gx) itself as the GEMM operand. Groups with few output
// channels, where most of the GEMM's register tile would be wasted, use the direct kernels of
// convDirect.cc for the forward and weight-gradient passes instead.
//
// Parallelism: work is cut into items (a sample and a block of output positions; for the input
// gradient a sample and a range of input channels, so items write disjoint parts of gx). When there
// are enough items the pool's threads take them one at a time (a shared counter, so a thread slowed
// by other load on the machine simply takes fewer) with a single-threaded GEMM inside; otherwise
// items run in order and the GEMM uses the pool. Each item's arithmetic does not depend on which
// thread runs it. Weight gradients accumulate per fixed group of items and the groups' sums are
// added in group order, so results are deterministic for a fixed thread count.
#include "cpu/conv.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <vector>

#include "core/threadPool.h"
#include "cpu/convDirect.h"
#include "cpu/gemm.h"

namespace cinder {

namespace {

constexpr int kS = kMaxConvSpatial;
static_assert(kS == kConvS, "one spatial rank for the public and internal headers");
// Bytes of an im2col block: the GEMM packs it in kc-deep slices while it is still in L2.
constexpr int64_t kColBlockBytes = 512 << 10;
// Columns of a block are a multiple of this (a whole number of the micro-kernel's column tiles).
constexpr int64_t kColAlign = 32;
// Floating-point work per chunk below which a region is not worth waking the pool for.
constexpr double kFlopsPerChunk = 2e6;
// Limit on stride, padding and dilation attributes (keeps every index product in int64).
constexpr int64_t kMaxAttr = int64_t(1) << 30;
// Memory for the per-group partial sums of a weight gradient.
constexpr int64_t kPartialBytes = int64_t(32) << 20;

// A 64-byte aligned scratch buffer that only grows (one of each kind per thread).
struct ConvScratch {
  void* p = nullptr;
  size_t bytes = 0;
  ~ConvScratch() { std::free(p); }
  template <typename T>
  T* get(int64_t count) {
    size_t n = sizeof(T) * (size_t)std::max<int64_t>(count, 1);
    if (n > bytes) {
      std::free(p);
      p = nullptr;
      bytes = 0;
      n = (n + 4095) & ~size_t(4095);
      p = std::aligned_alloc(64, n);
      if (!p) throw std::bad_alloc();
      bytes = n;
    }
    return static_cast<T*>(p);
  }
};
thread_local ConvScratch tColScratch;
thread_local ConvScratch tPartScratch;
thread_local ConvScratch tAuxScratch;

using Geom = ConvGeom;

std::string dimsString(const int64_t* v, int n) {
  std::string s = "[";
  for (int i = 0; i < n; i++) {
    if (i) s += ", ";
    s += std::to_string(v[i]);
  }
  return s + "]";
}

// Validates x-like [N, Cin, *in], w [Cout, Cin / groups, *kernel] and y-like [N, Cout, *out]
// against the parameters. `exact`: out must be the forward output size of in; otherwise in may
// exceed the size whose output is `out` by less than max(stride, dilation).
Geom makeGeom(const TensorDesc& x, const TensorDesc& w, const TensorDesc& y, const ConvParams& p, bool exact,
              const char* op) {
  const int s = p.spatial;
  CINDER_CHECK(s >= 1 && s <= kS, op, ": convolutions over 1 to 3 spatial dims are supported, got ", s);
  CINDER_CHECK(x.ndim == s + 2 && w.ndim == s + 2 && y.ndim == s + 2, op, ": expected ", s + 2,
               "-D input, weight and output, got ", x.shapeString(), ", ", w.shapeString(), " and ", y.shapeString());
  CINDER_CHECK(x.dtype == w.dtype && x.dtype == y.dtype, op, ": expected operands of one dtype, got ",
               dtypeName(x.dtype), ", ", dtypeName(w.dtype), " and ", dtypeName(y.dtype));
  CINDER_CHECK(x.dtype == DType::Float32 || x.dtype == DType::Float64, op, ": not supported for dtype ",
               dtypeName(x.dtype));
  Geom g;
  g.G = p.groups;
  CINDER_CHECK(g.G >= 1 && g.G <= kMaxAttr, op, ": groups must be positive, got ", g.G);
  g.N = x.shape[0];
  g.Cin = x.shape[1];
  g.Cout = w.shape[0];
  CINDER_CHECK(y.shape[0] == g.N, op, ": batch sizes of ", x.shapeString(), " and ", y.shapeString(), " differ");
  CINDER_CHECK(y.shape[1] == g.Cout, op, ": output ", y.shapeString(), " does not have the weight's ", g.Cout,
               " output channels (weight ", w.shapeString(), ")");
  CINDER_CHECK(g.Cin % g.G == 0 && g.Cout % g.G == 0, op, ": channels ", g.Cin, " and ", g.Cout,
               " must be divisible by groups (", g.G, ")");
  g.Cig = g.Cin / g.G;
  g.Cog = g.Cout / g.G;
  CINDER_CHECK(w.shape[1] == g.Cig, op, ": input ", x.shapeString(), " and weight ", w.shapeString(),
               ": expected input channels ", w.shape[1], "*groups = ", w.shape[1] * g.G, ", got ", g.Cin);
  const int lead = kS - s;
  bool oneByOne = true;
  for (int i = 0; i < kS; i++) {
    if (i < lead) {
      g.X[i] = g.Y[i] = g.Kk[i] = g.S[i] = g.D[i] = 1;
      g.P[i] = 0;
      continue;
    }
    int j = i - lead;
    int64_t st = p.stride[j], pb = p.padBefore[j], pa = p.padAfter[j], dl = p.dilation[j];
    CINDER_CHECK(st >= 1 && st <= kMaxAttr && dl >= 1 && dl <= kMaxAttr, op, ": stride and dilation must be positive, got ",
                 dimsString(p.stride, s), " and ", dimsString(p.dilation, s));
    CINDER_CHECK(pb >= 0 && pa >= 0 && pb <= kMaxAttr && pa <= kMaxAttr, op, ": padding must be non-negative, got ",
                 dimsString(p.padBefore, s), " and ", dimsString(p.padAfter, s));
    int64_t xi = x.shape[2 + j], yi = y.shape[2 + j], ki = w.shape[2 + j];
    CINDER_CHECK(ki >= 1, op, ": kernel sizes must be positive, got weight ", w.shapeString());
    CINDER_CHECK(xi >= 1 && yi >= 1, op, ": spatial sizes must be positive, got ", x.shapeString(), " and ",
                 y.shapeString());
    int64_t span = dl * (ki - 1) + 1;
    if (exact) {
      int64_t num = xi + pb + pa - span;
      CINDER_CHECK(num >= 0, op, ": input ", x.shapeString(), " padded by ", dimsString(p.padBefore, s), "/",
                   dimsString(p.padAfter, s), " is smaller than the dilated kernel of weight ", w.shapeString());
      CINDER_CHECK(yi == num / st + 1, op, ": output ", y.shapeString(), " does not match input ", x.shapeString(),
                   " and weight ", w.shapeString(), " (expected size ", num / st + 1, " in spatial dim ", j, ")");
    } else {
      int64_t base = (yi - 1) * st - pb - pa + span;
      int64_t extra = xi - base;
      CINDER_CHECK(extra >= 0 && extra < std::max(st, dl), op, ": input size ", x.shapeString(),
                   " and output size ", y.shapeString(), " do not match weight ", w.shapeString(),
                   " with these strides, padding and dilation (spatial dim ", j, ")");
    }
    g.X[i] = xi;
    g.Y[i] = yi;
    g.Kk[i] = ki;
    g.S[i] = st;
    g.P[i] = pb;
    g.D[i] = dl;
    if (ki != 1 || st != 1 || pb != 0 || pa != 0 || xi != yi) oneByOne = false;
  }
  g.oneByOne = oneByOne;
  g.kvol = g.Kk[0] * g.Kk[1] * g.Kk[2];
  g.K = g.Cig * g.kvol;
  g.L = g.Y[0] * g.Y[1] * g.Y[2];
  g.Xvol = g.X[0] * g.X[1] * g.X[2];
  g.ws0 = w.strides[0];
  CINDER_CHECK(coalesceDims(w, 1, &g.wsK), op, ": the weight's non-leading dims must be contiguous (got strides of ",
               w.shapeString(), ")");
  return g;
}

// The stride of the flattened output positions of gy (its spatial dims must coalesce).
int64_t spatialStride(const TensorDesc& t, const char* what, const char* op) {
  int64_t st = 1;
  CINDER_CHECK(coalesceDims(t, 2, &st), op, ": the spatial dims of ", what, " ", t.shapeString(),
               " must be contiguous with each other");
  return st;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Columns per im2col block for a K-row block, and how many blocks cover L (at least `minBlocks`
// when L allows it, so a small batch still gives the pool enough items). Blocks are of nearly equal
// size, each a whole number of kColAlign columns but the last.
void blockPlan(int64_t rows, int64_t L, size_t elem, bool needCol, int64_t minBlocks, int64_t* cols, int64_t* blocks) {
  int64_t lb = L;
  if (needCol) {
    lb = kColBlockBytes / (int64_t)(elem * (size_t)std::max<int64_t>(rows, 1));
    lb = std::max<int64_t>(kColAlign, lb / kColAlign * kColAlign);
  }
  int64_t n = std::max<int64_t>(ceilDiv(L, std::max<int64_t>(lb, 1)), std::max<int64_t>(minBlocks, 1));
  int64_t c = std::max<int64_t>(1, std::min(L, ceilDiv(ceilDiv(L, n), kColAlign) * kColAlign));
  *cols = c;
  *blocks = ceilDiv(L, c);
}

// How a pass runs its items: spread over `workers` threads (single-threaded GEMMs inside), or in
// order on the calling thread with the GEMM using the pool (workers == 1).
struct Plan {
  int workers = 1;
};

Plan planItems(int64_t items, double flopsPerItem) {
  Plan pl;
  const int nt = ThreadPool::instance().numThreads();
  const double total = (double)items * flopsPerItem;
  const int64_t byWork = std::max<int64_t>(1, (int64_t)(total / kFlopsPerChunk));
  const int64_t workers = std::min<int64_t>({(int64_t)nt, items, byWork});
  // A few heavy items that do not divide evenly go faster one at a time with a parallel GEMM.
  if (workers > 1 && (items % workers == 0 || items >= 4 * workers)) pl.workers = (int)workers;
  return pl;
}

// Calls f(i) for i in [0, count): on `workers` threads taking the next index from a shared counter,
// or in order on this thread.
template <typename F>
void forEachDynamic(int64_t count, int workers, F&& f) {
  if (workers <= 1 || count <= 1) {
    for (int64_t i = 0; i < count; i++) f(i);
    return;
  }
  std::atomic<int64_t> next{0};
  parallelFor(workers, 1, [&](int64_t, int64_t) {
    for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) f(i);
  });
}

// Runs f(item, gemmThreads) for every item, as planned.
template <typename F>
void runItems(int64_t items, const Plan& pl, F&& f) {
  if (pl.workers <= 1) {
    for (int64_t it = 0; it < items; it++) f(it, 0);
    return;
  }
  forEachDynamic(items, pl.workers, [&](int64_t it) { f(it, 1); });
}

// Groups of items whose sums are kept apart (weight gradients): enough of them that threads taking
// groups one at a time stay busy, within a memory budget for the partial sums.
int64_t sumGroups(int64_t items, const Plan& pl, int64_t bytesPerGroup) {
  if (pl.workers <= 1) return 1;
  const int64_t byMemory = std::max<int64_t>(pl.workers, (int64_t)(kPartialBytes / std::max<int64_t>(bytesPerGroup, 1)));
  return std::max<int64_t>(1, std::min<int64_t>({items, 4 * (int64_t)pl.workers, byMemory}));
}

// Position walk over the output positions [l0, l0 + ncol) of one sample, one run of the last dim
// at a time: calls f(j, seg, oz, oy, ox) with j the column of the run's first position.
template <typename F>
inline void forRuns(const Geom& g, int64_t l0, int64_t ncol, F&& f) {
  const int64_t Y1 = g.Y[1], Y2 = g.Y[2];
  int64_t oz = l0 / (Y1 * Y2), oy = (l0 / Y2) % Y1, ox = l0 % Y2;
  for (int64_t j = 0; j < ncol;) {
    int64_t seg = std::min(Y2 - ox, ncol - j);
    f(j, seg, oz, oy, ox);
    j += seg;
    ox = 0;
    if (++oy == Y1) {
      oy = 0;
      ++oz;
    }
  }
}

// For kernel offset `off` (= k * dilation - padBefore) in the last dim: output columns
// [lo, hi) read input columns inside [0, X2).
inline void validRange(int64_t off, int64_t stride, int64_t X2, int64_t* lo, int64_t* hi) {
  *lo = off >= 0 ? 0 : ceilDiv(-off, stride);
  *hi = X2 - 1 - off < 0 ? 0 : (X2 - 1 - off) / stride + 1;
}

// The valid output-column ranges [lo[kx], hi[kx]) of every kernel column (see validRange).
struct KxRanges {
  static constexpr int kInline = 32;
  int64_t inlineLo[kInline], inlineHi[kInline];
  std::vector<int64_t> heapLo, heapHi;
  int64_t* lo;
  int64_t* hi;
  explicit KxRanges(const Geom& g) {
    const int64_t kw = g.Kk[2];
    if (kw <= kInline) {
      lo = inlineLo;
      hi = inlineHi;
    } else {
      heapLo.resize((size_t)kw);
      heapHi.resize((size_t)kw);
      lo = heapLo.data();
      hi = heapHi.data();
    }
    for (int64_t kx = 0; kx < kw; kx++) validRange(kx * g.D[2] - g.P[2], g.S[2], g.X[2], &lo[kx], &hi[kx]);
  }
};

// col [nch * kvol, ncol] = the im2col block of channels [0, nch) of src (channel stride sc,
// spatial strides ss[3]) for output positions [l0, l0 + ncol). Rows are (c, kz, ky, kx); for each
// (c, kz, ky) the input row of every run of output positions is located once for all kx.
template <typename T>
void im2col(const Geom& g, const T* src, int64_t sc, const int64_t* ss, int64_t nch, int64_t l0, int64_t ncol, T* col) {
  const KxRanges r(g);
  const int64_t kw = g.Kk[2], sx = g.S[2] * ss[2];
  T* out = col;
  for (int64_t c = 0; c < nch; c++) {
    const T* xc = src + c * sc;
    for (int64_t kz = 0; kz < g.Kk[0]; kz++) {
      const int64_t offz = kz * g.D[0] - g.P[0];
      for (int64_t ky = 0; ky < g.Kk[1]; ky++, out += kw * ncol) {
        const int64_t offy = ky * g.D[1] - g.P[1];
        forRuns(g, l0, ncol, [&](int64_t j, int64_t seg, int64_t oz, int64_t oy, int64_t ox) {
          const int64_t iz = oz * g.S[0] + offz, iy = oy * g.S[1] + offy;
          if (iz < 0 || iz >= g.X[0] || iy < 0 || iy >= g.X[1]) {
            for (int64_t kx = 0; kx < kw; kx++) std::fill(out + kx * ncol + j, out + kx * ncol + j + seg, T(0));
            return;
          }
          const T* row = xc + iz * ss[0] + iy * ss[1];
          for (int64_t kx = 0; kx < kw; kx++) {
            T* o = out + kx * ncol + j;
            const int64_t a = std::min(std::max<int64_t>(r.lo[kx] - ox, 0), seg);
            const int64_t b = std::min(std::max(r.hi[kx] - ox, a), seg);
            for (int64_t t = 0; t < a; t++) o[t] = T(0);
            if (b > a) {
              const T* s = row + ((ox + a) * g.S[2] + kx * g.D[2] - g.P[2]) * ss[2];
              T* d = o + a;
              const int64_t len = b - a;
              if (sx == 1) {
                for (int64_t t = 0; t < len; t++) d[t] = s[t];
              } else if (sx == 2) {
                // A constant stride the compiler vectorises (stride-2 convolutions are common).
                for (int64_t t = 0; t < len; t++) d[t] = s[2 * t];
              } else {
                for (int64_t t = 0; t < len; t++) d[t] = s[t * sx];
              }
            }
            for (int64_t t = b; t < seg; t++) o[t] = T(0);
          }
        });
      }
    }
  }
}

// The adjoint of im2col: adds col [nch * kvol, ncol] into channels [0, nch) of the contiguous
// dst (channel stride Xvol).
template <typename T>
void col2im(const Geom& g, const T* col, int64_t nch, int64_t l0, int64_t ncol, T* dst) {
  const KxRanges r(g);
  const int64_t kw = g.Kk[2], sx = g.S[2];
  const int64_t X12 = g.X[1] * g.X[2];
  const T* in = col;
  for (int64_t c = 0; c < nch; c++) {
    T* dc = dst + c * g.Xvol;
    for (int64_t kz = 0; kz < g.Kk[0]; kz++) {
      const int64_t offz = kz * g.D[0] - g.P[0];
      for (int64_t ky = 0; ky < g.Kk[1]; ky++, in += kw * ncol) {
        const int64_t offy = ky * g.D[1] - g.P[1];
        forRuns(g, l0, ncol, [&](int64_t j, int64_t seg, int64_t oz, int64_t oy, int64_t ox) {
          const int64_t iz = oz * g.S[0] + offz, iy = oy * g.S[1] + offy;
          if (iz < 0 || iz >= g.X[0] || iy < 0 || iy >= g.X[1]) return;
          T* row = dc + iz * X12 + iy * g.X[2];
          for (int64_t kx = 0; kx < kw; kx++) {
            const int64_t a = std::min(std::max<int64_t>(r.lo[kx] - ox, 0), seg);
            const int64_t b = std::min(std::max(r.hi[kx] - ox, a), seg);
            if (b <= a) continue;
            const T* s = in + kx * ncol + j + a;
            T* d = row + (ox + a) * sx + kx * g.D[2] - g.P[2];
            const int64_t len = b - a;
            if (sx == 1) {
              for (int64_t t = 0; t < len; t++) d[t] += s[t];
            } else {
              for (int64_t t = 0; t < len; t++) d[t * sx] += s[t];
            }
          }
        });
      }
    }
  }
}

// Copies rows [0, rows) x columns [0, ncol) of src (row stride rs, unit column stride) into dst,
// prefetching rows a few ahead. A block of a large input read this way keeps several memory requests
// in flight, where the GEMM's packing would wait on each short row in turn.
template <typename T>
void copyRowsPrefetched(const T* src, int64_t rs, int64_t rows, int64_t ncol, T* dst) {
  constexpr int64_t kAhead = 6;
  constexpr int64_t kLine = 64 / (int64_t)sizeof(T);
  auto prefetchRow = [&](int64_t r) {
    const T* p = src + r * rs;
    for (int64_t j = 0; j < ncol; j += kLine) __builtin_prefetch(p + j);
  };
  for (int64_t r = 0; r < std::min(kAhead, rows); r++) prefetchRow(r);
  for (int64_t r = 0; r < rows; r++) {
    if (r + kAhead < rows) prefetchRow(r + kAhead);
    std::memcpy(dst + r * ncol, src + r * rs, sizeof(T) * (size_t)ncol);
  }
}

// x's spatial strides padded to 3 dims.
void spatialStrides(const TensorDesc& x, int s, int64_t* ss) {
  for (int i = 0; i < kS; i++) ss[i] = i < kS - s ? 0 : x.strides[2 + i - (kS - s)];
}

// Whether a group's output channels are few enough for the direct kernels (a vector of them
// against the GEMM's wider tile; 1x1 kernels have no im2col to save).
template <typename T>
bool useDirect(const Geom& g) {
  return g.Cog >= 2 && g.Cog <= 2 * kDirectLanes<T> && !g.oneByOne && g.L >= 4;
}

// The sample's input as [Cin][X0][X1][rw] with column ix at ix + padBefore and zeros around.
template <typename T>
void padSample(const Geom& g, const T* xn, int64_t xsc, const int64_t* ss, int64_t rw, T* out) {
  const int64_t p2 = g.P[2], x2 = g.X[2];
  for (int64_t c = 0; c < g.Cin; c++) {
    for (int64_t iz = 0; iz < g.X[0]; iz++) {
      for (int64_t iy = 0; iy < g.X[1]; iy++, out += rw) {
        const T* src = xn + c * xsc + iz * ss[0] + iy * ss[1];
        std::fill(out, out + p2, T(0));
        if (ss[2] == 1) {
          std::memcpy(out + p2, src, sizeof(T) * (size_t)x2);
        } else {
          for (int64_t i = 0; i < x2; i++) out[p2 + i] = src[i * ss[2]];
        }
        std::fill(out + p2 + x2, out + rw, T(0));
      }
    }
  }
}

template <typename T>
void forwardDirectImpl(const Geom& g, int s, const TensorDesc& x, const TensorDesc& w, const TensorDesc* bias,
                       const TensorDesc& y) {
  constexpr int64_t W = kDirectLanes<T>;
  const T* xp = x.ptr<T>();
  const T* wp = w.ptr<T>();
  T* yp = y.ptr<T>();
  int64_t ss[kS];
  spatialStrides(x, s, ss);
  const int64_t nCB = ceilDiv(g.Cog, W);
  // Weights as [group][channel block][tap][lanes], zero in missing lanes.
  T* wpack = tPartScratch.get<T>(g.G * nCB * g.K * W);
  for (int64_t gi = 0; gi < g.G; gi++)
    for (int64_t cb = 0; cb < nCB; cb++) {
      T* dst = wpack + (gi * nCB + cb) * g.K * W;
      for (int64_t t = 0; t < g.K; t++)
        for (int64_t l = 0; l < W; l++) {
          const int64_t co = cb * W + l;
          dst[t * W + l] = co < g.Cog ? wp[(gi * g.Cog + co) * g.ws0 + t * g.wsK] : T(0);
        }
    }
  const int64_t rw = directRowLength(g, directWeightCols(g));
  const int64_t rows = g.Y[0] * g.Y[1];
  const int nt = ThreadPool::instance().numThreads();
  const int64_t chunks = g.N >= nt ? 1 : std::min(rows, ceilDiv(2 * nt, std::max<int64_t>(g.N, 1)));
  const int64_t items = g.N * chunks;
  Plan pl = planItems(items, 2.0 * (double)g.Cout * (double)g.K * (double)g.L / (double)chunks);
  const T* bp = bias ? bias->ptr<T>() : nullptr;
  const int64_t bs = bias ? bias->strides[0] : 0;
  forEachDynamic(items, pl.workers, [&](int64_t it) {
    const int64_t n = it / chunks, c = it % chunks;
    T* xpad = tColScratch.get<T>(g.Cin * g.X[0] * g.X[1] * rw);
    padSample(g, xp + n * x.strides[0], x.strides[1], ss, rw, xpad);
    directForward<T>(g, xpad, rw, wpack, bp, bs, yp + n * g.Cout * g.L, rows * c / chunks, rows * (c + 1) / chunks);
  });
}

template <typename T>
void forwardImpl(const Geom& g, int s, const TensorDesc& x, const TensorDesc& w, const TensorDesc* bias,
                 const TensorDesc& y) {
  if (useDirect<T>(g)) {
    forwardDirectImpl<T>(g, s, x, w, bias, y);
    return;
  }
  const T* xp = x.ptr<T>();
  const T* wp = w.ptr<T>();
  T* yp = y.ptr<T>();
  int64_t ss[kS];
  spatialStrides(x, s, ss);
  int64_t xls = 1;
  const bool direct = g.oneByOne && coalesceDims(x, 2, &xls);
  const int64_t xsn = x.strides[0], xsc = x.strides[1];
  const int nt = ThreadPool::instance().numThreads();
  int64_t cols, blocks;
  blockPlan(g.K, g.L, sizeof(T), true, g.N < nt ? ceilDiv(2 * nt, std::max<int64_t>(g.N, 1)) : 1, &cols, &blocks);
  const int64_t items = g.N * blocks;
  Plan pl = planItems(items, 2.0 * (double)g.Cout * (double)g.K * (double)cols);
  const T* bp = bias ? bias->ptr<T>() : nullptr;
  const int64_t bs = bias ? bias->strides[0] : 0;
  runItems(items, pl, [&](int64_t it, int gemmThreads) {
    const int64_t n = it / blocks, l0 = (it % blocks) * cols, ncol = std::min(cols, g.L - l0);
    const T* xn = xp + n * xsn;
    T* yn = yp + n * g.Cout * g.L;
    // A 1x1 kernel's block of x is staged too (copyRowsPrefetched): the GEMM then packs it from L2.
    T* col = tColScratch.get<T>(g.K * ncol);
    for (int64_t gi = 0; gi < g.G; gi++) {
      const T* bm;
      int64_t rsb, csb;
      if (direct && xls == 1) {
        copyRowsPrefetched(xn + gi * g.Cig * xsc + l0, xsc, g.Cig, ncol, col);
        bm = col;
        rsb = ncol;
        csb = 1;
      } else if (direct) {
        bm = xn + gi * g.Cig * xsc + l0 * xls;
        rsb = xsc;
        csb = xls;
      } else {
        im2col(g, xn + gi * g.Cig * xsc, xsc, ss, g.Cig, l0, ncol, col);
        bm = col;
        rsb = ncol;
        csb = 1;
      }
      gemm<T>(g.Cog, ncol, g.K, T(1), wp + gi * g.Cog * g.ws0, g.ws0, g.wsK, bm, rsb, csb, T(0),
              yn + gi * g.Cog * g.L + l0, g.L, 1, gemmThreads);
    }
    if (bp) {
      for (int64_t co = 0; co < g.Cout; co++) {
        const T b = bp[co * bs];
        T* r = yn + co * g.L + l0;
        for (int64_t j = 0; j < ncol; j++) r[j] += b;
      }
    }
  });
}

template <typename T>
void backwardInputImpl(const Geom& g, const TensorDesc& gy, const TensorDesc& w, const TensorDesc* bias,
                       const TensorDesc& gx, int64_t gls) {
  const T* gp = gy.ptr<T>();
  const T* wp = w.ptr<T>();
  T* xp = gx.ptr<T>();
  const int64_t gsn = gy.strides[0], gsc = gy.strides[1];
  const bool direct = g.oneByOne;
  const int nt = ThreadPool::instance().numThreads();
  // Items: a sample and a range of input channels (disjoint parts of gx).
  const int64_t cchunks = g.N >= nt ? 1 : std::max<int64_t>(1, std::min<int64_t>(g.Cin, ceilDiv(2 * nt, std::max<int64_t>(g.N, 1))));
  const int64_t items = g.N * cchunks;
  Plan pl = planItems(items, 2.0 * (double)g.Cog * (double)g.Cin * (double)g.kvol * (double)g.L / (double)cchunks);
  const T* bp = bias ? bias->ptr<T>() : nullptr;
  const int64_t bs = bias ? bias->strides[0] : 0;
  runItems(items, pl, [&](int64_t it, int gemmThreads) {
    const int64_t n = it / cchunks, cc = it % cchunks;
    const int64_t ca = g.Cin * cc / cchunks, cb = g.Cin * (cc + 1) / cchunks;
    if (cb <= ca) return;
    T* dxn = xp + n * g.Cin * g.Xvol;
    const T* gyn = gp + n * gsn;
    if (!direct) std::fill(dxn + ca * g.Xvol, dxn + cb * g.Xvol, T(0));
    for (int64_t gi = ca / g.Cig; gi * g.Cig < cb; gi++) {
      const int64_t clo = std::max(ca, gi * g.Cig), chi = std::min(cb, (gi + 1) * g.Cig);
      const int64_t rows = (chi - clo) * g.kvol;
      const T* a = wp + gi * g.Cog * g.ws0 + (clo - gi * g.Cig) * g.kvol * g.wsK;
      const T* gyg = gyn + gi * g.Cog * gsc;
      if (direct) {
        gemm<T>(chi - clo, g.L, g.Cog, T(1), a, g.wsK, g.ws0, gyg, gsc, gls, T(0), dxn + clo * g.Xvol, g.Xvol, 1,
                gemmThreads);
        continue;
      }
      // Blocks sized for a whole group whatever the channel range, so every gx element sums its
      // contributions in the same order on any number of threads.
      int64_t cols, blocks;
      blockPlan(g.K, g.L, sizeof(T), true, 1, &cols, &blocks);
      T* dcol = tColScratch.get<T>(rows * cols);
      for (int64_t b = 0; b < blocks; b++) {
        const int64_t l0 = b * cols, ncol = std::min(cols, g.L - l0);
        gemm<T>(rows, ncol, g.Cog, T(1), a, g.wsK, g.ws0, gyg + l0 * gls, gsc, gls, T(0), dcol, ncol, 1,
                gemmThreads);
        col2im(g, dcol, chi - clo, l0, ncol, dxn + clo * g.Xvol);
      }
    }
    if (bp) {
      for (int64_t c = ca; c < cb; c++) {
        const T b = bp[c * bs];
        T* r = dxn + c * g.Xvol;
        for (int64_t j = 0; j < g.Xvol; j++) r[j] += b;
      }
    }
  });
}

// Sums items [0, items) of a weight gradient in `groups` fixed groups of consecutive items, each
// into its own buffer of `size` elements (group 0 into first0 when given), then adds the groups'
// buffers into out in group order. item(it, acc, first) adds item `it` into acc (overwriting it
// when `first`); gemmThreads is passed on.
template <typename T, typename F>
void sumInGroups(int64_t items, const Plan& pl, int64_t size, int64_t groups, T* first0, F&& item,
                 const std::function<void(const T* part, bool first)>& reduce) {
  const int64_t extra = first0 ? groups - 1 : groups;
  T* parts = tPartScratch.get<T>(extra * size);
  auto bufferOf = [&](int64_t grp) { return first0 ? (grp == 0 ? first0 : parts + (grp - 1) * size) : parts + grp * size; };
  auto runGroup = [&](int64_t grp, int gemmThreads) {
    const int64_t i0 = items * grp / groups, i1 = items * (grp + 1) / groups;
    T* acc = bufferOf(grp);
    if (i1 <= i0) std::fill(acc, acc + size, T(0));
    for (int64_t it = i0; it < i1; it++) item(it, acc, it == i0, gemmThreads);
  };
  if (groups <= 1) {
    runGroup(0, pl.workers <= 1 ? 0 : 1);
  } else {
    forEachDynamic(groups, pl.workers, [&](int64_t grp) { runGroup(grp, 1); });
  }
  for (int64_t grp = first0 ? 1 : 0; grp < groups; grp++) reduce(bufferOf(grp), grp == 0);
}

template <typename T>
void backwardWeightDirectImpl(const Geom& g, int s, const TensorDesc& x, const TensorDesc& gy, const TensorDesc& gw,
                              int64_t gls) {
  constexpr int64_t W = kDirectLanes<T>;
  const T* xp = x.ptr<T>();
  const T* gp = gy.ptr<T>();
  T* wp = gw.ptr<T>();
  int64_t ss[kS];
  spatialStrides(x, s, ss);
  const int64_t nCB = ceilDiv(g.Cog, W);
  const int64_t packed = g.G * nCB * g.K * W;
  const int64_t rw = directRowLength(g, directWeightCols(g));
  const int64_t gsn = gy.strides[0], gsc = gy.strides[1];
  Plan pl = planItems(g.N, 2.0 * (double)g.Cout * (double)g.K * (double)g.L);
  const int64_t groups = sumGroups(g.N, pl, packed * (int64_t)sizeof(T));
  auto item = [&](int64_t n, T* acc, bool first, int) {
    if (first) std::fill(acc, acc + packed, T(0));
    T* xpad = tColScratch.get<T>(g.Cin * g.X[0] * g.X[1] * rw);
    padSample(g, xp + n * x.strides[0], x.strides[1], ss, rw, xpad);
    // gradOutput as [group][channel block][L][lanes].
    T* gyT = tAuxScratch.get<T>(g.G * nCB * g.L * W);
    const T* gyn = gp + n * gsn;
    for (int64_t gi = 0; gi < g.G; gi++)
      for (int64_t cb = 0; cb < nCB; cb++) {
        T* dst = gyT + (gi * nCB + cb) * g.L * W;
        const int64_t co0 = gi * g.Cog + cb * W, nco = std::min(W, g.Cog - cb * W);
        for (int64_t l = 0; l < nco; l++) {
          const T* src = gyn + (co0 + l) * gsc;
          for (int64_t j = 0; j < g.L; j++) dst[j * W + l] = src[j * gls];
        }
        for (int64_t l = nco; l < W; l++)
          for (int64_t j = 0; j < g.L; j++) dst[j * W + l] = T(0);
      }
    directWeight<T>(g, xpad, rw, gyT, acc);
  };
  // Unpacks a group's sums into gw (the first overwrites it).
  auto reduce = [&](const T* part, bool first) {
    for (int64_t gi = 0; gi < g.G; gi++)
      for (int64_t cb = 0; cb < nCB; cb++) {
        const T* src = part + (gi * nCB + cb) * g.K * W;
        const int64_t co0 = gi * g.Cog + cb * W, nco = std::min(W, g.Cog - cb * W);
        for (int64_t l = 0; l < nco; l++) {
          T* dst = wp + (co0 + l) * g.K;
          if (first) {
            for (int64_t t = 0; t < g.K; t++) dst[t] = src[t * W + l];
          } else {
            for (int64_t t = 0; t < g.K; t++) dst[t] += src[t * W + l];
          }
        }
      }
  };
  sumInGroups<T>(g.N, pl, packed, groups, nullptr, item, reduce);
}

template <typename T>
void backwardWeightImpl(const Geom& g, int s, const TensorDesc& x, const TensorDesc& gy, const TensorDesc& gw,
                        int64_t gls) {
  T* wp = gw.ptr<T>();
  const int64_t wsize = g.Cout * g.K;
  if (g.N == 0) {
    std::fill(wp, wp + wsize, T(0));
    return;
  }
  if (useDirect<T>(g)) {
    backwardWeightDirectImpl<T>(g, s, x, gy, gw, gls);
    return;
  }
  const T* xp = x.ptr<T>();
  const T* gp = gy.ptr<T>();
  int64_t ss[kS];
  spatialStrides(x, s, ss);
  int64_t xls = 1;
  const bool direct = g.oneByOne && coalesceDims(x, 2, &xls);
  const int64_t xsn = x.strides[0], xsc = x.strides[1];
  const int64_t gsn = gy.strides[0], gsc = gy.strides[1];
  const int nt = ThreadPool::instance().numThreads();
  int64_t cols, blocks;
  blockPlan(g.K, g.L, sizeof(T), true, g.N < nt ? ceilDiv(2 * nt, std::max<int64_t>(g.N, 1)) : 1, &cols, &blocks);
  const int64_t items = g.N * blocks;
  Plan pl = planItems(items, 2.0 * (double)g.Cout * (double)g.K * (double)cols);
  const int64_t groups = sumGroups(items, pl, wsize * (int64_t)sizeof(T));
  auto item = [&](int64_t it, T* acc, bool first, int gemmThreads) {
    const int64_t n = it / blocks, l0 = (it % blocks) * cols, ncol = std::min(cols, g.L - l0);
    const T* xn = xp + n * xsn;
    const T* gyn = gp + n * gsn;
    T* col = direct ? nullptr : tColScratch.get<T>(g.K * ncol);
    for (int64_t gi = 0; gi < g.G; gi++) {
      const T* bm;
      int64_t rsb, csb;
      if (direct) {
        bm = xn + gi * g.Cig * xsc + l0 * xls;
        rsb = xls;
        csb = xsc;
      } else {
        im2col(g, xn + gi * g.Cig * xsc, xsc, ss, g.Cig, l0, ncol, col);
        bm = col;
        rsb = 1;
        csb = ncol;
      }
      gemm<T>(g.Cog, g.K, ncol, T(1), gyn + gi * g.Cog * gsc + l0 * gls, gsc, gls, bm, rsb, csb, first ? T(0) : T(1),
              acc + gi * g.Cog * g.K, g.K, 1, gemmThreads);
    }
  };
  auto reduce = [&](const T* part, bool) {
    parallelFor(wsize, 1 << 15, [&](int64_t e0, int64_t e1) {
      for (int64_t e = e0; e < e1; e++) wp[e] += part[e];
    });
  };
  sumInGroups<T>(items, pl, wsize, groups, wp, item, reduce);
}

void checkBias(const TensorDesc* bias, const TensorDesc& like, int64_t channels, const char* op) {
  if (!bias) return;
  CINDER_CHECK(bias->ndim == 1 && bias->shape[0] == channels, op, ": expected a bias of shape [", channels, "], got ",
               bias->shapeString());
  CINDER_CHECK(bias->dtype == like.dtype, op, ": bias dtype ", dtypeName(bias->dtype), " differs from ",
               dtypeName(like.dtype));
}

void checkOutput(const TensorDesc& out, const char* op) {
  CINDER_CHECK(out.isContiguous(), op, ": internal: the output must be contiguous");
}

}  // namespace

ConvGeom convForwardGeometry(const TensorDesc& x, const TensorDesc& w, const TensorDesc* bias, const TensorDesc& y,
                             const ConvParams& p, const char* op) {
  Geom g = makeGeom(x, w, y, p, true, op);
  checkBias(bias, x, g.Cout, op);
  checkOutput(y, op);
  return g;
}

ConvGeom convBackwardInputGeometry(const TensorDesc& gy, const TensorDesc& w, const TensorDesc* bias,
                                   const TensorDesc& gx, const ConvParams& p, const char* op, int64_t* gls) {
  Geom g = makeGeom(gx, w, gy, p, false, op);
  checkBias(bias, gx, g.Cin, op);
  checkOutput(gx, op);
  *gls = spatialStride(gy, "gradOutput", op);
  return g;
}

ConvGeom convBackwardWeightGeometry(const TensorDesc& x, const TensorDesc& gy, const TensorDesc& gw,
                                    const ConvParams& p, const char* op, int64_t* gls) {
  Geom g = makeGeom(x, gw, gy, p, false, op);
  checkOutput(gw, op);
  *gls = spatialStride(gy, "gradOutput", op);
  return g;
}

void convForward(const TensorDesc& x, const TensorDesc& w, const TensorDesc* bias, const TensorDesc& y,
                 const ConvParams& p, const char* op) {
  Geom g = convForwardGeometry(x, w, bias, y, p, op);
  if (y.numel() == 0) return;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] { forwardImpl<scalar_t>(g, p.spatial, x, w, bias, y); });
}

void convBackwardInput(const TensorDesc& gy, const TensorDesc& w, const TensorDesc* bias, const TensorDesc& gx,
                       const ConvParams& p, const char* op) {
  int64_t gls = 1;
  Geom g = convBackwardInputGeometry(gy, w, bias, gx, p, op, &gls);
  if (gx.numel() == 0) return;
  CINDER_DISPATCH_FLOAT(gx.dtype, op, [&] { backwardInputImpl<scalar_t>(g, gy, w, bias, gx, gls); });
}

void convBackwardWeight(const TensorDesc& x, const TensorDesc& gy, const TensorDesc& gw, const ConvParams& p,
                        const char* op) {
  int64_t gls = 1;
  Geom g = convBackwardWeightGeometry(x, gy, gw, p, op, &gls);
  if (gw.numel() == 0) return;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] { backwardWeightImpl<scalar_t>(g, p.spatial, x, gy, gw, gls); });
}

}  // namespace cinder
