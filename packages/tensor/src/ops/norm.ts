/**
 * Normalization kernels, as torch's native_batch_norm / native_layer_norm / native_group_norm:
 * each returns `[output, mean, invstd]` (the statistics backward needs), and a backward op
 * computes the input, weight and bias gradients in one call. Statistics are taken in one pass in
 * double precision; float16/bfloat16 compute in float32. These are the kernels behind
 * @cinder/nn's F.batchNorm, F.layerNorm, F.groupNorm and F.instanceNorm.
 */
import { dispatch } from '../dispatch.js';
import type { Device } from '../device.js';
import type { DType } from '../dtype.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import { shapeString } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { computeDType, describe, floatingArg, isInt, optionalTensorArg, staged, unstaged } from './nnCommon.js';

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Updated in place in training (momentum average of the batch mean). */
  runningMean?: Tensor | null;
  /** Updated in place in training (momentum average of the unbiased batch variance). */
  runningVar?: Tensor | null;
  /** Use the batch's statistics (true) or the running ones (false). */
  training: boolean;
  momentum?: number;
  eps?: number;
}

export interface NormBackwardOptions {
  weight?: Tensor | null;
  /** Which of [gradInput, gradWeight, gradBias] to compute (default all). */
  outputMask?: readonly [boolean, boolean, boolean];
}

export type NormGrads = [Tensor | null, Tensor | null, Tensor | null];

function checkParam(op: string, t: Tensor | null, what: string, n: number, dtype: DType): void {
  if (t === null) return;
  floatingArg(op, t, what);
  if (t.ndim !== 1 || t.shape[0] !== n) {
    throw new RangeError(`${op}: expected ${what} of shape [${n}], got ${describe(t)}`);
  }
  if (t.dtype !== dtype) throw new TypeError(`${op}: ${what} ${describe(t)} and input (${dtype}) have different dtypes`);
}

function putOptional(p: number, t: Tensor | null): number {
  return t === null ? p : putTensor(p, t);
}

/** The operands of a norm backward call, staged in the compute dtype (before the frame is written). */
function stageAll(cdt: DType, ...ts: (Tensor | null)[]): (Tensor | null)[] {
  return ts.map((t) => t && staged(t, cdt));
}

function maskOf(op: string, m: unknown): [boolean, boolean, boolean] {
  if (m === undefined || m === null) return [true, true, true];
  if (!Array.isArray(m) || m.length !== 3 || !m.every((v) => typeof v === 'boolean')) {
    throw new TypeError(`${op}: outputMask must be 3 booleans, got ${JSON.stringify(m)}`);
  }
  return m as [boolean, boolean, boolean];
}

function takeGrads(mask: readonly boolean[], shapes: readonly (readonly number[])[], cdt: DType, dt: DType, dev: Device): NormGrads {
  const r: NormGrads = [null, null, null];
  let k = 0;
  // Every handle is read from the frame before any conversion (which runs a kernel through it).
  for (let i = 0; i < 3; i++) if (mask[i]) r[i] = takeOutput(k++, cdt, shapes[i]!, dev);
  return r.map((t) => t && unstaged(t, dt)) as NormGrads;
}

/**
 * The backward call shared by batch and group norm (same frame layout): [mode, hasWeight, mask x3,
 * gradOutput, x, weight?, mean, invstd, outputs...]; gradients for x [shape], weight [C], bias [C].
 */
function channelNormBackward(
  kernel: string, mode: number, gradOutput: Tensor, x: Tensor, weight: Tensor | null, mean: Tensor, invstd: Tensor,
  mask: readonly boolean[], C: number,
): NormGrads {
  const cdt = computeDType(x.dtype);
  const [gc, xc, wc, mc, sc] = stageAll(cdt, gradOutput, x, weight, mean, invstd);
  frame[0] = mode;
  frame[1] = weight ? 1 : 0;
  frame[2] = mask[0] ? 1 : 0;
  frame[3] = mask[1] ? 1 : 0;
  frame[4] = mask[2] ? 1 : 0;
  let p = putTensor(5, gc!);
  p = putTensor(p, xc!);
  p = putOptional(p, wc!);
  p = putTensor(p, mc!);
  p = putTensor(p, sc!);
  if (mask[0]) p = putOutput(p, cdt, x.shape);
  if (mask[1]) p = putOutput(p, cdt, [C]);
  if (mask[2]) putOutput(p, cdt, [C]);
  runOn(kernel, x.device);
  return takeGrads(mask, [x.shape, [C], [C]], cdt, x.dtype, x.device);
}


