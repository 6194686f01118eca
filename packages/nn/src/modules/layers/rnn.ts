/**
 * Recurrent layers (torch.nn.RNN, LSTM, GRU) and their one-step cells (RNNCell, LSTMCell,
 * GRUCell), with PyTorch's semantics, parameter names, initialisation and reprs.
 *
 * The sequence layers run each direction of each layer through one fused native op (see
 * functional/rnn.ts), so a step costs one GEMM and one pass over the gates, forward and backward.
 */
import { isFloatingDType, zeros, type RnnMode, type Tensor } from '@cinder/tensor';
import { gru, gruCell, lstm, lstmCell, rnnRelu, rnnReluCell, rnnTanh, rnnTanhCell, type RecurrentOptions } from '../../functional/rnn.js';
import { uniform_ } from '../../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { newParam, nonNegativeInt, positiveInt, pyBool, pyFloat, type FactoryOptions } from './common.js';

export interface RNNBaseOptions extends FactoryOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are [N, T, feature] instead of [T, N, feature] (default false). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** Run each layer forwards and backwards and concatenate (default false). */
  bidirectional?: boolean;
}

export interface RNNOptions extends RNNBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

export interface LSTMOptions extends RNNBaseOptions {
  /** When > 0, h is projected to this size by a learned W_hr (default 0: no projection). */
  projSize?: number;
}

export interface RNNCellOptions extends FactoryOptions {
  bias?: boolean;
  nonlinearity?: 'tanh' | 'relu';
}

export interface CellLayerOptions extends FactoryOptions {
  bias?: boolean;
}

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;
const desc = (t: Tensor): string => `${shapeStr(t.shape)} (${t.dtype})`;

function tensorCheck(layer: string, v: unknown, what: string): Tensor {
  if (v === null || typeof v !== 'object' || !('shape' in v) || !('dtype' in v)) {
    throw new TypeError(`${layer}: expected ${what} to be a Tensor, got ${v === null ? 'null' : typeof v}`);
  }
  return v as Tensor;
}

