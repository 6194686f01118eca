#include "cpu/sort.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/convert.h"
#include "core/elementwiseIter.h"
#include "cpu/indexChecks.h"

namespace cinder {

namespace {


template <typename K>
inline bool isNan(K v) {
  if constexpr (std::is_floating_point_v<K>) return std::isnan(v);
  else return false;
}

// a < b with NaN above everything (NaNs are equivalent to each other).
template <typename K>
inline bool lessNan(K a, K b) {
  if constexpr (std::is_floating_point_v<K>) return std::isnan(b) ? !std::isnan(a) : a < b;
  else return a < b;
}

template <typename K>
using Entry = std::pair<K, int64_t>;

// Strict total orders on (key, original position): ties resolve by position, which makes every
// sort stable and every selection deterministic.
template <typename K>
struct Ascending {
  bool operator()(const Entry<K>& a, const Entry<K>& b) const {
    if (lessNan(a.first, b.first)) return true;
    if (lessNan(b.first, a.first)) return false;
    return a.second < b.second;
  }
};
template <typename K>
struct Descending {
  bool operator()(const Entry<K>& a, const Entry<K>& b) const {
    if (lessNan(b.first, a.first)) return true;
    if (lessNan(a.first, b.first)) return false;
    return a.second < b.second;
  }
};

// Order-preserving unsigned keys: NaN maps to the largest key, -0.0 to +0.0's key (they compare
// equal, so a stable sort keeps them in input order).
template <typename U, typename K>
inline U radixKey(K v) {
  constexpr U sign = U(1) << (sizeof(U) * 8 - 1);
  if constexpr (std::is_floating_point_v<K>) {
    if (std::isnan(v)) return ~U(0);
    if (v == 0) v = 0;
    U bits;
    std::memcpy(&bits, &v, sizeof(U));
    return (bits & sign) ? ~bits : (bits | sign);
  } else if constexpr (std::is_signed_v<K>) {
    return (U)(std::make_unsigned_t<K>)v ^ sign;
  } else {
    return (U)v;
  }
}

// Stable orderings of one row of keys: an LSD radix sort (stable by construction) for long rows,
// a comparison sort with position tie-breaks for short ones. Buffers are reused across rows.
template <typename K>
struct Orderer {
  using U = std::conditional_t<(sizeof(K) > 4), uint64_t, uint32_t>;
  std::vector<U> k0, k1;
  std::vector<uint32_t> i0, i1, hist;
  std::vector<Entry<K>> pairs;

  // The positions of v[0..n) in sorted order; valid until the next call.
  const uint32_t* order(const K* v, size_t n, bool descending) {
    if (i0.size() < n) { i0.resize(n); i1.resize(n); }
    if (n < 256) {
      pairs.resize(n);
      for (size_t j = 0; j < n; j++) pairs[j] = {v[j], (int64_t)j};
      if (descending) std::sort(pairs.begin(), pairs.end(), Descending<K>());
      else std::sort(pairs.begin(), pairs.end(), Ascending<K>());
      for (size_t j = 0; j < n; j++) i0[j] = (uint32_t)pairs[j].second;
      return i0.data();
    }
    if (k0.size() < n) { k0.resize(n); k1.resize(n); }
    const U flip = descending ? ~U(0) : U(0);
    for (size_t j = 0; j < n; j++) {
      k0[j] = radixKey<U, K>(v[j]) ^ flip;
      i0[j] = (uint32_t)j;
    }
    const int bits = n >= (size_t(1) << 16) ? 11 : 8;
    const size_t radix = size_t(1) << bits;
    const U mask = (U)(radix - 1);
    const int passes = (int)((sizeof(U) * 8 + bits - 1) / bits);
    hist.assign((size_t)passes * radix, 0);
    for (size_t j = 0; j < n; j++) {
      U k = k0[j];
      for (int p = 0; p < passes; p++) hist[(size_t)p * radix + (size_t)((k >> (p * bits)) & mask)]++;
    }
    U* ka = k0.data();
    U* kb = k1.data();
    uint32_t* ia = i0.data();
    uint32_t* ib = i1.data();
    for (int p = 0; p < passes; p++) {
      uint32_t* h = &hist[(size_t)p * radix];
      const int shift = p * bits;
      if (h[(size_t)((ka[0] >> shift) & mask)] == n) continue;  // every key shares this digit
      uint32_t sum = 0;
      for (size_t b = 0; b < radix; b++) {
        uint32_t c = h[b];
        h[b] = sum;
        sum += c;
      }
      for (size_t j = 0; j < n; j++) {
        U k = ka[j];
        uint32_t pos = h[(size_t)((k >> shift) & mask)]++;
        kb[pos] = k;
        ib[pos] = ia[j];
      }
      std::swap(ka, kb);
      std::swap(ia, ib);
    }
    return ia;
  }
};

// Offset (in elements) of row r of t, rows being every index of t's dims other than `dim`.
inline int64_t rowOffset(const TensorDesc& t, int dim, int64_t r) {
  int64_t off = 0;
  for (int d = t.ndim - 1; d >= 0; d--) {
    if (d == dim) continue;
    int64_t i = r % t.shape[d];
    r /= t.shape[d];
    off += i * t.strides[d];
  }
  return off;
}

// values/indices must be self's shape with dim of size `len`, of self's dtype and int64.
void checkOutputs(const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim, int64_t len,
                  const char* op) {
  bool ok = values.ndim == self.ndim && indices.ndim == self.ndim && values.dtype == self.dtype &&
            indices.dtype == DType::Int64;
  for (int d = 0; ok && d < self.ndim; d++) {
    int64_t want = d == dim ? len : self.shape[d];
    ok = values.shape[d] == want && indices.shape[d] == want && values.strides[d] == indices.strides[d];
  }
  CINDER_CHECK(ok, op, ": internal: outputs ", values.shapeString(), " / ", indices.shapeString(),
               " do not fit input ", self.shapeString());
}

// Runs fn(buffer, selfOffset, outOffset) over every row of self, in parallel when large.
template <typename K, typename Fn>
void forRows(const TensorDesc& self, const TensorDesc& out, int dim, Fn&& fn) {
  const int64_t len = self.shape[dim];
  const int64_t n = self.numel();
  if (n == 0 || out.numel() == 0) return;
  const int64_t rows = n / len;
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, len));
  parallelFor(rows, grain, [&](int64_t b, int64_t e) {
    std::vector<Entry<K>> buf((size_t)len);
    for (int64_t r = b; r < e; r++) fn(buf, rowOffset(self, dim, r), rowOffset(out, dim, r));
  });
}

}  // namespace

