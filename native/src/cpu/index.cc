#include "cpu/index.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/convert.h"
#include "core/elementwiseIter.h"
#include "cpu/indexChecks.h"

namespace cinder {

namespace {

constexpr int64_t kSequential = std::numeric_limits<int64_t>::max();


// Index tensors are int64 or int32; the body sees `index_t`.
#define CINDER_DISPATCH_INDEX(DT, OP, ...)                                                            \
  [&] {                                                                                               \
    switch (DT) {                                                                                     \
      case DType::Int64: { using index_t = int64_t; __VA_ARGS__(); break; }                           \
      case DType::Int32: { using index_t = int32_t; __VA_ARGS__(); break; }                           \
      default: fail(OP, ": expected an index tensor of dtype int64 (or int32), got ", dtypeName(DT)); \
    }                                                                                                 \
  }()

// Moves elements as raw words of their size: gather/scatter/take/select need no arithmetic.
#define CINDER_DISPATCH_WORD(SIZE, ...)                         \
  [&] {                                                         \
    switch (SIZE) {                                             \
      case 1: { using word_t = uint8_t; __VA_ARGS__(); break; }  \
      case 2: { using word_t = uint16_t; __VA_ARGS__(); break; } \
      case 4: { using word_t = uint32_t; __VA_ARGS__(); break; } \
      default: { using word_t = uint64_t; __VA_ARGS__(); break; } \
    }                                                           \
  }()

[[noreturn]] void outOfBounds(const char* op, int64_t idx, int dim, int64_t size) {
  fail(op, ": index ", idx, " is out of bounds for dimension ", dim, " with size ", size);
}

inline int64_t wrapIndex(int64_t idx, int64_t size, const char* op, int dim) {
  int64_t i = idx < 0 ? idx + size : idx;
  if (i < 0 || i >= size) outOfBounds(op, idx, dim, size);
  return i;
}

template <typename F>
void walk(const TensorDesc& d, F&& f) {
  int64_t n = d.numel();
  if (n == 0) return;
  const int64_t es = (int64_t)itemSize(d.dtype);
  int64_t idx[kMaxDims] = {};
  char* p = d.data;
  for (int64_t k = 0; k < n; k++) {
    f(p, idx);
    for (int dd = d.ndim - 1; dd >= 0; dd--) {
      idx[dd]++;
      p += d.strides[dd] * es;
      if (idx[dd] < d.shape[dd]) break;
      p -= d.shape[dd] * d.strides[dd] * es;
      idx[dd] = 0;
    }
  }
}

}  // namespace

void gatherKernel(const TensorDesc& out, const TensorDesc& self, const TensorDesc& index, int dim, const char* op) {
  checkDim(self, dim, op);
  CINDER_CHECK(out.ndim == self.ndim && out.dtype == self.dtype, op, ": output of shape ", out.shapeString(),
               " does not match self of shape ", self.shapeString());
  for (int d = 0; d < out.ndim; d++)
    CINDER_CHECK(d == dim || out.shape[d] <= self.shape[d], op, ": index of shape ", out.shapeString(),
                 " is larger than self of shape ", self.shapeString(), " at dimension ", d);
  if (out.numel() == 0) return;
  const int64_t es = (int64_t)itemSize(self.dtype);
  const int64_t size = self.shape[dim];
  const int64_t dimStride = self.strides[dim] * es;

  // indexSelect on contiguous tensors: whole inner blocks are memcpy'd.
  bool rowIndex = index.ndim == out.ndim;
  for (int d = 0; d < index.ndim && rowIndex; d++) rowIndex = d == dim ? index.shape[d] == out.shape[d] : index.shape[d] == 1;
  bool sameOuter = true;
  for (int d = 0; d < out.ndim; d++) if (d != dim && out.shape[d] != self.shape[d]) sameOuter = false;
  if (rowIndex && sameOuter && self.isContiguous() && out.isContiguous()) {
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < dim; d++) outer *= out.shape[d];
    for (int d = dim + 1; d < out.ndim; d++) inner *= out.shape[d];
    const int64_t n = out.shape[dim];
    const int64_t istride = index.strides[dim];
    const size_t block = (size_t)(inner * es);
    CINDER_DISPATCH_INDEX(index.dtype, op, [&] {
      const index_t* ip = index.ptr<index_t>();
      std::vector<int64_t> rows((size_t)n);
      for (int64_t j = 0; j < n; j++) rows[j] = wrapIndex((int64_t)ip[j * istride], size, op, dim);
      if (inner == 1) {
        // Selecting single elements (the last dim): a typed copy per element, rows in parallel.
        CINDER_DISPATCH_WORD(es, [&] {
          const word_t* src = self.ptr<word_t>();
          word_t* dst = out.ptr<word_t>();
          parallelFor(outer, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n)), [&](int64_t b, int64_t e) {
            for (int64_t o = b; o < e; o++) {
              const word_t* srow = src + o * size;
              word_t* drow = dst + o * n;
              for (int64_t j = 0; j < n; j++) drow[j] = srow[rows[j]];
            }
          });
        });
        return;
      }
      parallelFor(outer * n, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, inner)), [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; r++) {
          int64_t o = r / n, j = r % n;
          std::memcpy(out.data + (o * n + j) * block, self.data + (o * size + rows[j]) * block, block);
        }
      });
    });
    return;
  }

  TensorDesc selfR = self;
  for (int d = 0; d < out.ndim; d++) selfR.shape[d] = out.shape[d];
  selfR.strides[dim] = 0;
  const TensorDesc* ops[3] = {&out, &selfR, &index};
  ElementwiseIter it(op, ops, 3);
  CINDER_DISPATCH_INDEX(index.dtype, op, [&] {
    CINDER_DISPATCH_WORD(es, [&] {
      it.forEach([&](char** p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; i++) {
          int64_t idx = wrapIndex((int64_t)*reinterpret_cast<const index_t*>(p[2] + i * s[2]), size, op, dim);
          *reinterpret_cast<word_t*>(p[0] + i * s[0]) = *reinterpret_cast<const word_t*>(p[1] + i * s[1] + idx * dimStride);
        }
      });
    });
  });
}

