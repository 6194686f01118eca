#include "cpu/shape.h"

#include <algorithm>
#include <cstring>

#include "core/elementwiseIter.h"
#include "core/threadPool.h"

namespace cinder {

namespace {

// Element types by size only: tril/triu move bits and write zeros, and zero bits are 0 (or
// false) in every dtype, so one instantiation per item size covers them all.
template <typename T>
void trilTriuTyped(const TensorDesc& dst, const TensorDesc& src, int64_t k, bool upper) {
  const int nd = dst.ndim;
  const int64_t M = dst.shape[nd - 2], N = dst.shape[nd - 1];
  const int64_t batch = dst.numel() / std::max<int64_t>(M * N, 1);
  const int64_t rows = batch * M;
  if (rows == 0 || N == 0) return;
  const bool inPlace = dst.data == src.data && dst.strides[nd - 2] == src.strides[nd - 2] &&
                       dst.strides[nd - 1] == src.strides[nd - 1];
  const int64_t dRow = dst.strides[nd - 2], dCol = dst.strides[nd - 1];
  const int64_t sRow = src.strides[nd - 2], sCol = src.strides[nd - 1];
  // The diagonal shift only matters within [-M, N]; clamping keeps i + k far from overflow.
  k = std::max<int64_t>(-M - 1, std::min<int64_t>(k, N + 1));

  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r++) {
      int64_t b = r / M, i = r % M;
      int64_t dOff = i * dRow, sOff = i * sRow;
      for (int d = nd - 3; d >= 0; d--) {
        int64_t idx = b % dst.shape[d];
        b /= dst.shape[d];
        dOff += idx * dst.strides[d];
        sOff += idx * src.strides[d];
      }
      T* out = dst.ptr<T>() + dOff;
      const T* in = src.ptr<T>() + sOff;
      // Columns kept: [0, lim) for tril, [lim, N) for triu.
      const int64_t lim = std::max<int64_t>(0, std::min<int64_t>(N, upper ? i + k : i + k + 1));
      const int64_t keepLo = upper ? lim : 0, keepHi = upper ? N : lim;
      const int64_t zeroLo = upper ? 0 : lim, zeroHi = upper ? lim : N;
      if (!inPlace && keepHi > keepLo) {
        if (dCol == 1 && sCol == 1) {
          std::memcpy(out + keepLo, in + keepLo, (size_t)(keepHi - keepLo) * sizeof(T));
        } else {
          for (int64_t j = keepLo; j < keepHi; j++) out[j * dCol] = in[j * sCol];
        }
      }
      if (zeroHi > zeroLo) {
        if (dCol == 1) {
          std::memset(out + zeroLo, 0, (size_t)(zeroHi - zeroLo) * sizeof(T));
        } else {
          for (int64_t j = zeroLo; j < zeroHi; j++) out[j * dCol] = T(0);
        }
      }
    }
  };
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(N, 1));
  parallelFor(rows, grain, run);
}

}  // namespace

void trilTriu(const TensorDesc& dst, const TensorDesc& src, int64_t k, bool upper, const char* op) {
  CINDER_CHECK(dst.ndim >= 2, op, ": input tensor must have at least 2 dimensions, got shape ", dst.shapeString());
  CINDER_CHECK(dst.ndim == src.ndim, op, ": output shape ", dst.shapeString(), " does not match input shape ",
               src.shapeString());
  for (int d = 0; d < dst.ndim; d++)
    CINDER_CHECK(dst.shape[d] == src.shape[d], op, ": output shape ", dst.shapeString(),
                 " does not match input shape ", src.shapeString());
  CINDER_CHECK(dst.dtype == src.dtype, op, ": output dtype ", dtypeName(dst.dtype), " does not match input dtype ",
               dtypeName(src.dtype));
  switch (itemSize(dst.dtype)) {
    case 1: trilTriuTyped<uint8_t>(dst, src, k, upper); break;
    case 2: trilTriuTyped<uint16_t>(dst, src, k, upper); break;
    case 4: trilTriuTyped<uint32_t>(dst, src, k, upper); break;
    case 8: trilTriuTyped<uint64_t>(dst, src, k, upper); break;
    default: fail(op, ": unsupported dtype ", dtypeName(dst.dtype));
  }
}

}  // namespace cinder