void sortKernel(const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim, bool descending,
                const char* op) {
  checkDim(self, dim, op);
  const int64_t len = self.shape[dim];
  checkOutputs(values, indices, self, dim, len, op);
  const int64_t n = self.numel();
  if (n == 0) return;
  CINDER_CHECK(len <= (int64_t)std::numeric_limits<uint32_t>::max(), op, ": rows of ", len,
               " elements are too long to sort (at most 2^32 - 1)");
  const int64_t is = self.strides[dim], os = values.strides[dim];
  const int64_t rows = n / len;
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    using T = scalar_t;
    using K = typename Compute<T>::type;
    const T* src = self.ptr<T>();
    T* vo = values.ptr<T>();
    int64_t* io = indices.ptr<int64_t>();
    const int64_t grain = std::max<int64_t>(1, kParallelGrain / len);
    parallelFor(rows, grain, [&](int64_t b, int64_t e) {
      Orderer<K> ord;
      std::vector<K> keys((size_t)len);
      for (int64_t r = b; r < e; r++) {
        const int64_t si = rowOffset(self, dim, r), oi = rowOffset(values, dim, r);
        for (int64_t j = 0; j < len; j++) keys[j] = load(src[si + j * is]);
        const uint32_t* order = ord.order(keys.data(), (size_t)len, descending);
        for (int64_t j = 0; j < len; j++) {
          vo[oi + j * os] = src[si + (int64_t)order[j] * is];
          io[oi + j * os] = order[j];
        }
      }
    });
  });
}

void topkKernel(const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim, int64_t k,
                bool largest, const char* op) {
  checkDim(self, dim, op);
  const int64_t len = self.shape[dim];
  CINDER_CHECK(k >= 0 && k <= len, op, ": k (", k, ") is out of range for dimension ", dim, " of size ", len);
  checkOutputs(values, indices, self, dim, k, op);
  if (k == 0) return;
  const int64_t is = self.strides[dim], os = values.strides[dim];
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    using T = scalar_t;
    using K = typename Compute<T>::type;
    const T* src = self.ptr<T>();
    T* vo = values.ptr<T>();
    int64_t* io = indices.ptr<int64_t>();
    forRows<K>(self, values, dim, [&](std::vector<Entry<K>>& buf, int64_t si, int64_t oi) {
      for (int64_t j = 0; j < len; j++) buf[j] = {load(src[si + j * is]), j};
      // A heap (partial_sort) wins for small k; select-then-sort for large k.
      const bool heap = k * 8 <= len;
      if (largest) {
        if (heap) std::partial_sort(buf.begin(), buf.begin() + k, buf.end(), Descending<K>());
        else {
          if (k < len) std::nth_element(buf.begin(), buf.begin() + k, buf.end(), Descending<K>());
          std::sort(buf.begin(), buf.begin() + k, Descending<K>());
        }
      } else {
        if (heap) std::partial_sort(buf.begin(), buf.begin() + k, buf.end(), Ascending<K>());
        else {
          if (k < len) std::nth_element(buf.begin(), buf.begin() + k, buf.end(), Ascending<K>());
          std::sort(buf.begin(), buf.begin() + k, Ascending<K>());
        }
      }
      for (int64_t j = 0; j < k; j++) {
        vo[oi + j * os] = src[si + buf[j].second * is];
        io[oi + j * os] = buf[j].second;
      }
    });
  });
}