/** The three outputs of a norm forward kernel, converted back to dtype dt. */
function takeThree(shapes: readonly (readonly number[])[], cdt: DType, dt: DType, dev: Device): [Tensor, Tensor, Tensor] {
  const r = shapes.map((s, i) => takeOutput(i, cdt, s, dev));
  return r.map((t) => unstaged(t, dt)) as [Tensor, Tensor, Tensor];
}

// ---- batch norm -------------------------------------------------------------------------------

/**
 * Batch normalization over dim 1 of x ([N, C, ...]): returns `[output, saveMean, saveInvstd]`
 * ([C] each: the batch's mean and 1 / sqrt(var + eps) in training, the running ones otherwise).
 */
export function nativeBatchNorm(x: Tensor, opts: BatchNormOptions): [Tensor, Tensor, Tensor] {
  const op = 'batchNorm';
  floatingArg(op, x, 'input');
  if (x.ndim < 2) throw new RangeError(`${op}: expected an input of at least 2 dims [N, C, ...], got ${describe(x)}`);
  const C = x.shape[1]!;
  const weight = optionalTensorArg(op, opts?.weight, 'weight');
  const bias = optionalTensorArg(op, opts?.bias, 'bias');
  const rm = optionalTensorArg(op, opts?.runningMean, 'runningMean');
  const rv = optionalTensorArg(op, opts?.runningVar, 'runningVar');
  const training = opts?.training;
  if (typeof training !== 'boolean') throw new TypeError(`${op}: the training flag must be a boolean, got ${String(training)}`);
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (typeof momentum !== 'number' || typeof eps !== 'number') throw new TypeError(`${op}: momentum and eps must be numbers`);
  checkParam(op, weight, 'weight', C, x.dtype);
  checkParam(op, bias, 'bias', C, x.dtype);
  checkParam(op, rm, 'runningMean', C, x.dtype);
  checkParam(op, rv, 'runningVar', C, x.dtype);
  if (!training && (rm === null || rv === null)) {
    throw new TypeError(`${op}: runningMean and runningVar are required when training is false`);
  }
  if (training) {
    const m = x.numel() / Math.max(1, C);
    if (m <= 1 && x.numel() > 0) {
      throw new RangeError(`${op}: expected more than 1 value per channel when training, got input of shape ${shapeString(x.shape)}`);
    }
  }
  const inputs: Tensor[] = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  const attrs = { training, momentum, eps, hasWeight: weight !== null, hasBias: bias !== null };
  const cdt = computeDType(x.dtype);
  const halfStats = cdt !== x.dtype && training && (rm !== null || rv !== null);
  if (halfStats) throw new TypeError(`${op}: running statistics of ${x.dtype} inputs are not supported; use float32`);
  const result = dispatch(op, inputs, attrs, () => {
    // Stage every operand before writing the frame (a staging copy runs a kernel through it).
    const xc = staged(x, cdt);
    const wc = weight && staged(weight, cdt);
    const bc = bias && staged(bias, cdt);
    const rmc = rm && (training ? rm : staged(rm, cdt));
    const rvc = rv && (training ? rv : staged(rv, cdt));
    frame[0] = training ? 1 : 0;
    frame[1] = weight ? 1 : 0;
    frame[2] = bias ? 1 : 0;
    frame[3] = rm ? 1 : 0;
    frame[4] = rv ? 1 : 0;
    frame[5] = momentum;
    frame[6] = eps;
    let p = putTensor(7, xc);
    p = putOptional(p, wc);
    p = putOptional(p, bc);
    // In training the running statistics are written in place: passed as they are (same dtype as x).
    p = putOptional(p, rmc);
    p = putOptional(p, rvc);
    p = putOutput(p, cdt, x.shape);
    p = putOutput(p, cdt, [C]);
    putOutput(p, cdt, [C]);
    runOn('batchNorm', x.device);
    return takeThree([x.shape, [C], [C]], cdt, x.dtype, x.device);
  });
  if (training) {
    if (rm) rm._st.version++;
    if (rv) rv._st.version++;
  }
  return result;
}

