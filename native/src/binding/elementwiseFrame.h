// What the elementwise bindings of both devices read alike from a call frame: the op code of each
// arity (names in code order, exported by the CPU binding so TS and C++ cannot drift), the output
// and the storage of a by-value number operand.
#pragma once
#include "binding/context.h"
#include "cpu/elementwise.h"

namespace cinder {

struct alignas(8) ScalarBuf {
  unsigned char bytes[8];
};

inline constexpr const char* kUnaryNames[] = {
#define CINDER_NAME(n) #n,
    CINDER_UNARY_OPS(CINDER_NAME)};
inline constexpr const char* kBinaryNames[] = {CINDER_BINARY_OPS(CINDER_NAME)};
inline constexpr const char* kTernaryNames[] = {CINDER_TERNARY_OPS(CINDER_NAME)
#undef CINDER_NAME
};

// frame: op code, one of count.
inline int readCode(FrameReader& r, int count) {
  int code = r.i32();
  CINDER_CHECK(code >= 0 && code < count, "elementwise: unknown op code ", code);
  return code;
}

// frame: inplace flag, then the existing tensor (inplace) or an output spec.
inline void readOut(FrameReader& r, TensorDesc& d) {
  if (r.flag()) r.tensorInto(d);
  else r.outputInto(d);
}

}  // namespace cinder