/** What RNN, LSTM and GRU share: the parameter layout, initialisation, repr and input checks. */
abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** PyTorch's parameter names in camelCase, in state-dict order, per layer and direction. */
  readonly _flatWeightsNames: string[] = [];
  declare weightIhL0: Parameter;
  declare weightHhL0: Parameter;
  declare biasIhL0?: Parameter;
  declare biasHhL0?: Parameter;

  constructor(protected readonly mode: RnnMode, inputSize: number, hiddenSize: number, opts: RNNBaseOptions & { projSize?: number }) {
    super();
    const name = this._getName();
    this.inputSize = positiveInt(name, 'inputSize', inputSize);
    this.hiddenSize = positiveInt(name, 'hiddenSize', hiddenSize);
    this.numLayers = positiveInt(name, 'numLayers', opts.numLayers ?? 1);
    this.bias = opts.bias !== false;
    this.batchFirst = opts.batchFirst === true;
    const p = opts.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new RangeError(`${name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${String(p)}`);
    }
    this.dropout = p;
    this.bidirectional = opts.bidirectional === true;
    this.projSize = nonNegativeInt(name, 'projSize', opts.projSize ?? 0);
    if (this.projSize > 0 && mode !== 'lstm') throw new RangeError(`${name}: projSize is supported only for LSTM, not ${name}`);
    if (this.projSize >= this.hiddenSize) throw new RangeError(`${name}: projSize (${this.projSize}) has to be smaller than hiddenSize (${this.hiddenSize})`);
    const G = mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
    const H = this.hiddenSize;
    const realH = this.projSize > 0 ? this.projSize : H;
    const dirs = this.bidirectional ? 2 : 1;
    const self = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) {
        const inF = l === 0 ? this.inputSize : realH * dirs;
        const sfx = `L${l}${d === 1 ? 'Reverse' : ''}`;
        const add = (n: string, shape: number[]): void => {
          self[n + sfx] = new Parameter(newParam(shape, opts));
          this._flatWeightsNames.push(n + sfx);
        };
        add('weightIh', [G * H, inF]);
        add('weightHh', [G * H, realH]);
        if (this.bias) {
          add('biasIh', [G * H]);
          add('biasHh', [G * H]);
        }
        if (this.projSize > 0) add('weightHr', [this.projSize, H]);
      }
    }
    this.resetParameters();
  }

  /** The parameters in PyTorch's flat order (its _flat_weights). */
  get flatWeights(): Parameter[] {
    const self = this as unknown as Record<string, Parameter>;
    return this._flatWeightsNames.map((n) => self[n]!);
  }

  /** The parameters grouped per layer and direction (PyTorch's all_weights). */
  get allWeights(): Parameter[][] {
    const per = this._flatWeightsNames.length / (this.numLayers * (this.bidirectional ? 2 : 1));
    const flat = this.flatWeights;
    const r: Parameter[][] = [];
    for (let i = 0; i < flat.length; i += per) r.push(flat.slice(i, i + per));
    return r;
  }

  /** Every weight and bias ~ U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) (PyTorch's reset_parameters). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const w of this.flatWeights) uniform_(w, -stdv, stdv);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }

  protected options(): RecurrentOptions {
    return {
      hasBiases: this.bias, numLayers: this.numLayers, dropout: this.dropout, training: this.training,
      bidirectional: this.bidirectional, batchFirst: this.batchFirst,
    };
  }

  /** Checks the input; returns it batched (3-d) and whether it was. */
  protected batchedInput(v: unknown): [Tensor, boolean] {
    const name = this._getName();
    const input = tensorCheck(name, v, 'input');
    if (!isFloatingDType(input.dtype)) throw new TypeError(`${name}: expected a floating point input, got ${desc(input)}`);
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new RangeError(`${name}: expected a 2-d (unbatched) or 3-d (batched) input, got ${input.ndim}-d input ${desc(input)}`);
    }
    const last = input.shape[input.ndim - 1];
    if (last !== this.inputSize) {
      throw new RangeError(`${name}: input.size(-1) must be equal to inputSize. Expected ${this.inputSize}, got ${last} (input ${desc(input)})`);
    }
    const w = this.weightIhL0;
    if (input.dtype !== w.dtype) throw new TypeError(`${name}: input ${desc(input)} and parameters (${w.dtype}) have different dtypes`);
    if (input.device !== w.device) throw new Error(`${name}: input is on ${input.device} but parameters are on ${w.device}`);
    const batched = input.ndim === 3;
    return [batched ? input : input.unsqueeze(this.batchFirst ? 0 : 1), batched];
  }

  /** Checks a user-given state against [numLayers * dirs, N, size]; returns it batched. */
  protected batchedState(v: unknown, what: string, batched: boolean, N: number, size: number, input: Tensor): Tensor {
    const name = this._getName();
    const t = tensorCheck(name, v, what);
    if (batched && t.ndim !== 3) throw new RangeError(`${name}: for batched 3-d input, ${what} should also be 3-d but got ${t.ndim}-d tensor ${desc(t)}`);
    if (!batched && t.ndim !== 2) throw new RangeError(`${name}: for unbatched 2-d input, ${what} should also be 2-d but got ${t.ndim}-d tensor ${desc(t)}`);
    const b = batched ? t : t.unsqueeze(1);
    const want = [this.numLayers * (this.bidirectional ? 2 : 1), N, size];
    if (b.shape.some((s, i) => s !== want[i])) {
      const shown = batched ? want : [want[0]!, want[2]!];
      throw new RangeError(`${name}: expected ${what} of shape ${shapeStr(shown)}, got ${desc(t)}`);
    }
    if (t.dtype !== input.dtype) throw new TypeError(`${name}: ${what} ${desc(t)} and input ${desc(input)} have different dtypes`);
    return b;
  }

  protected batchOf(input: Tensor): number {
    return input.shape[this.batchFirst ? 0 : 1]!;
  }

  protected unbatch(out: Tensor, batched: boolean): Tensor {
    return batched ? out : out.squeeze(this.batchFirst ? 0 : 1);
  }
}

