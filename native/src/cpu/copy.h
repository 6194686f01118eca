#pragma once
#include "core/tensorDesc.h"

namespace cinder {
// dst <- src (broadcast to dst's shape), converting dtypes; any strides on either side.
void copyCast(const TensorDesc& dst, const TensorDesc& src, const char* op);
// Every element of dst <- value (converted to dst's dtype).
void fillValue(const TensorDesc& dst, double value);
}  // namespace cinder
