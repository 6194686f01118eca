// dtypes of the core. The numbering is shared with @cinder/tensor (src/dtype.ts).
#pragma once
#include <cstdint>
#include <string>

#include "core/error.h"
#include "core/half.h"

namespace cinder {

enum class DType : int32_t {
  Float32 = 0,
  Float64 = 1,
  Int32 = 2,
  Int64 = 3,
  Bool = 4,
  Uint8 = 5,
  Float16 = 6,
  BFloat16 = 7,
};
constexpr int kNumDTypes = 8;

inline size_t itemSize(DType d) {
  switch (d) {
    case DType::Float32: case DType::Int32: return 4;
    case DType::Float64: case DType::Int64: return 8;
    case DType::Bool: case DType::Uint8: return 1;
    case DType::Float16: case DType::BFloat16: return 2;
  }
  return 1;
}

// log2(itemSize(d)): lets hot paths divide by the element size with a shift.
inline int itemShift(DType d) {
  switch (d) {
    case DType::Float32: case DType::Int32: return 2;
    case DType::Float64: case DType::Int64: return 3;
    case DType::Bool: case DType::Uint8: return 0;
    case DType::Float16: case DType::BFloat16: return 1;
  }
  return 0;
}

inline const char* dtypeName(DType d) {
  switch (d) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Bool: return "bool";
    case DType::Uint8: return "uint8";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
  }
  return "?";
}

inline DType dtypeFromInt(int32_t v, const char* op) {
  CINDER_CHECK(v >= 0 && v < kNumDTypes, op, ": unknown dtype code ", v);
  return static_cast<DType>(v);
}

inline bool isFloating(DType d) {
  return d == DType::Float32 || d == DType::Float64 || d == DType::Float16 || d == DType::BFloat16;
}

}  // namespace cinder

// Dispatch on a dtype: the body sees `scalar_t`. Bool is stored as uint8_t (0 or 1).
#define CINDER_CASE(ENUM, TYPE, ...) \
  case ::cinder::DType::ENUM: {      \
    using scalar_t = TYPE;           \
    __VA_ARGS__();                   \
    break;                           \
  }

// float32, float64
#define CINDER_DISPATCH_FLOAT(DT, OPNAME, ...)                                                    \
  [&] {                                                                                        \
    switch (DT) {                                                                              \
      CINDER_CASE(Float32, float, __VA_ARGS__)                                                 \
      CINDER_CASE(Float64, double, __VA_ARGS__)                                                \
      default: ::cinder::fail(OPNAME, ": not supported for dtype ", ::cinder::dtypeName(DT)); \
    }                                                                                          \
  }()

// float32, float64, int32, int64, uint8 (and bool as uint8)
#define CINDER_DISPATCH_ALL(DT, OPNAME, ...)                                                      \
  [&] {                                                                                        \
    switch (DT) {                                                                              \
      CINDER_CASE(Float32, float, __VA_ARGS__)                                                 \
      CINDER_CASE(Float64, double, __VA_ARGS__)                                                \
      CINDER_CASE(Int32, int32_t, __VA_ARGS__)                                                 \
      CINDER_CASE(Int64, int64_t, __VA_ARGS__)                                                 \
      CINDER_CASE(Uint8, uint8_t, __VA_ARGS__)                                                 \
      CINDER_CASE(Bool, uint8_t, __VA_ARGS__)                                                  \
      default: ::cinder::fail(OPNAME, ": not supported for dtype ", ::cinder::dtypeName(DT)); \
    }                                                                                          \
  }()

// int32, int64, uint8, bool
#define CINDER_DISPATCH_INT(DT, OPNAME, ...)                                                      \
  [&] {                                                                                        \
    switch (DT) {                                                                              \
      CINDER_CASE(Int32, int32_t, __VA_ARGS__)                                                 \
      CINDER_CASE(Int64, int64_t, __VA_ARGS__)                                                 \
      CINDER_CASE(Uint8, uint8_t, __VA_ARGS__)                                                 \
      CINDER_CASE(Bool, uint8_t, __VA_ARGS__)                                                  \
      default: ::cinder::fail(OPNAME, ": not supported for dtype ", ::cinder::dtypeName(DT)); \
    }                                                                                          \
  }()

// Every storage dtype, float16/bfloat16 included; BOOL_T is how the body sees bool storage
// (`bool` for value conversion, `uint8_t` for byte-wise work).
#define CINDER_DISPATCH_EVERY(DT, BOOL_T, ...)      \
  [&] {                                             \
    switch (DT) {                                   \
      CINDER_CASE(Float32, float, __VA_ARGS__)      \
      CINDER_CASE(Float64, double, __VA_ARGS__)     \
      CINDER_CASE(Int32, int32_t, __VA_ARGS__)      \
      CINDER_CASE(Int64, int64_t, __VA_ARGS__)      \
      CINDER_CASE(Bool, BOOL_T, __VA_ARGS__)        \
      CINDER_CASE(Uint8, uint8_t, __VA_ARGS__)      \
      CINDER_CASE(Float16, ::cinder::Half, __VA_ARGS__)      \
      CINDER_CASE(BFloat16, ::cinder::BFloat16, __VA_ARGS__) \
    }                                               \
  }()
