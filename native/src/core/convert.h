// Value conversion between storage types, including float16/bfloat16 (through float32) and bool.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/half.h"

namespace cinder {

template <typename T> struct Compute { using type = T; };
template <> struct Compute<Half> { using type = float; };
template <> struct Compute<BFloat16> { using type = float; };

template <typename T>
inline typename Compute<T>::type load(const T& v) { return v; }
inline float load(const Half& v) { return halfToFloat(v.bits); }
inline float load(const BFloat16& v) { return bf16ToFloat(v.bits); }

template <typename To, typename From>
inline To convertValue(From v) {
  if constexpr (std::is_same_v<To, Half>) {
    return Half{floatToHalf((float)v)};
  } else if constexpr (std::is_same_v<To, BFloat16>) {
    return BFloat16{floatToBf16((float)v)};
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    // Out-of-range float -> int is undefined in C++; saturate NaN to 0 and clamp like a cast would wrap.
    if (!(v == v)) return To(0);
    if (v >= (From)std::numeric_limits<To>::max()) return std::numeric_limits<To>::max();
    if (v <= (From)std::numeric_limits<To>::min()) return std::numeric_limits<To>::min();
    return (To)v;
  } else {
    return (To)v;
  }
}

// A number converted to a storage type (bool: nonzero).
template <typename To, typename From>
inline To toStorage(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != 0;
  } else {
    return convertValue<To>(v);
  }
}

}  // namespace cinder
