/** Linear maps: linear (x W^T + b) and bilinear (x1^T W_k x2 + b_k). */
import { addmm, type Tensor } from '@cinder/tensor';
import { describe, floatArg, optionalTensor } from './common.js';

export interface LinearOptions {
  bias?: Tensor | null;
}

/**
 * y = x W^T + b, for input [*, in] and weight [out, in] (or [in], giving [*]); bias [out].
 * A 2-d input with a bias is one fused GEMM (addmm).
 */
export function linear(input: Tensor, weight: Tensor, opts?: LinearOptions): Tensor {
  const op = 'linear';
  floatArg(op, input, 'input');
  floatArg(op, weight, 'weight');
  const bias = optionalTensor(op, opts?.bias, 'bias');
  if (weight.ndim !== 1 && weight.ndim !== 2) throw new RangeError(`${op}: expected a 1-d or 2-d weight, got ${describe(weight)}`);
  if (input.ndim === 0) throw new RangeError(`${op}: expected an input of at least 1 dim, got ${describe(input)}`);
  const inF = weight.shape[weight.ndim - 1]!;
  const have = input.shape[input.ndim - 1]!;
  if (have !== inF) {
    throw new RangeError(`${op}: input ${describe(input)} and weight ${describe(weight)}: in_features differ (${have} != ${inF})`);
  }
  if (input.dtype !== weight.dtype) throw new TypeError(`${op}: input ${describe(input)} and weight ${describe(weight)} have different dtypes`);
  if (bias !== null) {
    const outF = weight.ndim === 2 ? weight.shape[0]! : 1;
    if (bias.ndim > 1 || (bias.ndim === 1 && bias.shape[0] !== outF && bias.shape[0] !== 1)) {
      throw new RangeError(`${op}: bias ${describe(bias)} does not match weight ${describe(weight)} (expected [${outF}])`);
    }
  }
  if (weight.ndim === 2 && input.ndim === 2 && bias !== null && bias.dtype === input.dtype) return addmm(bias, input, weight.t());
  const y = weight.ndim === 2 ? input.matmul(weight.t()) : input.matmul(weight);
  return bias === null ? y : y.add(weight.ndim === 1 && bias.ndim === 1 ? bias.reshape([]) : bias);
}

/**
 * y_k = x1^T W_k x2 + b_k for input1 [*, in1], input2 [*, in2], weight [out, in1, in2] and
 * bias [out]; the output is [*, out].
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, opts?: LinearOptions): Tensor {
  const op = 'bilinear';
  floatArg(op, input1, 'input1');
  floatArg(op, input2, 'input2');
  floatArg(op, weight, 'weight');
  const bias = optionalTensor(op, opts?.bias, 'bias');
  if (weight.ndim !== 3) throw new RangeError(`${op}: expected a 3-d weight [out, in1, in2], got ${describe(weight)}`);
  const [outF, in1, in2] = weight.shape as [number, number, number];
  if (input1.ndim === 0 || input1.shape[input1.ndim - 1] !== in1) {
    throw new RangeError(`${op}: input1 ${describe(input1)} and weight ${describe(weight)}: in1_features differ`);
  }
  if (input2.ndim === 0 || input2.shape[input2.ndim - 1] !== in2) {
    throw new RangeError(`${op}: input2 ${describe(input2)} and weight ${describe(weight)}: in2_features differ`);
  }
  const lead1 = input1.shape.slice(0, -1);
  const lead2 = input2.shape.slice(0, -1);
  if (lead1.length !== lead2.length || lead1.some((s, i) => s !== lead2[i])) {
    throw new RangeError(`${op}: input1 ${describe(input1)} and input2 ${describe(input2)}: batch dims differ`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new RangeError(`${op}: bias ${describe(bias)} does not match weight ${describe(weight)} (expected [${outF}])`);
  }
  const B = lead1.reduce((a, b) => a * b, 1);
  const x1 = input1.reshape([B, in1]);
  const x2 = input2.reshape([B, in2]);
  // [B, in1] @ [in1, out * in2] -> [B, out, in2], then contracted with x2.
  const t = x1.matmul(weight.permute([1, 0, 2]).reshape([in1, outF * in2])).reshape([B, outF, in2]);
  let y = t.mul(x2.unsqueeze(1)).sum(2);
  if (bias !== null) y = y.add(bias);
  return y.reshape([...lead1, outF]);
}
