/**
 * Recurrent networks as functions (torch.lstm, torch.gru, torch.rnn_tanh, torch.rnn_relu and the
 * one-step cells torch.lstm_cell, ...): what nn.RNN / LSTM / GRU and their cells run.
 *
 * Each direction of each layer is one fused op (rnnLayer of @cinder/tensor): the input projection
 * of all time steps in one GEMM, then per step one GEMM with W_hh and one pass over the gates, and
 * a matching fused backward. An LSTM with a projection
 * (projSize) runs the same math as ordinary ops, step by step.
 *
 * Weights come as PyTorch's flat list: for each layer, for each direction, w_ih, w_hh, then b_ih,
 * b_hh when there are biases, then w_hr for a projected LSTM.
 */
import { cat, rnnLayer, stack, zeros, type RnnMode, type Tensor } from '@cinder/tensor';
import { describe, floatArg, optionalTensor, tensorArg } from './common.js';
import { dropout } from './dropout.js';
import { linear } from './linear.js';

export interface RecurrentOptions {
  /** Whether the weight list holds b_ih and b_hh for each direction of each layer (default true). */
  hasBiases?: boolean;
  /** Number of stacked layers (default 1). */
  numLayers?: number;
  /** Dropout probability on the outputs of every layer but the last (default 0). */
  dropout?: number;
  /** Apply the dropout (default false, as PyTorch's functional form takes it). */
  training?: boolean;
  /** Run each layer in both directions and concatenate the outputs (default false). */
  bidirectional?: boolean;
  /** Input and output are [N, T, *] instead of [T, N, *] (default false). */
  batchFirst?: boolean;
}

export interface CellOptions {
  biasIh?: Tensor | null;
  biasHh?: Tensor | null;
}

const GATES: Readonly<Record<RnnMode, number>> = { rnnTanh: 1, rnnRelu: 1, lstm: 4, gru: 3 };

function shape(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

interface Layout {
  numLayers: number;
  dirs: number;
  perDir: number;
  hasBiases: boolean;
  proj: boolean;
  hidden: number;
  /** The size of h: the projection size for a projected LSTM, else hidden. */
  outSize: number;
}

function layoutOf(op: string, mode: RnnMode, params: readonly Tensor[], o: RecurrentOptions): Layout {
  if (!Array.isArray(params)) throw new TypeError(`${op}: expected the weights as an array of tensors`);
  params.forEach((p, i) => floatArg(op, p, `weight ${i}`));
  const hasBiases = o.hasBiases !== false;
  const numLayers = o.numLayers ?? 1;
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new RangeError(`${op}: numLayers must be a positive integer, got ${String(numLayers)}`);
  const dirs = o.bidirectional === true ? 2 : 1;
  const base = hasBiases ? 4 : 2;
  const total = params.length / (numLayers * dirs);
  const proj = mode === 'lstm' && total === base + 1;
  if (total !== base && !proj) {
    throw new RangeError(
      `${op}: expected ${numLayers * dirs * base} weights (${numLayers} layer(s) x ${dirs} direction(s) x ${base}), got ${params.length}`,
    );
  }
  const whh = params[1]!;
  if (whh.ndim !== 2 || whh.shape[0]! % GATES[mode] !== 0) {
    throw new RangeError(`${op}: expected weight_hh of shape [${GATES[mode]} * hidden, hidden], got ${describe(whh)}`);
  }
  const hidden = whh.shape[0]! / GATES[mode];
  const outSize = proj ? params[base]!.shape[0]! : hidden;
  return { numLayers, dirs, perDir: base + (proj ? 1 : 0), hasBiases, proj, hidden, outSize };
}

/** One direction of one layer: [output [T, N, P], hN, cN | null]. */
function runDirection(
  mode: RnnMode, x: Tensor, hx: Tensor, cx: Tensor | null, w: readonly Tensor[], L: Layout, reverse: boolean,
): [Tensor, Tensor, Tensor | null] {
  const [T, N, inF] = x.shape as [number, number, number];
  const [wIh, wHh] = w as [Tensor, Tensor];
  const bIh = L.hasBiases ? w[2]! : null;
  const bHh = L.hasBiases ? w[3]! : null;
  const GH = wHh.shape[0]!;
  if (!L.proj) {
    const r = rnnLayer(mode, x, hx, wIh, wHh, { cx, biasIh: bIh, biasHh: bHh, reverse });
    // Without a recorded graph the workspace is garbage: free it now (see rnnLayer).
    if (!r[0]!.requiresGrad) r[r.length - 1]!.dispose();
    return [r[0]!, r[1]!, mode === 'lstm' ? r[2]! : null];
  }
  const xProj = linear(x.reshape([T * N, inF]), wIh, { bias: bIh }).reshape([T, N, GH]);
  // A projected LSTM, step by step with ordinary ops: h = W_hr (o * tanh(c)).
  const wHr = w[L.perDir - 1]!;
  const outs: Tensor[] = new Array<Tensor>(T);
  let h = hx;
  let c = cx!;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    let gates = xProj.select(0, t).add(h.matmul(wHh.t()));
    if (bHh) gates = gates.add(bHh);
    const [i, f, g, o] = gates.chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
    c = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    h = o.sigmoid().mul(c.tanh()).matmul(wHr.t());
    outs[t] = h;
  }
  return [stack(outs, 0), h, c];
}