/**
 * Gradients of nativeBatchNorm: `[gradInput, gradWeight, gradBias]` (null where not asked for),
 * from the saved statistics. With training false the statistics are constants.
 */
export function nativeBatchNormBackward(
  gradOutput: Tensor, x: Tensor, saveMean: Tensor, saveInvstd: Tensor, opts: NormBackwardOptions & { training: boolean },
): NormGrads {
  const op = 'batchNormBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  floatingArg(op, x, 'input');
  if (x.ndim < 2) throw new RangeError(`${op}: expected an input of at least 2 dims [N, C, ...], got ${describe(x)}`);
  const C = x.shape[1]!;
  if (gradOutput.dtype !== x.dtype || gradOutput.ndim !== x.ndim || gradOutput.shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(`${op}: gradOutput ${describe(gradOutput)} does not match input ${describe(x)}`);
  }
  const weight = optionalTensorArg(op, opts?.weight, 'weight');
  checkParam(op, weight, 'weight', C, x.dtype);
  checkParam(op, saveMean, 'saveMean', C, x.dtype);
  checkParam(op, saveInvstd, 'saveInvstd', C, x.dtype);
  const training = opts?.training;
  if (typeof training !== 'boolean') throw new TypeError(`${op}: the training flag must be a boolean`);
  const mask = maskOf(op, opts.outputMask);
  const inputs = [gradOutput, x, saveMean, saveInvstd];
  if (weight) inputs.push(weight);
  return dispatch(op, inputs, { training, outputMask: mask, hasWeight: weight !== null }, () => {
    return channelNormBackward('batchNormBackward', training ? 1 : 0, gradOutput, x, weight, saveMean, saveInvstd, mask, C);
  });
}

// ---- layer norm -------------------------------------------------------------------------------

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

function checkNormalizedShape(op: string, x: Tensor, normalizedShape: unknown): number[] {
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(ns) || !ns.every((s) => isInt(s) && s >= 0)) {
    throw new TypeError(`${op}: expected normalizedShape to be an array of non-negative integers, got ${JSON.stringify(normalizedShape)}`);
  }
  const k = ns.length;
  if (k === 0 || k > x.ndim || ns.some((s, i) => s !== x.shape[x.ndim - k + i])) {
    throw new RangeError(
      `${op}: given normalizedShape ${shapeString(ns as number[])}, expected input with shape [*, ${(ns as number[]).join(', ')}], but got input of size ${shapeString(x.shape)}`,
    );
  }
  return [...ns] as number[];
}

function checkAffine(op: string, t: Tensor | null, what: string, ns: readonly number[], dtype: DType): void {
  if (t === null) return;
  floatingArg(op, t, what);
  if (t.ndim !== ns.length || t.shape.some((s, i) => s !== ns[i])) {
    throw new RangeError(`${op}: expected ${what} of shape ${shapeString(ns)}, got ${describe(t)}`);
  }
  if (t.dtype !== dtype) throw new TypeError(`${op}: ${what} ${describe(t)} and input (${dtype}) have different dtypes`);
}

/**
 * Layer normalization over the trailing `normalizedShape` dims: returns `[output, mean, rstd]`,
 * the statistics shaped like x with the normalized dims set to 1.
 */
