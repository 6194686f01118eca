/**
 * Convolutions: thin wrappers over @cinder/tensor's convolution ops (native im2col/direct GEMM
 * kernels, with their derivatives in @cinder/autograd). The bias goes in the options object with
 * stride, padding, dilation and groups: `F.conv2d(x, w, { bias, stride: 2, padding: 1 })`.
 * Padding also takes 'same' and 'valid' (forward convolutions, stride 1 for 'same').
 */
import {
  conv1d as conv1dOp, conv2d as conv2dOp, conv3d as conv3dOp, convTranspose1d as convT1dOp,
  convTranspose2d as convT2dOp, convTranspose3d as convT3dOp, type ConvOptions, type ConvTransposeOptions, type Tensor,
} from '@cinder/tensor';

export type { ConvOptions, ConvTransposeOptions };

/** 1-d convolution of [N, Cin, L] (or [Cin, L]) with weight [Cout, Cin / groups, k]. */
export function conv1d(input: Tensor, weight: Tensor, opts?: ConvOptions): Tensor {
  return conv1dOp(input, weight, opts ?? {});
}

/** 2-d convolution of [N, Cin, H, W] (or [Cin, H, W]) with weight [Cout, Cin / groups, kH, kW]. */
export function conv2d(input: Tensor, weight: Tensor, opts?: ConvOptions): Tensor {
  return conv2dOp(input, weight, opts ?? {});
}

/** 3-d convolution of [N, Cin, D, H, W] (or unbatched) with weight [Cout, Cin / groups, kD, kH, kW]. */
export function conv3d(input: Tensor, weight: Tensor, opts?: ConvOptions): Tensor {
  return conv3dOp(input, weight, opts ?? {});
}

/** 1-d transposed convolution with weight [Cin, Cout / groups, k]. */
export function convTranspose1d(input: Tensor, weight: Tensor, opts?: ConvTransposeOptions): Tensor {
  return convT1dOp(input, weight, opts ?? {});
}

/** 2-d transposed convolution with weight [Cin, Cout / groups, kH, kW]. */
export function convTranspose2d(input: Tensor, weight: Tensor, opts?: ConvTransposeOptions): Tensor {
  return convT2dOp(input, weight, opts ?? {});
}

/** 3-d transposed convolution with weight [Cin, Cout / groups, kD, kH, kW]. */
export function convTranspose3d(input: Tensor, weight: Tensor, opts?: ConvTransposeOptions): Tensor {
  return convT3dOp(input, weight, opts ?? {});
}
