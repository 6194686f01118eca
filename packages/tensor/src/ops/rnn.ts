/**
 * Recurrent layers over a whole sequence: the kernels behind @cinder/nn's RNN, LSTM and GRU (and
 * their cells, as one-step sequences). One call runs one direction of one layer: it computes the
 * input projection of every step, `x W_ih^T + b_ih` ([T, N, G*H]), in one GEMM, then runs the
 * recurrence natively, one GEMM `h W_hh^T` and one fused gate pass per step, with
 * PyTorch's gate order and formulas (LSTM i, f, g, o; GRU r, z, n with r applied to
 * `W_hn h + b_hn`). The forward keeps the activated gates in a workspace for the backward op.
 * float16/bfloat16 compute in float32 (the workspace stays float32).
 */
import { dispatch } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { frame, putOutput, putTensor, runOn, takeOutput } from '../frame.js';
import type { Tensor } from '../tensor.js';
import { addmm, matmul } from './matmul.js';
import { computeDType, describe, floatingArg, optionalTensorArg, staged, unstaged } from './nnCommon.js';

/** The recurrence: Elman RNN with tanh or relu, LSTM, GRU. */
export type RnnMode = 'rnnTanh' | 'rnnRelu' | 'lstm' | 'gru';

const MODE_CODE: Readonly<Record<RnnMode, number>> = { rnnTanh: 0, rnnRelu: 1, lstm: 2, gru: 3 };
const GATES: Readonly<Record<RnnMode, number>> = { rnnTanh: 1, rnnRelu: 1, lstm: 4, gru: 3 };
const WORKSPACE: Readonly<Record<RnnMode, number>> = { rnnTanh: 0, rnnRelu: 0, lstm: 5, gru: 4 };

export interface RnnLayerOptions {
  /** The LSTM's initial cell state [N, H] (required for 'lstm', not allowed otherwise). */
  cx?: Tensor | null;
  /** b_ih and b_hh ([G*H] each), both or neither; b_hh is added to the hidden projection every step. */
  biasIh?: Tensor | null;
  biasHh?: Tensor | null;
  /** Run the steps from the last to the first (the reverse direction of a bidirectional layer). */
  reverse?: boolean;
}

export interface RnnLayerBackwardOptions {
  cx?: Tensor | null;
  bias?: Tensor | null;
  reverse?: boolean;
  /** Which of [gradWeightHh, gradBiasHh] to compute (default both; the bias gradient needs a bias). */
  outputMask?: readonly [boolean, boolean];
}