void kthKernel(const TensorDesc& values, const TensorDesc& indices, const TensorDesc& self, int dim, int64_t k,
               bool nanPropagates, const char* op) {
  checkDim(self, dim, op);
  const int64_t len = self.shape[dim];
  CINDER_CHECK(k >= 0 && k < len, op, ": k (", k + 1, ") is out of range for dimension ", dim, " of size ", len);
  checkOutputs(values, indices, self, dim, 1, op);
  const int64_t is = self.strides[dim];
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    using T = scalar_t;
    using K = typename Compute<T>::type;
    const T* src = self.ptr<T>();
    T* vo = values.ptr<T>();
    int64_t* io = indices.ptr<int64_t>();
    forRows<K>(self, values, dim, [&](std::vector<Entry<K>>& buf, int64_t si, int64_t oi) {
      int64_t firstNan = -1;
      for (int64_t j = 0; j < len; j++) {
        K v = load(src[si + j * is]);
        if (firstNan < 0 && isNan(v)) firstNan = j;
        buf[j] = {v, j};
      }
      int64_t pick;
      if (nanPropagates && firstNan >= 0) {
        pick = firstNan;
      } else {
        std::nth_element(buf.begin(), buf.begin() + k, buf.end(), Ascending<K>());
        pick = buf[k].second;
      }
      vo[oi] = src[si + pick * is];
      io[oi] = pick;
    });
  });
}

int64_t uniqueKernel(const TensorDesc& self, bool wantInverse, bool wantCounts, const Allocator& alloc, const char* op) {
  const int64_t n = self.numel();
  int64_t u = 0;
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    using T = scalar_t;
    using K = typename Compute<T>::type;
    CINDER_CHECK(n <= (int64_t)std::numeric_limits<uint32_t>::max(), op, ": tensors of ", n,
                 " elements are too large (at most 2^32 - 1)");
    std::vector<T> raw((size_t)n);
    std::vector<K> keys((size_t)n);
    {
      // Row-major walk over any strides.
      int64_t idx[kMaxDims] = {};
      const T* p = self.ptr<T>();
      for (int64_t i = 0; i < n; i++) {
        raw[i] = *p;
        keys[i] = load(*p);
        for (int d = self.ndim - 1; d >= 0; d--) {
          idx[d]++;
          p += self.strides[d];
          if (idx[d] < self.shape[d]) break;
          p -= self.shape[d] * self.strides[d];
          idx[d] = 0;
        }
      }
    }
    Orderer<K> ord;
    const uint32_t* order = n > 0 ? ord.order(keys.data(), (size_t)n, false) : nullptr;
    // Group starts; NaN equals nothing, so every NaN is its own group (as in PyTorch).
    std::vector<int64_t> starts;
    for (int64_t i = 0; i < n; i++)
      if (i == 0 || !(keys[order[i]] == keys[order[i - 1]])) starts.push_back(i);
    u = (int64_t)starts.size();
    TensorDesc vals = alloc(self.dtype, &u, 1);
    T* vo = vals.ptr<T>();
    for (int64_t g = 0; g < u; g++) vo[g] = raw[order[starts[g]]];
    if (wantInverse) {
      TensorDesc inv = alloc(DType::Int64, self.shape, self.ndim);
      int64_t* io = inv.ptr<int64_t>();
      for (int64_t g = 0; g < u; g++) {
        int64_t end = g + 1 < u ? starts[g + 1] : n;
        for (int64_t i = starts[g]; i < end; i++) io[order[i]] = g;
      }
    }
    if (wantCounts) {
      TensorDesc cnt = alloc(DType::Int64, &u, 1);
      int64_t* co = cnt.ptr<int64_t>();
      for (int64_t g = 0; g < u; g++) co[g] = (g + 1 < u ? starts[g + 1] : n) - starts[g];
    }
  });
  return u;
}