namespace {

template <typename T>
inline T combine(ScatterReduce r, T a, T b) {
  switch (r) {
    case ScatterReduce::Prod: return (T)(a * b);
    case ScatterReduce::Amax:
      if constexpr (std::is_floating_point_v<T>) { if (std::isnan(a)) return a; if (std::isnan(b)) return b; }
      return a > b ? a : b;
    case ScatterReduce::Amin:
      if constexpr (std::is_floating_point_v<T>) { if (std::isnan(a)) return a; if (std::isnan(b)) return b; }
      return a < b ? a : b;
    default: return (T)(a + b);
  }
}

}  // namespace

void scatterKernel(const TensorDesc& self, const TensorDesc& index, const TensorDesc& src, int dim,
                   const int64_t* iterShape, int iterNd, ScatterReduce reduce, bool includeSelf, double alpha,
                   const char* op) {
  const int64_t total = checkScatter(self, src, dim, iterShape, iterNd, op);
  if (total == 0) return;
  const int64_t es = (int64_t)itemSize(self.dtype);
  const int64_t size = self.shape[dim];
  // Byte strides of the three operands over the iteration shape; index and src broadcast
  // (size-1 or 0-d operands get stride 0).
  int64_t stS[kMaxDims], stI[kMaxDims], stR[kMaxDims];
  const int64_t ies = (int64_t)itemSize(index.dtype);
  for (int d = 0; d < iterNd; d++) {
    stS[d] = d == dim ? 0 : self.strides[d] * es;
    if (index.ndim == 0) stI[d] = 0;
    else {
      CINDER_CHECK(index.ndim == iterNd && (index.shape[d] == iterShape[d] || index.shape[d] == 1), op,
                   ": index of shape ", index.shapeString(), " does not fit the iteration");
      stI[d] = index.shape[d] == 1 ? 0 : index.strides[d] * ies;
    }
    stR[d] = src.ndim == 0 ? 0 : src.strides[d] * es;
  }
  // Validate every index before writing anything, so a failed in-place scatter leaves self as it was.
  CINDER_DISPATCH_INDEX(index.dtype, op, [&] {
    walk(index, [&](const char* p, const int64_t*) { wrapIndex((int64_t)*reinterpret_cast<const index_t*>(p), size, op, dim); });
  });
  const int64_t dimStride = self.strides[dim] * es;
  const int64_t len = iterShape[dim];
  const int64_t lines = total / len;
  // Every line along `dim` (fixed other coordinates) writes only into its own line of self, so
  // lines run in parallel while each walks its elements in order: the result is the same as one
  // sequential row-major pass, duplicates included.
  auto forLines = [&](auto&& body) {
    const int64_t grain = std::max<int64_t>(1, kParallelGrain / len);
    parallelFor(lines, grain, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; r++) {
        int64_t rem = r, oS = 0, oI = 0, oR = 0;
        for (int d = iterNd - 1; d >= 0; d--) {
          if (d == dim) continue;
          int64_t i = rem % iterShape[d];
          rem /= iterShape[d];
          oS += i * stS[d];
          oI += i * stI[d];
          oR += i * stR[d];
        }
        body(self.data + oS, index.data + oI, src.data + oR);
      }
    });
  };
  const int64_t jI = stI[dim], jR = stR[dim];

  if (reduce == ScatterReduce::None) {
    CINDER_DISPATCH_INDEX(index.dtype, op, [&] {
      CINDER_DISPATCH_WORD(es, [&] {
        forLines([&](char* ps, const char* pi, const char* pr) {
          for (int64_t j = 0; j < len; j++) {
            int64_t idx = wrapIndex((int64_t)*reinterpret_cast<const index_t*>(pi + j * jI), size, op, dim);
            *reinterpret_cast<word_t*>(ps + idx * dimStride) = *reinterpret_cast<const word_t*>(pr + j * jR);
          }
        });
      });
    });
    return;
  }
  CINDER_CHECK(self.dtype != DType::Bool, op, ": reduce '", scatterReduceName(reduce), "' is not supported for bool");
  const bool tracked = reduce == ScatterReduce::Mean || !includeSelf;
  const int64_t numel = self.numel();
  CINDER_CHECK(!tracked || self.isContiguous(), op, ": internal: reduce '", scatterReduceName(reduce), "' needs a contiguous self");
  std::vector<int64_t> counts(tracked ? (size_t)numel : 0, includeSelf ? 1 : 0);
  CINDER_DISPATCH_INDEX(index.dtype, op, [&] {
    CINDER_DISPATCH_ALL(self.dtype, op, [&] {
      using T = scalar_t;
      const T a = convertValue<T>(alpha);
      const bool scaled = alpha != 1.0;
      const ScatterReduce rk = reduce == ScatterReduce::Mean ? ScatterReduce::Sum : reduce;
      forLines([&](char* ps, const char* pi, const char* pr) {
        for (int64_t j = 0; j < len; j++) {
          int64_t idx = wrapIndex((int64_t)*reinterpret_cast<const index_t*>(pi + j * jI), size, op, dim);
          T* dst = reinterpret_cast<T*>(ps + idx * dimStride);
          T v = *reinterpret_cast<const T*>(pr + j * jR);
          if (scaled) v = (T)(v * a);
          if (tracked) {
            int64_t& c = counts[(size_t)(dst - self.ptr<T>())];
            *dst = c == 0 ? v : combine<T>(rk, *dst, v);
            c++;
          } else {
            *dst = combine<T>(rk, *dst, v);
          }
        }
      });
      if (reduce == ScatterReduce::Mean) {
        T* base = self.ptr<T>();
        for (int64_t k = 0; k < numel; k++) {
          int64_t c = counts[(size_t)k];
          if (c <= 1) continue;
          if constexpr (std::is_floating_point_v<T>) {
            base[k] = (T)(base[k] / (T)c);
          } else {
            // Integer mean rounds toward -inf (PyTorch's floor division).
            int64_t q = (int64_t)base[k] / c, rem = (int64_t)base[k] % c;
            if (rem != 0 && ((rem < 0) != (c < 0))) q--;
            base[k] = (T)q;
          }
        }
      }
    });
  });
}