/**
 * A multi-layer Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).
 * `forward(input, hx?)` returns `[output, hN]`.
 * @example
 * ```ts
 * const rnn = new nn.RNN(10, 20, { numLayers: 2 });
 * const [output, hN] = rnn.forward(randn([5, 3, 10]));   // [5, 3, 20], [2, 3, 20]
 * ```
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNN: unknown nonlinearity '${String(nl)}'; select from 'tanh' or 'relu'`);
    super(nl === 'tanh' ? 'rnnTanh' : 'rnnRelu', inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const [x, batched] = this.batchedInput(input);
    const h0 = hx === undefined || hx === null ? null : this.batchedState(hx, 'hx', batched, this.batchOf(x), this.hiddenSize, x);
    const f = this.mode === 'rnnTanh' ? rnnTanh : rnnRelu;
    const [out, hN] = f(x, h0, this.flatWeights, this.options());
    return [this.unbatch(out, batched), batched ? hN : hN.squeeze(1)];
  }
}

/**
 * A multi-layer LSTM (gates i, f, g, o as PyTorch orders them), optionally with a projection of h
 * (projSize). `forward(input, [h0, c0]?)` returns `[output, [hN, cN]]`.
 * @example
 * ```ts
 * const lstm = new nn.LSTM(32, 128, { numLayers: 2, batchFirst: true, bidirectional: true });
 * const [output, [hN, cN]] = lstm.forward(randn([8, 20, 32]));   // output [8, 20, 256]
 * ```
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: LSTMOptions = {}) {
    super('lstm', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const name = this._getName();
    const [x, batched] = this.batchedInput(input);
    let state: [Tensor, Tensor] | null = null;
    if (hx !== undefined && hx !== null) {
      if (!Array.isArray(hx) || hx.length !== 2) throw new TypeError(`${name}: expected hx as a pair [h0, c0]`);
      const N = this.batchOf(x);
      const h = this.batchedState(hx[0], 'hx[0]', batched, N, this.projSize > 0 ? this.projSize : this.hiddenSize, x);
      const c = this.batchedState(hx[1], 'hx[1]', batched, N, this.hiddenSize, x);
      state = [h, c];
    }
    const [out, [hN, cN]] = lstm(x, state, this.flatWeights, this.options());
    return [this.unbatch(out, batched), batched ? [hN, cN] : [hN.squeeze(1), cN.squeeze(1)]];
  }
}

/**
 * A multi-layer GRU (gates r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn))).
 * `forward(input, hx?)` returns `[output, hN]`.
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    super('gru', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const [x, batched] = this.batchedInput(input);
    const h0 = hx === undefined || hx === null ? null : this.batchedState(hx, 'hx', batched, this.batchOf(x), this.hiddenSize, x);
    const [out, hN] = gru(x, h0, this.flatWeights, this.options());
    return [this.unbatch(out, batched), batched ? hN : hN.squeeze(1)];
  }
}

// ---- cells ------------------------------------------------------------------------------------

/** What the cells share: weightIh [G*H, in], weightHh [G*H, H], biasIh, biasHh [G*H] (or null). */
abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weightIh: Parameter;
  weightHh: Parameter;
  biasIh: Parameter | null;
  biasHh: Parameter | null;

  constructor(gates: number, inputSize: number, hiddenSize: number, opts: CellLayerOptions) {
    super();
    const name = this._getName();
    this.inputSize = positiveInt(name, 'inputSize', inputSize);
    this.hiddenSize = positiveInt(name, 'hiddenSize', hiddenSize);
    this.bias = opts.bias !== false;
    this.weightIh = new Parameter(newParam([gates * hiddenSize, inputSize], opts));
    this.weightHh = new Parameter(newParam([gates * hiddenSize, hiddenSize], opts));
    this.biasIh = this.bias ? new Parameter(newParam([gates * hiddenSize], opts)) : null;
    this.biasHh = this.bias ? new Parameter(newParam([gates * hiddenSize], opts)) : null;
    this.resetParameters();
  }

  /** Every weight and bias ~ U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const w of [this.weightIh, this.weightHh, this.biasIh, this.biasHh]) if (w) uniform_(w, -stdv, stdv);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    return s;
  }

  /** Checks the input; returns it batched (2-d) and whether it was. */
  protected batchedInput(v: unknown): [Tensor, boolean] {
    const name = this._getName();
    const input = tensorCheck(name, v, 'input');
    if (!isFloatingDType(input.dtype)) throw new TypeError(`${name}: expected a floating point input, got ${desc(input)}`);
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new RangeError(`${name}: expected input to be 1-d or 2-d but received ${input.ndim}-d tensor ${desc(input)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${name}: input has inconsistent input size: got ${input.shape[input.ndim - 1]}, expected ${this.inputSize} (input ${desc(input)})`);
    }
    if (input.dtype !== this.weightIh.dtype) throw new TypeError(`${name}: input ${desc(input)} and parameters (${this.weightIh.dtype}) have different dtypes`);
    return input.ndim === 2 ? [input, true] : [input.unsqueeze(0), false];
  }

  protected state(v: unknown, what: string, batched: boolean, x: Tensor): Tensor {
    const name = this._getName();
    if (v === undefined || v === null) return zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype, device: x.device });
    const t = tensorCheck(name, v, what);
    const want = batched ? [x.shape[0]!, this.hiddenSize] : [this.hiddenSize];
    if (t.ndim !== want.length || t.shape.some((s, i) => s !== want[i])) {
      throw new RangeError(`${name}: expected ${what} of shape ${shapeStr(want)} for input ${desc(x)}, got ${desc(t)}`);
    }
    if (t.dtype !== x.dtype) throw new TypeError(`${name}: ${what} ${desc(t)} and input ${desc(x)} have different dtypes`);
    return batched ? t : t.unsqueeze(0);
  }

  protected cellOptions(): { biasIh: Tensor | null; biasHh: Tensor | null } {
    return { biasIh: this.biasIh, biasHh: this.biasHh };
  }
}