int64_t uniqueDimKernel(const TensorDesc& self, bool wantInverse, bool wantCounts, const Allocator& alloc, const char* op) {
  CINDER_CHECK(self.ndim == 2, op, ": internal: unique over a dim expects a [n, m] view");
  const int64_t n = self.shape[0], m = self.shape[1];
  const int64_t s0 = self.strides[0], s1 = self.strides[1];
  int64_t u = 0;
  CINDER_DISPATCH_EVERY(self.dtype, uint8_t, [&] {
    using T = scalar_t;
    using K = typename Compute<T>::type;
    const T* p = self.ptr<T>();
    auto cmpRows = [&](int64_t a, int64_t b) -> int {
      for (int64_t j = 0; j < m; j++) {
        K x = load(p[a * s0 + j * s1]), y = load(p[b * s0 + j * s1]);
        if (lessNan(x, y)) return -1;
        if (lessNan(y, x)) return 1;
      }
      return 0;
    };
    auto equalRows = [&](int64_t a, int64_t b) {
      for (int64_t j = 0; j < m; j++)
        if (!(load(p[a * s0 + j * s1]) == load(p[b * s0 + j * s1]))) return false;
      return true;
    };
    std::vector<int64_t> order((size_t)n);
    for (int64_t i = 0; i < n; i++) order[i] = i;
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      int c = cmpRows(a, b);
      return c != 0 ? c < 0 : a < b;
    });
    std::vector<int64_t> starts;
    for (int64_t i = 0; i < n; i++)
      if (i == 0 || !equalRows(order[i], order[i - 1])) starts.push_back(i);
    u = (int64_t)starts.size();
    TensorDesc pos = alloc(DType::Int64, &u, 1);
    for (int64_t g = 0; g < u; g++) pos.ptr<int64_t>()[g] = order[starts[g]];
    if (wantInverse) {
      TensorDesc inv = alloc(DType::Int64, &n, 1);
      for (int64_t g = 0; g < u; g++) {
        int64_t end = g + 1 < u ? starts[g + 1] : n;
        for (int64_t i = starts[g]; i < end; i++) inv.ptr<int64_t>()[order[i]] = g;
      }
    }
    if (wantCounts) {
      TensorDesc cnt = alloc(DType::Int64, &u, 1);
      for (int64_t g = 0; g < u; g++) cnt.ptr<int64_t>()[g] = (g + 1 < u ? starts[g + 1] : n) - starts[g];
    }
  });
  return u;
}

void searchsortedKernel(const TensorDesc& out, const TensorDesc& seq, const TensorDesc& values, bool right,
                        const char* op) {
  const int64_t n = checkSearchsorted(out, seq, values, op);
  const bool batched = seq.ndim > 1;
  if (n == 0) return;
  const int64_t len = seq.shape[seq.ndim - 1];
  const int64_t ss = seq.strides[seq.ndim - 1];
  CINDER_DISPATCH_EVERY(seq.dtype, uint8_t, [&] {
    using T = scalar_t;
    using K = typename Compute<T>::type;
    const T* sp = seq.ptr<T>();
    parallelFor(n, std::max<int64_t>(1, kParallelGrain / 16), [&](int64_t begin, int64_t end) {
      int64_t idx[kMaxDims] = {};
      const T* vp = values.ptr<T>();
      {
        int64_t rem = begin;
        for (int d = values.ndim - 1; d >= 0; d--) {
          idx[d] = rem % values.shape[d];
          rem /= values.shape[d];
          vp += idx[d] * values.strides[d];
        }
      }
      for (int64_t i = begin; i < end; i++) {
        int64_t base = 0;
        if (batched)
          for (int d = 0; d < seq.ndim - 1; d++) base += idx[d] * seq.strides[d];
        const K v = load(*vp);
        int64_t lo = 0, hi = len;
        while (lo < hi) {
          int64_t mid = lo + (hi - lo) / 2;
          K s = load(sp[base + mid * ss]);
          bool goRight = right ? !lessNan(v, s) : lessNan(s, v);
          if (goRight) lo = mid + 1;
          else hi = mid;
        }
        if (out.dtype == DType::Int64) out.ptr<int64_t>()[i] = lo;
        else out.ptr<int32_t>()[i] = (int32_t)lo;
        for (int d = values.ndim - 1; d >= 0; d--) {
          idx[d]++;
          vp += values.strides[d];
          if (idx[d] < values.shape[d]) break;
          vp -= values.shape[d] * values.strides[d];
          idx[d] = 0;
        }
      }
    });
  });
}

}  // namespace cinder
