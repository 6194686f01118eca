// The one strided/broadcasting iteration helper for elementwise kernels (in the spirit of
// PyTorch's TensorIterator). It aligns every operand to the output's shape (broadcast dims get
// stride 0), coalesces dimensions that are contiguous across all operands, and hands inner loops
// of (pointers, byte strides, count) to the kernel. The kernel helpers below specialise the inner
// loop for the contiguous and scalar-broadcast cases so the compiler vectorises them; large
// iterations are split across the thread pool.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/tensorDesc.h"
#include "core/threadPool.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define CINDER_HAVE_STREAM_STORES 1
#endif

namespace cinder {

constexpr int kMaxOperands = 5;
// Below this many elements a kernel stays on the calling thread.
constexpr int64_t kParallelGrain = 32768;
// Outputs at least this large (bytes) are written with non-temporal stores: they cannot stay in
// the caches anyway (32 MiB L3 here), and streaming them skips the read-for-ownership of every
// output line, so a + b -> c moves three streams through DRAM instead of four.
constexpr int64_t kStreamBytes = 16 << 20;
// Elements computed into an L1-resident block before it is streamed out.
constexpr int64_t kStreamBlockBytes = 8192;

// Copies `bytes` from an L1-resident block to dst, with non-temporal stores where dst is 16-byte
// aligned. The caller issues streamFence() before the written data is handed to other threads.
inline void streamOut(char* dst, const char* src, int64_t bytes) {
#ifdef CINDER_HAVE_STREAM_STORES
  int64_t i = 0;
  while (i < bytes && (reinterpret_cast<uintptr_t>(dst + i) & 15) != 0) {
    dst[i] = src[i];
    i++;
  }
  for (; i + 16 <= bytes; i += 16)
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + i), _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
  for (; i < bytes; i++) dst[i] = src[i];
#else
  std::memcpy(dst, src, (size_t)bytes);
#endif
}
inline void streamFence() {
#ifdef CINDER_HAVE_STREAM_STORES
  _mm_sfence();
#endif
}

// Whether an iteration's output is large enough to stream (see kStreamBytes).
inline bool streamsOutput(int64_t numel, size_t itemBytes) { return numel * (int64_t)itemBytes >= kStreamBytes; }