void takeKernel(const TensorDesc& out, const TensorDesc& self, const TensorDesc& index, const char* op) {
  CINDER_CHECK(self.isContiguous(), op, ": internal: take needs a contiguous self");
  CINDER_CHECK(out.dtype == self.dtype, op, ": internal: output dtype differs from self");
  const int64_t size = self.numel();
  const int64_t es = (int64_t)itemSize(self.dtype);
  const TensorDesc* ops[2] = {&out, &index};
  ElementwiseIter it(op, ops, 2);
  CINDER_DISPATCH_INDEX(index.dtype, op, [&] {
    CINDER_DISPATCH_WORD(es, [&] {
      const word_t* base = self.ptr<word_t>();
      it.forEach([&](char** p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; i++) {
          int64_t raw = (int64_t)*reinterpret_cast<const index_t*>(p[1] + i * s[1]);
          int64_t idx = raw < 0 ? raw + size : raw;
          if (idx < 0 || idx >= size)
            fail(op, ": index ", raw, " is out of bounds for a tensor of ", size, " elements");
          *reinterpret_cast<word_t*>(p[0] + i * s[0]) = base[idx];
        }
      });
    });
  });
}

void maskedFillKernel(const TensorDesc& self, const TensorDesc& mask, double value, const char* op) {
  CINDER_CHECK(mask.dtype == DType::Bool, op, ": expected a mask of dtype bool, got ", dtypeName(mask.dtype));
  const TensorDesc* ops[2] = {&self, &mask};
  ElementwiseIter it(op, ops, 2);
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    const scalar_t v = toStorage<scalar_t>(value);
    it.forEach([&](char** p, const int64_t* s, int64_t n) {
      if (s[0] == (int64_t)sizeof(scalar_t) && s[1] == 1) {
        scalar_t* o = reinterpret_cast<scalar_t*>(p[0]);
        const uint8_t* m = reinterpret_cast<const uint8_t*>(p[1]);
        for (int64_t i = 0; i < n; i++) if (m[i]) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; i++)
          if (*reinterpret_cast<const uint8_t*>(p[1] + i * s[1])) *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) = v;
      }
    });
  });
}

