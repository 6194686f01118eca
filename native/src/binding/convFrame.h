// What the convolution bindings of both devices read alike from a call frame: the public op the
// call serves (frame[0], a code from `convOps`, for error messages) and the parameters.
#pragma once
#include "binding/context.h"
#include "cpu/conv.h"

namespace cinder {

// The name of the op whose code is frame[0].
const char* convOpName(Context* ctx);
// Parameters: spatial, stride[s], padBefore[s], padAfter[s], dilation[s], groups.
ConvParams readConvParams(FrameReader& r);

}  // namespace cinder