function stateArg(op: string, t: Tensor | null, what: string, want: number[], x: Tensor): Tensor | null {
  if (t === null) return null;
  floatArg(op, t, what);
  if (t.ndim !== 3 || t.shape.some((s, i) => s !== want[i])) {
    throw new RangeError(`${op}: expected ${what} of shape ${shape(want)}, got ${describe(t)}`);
  }
  if (t.dtype !== x.dtype) throw new TypeError(`${op}: ${what} ${describe(t)} and input ${describe(x)} have different dtypes`);
  return t;
}

function recurrent(
  op: string, mode: RnnMode, input: Tensor, h0: Tensor | null, c0: Tensor | null, params: readonly Tensor[], o: RecurrentOptions,
): [Tensor, Tensor, Tensor | null] {
  floatArg(op, input, 'input');
  const L = layoutOf(op, mode, params, o);
  if (input.ndim !== 3) throw new RangeError(`${op}: expected a 3-d input [T, N, inputSize] (or [N, T, inputSize] with batchFirst), got ${describe(input)}`);
  const x0 = o.batchFirst === true ? input.transpose(0, 1) : input;
  const [T, N] = x0.shape as [number, number, number];
  if (T < 1) throw new RangeError(`${op}: expected a sequence of at least one step, got input ${describe(input)}`);
  const inSize = params[0]!.shape[1];
  if (input.shape[2] !== inSize) {
    throw new RangeError(`${op}: input ${describe(input)}: the last dim must equal inputSize (expected ${inSize}, got ${input.shape[2]})`);
  }
  for (const p of params) {
    if (p.dtype !== input.dtype) throw new TypeError(`${op}: input ${describe(input)} and weight ${describe(p)} have different dtypes`);
  }
  const LD = L.numLayers * L.dirs;
  stateArg(op, h0, 'hx', [LD, N, L.outSize], input);
  stateArg(op, c0, 'cx', [LD, N, L.hidden], input);
  const p = o.dropout ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropout must be between 0 and 1, got ${String(p)}`);
  const training = o.training === true;
  const dev = { dtype: input.dtype, device: input.device };
  let x = x0;
  const hNs: Tensor[] = [];
  const cNs: Tensor[] = [];
  for (let l = 0; l < L.numLayers; l++) {
    const outs: Tensor[] = [];
    for (let d = 0; d < L.dirs; d++) {
      const idx = l * L.dirs + d;
      const hx = h0 ? h0.select(0, idx) : zeros([N, L.outSize], dev);
      const cx = mode === 'lstm' ? (c0 ? c0.select(0, idx) : zeros([N, L.hidden], dev)) : null;
      const w = params.slice(idx * L.perDir, (idx + 1) * L.perDir);
      const [out, hN, cN] = runDirection(mode, x, hx, cx, w, L, d === 1);
      outs.push(out);
      hNs.push(hN);
      if (cN) cNs.push(cN);
    }
    x = outs.length === 1 ? outs[0]! : cat(outs, 2);
    if (p > 0 && training && l < L.numLayers - 1) x = dropout(x, { p, training: true });
  }
  const output = o.batchFirst === true ? x.transpose(0, 1) : x;
  return [output, stack(hNs, 0), mode === 'lstm' ? stack(cNs, 0) : null];
}

/**
 * A multi-layer LSTM over a sequence (torch.lstm): input [T, N, inputSize] (batchFirst:
 * [N, T, inputSize]), hx `[h0, c0]` ([numLayers * dirs, N, H] each; zeros when null), `params` the
 * flat weight list. Returns `[output, [hN, cN]]`.
 */
export function lstm(input: Tensor, hx: readonly [Tensor, Tensor] | null | undefined, params: readonly Tensor[], opts: RecurrentOptions = {}): [Tensor, [Tensor, Tensor]] {
  const op = 'lstm';
  let h0: Tensor | null = null;
  let c0: Tensor | null = null;
  if (hx !== null && hx !== undefined) {
    if (!Array.isArray(hx) || hx.length !== 2) throw new TypeError(`${op}: expected hx as a pair [h0, c0]`);
    h0 = tensorArg(op, hx[0], 'h0');
    c0 = tensorArg(op, hx[1], 'c0');
  }
  const [out, hN, cN] = recurrent(op, 'lstm', input, h0, c0, params, opts);
  return [out, [hN, cN!]];
}

function simple(op: string, mode: RnnMode, input: Tensor, hx: Tensor | null | undefined, params: readonly Tensor[], opts: RecurrentOptions): [Tensor, Tensor] {
  const [out, hN] = recurrent(op, mode, input, optionalTensor(op, hx, 'hx'), null, params, opts);
  return [out, hN];
}

/** A multi-layer GRU over a sequence (torch.gru): returns `[output, hN]`. */
export function gru(input: Tensor, hx: Tensor | null | undefined, params: readonly Tensor[], opts: RecurrentOptions = {}): [Tensor, Tensor] {
  return simple('gru', 'gru', input, hx, params, opts);
}

/** A multi-layer Elman RNN with tanh (torch.rnn_tanh): returns `[output, hN]`. */
export function rnnTanh(input: Tensor, hx: Tensor | null | undefined, params: readonly Tensor[], opts: RecurrentOptions = {}): [Tensor, Tensor] {
  return simple('rnnTanh', 'rnnTanh', input, hx, params, opts);
}

/** A multi-layer Elman RNN with relu (torch.rnn_relu): returns `[output, hN]`. */
export function rnnRelu(input: Tensor, hx: Tensor | null | undefined, params: readonly Tensor[], opts: RecurrentOptions = {}): [Tensor, Tensor] {
  return simple('rnnRelu', 'rnnRelu', input, hx, params, opts);
}

// ---- cells ------------------------------------------------------------------------------------

function checkCell(op: string, mode: RnnMode, input: Tensor, h: Tensor, c: Tensor | null, wIh: Tensor, wHh: Tensor, o: CellOptions): [Tensor | null, Tensor | null] {
  floatArg(op, input, 'input');
  floatArg(op, h, 'hx');
  floatArg(op, wIh, 'weightIh');
  floatArg(op, wHh, 'weightHh');
  const bIh = optionalTensor(op, o.biasIh, 'biasIh');
  const bHh = optionalTensor(op, o.biasHh, 'biasHh');
  const G = GATES[mode];
  if (wHh.ndim !== 2 || wHh.shape[0] !== G * wHh.shape[1]!) {
    throw new RangeError(`${op}: expected weightHh of shape [${G} * hidden, hidden], got ${describe(wHh)}`);
  }
  const H = wHh.shape[1]!;
  if (wIh.ndim !== 2 || wIh.shape[0] !== G * H) throw new RangeError(`${op}: expected weightIh of shape [${G * H}, inputSize], got ${describe(wIh)}`);
  if (input.ndim !== 2 || input.shape[1] !== wIh.shape[1]) {
    throw new RangeError(`${op}: expected input of shape [N, ${wIh.shape[1]}], got ${describe(input)}`);
  }
  const N = input.shape[0]!;
  for (const [t, what] of [[h, 'hx'], [c, 'cx']] as const) {
    if (t === null) continue;
    floatArg(op, t, what);
    if (t.ndim !== 2 || t.shape[0] !== N || t.shape[1] !== H) throw new RangeError(`${op}: expected ${what} of shape [${N}, ${H}], got ${describe(t)}`);
  }
  for (const t of [h, c, wIh, wHh, bIh, bHh]) {
    if (t !== null && t.dtype !== input.dtype) throw new TypeError(`${op}: input ${describe(input)} and ${describe(t)} have different dtypes`);
  }
  return [bIh, bHh];
}

function cellStep(mode: RnnMode, input: Tensor, h: Tensor, c: Tensor | null, wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null): Tensor[] {
  if ((bIh === null) !== (bHh === null)) throw new TypeError(`${mode}Cell: biasIh and biasHh go together (both or neither)`);
  return rnnLayer(mode, input.unsqueeze(0), h, wIh, wHh, { cx: c, biasIh: bIh, biasHh: bHh });
}

/** One LSTM step (torch.lstm_cell): input [N, in], hx `[h, c]` ([N, H] each); returns `[h', c']`. */
export function lstmCell(input: Tensor, hx: readonly [Tensor, Tensor], weightIh: Tensor, weightHh: Tensor, opts: CellOptions = {}): [Tensor, Tensor] {
  const op = 'lstmCell';
  if (!Array.isArray(hx) || hx.length !== 2) throw new TypeError(`${op}: expected hx as a pair [h, c]`);
  const [h, c] = [tensorArg(op, hx[0], 'h'), tensorArg(op, hx[1], 'c')];
  const [bIh, bHh] = checkCell(op, 'lstm', input, h, c, weightIh, weightHh, opts);
  const r = cellStep('lstm', input, h, c, weightIh, weightHh, bIh, bHh);
  return [r[1]!, r[2]!];
}

function simpleCell(op: string, mode: RnnMode, input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, opts: CellOptions): Tensor {
  const h = tensorArg(op, hx, 'hx');
  const [bIh, bHh] = checkCell(op, mode, input, h, null, wIh, wHh, opts);
  return cellStep(mode, input, h, null, wIh, wHh, bIh, bHh)[1]!;
}

/** One GRU step (torch.gru_cell): returns h'. */
export function gruCell(input: Tensor, hx: Tensor, weightIh: Tensor, weightHh: Tensor, opts: CellOptions = {}): Tensor {
  return simpleCell('gruCell', 'gru', input, hx, weightIh, weightHh, opts);
}

/** One Elman RNN step with tanh (torch.rnn_tanh_cell): h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh). */
export function rnnTanhCell(input: Tensor, hx: Tensor, weightIh: Tensor, weightHh: Tensor, opts: CellOptions = {}): Tensor {
  return simpleCell('rnnTanhCell', 'rnnTanh', input, hx, weightIh, weightHh, opts);
}

/** One Elman RNN step with relu (torch.rnn_relu_cell). */
export function rnnReluCell(input: Tensor, hx: Tensor, weightIh: Tensor, weightHh: Tensor, opts: CellOptions = {}): Tensor {
  return simpleCell('rnnReluCell', 'rnnRelu', input, hx, weightIh, weightHh, opts);
}