void maskedSelectKernel(const TensorDesc& self, const TensorDesc& mask, const Allocator& alloc, const char* op) {
  CINDER_CHECK(mask.dtype == DType::Bool, op, ": expected a mask of dtype bool, got ", dtypeName(mask.dtype));
  const TensorDesc* ops[2] = {&self, &mask};
  ElementwiseIter it(op, ops, 2);
  int64_t count = 0;
  it.forEach([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; i++) count += *reinterpret_cast<const uint8_t*>(p[1] + i * s[1]) != 0;
  }, kSequential);
  TensorDesc out = alloc(self.dtype, &count, 1);
  const int64_t es = (int64_t)itemSize(self.dtype);
  CINDER_DISPATCH_WORD(es, [&] {
    word_t* o = out.ptr<word_t>();
    it.forEach([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; i++)
        if (*reinterpret_cast<const uint8_t*>(p[1] + i * s[1])) *o++ = *reinterpret_cast<const word_t*>(p[0] + i * s[0]);
    }, kSequential);
  });
}

int64_t nonzeroKernel(const TensorDesc& self, const Allocator& alloc, const char* op) {
  int64_t count = 0;
  const int nd = self.ndim;
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    if (self.isContiguous()) {
      const scalar_t* p = self.ptr<scalar_t>();
      const int64_t n = self.numel();
      for (int64_t i = 0; i < n; i++) count += load(p[i]) != 0;
    } else {
      walk(self, [&](const char* p, const int64_t*) { count += load(*reinterpret_cast<const scalar_t*>(p)) != 0; });
    }
    int64_t shape[2] = {count, nd};
    TensorDesc out = alloc(DType::Int64, shape, 2);
    int64_t* o = out.ptr<int64_t>();
    walk(self, [&](const char* p, const int64_t* idx) {
      if (load(*reinterpret_cast<const scalar_t*>(p)) != 0) {
        for (int d = 0; d < nd; d++) o[d] = idx[d];
        o += nd;
      }
    });
  });
  return count;
}

int64_t oneHotKernel(const TensorDesc& self, int64_t numClasses, const Allocator& alloc, const char* op) {
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  std::vector<int64_t> values((size_t)self.numel());
  size_t k = 0;
  CINDER_DISPATCH_INDEX(self.dtype, op, [&] {
    walk(self, [&](const char* p, const int64_t*) {
      int64_t v = (int64_t)*reinterpret_cast<const index_t*>(p);
      values[k++] = v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    });
  });
  int64_t shape[kMaxDims + 1];
  numClasses = oneHotShape(self, values.empty(), lo, hi, numClasses, shape, op);
  TensorDesc out = alloc(DType::Int64, shape, self.ndim + 1);
  int64_t* o = out.ptr<int64_t>();
  std::memset(o, 0, sizeof(int64_t) * (size_t)(values.size() * (size_t)numClasses));
  for (size_t i = 0; i < values.size(); i++) o[i * (size_t)numClasses + (size_t)values[i]] = 1;
  return numClasses;
}

}  // namespace cinder
