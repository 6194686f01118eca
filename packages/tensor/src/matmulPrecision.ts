/**
 * The float32 matmul precision of CUDA products (after torch.set_float32_matmul_precision):
 * 'high' (the default) runs float32 matrix products on TF32 tensor cores (10-bit mantissa inputs,
 * float32 accumulation); 'highest' runs them in exact float32 FMAs. Every CUDA product follows
 * it (matmul, mm, bmm, linear, einsum, and the convolutions and recurrent layers built on the
 * same GEMM). CPU products are always exact float32. float16/bfloat16 products always run on
 * tensor cores with float32 accumulation; float64 products are always exact.
 */
import { kernels } from '@cinder/native';
import { DTYPE_CODE, type DType } from './dtype.js';

export type Float32MatmulPrecision = 'high' | 'highest';

const native = kernels as unknown as {
  cudaMatmulPrecision?: (mode?: string) => string;
  cudaMatmulPath?: (dtypeCode: number) => string;
};

let precision: Float32MatmulPrecision = 'high';

export function setFloat32MatmulPrecision(mode: Float32MatmulPrecision): void {
  if (mode !== 'high' && mode !== 'highest') {
    throw new RangeError(`setFloat32MatmulPrecision: expected 'high' or 'highest', got ${JSON.stringify(mode)}`);
  }
  native.cudaMatmulPrecision?.(mode);
  precision = mode;
}

export function getFloat32MatmulPrecision(): Float32MatmulPrecision {
  return precision;
}

/**
 * The kernel a CUDA matrix product of `dtype` runs on under the current precision, in words
 * (e.g. "tf32 tensor cores (mma.sync m16n8k8, ...)"); "none" in builds without CUDA.
 */
export function cudaMatmulPath(dtype: DType): string {
  return native.cudaMatmulPath ? native.cudaMatmulPath(DTYPE_CODE[dtype]) : 'none';
}
