// CUDA convolution kernels (the GEMM itself is cudaGemm): im2col into a column buffer, the
// gather form of col2im, the gradOutput gather the weight gradient multiplies with, and the bias
// add. Declared without CUDA headers; work is ordered on the device's stream. float32 and float64.
//
// A convolution's geometry is the CPU's ConvGeom (spatial dims padded to 3, leading ones of size
// 1). Launches cover a chunk of the batch: samples [n0, n0 + nb) and output positions
// [l0, l0 + lc) of each (a chunk is several whole samples, or columns of one sample).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/dtype.h"
#include "cpu/convDirect.h"

namespace cinder {

// Element strides of a convolution's input: sample, channel and the three (padded) spatial dims
// (0 for the padding dims).
struct CudaConvInput {
  const void* data = nullptr;
  int64_t sn = 0, sc = 0, ss[kConvS] = {0, 0, 0};
};

// Where im2col puts element (sample n, group gi, row k < K, column l < lc) of the chunk:
// n * sN + gi * sG + k * sK + l.
struct CudaColLayout {
  int64_t sN = 0, sG = 0, sK = 0;
};

// col <- the im2col columns of x for samples [n0, n0 + nb), positions [l0, l0 + lc).
void cudaConvIm2col(int device, DType dt, const ConvGeom& g, const CudaConvInput& x, int64_t n0, int64_t nb,
                    int64_t l0, int64_t lc, void* col, const CudaColLayout& lay, const char* op);

// gx (contiguous [nb, Cin, *in], the chunk's first sample) <- (or +=, when accumulate) the sum, for
// every element, of the entries of col (positions [l0, l0 + lc); laid out as im2col writes them
// through `lay`, rows c * kvol + tap at stride sK) that im2col would have read from it. Each
// element sums its own contributions in a fixed order.
void cudaConvCol2im(int device, DType dt, const ConvGeom& g, const void* col, const CudaColLayout& lay, int64_t nb,
                    int64_t l0, int64_t lc, bool accumulate, void* gx, const char* op);

// dst [C][nb * lc] <- gy[n0 + n, c, l0 + l] at column n * lc + l (gy strides: sample gsn,
// channel gsc, flattened position gls).
void cudaConvGatherRows(int device, DType dt, const void* gy, int64_t gsn, int64_t gsc, int64_t gls, int64_t C,
                        int64_t n0, int64_t nb, int64_t l0, int64_t lc, void* dst, const char* op);

// out (contiguous [N, C, inner]) += bias[c * bs] on every element of channel c.
void cudaConvAddBias(int device, DType dt, void* out, int64_t N, int64_t C, int64_t inner, const void* bias,
                     int64_t bs, const char* op);

// Depthwise convolutions (one input channel per group, Cig == 1, any channel multiplier Cout_g),
// without im2col: the forward and the input gradient one thread per element written (the input
// gradient gathers its taps), the weight gradient one block per weight element, reducing over
// the batch and positions in a fixed order. w / gw: [Cout, kvol] with the geometry's strides
// (gw contiguous).
void cudaConvDepthwiseForward(int device, DType dt, const ConvGeom& g, const CudaConvInput& x, const void* w,
                              void* y, const char* op);
void cudaConvDepthwiseBackwardInput(int device, DType dt, const ConvGeom& g, const void* gy, int64_t gsn,
                                    int64_t gsc, int64_t gls, const void* w, void* gx, const char* op);
void cudaConvDepthwiseBackwardWeight(int device, DType dt, const ConvGeom& g, const CudaConvInput& x, const void* gy,
                                     int64_t gsn, int64_t gsc, int64_t gls, void* gw, const char* op);

// bytes of p <- 0, on the device's stream.
void cudaConvZero(int device, void* p, size_t bytes, const char* op);

}  // namespace cinder
