/**
 * Padding, as torch.nn.functional.pad: `pad` lists [before, after] pairs starting from the last
 * dim (`[left, right, top, bottom, ...]`). Modes: 'constant' (any number of dims; negative
 * amounts crop), 'reflect' (mirror without repeating the edge; amounts smaller than the dim),
 * 'replicate' (repeat the edge), 'circular' (wrap around; amounts at most the dim). The non-constant
 * modes pad the last 1, 2 or 3 dims of a 2-3, 3-4 or 4-5 dim input, as PyTorch allows.
 *
 * One native kernel serves every mode: each output position reads one input position (or the
 * constant); `padBackward` is its adjoint (summing where positions repeat), and `pad` with a zero
 * constant is the adjoint of `padBackward`, so gradients of any order are available.
 */
import { dispatch } from '../dispatch.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { describe, floatingArg, isHalf, isInt, staged, tensorArg, unstaged } from './nnCommon.js';

export type PaddingMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export interface PadOptions {
  mode?: PaddingMode;
  /** The fill value of 'constant' padding (default 0). */
  value?: number;
}

const MODE_CODE: Record<PaddingMode, number> = { constant: 0, reflect: 1, replicate: 2, circular: 3 };

/** Checks a pad list against a shape; returns the per-dim amounts before and after, and the output shape. */
function resolve(op: string, shape: readonly number[], padList: unknown, mode: PaddingMode): { before: number[]; after: number[]; out: number[] } {
  if (!Array.isArray(padList) || !padList.every(isInt)) {
    throw new TypeError(`${op}: expected pad to be an array of integers, got ${JSON.stringify(padList)}`);
  }
  const nd = shape.length;
  if (padList.length % 2 !== 0) throw new RangeError(`${op}: padding length must be divisible by 2, got ${padList.length}`);
  const k = padList.length / 2;
  if (k > nd) throw new RangeError(`${op}: padding length ${padList.length} is too large for an input of shape ${shapeString(shape)}`);
  const before = new Array<number>(nd).fill(0);
  const after = new Array<number>(nd).fill(0);
  for (let i = 0; i < k; i++) {
    before[nd - 1 - i] = padList[2 * i] as number;
    after[nd - 1 - i] = padList[2 * i + 1] as number;
  }
  if (mode !== 'constant') {
    if (!((k === 1 && (nd === 2 || nd === 3)) || (k === 2 && (nd === 3 || nd === 4)) || (k === 3 && (nd === 4 || nd === 5)))) {
      throw new RangeError(
        `${op}: '${mode}' padding pads the last 1, 2 or 3 dims of a 2-3, 3-4 or 4-5 dim input; got ${padList.length} ` +
          `pad amounts for an input of shape ${shapeString(shape)}`,
      );
    }
    for (let d = nd - k; d < nd; d++) {
      const b = before[d]!, a = after[d]!, n = shape[d]!;
      if (b < 0 || a < 0) throw new RangeError(`${op}: negative padding is not supported in '${mode}' mode, got (${b}, ${a}) at dim ${d}`);
      if (mode === 'reflect' && (b >= n || a >= n)) {
        throw new RangeError(
          `${op}: padding size should be less than the corresponding input dimension, but got padding (${b}, ${a}) ` +
            `at dim ${d} of input ${shapeString(shape)}`,
        );
      }
      if (mode === 'circular' && (b > n || a > n)) {
        throw new RangeError(`${op}: padding (${b}, ${a}) at dim ${d} of input ${shapeString(shape)} would wrap around more than once`);
      }
      if (n === 0 && (b > 0 || a > 0)) throw new RangeError(`${op}: cannot pad an empty dim (dim ${d} of ${shapeString(shape)}) in '${mode}' mode`);
    }
  }
  const out = shape.map((s, d) => s + before[d]! + after[d]!);
  out.forEach((s, d) => {
    if (s < 0) {
      throw new RangeError(
        `${op}: the input size ${shape[d]}, plus negative padding ${before[d]} and ${after[d]}, gives a negative output size at dim ${d}`,
      );
    }
  });
  return { before, after, out };
}

function modeOf(op: string, m: unknown): PaddingMode {
  const mode = m ?? 'constant';
  if (typeof mode !== 'string' || !(mode in MODE_CODE)) {
    throw new RangeError(`${op}: mode must be 'constant', 'reflect', 'replicate' or 'circular', got ${JSON.stringify(m)}`);
  }
  return mode as PaddingMode;
}

/** Pads x (see the module's documentation). */
export function pad(x: Tensor, padList: readonly number[], opts?: PadOptions): Tensor {
  const op = 'pad';
  tensorArg(op, x, 'input');
  const mode = modeOf(op, opts?.mode);
  const value = opts?.value ?? 0;
  if (typeof value !== 'number') throw new TypeError(`${op}: value must be a number, got ${typeof value}`);
  if (mode !== 'constant' && value !== 0) throw new RangeError(`${op}: padding mode '${mode}' doesn't take a value argument`);
  if (x.ndim === 0) throw new RangeError(`${op}: cannot pad a 0-d tensor`);
  const { before, out } = resolve(op, x.shape, padList, mode);
  if (mode !== 'constant' && x.dtype !== 'float32' && x.dtype !== 'float64' && !isHalf(x.dtype)) {
    throw new TypeError(`${op}: '${mode}' padding needs a floating point input, got ${describe(x)}`);
  }
  return dispatch(op, [x], { pad: [...padList], mode, value }, () => {
    const xc = isHalf(x.dtype) ? staged(x) : x;
    let p = putTensor(0, xc);
    frame[p] = MODE_CODE[mode];
    frame[p + 1] = value;
    frame[p + 2] = before.length;
    p += 3;
    for (let i = 0; i < before.length; i++) frame[p + i] = before[i]!;
    putOutput(p + before.length, xc.dtype, out);
    runOn('pad', xc.device, op);
    return unstaged(takeOutput(0, xc.dtype, out, xc.device), x.dtype);
  });
}

/** The gradient of `pad` for an input of `inputShape`: gradOutput summed back through the padding. */
export function padBackward(gradOutput: Tensor, inputShape: readonly number[], padList: readonly number[], opts?: { mode?: PaddingMode }): Tensor {
  const op = 'padBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  const mode = modeOf(op, opts?.mode);
  if (!Array.isArray(inputShape) || !inputShape.every((s) => isInt(s) && s >= 0)) {
    throw new TypeError(`${op}: expected inputShape to be an array of non-negative integers, got ${JSON.stringify(inputShape)}`);
  }
  if (inputShape.length === 0) throw new RangeError(`${op}: cannot pad a 0-d tensor`);
  const { before, out } = resolve(op, inputShape, padList, mode);
  if (gradOutput.ndim !== out.length || gradOutput.shape.some((s, i) => s !== out[i])) {
    throw new RangeError(`${op}: gradOutput ${describe(gradOutput)} does not match the padded shape ${shapeString(out)}`);
  }
  const shape = [...inputShape];
  return dispatch(op, [gradOutput], { inputShape: shape, pad: [...padList], mode }, () => {
    const gc = isHalf(gradOutput.dtype) ? staged(gradOutput) : gradOutput;
    let p = putTensor(0, gc);
    frame[p] = MODE_CODE[mode];
    frame[p + 1] = before.length;
    p += 2;
    for (let i = 0; i < before.length; i++) frame[p + i] = before[i]!;
    putOutput(p + before.length, gc.dtype, shape);
    runOn('padBackward', gc.device, op);
    return unstaged(takeOutput(0, gc.dtype, shape, gc.device), gradOutput.dtype);
  });
}
