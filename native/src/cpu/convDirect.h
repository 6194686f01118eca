// Internal to the convolution kernels (conv.cc, convDirect.cc, and the CUDA twins, which share the
// geometry and its checks): the geometry of one convolution and the direct (no im2col) kernels
// used when a group has few output channels, where the GEMM's register tile would be mostly
// empty. These vectorise over output channels, VecWidth<T> at a time.
#pragma once
#include <cstdint>

#include "core/tensorDesc.h"
#include "cpu/conv.h"

namespace cinder {

constexpr int kConvS = 3;

// The shape of one convolution, spatial dims padded to 3 (leading ones of size 1).
struct ConvGeom {
  int64_t N = 0, Cin = 0, Cout = 0, G = 1, Cig = 0, Cog = 0;
  int64_t X[kConvS], Y[kConvS], Kk[kConvS], S[kConvS], P[kConvS], D[kConvS];
  int64_t kvol = 1, K = 0, L = 1, Xvol = 1;
  // The weight as a [Cout, K] matrix: row stride and the stride along K.
  int64_t ws0 = 0, wsK = 1;
  bool oneByOne = false;  // 1x1 kernel, stride 1, no padding, in == out
};

// The checks of convForward / convBackwardInput / convBackwardWeight (operands, dtypes, shapes
// against the parameters, bias, a contiguous output) and the geometry they describe; the
// backward ones also return gradOutput's stride over its flattened spatial dims in *gls.
ConvGeom convForwardGeometry(const TensorDesc& x, const TensorDesc& w, const TensorDesc* bias, const TensorDesc& y,
                             const ConvParams& p, const char* op);
ConvGeom convBackwardInputGeometry(const TensorDesc& gy, const TensorDesc& w, const TensorDesc* bias,
                                   const TensorDesc& gx, const ConvParams& p, const char* op, int64_t* gls);
ConvGeom convBackwardWeightGeometry(const TensorDesc& x, const TensorDesc& gy, const TensorDesc& gw,
                                    const ConvParams& p, const char* op, int64_t* gls);

// Lanes per vector of the direct kernels (64 bytes).
template <typename T>
constexpr int64_t kDirectLanes = 64 / (int64_t)sizeof(T);

// Output positions per register block of the direct forward kernel.
constexpr int64_t kDirectBlock = 8;
// Most kernel columns one pass of the direct weight-gradient kernel accumulates.
constexpr int64_t kDirectMaxCols = 8;

// Row length of the horizontally zero-padded input copy the direct kernels read: every column an
// output position (forward: rounded up to whole blocks) and kernel column (weight gradient:
// rounded up to whole passes of `cols` columns) can touch.
int64_t directRowLength(const ConvGeom& g, int64_t cols);

// Forward: output rows [r0, r1) (flattened (oz, oy)) of one sample, every group and channel block.
// xpad: the sample's input, [Cin][X0][X1][rw], column ix stored at ix + padBefore; wpack: weights
// [group][channel block][Cig][kz][ky][kx][lanes], zero in missing lanes; bias (nullable, stride bs);
// yn: the sample's output [Cout][L].
template <typename T>
void directForward(const ConvGeom& g, const T* xpad, int64_t rw, const T* wpack, const T* bias, int64_t bs, T* yn,
                   int64_t r0, int64_t r1);

// Weight gradient of one sample added into acc [group][channel block][Cig][kz][ky][kx][lanes].
// gyT: the sample's gradOutput as [group][channel block][L][lanes] (zero in missing lanes).
template <typename T>
void directWeight(const ConvGeom& g, const T* xpad, int64_t rw, const T* gyT, T* acc);

// Columns per pass of directWeight (its register block), which directRowLength must allow for.
int64_t directWeightCols(const ConvGeom& g);

}  // namespace cinder
