// A number as a 0-d operand: shared by the CPU and CUDA elementwise bindings, which take scalar
// operands the same way.
#pragma once
#include <cstdint>

#include "core/error.h"
#include "core/tensorDesc.h"

namespace cinder {

// A 0-d operand over `buf` (at least 8 bytes), holding v in dtype dt, written into d (fresh).
// Integer scalars wrap like a C cast.
inline void scalarInto(double v, DType dt, void* buf, TensorDesc& d) {
  switch (dt) {
    case DType::Float32: *static_cast<float*>(buf) = (float)v; break;
    case DType::Float64: *static_cast<double*>(buf) = v; break;
    case DType::Int32: *static_cast<int32_t*>(buf) = (int32_t)(int64_t)v; break;
    case DType::Int64: *static_cast<int64_t*>(buf) = (int64_t)v; break;
    case DType::Uint8: *static_cast<uint8_t*>(buf) = (uint8_t)(int64_t)v; break;
    case DType::Bool: *static_cast<uint8_t*>(buf) = v != 0 ? 1 : 0; break;
    default: fail("elementwise: scalar of dtype ", dtypeName(dt), " is not a compute dtype");
  }
  d.data = static_cast<char*>(buf);
  d.dtype = dt;
  d.ndim = 0;
}

}  // namespace cinder