class ElementwiseIter {
 public:
  // operands[0] is the output; its shape is the iteration shape. Inputs must broadcast to it.
  ElementwiseIter(const char* op, const TensorDesc* const* operands, int count) : nops_(count) {
    const TensorDesc& out = *operands[0];
    ndim_ = out.ndim;
    for (int d = 0; d < ndim_; d++) shape_[d] = out.shape[d];
    for (int k = 0; k < count; k++) {
      const TensorDesc& t = *operands[k];
      if (t.ndim > ndim_)
        fail(op, ": operand of shape ", t.shapeString(), " does not broadcast to ", out.shapeString());
      size_t es = itemSize(t.dtype);
      data_[k] = t.data;
      int lead = ndim_ - t.ndim;
      for (int d = 0; d < ndim_; d++) {
        if (d < lead) {
          strides_[k][d] = 0;
          continue;
        }
        int64_t sz = t.shape[d - lead];
        if (sz == shape_[d]) {
          strides_[k][d] = t.strides[d - lead] * (int64_t)es;
        } else if (sz == 1) {
          strides_[k][d] = 0;
        } else {
          fail(op, ": operand of shape ", t.shapeString(), " does not broadcast to ", out.shapeString());
        }
      }
    }
    coalesce();
  }

  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim_; d++) n *= shape_[d];
    return n;
  }
  int ndim() const { return ndim_; }
  // The coalesced iteration, for kernels that walk it themselves (the CUDA launchers).
  int64_t shapeAt(int d) const { return shape_[d]; }
  int64_t strideAt(int k, int d) const { return strides_[k][d]; }  // bytes
  char* dataAt(int k) const { return data_[k]; }
  // Byte stride of operand k along the innermost (coalesced) dimension.
  int64_t innerStride(int k) const { return ndim_ == 0 ? 0 : strides_[k][ndim_ - 1]; }

  // loop(char** ptrs, const int64_t* innerByteStrides, int64_t n) is called for each run of the
  // innermost dimension. Splits the iteration across threads when it is large enough.
  template <typename Loop>
  void forEach(Loop&& loop, int64_t grain = kParallelGrain) const {
    int64_t total = numel();
    if (total == 0) return;
    if (ndim_ == 0) {
      char* ptrs[kMaxOperands];
      int64_t st[kMaxOperands] = {};
      for (int k = 0; k < nops_; k++) ptrs[k] = data_[k];
      loop(ptrs, st, (int64_t)1);
      return;
    }
    if (total <= grain) {
      // Small iterations stay on this thread without going through the pool's type-erased call.
      runRange(loop, 0, total);
      return;
    }
    parallelFor(total, grain, [&](int64_t begin, int64_t end) { runRange(loop, begin, end); });
  }

 private:
  template <typename Loop>
  void runRange(Loop& loop, int64_t begin, int64_t end) const {
    const int inner = ndim_ - 1;
    char* ptrs[kMaxOperands];
    int64_t st[kMaxOperands];
    if (inner == 0) {
      // One (coalesced) dimension: a single run, no multi-index.
      for (int k = 0; k < nops_; k++) {
        st[k] = strides_[k][0];
        ptrs[k] = data_[k] + begin * st[k];
      }
      loop(ptrs, st, end - begin);
      return;
    }
    int64_t innerSize = shape_[inner];
    // Multi-index of `begin`.
    int64_t idx[kMaxDims];
    int64_t rem = begin;
    for (int d = ndim_ - 1; d >= 0; d--) {
      idx[d] = rem % shape_[d];
      rem /= shape_[d];
    }
    for (int k = 0; k < nops_; k++) st[k] = strides_[k][inner];
    int64_t pos = begin;
    while (pos < end) {
      for (int k = 0; k < nops_; k++) {
        char* p = data_[k];
        for (int d = 0; d < ndim_; d++) p += idx[d] * strides_[k][d];
        ptrs[k] = p;
      }
      int64_t n = std::min(innerSize - idx[inner], end - pos);
      loop(ptrs, st, n);
      pos += n;
      idx[inner] += n;
      for (int d = inner; d > 0 && idx[d] >= shape_[d]; d--) {
        idx[d] = 0;
        idx[d - 1]++;
      }
    }
  }

  void coalesce() {
    // Drop size-1 dims, then merge dim d into d+1 whenever every operand is contiguous across them.
    int nd = 0;
    for (int d = 0; d < ndim_; d++) {
      if (shape_[d] == 1) continue;
      shape_[nd] = shape_[d];
      for (int k = 0; k < nops_; k++) strides_[k][nd] = strides_[k][d];
      nd++;
    }
    if (nd == 0) {
      bool anyZero = false;
      for (int d = 0; d < ndim_; d++) anyZero |= shape_[d] == 0;
      ndim_ = anyZero ? 1 : 0;
      if (anyZero) {
        shape_[0] = 0;
        for (int k = 0; k < nops_; k++) strides_[k][0] = 0;
      }
      return;
    }
    int out = 0;
    for (int d = 1; d < nd; d++) {
      bool mergeable = true;
      for (int k = 0; k < nops_; k++)
        if (strides_[k][out] != strides_[k][d] * shape_[d]) { mergeable = false; break; }
      if (mergeable) {
        shape_[out] *= shape_[d];
        for (int k = 0; k < nops_; k++) strides_[k][out] = strides_[k][d];
      } else {
        out++;
        shape_[out] = shape_[d];
        for (int k = 0; k < nops_; k++) strides_[k][out] = strides_[k][d];
      }
    }
    ndim_ = out + 1;
  }

  // Only the first ndim_ dims of nops_ operands are ever written or read: no zero-filling of
  // the arrays (a tiny op's time is a few hundred nanoseconds, and this is 768 bytes).
  int nops_;
  int ndim_ = 0;
  int64_t shape_[kMaxDims];
  int64_t strides_[kMaxOperands][kMaxDims];
  char* data_[kMaxOperands];
};

// out[i] = f(a[i]); the contiguous inner loop is a plain indexed loop the compiler vectorises.
template <typename Out, typename A, typename F>
void unaryKernel(const ElementwiseIter& it, F f, int64_t grain = kParallelGrain) {
  const bool stream = streamsOutput(it.numel(), sizeof(Out));
  it.forEach([&](char** p, const int64_t* s, int64_t n) {
    Out* o = reinterpret_cast<Out*>(p[0]);
    const A* a = reinterpret_cast<const A*>(p[1]);
    if (s[0] == (int64_t)sizeof(Out) && s[1] == (int64_t)sizeof(A)) {
      if (stream) {
        constexpr int64_t kB = kStreamBlockBytes / (int64_t)sizeof(Out);
        alignas(64) Out buf[kB];
        for (int64_t i0 = 0; i0 < n; i0 += kB) {
          const int64_t m = n - i0 < kB ? n - i0 : kB;
          for (int64_t i = 0; i < m; i++) buf[i] = f(a[i0 + i]);
          streamOut(reinterpret_cast<char*>(o + i0), reinterpret_cast<const char*>(buf), m * (int64_t)sizeof(Out));
        }
        streamFence();
        return;
      }
      for (int64_t i = 0; i < n; i++) o[i] = f(a[i]);
    } else {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<Out*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]));
    }
  }, grain);
}