export function nativeLayerNorm(x: Tensor, normalizedShape: number | readonly number[], opts?: LayerNormOptions): [Tensor, Tensor, Tensor] {
  const op = 'layerNorm';
  floatingArg(op, x, 'input');
  const ns = checkNormalizedShape(op, x, normalizedShape);
  const weight = optionalTensorArg(op, opts?.weight, 'weight');
  const bias = optionalTensorArg(op, opts?.bias, 'bias');
  checkAffine(op, weight, 'weight', ns, x.dtype);
  checkAffine(op, bias, 'bias', ns, x.dtype);
  const eps = opts?.eps ?? 1e-5;
  if (typeof eps !== 'number') throw new TypeError(`${op}: eps must be a number`);
  const statShape = x.shape.map((s, i) => (i < x.ndim - ns.length ? s : 1));
  const inputs: Tensor[] = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  return dispatch(op, inputs, { normalizedShape: ns, eps, hasWeight: weight !== null, hasBias: bias !== null }, () => {
    const cdt = computeDType(x.dtype);
    const [xc, wc, bc] = stageAll(cdt, x, weight, bias);
    frame[0] = weight ? 1 : 0;
    frame[1] = bias ? 1 : 0;
    frame[2] = eps;
    let p = putTensor(3, xc!);
    p = putOptional(p, wc!);
    p = putOptional(p, bc!);
    p = putOutput(p, cdt, x.shape);
    p = putOutput(p, cdt, statShape);
    putOutput(p, cdt, statShape);
    runOn('layerNorm', x.device);
    return takeThree([x.shape, statShape, statShape], cdt, x.dtype, x.device);
  });
}

/** Gradients of nativeLayerNorm: `[gradInput, gradWeight, gradBias]`. */
export function nativeLayerNormBackward(
  gradOutput: Tensor, x: Tensor, normalizedShape: number | readonly number[], mean: Tensor, rstd: Tensor, opts?: NormBackwardOptions,
): NormGrads {
  const op = 'layerNormBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  floatingArg(op, x, 'input');
  const ns = checkNormalizedShape(op, x, normalizedShape);
  if (gradOutput.dtype !== x.dtype || gradOutput.ndim !== x.ndim || gradOutput.shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(`${op}: gradOutput ${describe(gradOutput)} does not match input ${describe(x)}`);
  }
  const rows = x.numel() / Math.max(1, ns.reduce((a, b) => a * b, 1));
  for (const [t, what] of [[mean, 'mean'], [rstd, 'rstd']] as const) {
    floatingArg(op, t, what);
    if (t.numel() !== rows || t.dtype !== x.dtype) throw new RangeError(`${op}: ${what} ${describe(t)} does not match input ${describe(x)}`);
  }
  const weight = optionalTensorArg(op, opts?.weight, 'weight');
  checkAffine(op, weight, 'weight', ns, x.dtype);
  const mask = maskOf(op, opts?.outputMask);
  const inputs = [gradOutput, x, mean, rstd];
  if (weight) inputs.push(weight);
  return dispatch(op, inputs, { normalizedShape: ns, outputMask: mask, hasWeight: weight !== null }, () => {
    const cdt = computeDType(x.dtype);
    const [gc, xc, wc, mc, rc] = stageAll(cdt, gradOutput, x, weight, mean, rstd);
    frame[0] = weight ? 1 : 0;
    frame[1] = mask[0] ? 1 : 0;
    frame[2] = mask[1] ? 1 : 0;
    frame[3] = mask[2] ? 1 : 0;
    let p = putTensor(4, gc!);
    p = putTensor(p, xc!);
    p = putOptional(p, wc!);
    p = putTensor(p, mc!);
    p = putTensor(p, rc!);
    if (mask[0]) p = putOutput(p, cdt, x.shape);
    if (mask[1]) p = putOutput(p, cdt, ns);
    if (mask[2]) putOutput(p, cdt, ns);
    runOn('layerNormBackward', x.device);
    return takeGrads(mask, [x.shape, ns, ns], cdt, x.dtype, x.device);
  });
}

// ---- group norm -------------------------------------------------------------------------------