/**
 * One Elman RNN step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). Input [N, in] or
 * [in]; hx defaults to zeros.
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNNCell: unknown nonlinearity: ${String(nl)}`);
    super(1, inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchedInput(input);
    const h = this.state(hx, 'hx', batched, x);
    const f = this.nonlinearity === 'tanh' ? rnnTanhCell : rnnReluCell;
    const r = f(x, h, this.weightIh, this.weightHh, this.cellOptions());
    return batched ? r : r.squeeze(0);
  }

  override extraRepr(): string {
    let s = super.extraRepr();
    if (this.nonlinearity !== 'tanh') s += `, nonlinearity=${this.nonlinearity}`;
    return s;
  }
}

/** One LSTM step: `forward(input, [h, c]?)` returns `[h', c']`. */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellLayerOptions = {}) {
    super(4, inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [x, batched] = this.batchedInput(input);
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new TypeError(`${this._getName()}: expected hx as a pair [h, c]`);
    }
    const h = this.state(hx?.[0], 'hx[0]', batched, x);
    const c = this.state(hx?.[1], 'hx[1]', batched, x);
    const [h1, c1] = lstmCell(x, [h, c], this.weightIh, this.weightHh, this.cellOptions());
    return batched ? [h1, c1] : [h1.squeeze(0), c1.squeeze(0)];
  }
}

/** One GRU step: returns h'. */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellLayerOptions = {}) {
    super(3, inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchedInput(input);
    const h = this.state(hx, 'hx', batched, x);
    const r = gruCell(x, h, this.weightIh, this.weightHh, this.cellOptions());
    return batched ? r : r.squeeze(0);
  }
}
