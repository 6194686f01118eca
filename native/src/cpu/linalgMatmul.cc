// Batched matmul over TensorDescs: the batch dims of a, b and out are already aligned (same
// count; a and b may have stride-0 broadcast batch dims), out is contiguous.
#include <algorithm>
#include <cstdint>

#include "core/threadPool.h"
#include "cpu/gemm.h"
#include "cpu/linalg.h"

namespace cinder {

namespace {
// Offsets (in elements) of batch index `idx` in a descriptor whose leading `nb` dims are batch dims.
int64_t batchOffset(const TensorDesc& t, int nb, int64_t idx, const int64_t* bshape) {
  int64_t off = 0;
  for (int d = nb - 1; d >= 0; d--) {
    int64_t i = idx % bshape[d];
    idx /= bshape[d];
    off += i * t.strides[d];
  }
  return off;
}
}  // namespace

void matmulBatched(const TensorDesc& a, const TensorDesc& b, const TensorDesc& out, double alpha, double beta,
                   const char* op) {
  const MatmulSizes z = checkMatmulOperands(a, b, out, op);
  int nd = out.ndim, nb = z.nb;
  int64_t m = z.m, n = z.n, k = z.k, batch = z.batch;
  if (batch == 0 || m == 0 || n == 0) return;
  int64_t rsa = a.strides[nd - 2], csa = a.strides[nd - 1];
  int64_t rsb = b.strides[nd - 2], csb = b.strides[nd - 1];
  int64_t rsc = n, csc = 1, mn = m * n;
  const int64_t* bshape = out.shape;
  auto run = [&](auto tag, auto scalarAlpha, auto scalarBeta, int threads, int64_t i0, int64_t i1) {
    using T = decltype(tag);
    for (int64_t i = i0; i < i1; i++) {
      const T* ap = a.ptr<T>() + batchOffset(a, nb, i, bshape);
      const T* bp = b.ptr<T>() + batchOffset(b, nb, i, bshape);
      T* cp = out.ptr<T>() + i * mn;
      if constexpr (std::is_floating_point<T>::value) {
        gemm<T>(m, n, k, (T)scalarAlpha, ap, rsa, csa, bp, rsb, csb, (T)scalarBeta, cp, rsc, csc, threads);
      } else {
        gemmInt<T>(m, n, k, ap, rsa, csa, bp, rsb, csb, (T)scalarBeta, cp, rsc, csc);
      }
    }
  };
  double flopsEach = 2.0 * (double)m * (double)n * (double)k;
  bool perBatchThreads = batch > 1 && flopsEach < 8e6;
  auto dispatchType = [&](auto tag) {
    if (perBatchThreads) {
      int64_t grain = std::max<int64_t>(1, (int64_t)(2e6 / std::max(1.0, flopsEach)));
      parallelFor(batch, grain, [&](int64_t i0, int64_t i1) { run(tag, alpha, beta, 1, i0, i1); });
    } else {
      run(tag, alpha, beta, 0, 0, batch);
    }
  };
  switch (out.dtype) {
    case DType::Float32: dispatchType(float(0)); break;
    case DType::Float64: dispatchType(double(0)); break;
    case DType::Int32: dispatchType(int32_t(0)); break;
    case DType::Int64: dispatchType(int64_t(0)); break;
    default: fail(op, ": not supported for dtype ", dtypeName(out.dtype));
  }
}

}  // namespace cinder