function checkGroups(op: string, x: Tensor, numGroups: unknown): number {
  if (x.ndim < 2) throw new RangeError(`${op}: expected an input of at least 2 dims [N, C, ...], got ${describe(x)}`);
  if (!isInt(numGroups) || numGroups < 1) throw new RangeError(`${op}: numGroups must be a positive integer, got ${String(numGroups)}`);
  if (x.shape[1]! % numGroups !== 0) {
    throw new RangeError(`${op}: expected the number of channels of input ${describe(x)} to be divisible by numGroups = ${numGroups}`);
  }
  return numGroups;
}

/**
 * Group normalization of x ([N, C, ...]) in `numGroups` groups of channels: returns
 * `[output, mean, rstd]` ([N, numGroups] each).
 */
export function nativeGroupNorm(x: Tensor, numGroups: number, opts?: LayerNormOptions): [Tensor, Tensor, Tensor] {
  const op = 'groupNorm';
  floatingArg(op, x, 'input');
  const G = checkGroups(op, x, numGroups);
  const C = x.shape[1]!, N = x.shape[0]!;
  const weight = optionalTensorArg(op, opts?.weight, 'weight');
  const bias = optionalTensorArg(op, opts?.bias, 'bias');
  checkParam(op, weight, 'weight', C, x.dtype);
  checkParam(op, bias, 'bias', C, x.dtype);
  const eps = opts?.eps ?? 1e-5;
  if (typeof eps !== 'number') throw new TypeError(`${op}: eps must be a number`);
  const inputs: Tensor[] = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  return dispatch(op, inputs, { numGroups: G, eps, hasWeight: weight !== null, hasBias: bias !== null }, () => {
    const cdt = computeDType(x.dtype);
    const [xc, wc, bc] = stageAll(cdt, x, weight, bias);
    frame[0] = G;
    frame[1] = weight ? 1 : 0;
    frame[2] = bias ? 1 : 0;
    frame[3] = eps;
    let p = putTensor(4, xc!);
    p = putOptional(p, wc!);
    p = putOptional(p, bc!);
    p = putOutput(p, cdt, x.shape);
    p = putOutput(p, cdt, [N, G]);
    putOutput(p, cdt, [N, G]);
    runOn('groupNorm', x.device);
    return takeThree([x.shape, [N, G], [N, G]], cdt, x.dtype, x.device);
  });
}

/** Gradients of nativeGroupNorm: `[gradInput, gradWeight, gradBias]`. */
export function nativeGroupNormBackward(
  gradOutput: Tensor, x: Tensor, numGroups: number, mean: Tensor, rstd: Tensor, opts?: NormBackwardOptions,
): NormGrads {
  const op = 'groupNormBackward';
  floatingArg(op, gradOutput, 'gradOutput');
  floatingArg(op, x, 'input');
  const G = checkGroups(op, x, numGroups);
  const C = x.shape[1]!, N = x.shape[0]!;
  if (gradOutput.dtype !== x.dtype || gradOutput.ndim !== x.ndim || gradOutput.shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(`${op}: gradOutput ${describe(gradOutput)} does not match input ${describe(x)}`);
  }
  for (const [t, what] of [[mean, 'mean'], [rstd, 'rstd']] as const) {
    floatingArg(op, t, what);
    if (t.numel() !== N * G || t.dtype !== x.dtype) throw new RangeError(`${op}: ${what} ${describe(t)} does not match [${N}, ${G}]`);
  }
  const weight = optionalTensorArg(op, opts?.weight, 'weight');
  checkParam(op, weight, 'weight', C, x.dtype);
  const mask = maskOf(op, opts?.outputMask);
  const inputs = [gradOutput, x, mean, rstd];
  if (weight) inputs.push(weight);
  return dispatch(op, inputs, { numGroups: G, outputMask: mask, hasWeight: weight !== null }, () => {
    return channelNormBackward('groupNormBackward', G, gradOutput, x, weight, mean, rstd, mask, C);
  });
}