// out[i] = f(a[i], b[i]) with contiguous, scalar-broadcast and general strided inner loops.
template <typename Out, typename A, typename B, typename F>
void binaryKernel(const ElementwiseIter& it, F f, int64_t grain = kParallelGrain) {
  const bool stream = streamsOutput(it.numel(), sizeof(Out));
  it.forEach([&](char** p, const int64_t* s, int64_t n) {
    Out* o = reinterpret_cast<Out*>(p[0]);
    const A* a = reinterpret_cast<const A*>(p[1]);
    const B* b = reinterpret_cast<const B*>(p[2]);
    const bool oc = s[0] == (int64_t)sizeof(Out);
    if (oc && s[1] == (int64_t)sizeof(A) && s[2] == (int64_t)sizeof(B)) {
      if (stream) {
        constexpr int64_t kB = kStreamBlockBytes / (int64_t)sizeof(Out);
        alignas(64) Out buf[kB];
        for (int64_t i0 = 0; i0 < n; i0 += kB) {
          const int64_t m = n - i0 < kB ? n - i0 : kB;
          for (int64_t i = 0; i < m; i++) buf[i] = f(a[i0 + i], b[i0 + i]);
          streamOut(reinterpret_cast<char*>(o + i0), reinterpret_cast<const char*>(buf), m * (int64_t)sizeof(Out));
        }
        streamFence();
        return;
      }
      for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[i]);
    } else if (oc && s[1] == (int64_t)sizeof(A) && s[2] == 0) {
      const B bv = *b;
      for (int64_t i = 0; i < n; i++) o[i] = f(a[i], bv);
    } else if (oc && s[1] == 0 && s[2] == (int64_t)sizeof(B)) {
      const A av = *a;
      for (int64_t i = 0; i < n; i++) o[i] = f(av, b[i]);
    } else {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<Out*>(p[0] + i * s[0]) =
            f(*reinterpret_cast<const A*>(p[1] + i * s[1]), *reinterpret_cast<const B*>(p[2] + i * s[2]));
    }
  }, grain);
}

// out[i] = f(a[i], b[i], c[i]) (where, lerp, clamp with tensor bounds, ...).
// Contiguous operands, and a broadcast scalar as the second or third operand (relu's backward is
// where(mask, g, 0)), get plain indexed loops the compiler vectorises; the strided loop's
// data-dependent selects compiled to branches that mispredicted on every other element
// (a 300K-element where ran 25x slower than a multiply).
template <typename Out, typename A, typename B, typename C, typename F>
void ternaryKernel(const ElementwiseIter& it, F f, int64_t grain = kParallelGrain) {
  it.forEach([&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == (int64_t)sizeof(Out) && s[1] == (int64_t)sizeof(A)) {
      Out* o = reinterpret_cast<Out*>(p[0]);
      const A* a = reinterpret_cast<const A*>(p[1]);
      const B* b = reinterpret_cast<const B*>(p[2]);
      const C* c = reinterpret_cast<const C*>(p[3]);
      const bool bDense = s[2] == (int64_t)sizeof(B), cDense = s[3] == (int64_t)sizeof(C);
      if (bDense && cDense) {
        for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[i], c[i]);
        return;
      }
      if (bDense && s[3] == 0) {
        const C cv = *c;
        for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[i], cv);
        return;
      }
      if (s[2] == 0 && cDense) {
        const B bv = *b;
        for (int64_t i = 0; i < n; i++) o[i] = f(a[i], bv, c[i]);
        return;
      }
    }
    for (int64_t i = 0; i < n; i++)
      *reinterpret_cast<Out*>(p[0] + i * s[0]) =
          f(*reinterpret_cast<const A*>(p[1] + i * s[1]), *reinterpret_cast<const B*>(p[2] + i * s[2]),
            *reinterpret_cast<const C*>(p[3] + i * s[3]));
  }, grain);
}

}  // namespace cinder
