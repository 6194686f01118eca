#pragma once
#include <cstdint>

#include "core/tensorDesc.h"

namespace cinder {
// dst <- src with the elements outside the lower (tril) or upper (triu) triangle of the last two
// dims zeroed; `k` shifts the diagonal as in PyTorch. dst and src have the same shape and dtype
// and are either disjoint or the very same view (in-place).
void trilTriu(const TensorDesc& dst, const TensorDesc& src, int64_t k, bool upper, const char* op);
}  // namespace cinder