function modeArg(op: string, mode: unknown): RnnMode {
  if (typeof mode !== 'string' || !Object.prototype.hasOwnProperty.call(MODE_CODE, mode)) {
    throw new TypeError(`${op}: mode must be 'rnnTanh', 'rnnRelu', 'lstm' or 'gru', got ${JSON.stringify(mode)}`);
  }
  return mode as RnnMode;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function expect(op: string, t: Tensor | null, what: string, shape: readonly number[], dtype: DType): void {
  if (t === null) return;
  if (!sameShape(t.shape, shape)) throw new RangeError(`${op}: expected ${what} of shape [${shape.join(', ')}], got ${describe(t)}`);
  if (t.dtype !== dtype) throw new TypeError(`${op}: ${what} ${describe(t)} and the input projection (${dtype}) have different dtypes`);
}

interface Checked {
  mode: RnnMode;
  T: number;
  N: number;
  H: number;
  G: number;
}

function checkCommon(op: string, mode: RnnMode, xShape: readonly number[], dtype: DType, hx: Tensor, cx: Tensor | null, w: Tensor, b: Tensor | null): Checked {
  if (xShape.length !== 3) throw new RangeError(`${op}: expected a 3-d input projection [T, N, G*H], got [${xShape.join(', ')}]`);
  if (hx.ndim !== 2) throw new RangeError(`${op}: expected a 2-d hidden state hx [N, H], got ${describe(hx)}`);
  const [T, N, GH] = xShape as [number, number, number];
  const H = hx.shape[1]!;
  const G = GATES[mode];
  if (T < 1) throw new RangeError(`${op}: expected a sequence of at least one step, got [${xShape.join(', ')}]`);
  if (H < 1 || GH !== G * H) {
    throw new RangeError(`${op}: ${G} gate(s) of the hidden size ${H} of hx ${describe(hx)} need ${G * H} rows of the weights, got ${GH}`);
  }
  expect(op, hx, 'hx', [N, H], dtype);
  if (mode === 'lstm') {
    if (cx === null) throw new TypeError(`${op}: the LSTM needs a cell state cx [${N}, ${H}]`);
    expect(op, cx, 'cx', [N, H], dtype);
  } else if (cx !== null) {
    throw new TypeError(`${op}: a cell state cx goes with the LSTM only, not '${mode}'`);
  }
  expect(op, w, 'weightHh', [G * H, H], dtype);
  expect(op, b, 'bias', [G * H], dtype);
  return { mode, T, N, H, G };
}

function putOptional(p: number, t: Tensor | null): number {
  return t === null ? p : putTensor(p, t);
}

/**
 * One direction of one recurrent layer over a sequence: input [T, N, inputSize], hx [N, H] the
 * initial state, weightIh [G*H, inputSize], weightHh [G*H, H]. Returns
 * `[output, hN, cN, workspace]` for the LSTM and `[output, hN, workspace]` otherwise: output
 * [T, N, H] holds h of every step in time order (also when reverse). The input projection is
 * computed inside the op and freed at once: no gradient formula needs it.
 */
export function rnnLayer(mode: RnnMode, input: Tensor, hx: Tensor, weightIh: Tensor, weightHh: Tensor, opts?: RnnLayerOptions): Tensor[] {
  const op = 'rnnLayer';
  modeArg(op, mode);
  floatingArg(op, input, 'input');
  floatingArg(op, hx, 'hx');
  floatingArg(op, weightIh, 'weightIh');
  floatingArg(op, weightHh, 'weightHh');
  const cx = optionalTensorArg(op, opts?.cx, 'cx');
  const bIh = optionalTensorArg(op, opts?.biasIh, 'biasIh');
  const bHh = optionalTensorArg(op, opts?.biasHh, 'biasHh');
  if ((bIh === null) !== (bHh === null)) throw new TypeError(`${op}: biasIh and biasHh go together (both or neither)`);
  const reverse = opts?.reverse === true;
  if (input.ndim !== 3) throw new RangeError(`${op}: expected a 3-d input [T, N, inputSize], got ${describe(input)}`);
  const [T, N, inF] = input.shape as [number, number, number];
  const dt = input.dtype;
  const G = GATES[mode];
  if (weightIh.ndim !== 2) throw new RangeError(`${op}: expected a 2-d weightIh [G*H, inputSize], got ${describe(weightIh)}`);
  const d = checkCommon(op, mode, [T, N, weightIh.shape[0]!], dt, hx, cx, weightHh, bHh);
  expect(op, weightIh, 'weightIh', [G * d.H, inF], dt);
  expect(op, bIh, 'biasIh', [G * d.H], dt);
  const lstm = mode === 'lstm';
  const inputs: Tensor[] = [input, hx];
  if (cx) inputs.push(cx);
  inputs.push(weightIh, weightHh);
  if (bIh && bHh) inputs.push(bIh, bHh);
  return dispatch(op, inputs, { mode, reverse, hasBias: bIh !== null }, () => {
    const cdt = computeDType(dt);
    // The projection of every step in one GEMM (below the autograd layer: not recorded).
    const x2 = staged(input, cdt).reshape([T * N, inF]);
    const wi = staged(weightIh, cdt).t();
    const proj = bIh ? addmm(staged(bIh, cdt), x2, wi) : matmul(x2, wi);
    const xc = proj.reshape([T, N, G * d.H]);
    // Stage every operand before writing the frame (a staging copy runs a kernel through it).
    const [hc, cc, wc, bc] = [hx, cx, weightHh, bHh].map((t) => t && staged(t, cdt));
    const hShape = [d.N, d.H];
    const outShape = [d.T, d.N, d.H];
    const wsShape = [d.T, d.N, WORKSPACE[mode] * d.H];
    frame[0] = MODE_CODE[mode];
    frame[1] = reverse ? 1 : 0;
    frame[2] = bHh ? 1 : 0;
    let p = putTensor(3, xc);
    p = putTensor(p, hc!);
    p = putOptional(p, cc!);
    p = putTensor(p, wc!);
    p = putOptional(p, bc!);
    p = putOutput(p, cdt, outShape);
    p = putOutput(p, cdt, hShape);
    if (lstm) p = putOutput(p, cdt, hShape);
    putOutput(p, cdt, wsShape);
    const dev = input.device;
    runOn('rnnLayer', dev);
    const out = takeOutput(0, cdt, outShape, dev);
    const hN = takeOutput(1, cdt, hShape, dev);
    const cN = lstm ? takeOutput(2, cdt, hShape, dev) : null;
    const ws = takeOutput(lstm ? 3 : 2, cdt, wsShape, dev);
    // Freed now rather than by the garbage collector, whose finalizers a synchronous training
    // loop never lets run: the next call reuses the memory instead of faulting in fresh pages.
    xc.dispose();
    proj.dispose();
    const r = [unstaged(out, dt), unstaged(hN, dt)];
    if (cN) r.push(unstaged(cN, dt));
    r.push(ws);
    return r;
  });
}

/**
 * The recurrent half of rnnLayer's gradient, from the gradients of its output, hN and cN (each
 * may be null: zero): `[gradXProj, gradHx, gradCx, gradWeightHh, gradBiasHh]`, gradXProj being the
 * gradient of the input projection x W_ih^T + b_ih ([T, N, G*H]; gradCx null unless LSTM, the last
 * two null when not asked for). `bias` is b_hh.
 */
export function rnnLayerBackward(
  mode: RnnMode, gradOutput: Tensor | null, gradHN: Tensor | null, gradCN: Tensor | null, hx: Tensor, weightHh: Tensor,
  output: Tensor, workspace: Tensor, opts?: RnnLayerBackwardOptions,
): (Tensor | null)[] {
  const op = 'rnnLayerBackward';
  modeArg(op, mode);
  floatingArg(op, hx, 'hx');
  floatingArg(op, weightHh, 'weightHh');
  floatingArg(op, output, 'output');
  floatingArg(op, workspace, 'workspace');
  const go = optionalTensorArg(op, gradOutput, 'gradOutput');
  const gh = optionalTensorArg(op, gradHN, 'gradHN');
  const gc = optionalTensorArg(op, gradCN, 'gradCN');
  const cx = optionalTensorArg(op, opts?.cx, 'cx');
  const bias = optionalTensorArg(op, opts?.bias, 'bias');
  const reverse = opts?.reverse === true;
  const mask = opts?.outputMask ?? [true, true];
  const needW = mask[0] === true;
  const needB = mask[1] === true && bias !== null;
  const dt = hx.dtype;
  if (output.ndim !== 3) throw new RangeError(`${op}: expected a 3-d output [T, N, H], got ${describe(output)}`);
  const [T, N] = output.shape as [number, number, number];
  const G = GATES[mode];
  const H = hx.ndim === 2 ? hx.shape[1]! : 0;
  checkCommon(op, mode, [T, N, G * H], dt, hx, cx, weightHh, bias);
  expect(op, output, 'output', [T, N, H], dt);
  expect(op, go, 'gradOutput', [T, N, H], dt);
  expect(op, gh, 'gradHN', [N, H], dt);
  if (gc !== null && mode !== 'lstm') throw new TypeError(`${op}: a cell state gradient goes with the LSTM only`);
  expect(op, gc, 'gradCN', [N, H], dt);
  const cdt = computeDType(dt);
  const wsShape = [T, N, WORKSPACE[mode] * H];
  if (!sameShape(workspace.shape, wsShape) || workspace.dtype !== cdt) {
    throw new RangeError(`${op}: expected a workspace of shape [${wsShape.join(', ')}] (${cdt}), got ${describe(workspace)}`);
  }
  const lstm = mode === 'lstm';
  const inputs = [go, gh, gc, hx, cx, weightHh, bias, output, workspace].filter((t): t is Tensor => t !== null);
  return dispatch(op, inputs, { mode, reverse, outputMask: [needW, needB] }, () => {
    // The output gradient is read through its strides (a sum's gradient arrives expanded).
    const goc = go && (go.dtype === cdt ? go : go._copyAs(cdt));
    const [ghc, gcc, hc, cc, wc, bc, oc] = [gh, gc, hx, cx, weightHh, bias, output].map((t) => t && staged(t, cdt));
    const wsc = staged(workspace, cdt);
    frame[0] = MODE_CODE[mode];
    frame[1] = reverse ? 1 : 0;
    frame[2] = bias ? 1 : 0;
    frame[3] = go ? 1 : 0;
    frame[4] = gh ? 1 : 0;
    frame[5] = gc ? 1 : 0;
    frame[6] = needW ? 1 : 0;
    frame[7] = needB ? 1 : 0;
    let p = putOptional(8, goc!);
    p = putOptional(p, ghc!);
    p = putOptional(p, gcc!);
    p = putTensor(p, hc!);
    p = putOptional(p, cc!);
    p = putTensor(p, wc!);
    p = putOptional(p, bc!);
    p = putTensor(p, oc!);
    p = putTensor(p, wsc);
    const gxShape = [T, N, G * H];
    const hShape = [N, H];
    p = putOutput(p, cdt, gxShape);
    p = putOutput(p, cdt, hShape);
    if (lstm) p = putOutput(p, cdt, hShape);
    if (needW) p = putOutput(p, cdt, [G * H, H]);
    if (needB) putOutput(p, cdt, [G * H]);
    const dev = hx.device;
    runOn('rnnLayerBackward', dev);
    let k = 0;
    const gx = takeOutput(k++, cdt, gxShape, dev);
    const gh0 = takeOutput(k++, cdt, hShape, dev);
    const gc0 = lstm ? takeOutput(k++, cdt, hShape, dev) : null;
    const gw = needW ? takeOutput(k++, cdt, [G * H, H], dev) : null;
    const gb = needB ? takeOutput(k++, cdt, [G * H], dev) : null;
    return [gx, gh0, gc0, gw, gb].map((t) => t && unstaged(t, dt));
  });
}
