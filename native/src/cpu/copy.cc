#include "cpu/copy.h"

#include <cstring>

#include "core/convert.h"
#include "core/elementwiseIter.h"

namespace cinder {


template <typename Word>
static void stridedCopy(const ElementwiseIter& it) {
  it.forEach([&](char** p, const int64_t* s, int64_t n) {
    constexpr int64_t es = sizeof(Word);
    if (s[0] == es && s[1] == es) {
      std::memcpy(p[0], p[1], (size_t)n * es);
    } else if (s[1] == 0) {
      const Word v = *reinterpret_cast<const Word*>(p[1]);
      for (int64_t i = 0; i < n; i++) *reinterpret_cast<Word*>(p[0] + i * s[0]) = v;
    } else {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<Word*>(p[0] + i * s[0]) = *reinterpret_cast<const Word*>(p[1] + i * s[1]);
    }
  });
}

void copyCast(const TensorDesc& dst, const TensorDesc& src, const char* op) {
  const TensorDesc* ops[2] = {&dst, &src};
  ElementwiseIter it(op, ops, 2);
  if (dst.dtype == src.dtype) {
    // Same type: a byte copy, memcpy for contiguous runs.
    // Same type: memcpy for contiguous runs, otherwise a typed strided loop by item size.
    switch (itemSize(dst.dtype)) {
      case 1: stridedCopy<uint8_t>(it); break;
      case 2: stridedCopy<uint16_t>(it); break;
      case 4: stridedCopy<uint32_t>(it); break;
      default: stridedCopy<uint64_t>(it); break;
    }
    return;
  }
  CINDER_DISPATCH_EVERY(dst.dtype, bool, [&] {
    using To = scalar_t;
    CINDER_DISPATCH_EVERY(src.dtype, bool, [&] {
      using From = scalar_t;
      unaryKernel<To, From>(it, [](From v) { return toStorage<To>(load(v)); });
    });
  });
}

void fillValue(const TensorDesc& dst, double value) {
  const TensorDesc* ops[1] = {&dst};
  ElementwiseIter it("fill", ops, 1);
  CINDER_DISPATCH_EVERY(dst.dtype, bool, [&] {
    const scalar_t v = toStorage<scalar_t>(value);
    it.forEach([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; i++) *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) = v;
    });
  });
}

}  // namespace cinder
