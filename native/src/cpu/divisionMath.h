// Python's semantics for floor division, remainder and integer powers, shared by the CPU and CUDA
// binary kernels so the two devices cannot disagree.
#pragma once
#include <cmath>
#include <type_traits>

#include "core/hostDevice.h"

namespace cinder {

// Floor division of floats: exact where floor(a / b) would round the wrong way.
template <typename T>
CINDER_HD inline T floorDivFloat(T a, T b) {
  if (b == 0) return a / b;
  T mod = std::fmod(a, b);
  T div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= T(1);
  if (div == 0) return std::copysign(T(0), a / b);
  T fl = std::floor(div);
  if (div - fl > T(0.5)) fl += T(1);
  return fl;
}

// The remainder with the divisor's sign.
template <typename T>
CINDER_HD inline T remainderFloat(T a, T b) {
  T r = std::fmod(a, b);
  if (r != 0 && ((b < 0) != (r < 0))) r += b;
  return r;
}

// Integer power by squaring, wrapping like the integer type; negative exponents give 0 except
// for bases 1 and -1.
template <typename T>
CINDER_HD inline T powInt(T base, T exp) {
  using U = std::make_unsigned_t<T>;
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp & 1) ? -1 : 1;
      return 0;
    }
  }
  U result = 1, b = (U)base;
  auto e = exp;
  while (e) {
    if (e & 1) result *= b;
    b *= b;
    e >>= 1;
  }
  return (T)result;
}

}  // namespace cinder
