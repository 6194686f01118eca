/**
 * Recurrent cores (Sonnet's snt.RNNCore): `call(input, prevState)` returns `[output, nextState]`
 * for one time step, `initialState(batchSize)` the zero state. `staticUnroll` and
 * `dynamicUnroll` run a core over a time-major sequence [T, B, ...], optionally stopping each
 * sequence at its `sequenceLength` (later outputs are zero and the state is carried through).
 * A step's gates are computed with `F.linear`, `F.sigmoid` and `F.tanh`; `dynamicUnroll` runs the
 * LSTM's and VanillaRNN's whole sequence as `F.lstm` / `F.rnnTanh` / `F.rnnRelu`. (Sonnet's GRU
 * applies the reset gate before the recurrent matmul and weights (1 - z) the previous state, unlike
 * PyTorch's, so it has no fused path.)
 */
import { F } from '@cinder/nn';
import { stack, Tensor, where, zeros, zerosLike, type Device, type DType } from '@cinder/tensor';
import { TruncatedNormal, Zeros, type InitializerLike } from './initializers.js';
import { describe, Linear, positiveInt } from './linear.js';
import { Module, moduleFloatArg } from './module.js';
import type { Variable } from './variable.js';

/** A core's state: a tensor, or arrays / objects of them. */
export type RNNState = Tensor | readonly RNNState[] | { readonly [key: string]: RNNState };

export interface InitialStateOptions {
  /** Default float32. */
  dtype?: DType;
  device?: Device;
}

/**
 * The base of recurrent cores: one step in `forward(input, prevState)`, the zero state in
 * `initialState`.
 * @example
 * ```ts
 * import { zeros, type Tensor } from '@cinder/tensor';
 * import { RNNCore } from '@cinder/modules';
 * // A running sum: the output and the state are the sum of the inputs so far.
 * class Accumulate extends RNNCore<Tensor> {
 *   constructor() { super({ allowEmptyVariables: true }); }
 *   forward(x: Tensor, prev: Tensor): [Tensor, Tensor] { const s = prev.add(x); return [s, s]; }
 *   initialState(batchSize: number): Tensor { return zeros([batchSize, 1]); }
 * }
 * const core = new Accumulate();
 * console.log(core.call(zeros([2, 1]).add(3), core.initialState(2))[0].toArray()); // [ [ 3 ], [ 3 ] ]
 * ```
 */
export abstract class RNNCore<S extends RNNState = RNNState> extends Module {
  abstract override forward(input: Tensor, prevState: S): [Tensor, S];
  abstract initialState(batchSize: number, opts?: InitialStateOptions): S;

  /**
   * A whole [T, B, ...] sequence in one go, for dynamicUnroll; null when the core has no such path
   * (dynamicUnroll then runs the steps). Runs after the core's variables exist.
   */
  protected unrollSequence(_inputSequence: Tensor, _initialState: S): [Tensor, S] | null {
    return null;
  }

  /** @internal dynamicUnroll's access to unrollSequence. */
  _unrollSequence(inputSequence: Tensor, initialState: S): [Tensor, S] | null {
    return this.unrollSequence(inputSequence, initialState);
  }
}

function zeroState(batchSize: number, size: number, opts: InitialStateOptions | undefined, what: string): Tensor {
  positiveInt(what, 'batchSize', batchSize);
  return zeros([batchSize, size], { dtype: opts?.dtype ?? 'float32', device: opts?.device });
}

function checkState(what: string, name: string, s: unknown, batch: number, size: number): Tensor {
  if (!(s instanceof Tensor)) throw new TypeError(`${what}: expected the ${name} state to be a Tensor, got ${s === null ? 'null' : typeof s}`);
  if (s.ndim !== 2 || s.shape[0] !== batch || s.shape[1] !== size) {
    throw new RangeError(`${what}: expected the ${name} state to be [${batch}, ${size}], got ${describe(s)}`);
  }
  return s;
}

function checkStep(m: Module, x: unknown): Tensor {
  const t = moduleFloatArg(m, 'call', x);
  if (t.ndim !== 2) throw new RangeError(`${m.constructor.name} '${m.scopeName}': expected an input of shape [batch, features], got ${describe(t)}`);
  return t;
}

export interface VanillaRNNOptions {
  /** Default tanh. */
  activation?: (x: Tensor) => Tensor;
  /** The input-to-hidden weights' initializer (default: Linear's). */
  wIInit?: InitializerLike;
  /** The hidden-to-hidden weights' initializer (default: Linear's). */
  wHInit?: InitializerLike;
  /** Default Zeros. */
  bInit?: InitializerLike;
  name?: string;
}

/**
 * h' = activation(x w_i + b + h w_h): a Linear `input_to_hidden` and a bias-free Linear
 * `hidden_to_hidden`; the output is the new state.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { VanillaRNN } from '@cinder/modules';
 * const rnn = new VanillaRNN(6);
 * const [out, state] = rnn.call(randn([4, 3]), rnn.initialState(4));
 * console.log(out.shape, rnn.variables.map((v) => v.name)); // [ 4, 6 ] [ 'vanilla_rnn/hidden_to_hidden/w', 'vanilla_rnn/input_to_hidden/b', 'vanilla_rnn/input_to_hidden/w' ]
 * ```
 */
export class VanillaRNN extends RNNCore<Tensor> {
  readonly hiddenSize: number;
  readonly inputToHidden: Linear;
  readonly hiddenToHidden: Linear;
  #activation: (x: Tensor) => Tensor;

  constructor(hiddenSize: number, opts: VanillaRNNOptions = {}) {
    super({ name: opts.name });
    this.recordArgs(hiddenSize, opts);
    this.hiddenSize = positiveInt('VanillaRNN', 'hiddenSize', hiddenSize);
    this.#activation = opts.activation ?? F.tanh;
    this.inputToHidden = new Linear(hiddenSize, { wInit: opts.wIInit, bInit: opts.bInit, name: 'input_to_hidden' });
    this.hiddenToHidden = new Linear(hiddenSize, { withBias: false, wInit: opts.wHInit, name: 'hidden_to_hidden' });
  }

  protected override initialize(input: Tensor, prevState: Tensor): void {
    const x = checkStep(this, input);
    checkState(`VanillaRNN '${this.scopeName}'`, 'previous', prevState, x.shape[0]!, this.hiddenSize);
    this.inputToHidden.create(x);
    this.hiddenToHidden.create(prevState);
  }

  forward(input: Tensor, prevState: Tensor): [Tensor, Tensor] {
    const x = checkStep(this, input);
    checkState(`VanillaRNN '${this.scopeName}'`, 'previous', prevState, x.shape[0]!, this.hiddenSize);
    const h = this.#activation(this.inputToHidden.call(x).add(this.hiddenToHidden.call(prevState)));
    return [h, h];
  }

  initialState(batchSize: number, opts?: InitialStateOptions): Tensor {
    return zeroState(batchSize, this.hiddenSize, opts, 'VanillaRNN.initialState');
  }

  // With tanh or relu, the sequence is F.rnnTanh / F.rnnRelu's fused op over the Linears' weights.
  protected override unrollSequence(xs: Tensor, h0: Tensor): [Tensor, Tensor] | null {
    const fn = this.#activation === F.tanh ? F.rnnTanh : this.#activation === F.relu ? F.rnnRelu : null;
    if (fn === null) return null;
    const { inputToHidden: ih, hiddenToHidden: hh } = this;
    checkSequence(this, xs, ih.inputSize!);
    checkState(`VanillaRNN '${this.scopeName}'`, 'initial', h0, xs.shape[1]!, this.hiddenSize);
    const [out, hN] = fn(xs, h0.unsqueeze(0), [ih.w.t(), hh.w.t(), ih.b!, zerosLike(ih.b!)]);
    return [out, hN.select(0, 0)];
  }
}

function checkSequence(m: Module, xs: Tensor, inputSize: number): void {
  if (xs.ndim !== 3 || xs.shape[2] !== inputSize) {
    throw new RangeError(`${m.constructor.name} '${m.scopeName}': expected an input sequence [T, batch, ${inputSize}], got ${describe(xs)}`);
  }
}

/** The LSTM's state. */
export type LSTMState = { readonly hidden: Tensor; readonly cell: Tensor };

export interface GatedOptions {
  /** The input weights' initializer (default TruncatedNormal with stddev 1 / sqrt(inputSize)). */
  wIInit?: InitializerLike;
  /** The recurrent weights' initializer (default TruncatedNormal with stddev 1 / sqrt(hiddenSize)). */
  wHInit?: InitializerLike;
  /** Default Zeros. */
  bInit?: InitializerLike;
  name?: string;
}

/** The weights the gated cores share: w_i [in, gates * H], w_h [H, gates * H], b [gates * H]. */
abstract class GatedCore<S extends RNNState> extends RNNCore<S> {
  readonly hiddenSize: number;
  declare wI: Variable;
  declare wH: Variable;
  declare b: Variable;
  /** The input's feature count, known after the first call. */
  inputSize: number | undefined;
  #opts: GatedOptions;

  constructor(hiddenSize: number, protected readonly numGates: number, opts: GatedOptions) {
    super({ name: opts.name });
    this.hiddenSize = positiveInt(new.target.name, 'hiddenSize', hiddenSize);
    this.#opts = opts;
    this.inputSize = undefined;
  }

  protected override initialize(input: Tensor): void {
    const x = checkStep(this, input);
    const n = x.shape[1]!;
    this.inputSize = n;
    const g = this.numGates * this.hiddenSize;
    const opts = { dtype: x.dtype, device: x.device };
    this.wI = this.createVariable('w_i', [n, g], { init: this.#opts.wIInit ?? new TruncatedNormal({ stddev: 1 / Math.sqrt(n) }), ...opts });
    this.wH = this.createVariable('w_h', [this.hiddenSize, g], { init: this.#opts.wHInit ?? new TruncatedNormal({ stddev: 1 / Math.sqrt(this.hiddenSize) }), ...opts });
    this.b = this.createVariable('b', [g], { init: this.#opts.bInit ?? new Zeros(), ...opts });
  }

  protected input(x: unknown): Tensor {
    const t = checkStep(this, x);
    if (t.shape[1] !== this.inputSize) {
      throw new RangeError(`${this.constructor.name} '${this.scopeName}': input ${describe(t)} has ${t.shape[1]} features but the core was created for ${this.inputSize}`);
    }
    return t;
  }
}

/**
 * Long short-term memory: gates = x w_i + h w_h + b split into i, f, g, o;
 * c' = sigmoid(f + forgetBias) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c'). The output is h'.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { LSTM } from '@cinder/modules';
 * const lstm = new LSTM(8);
 * const [h, { hidden, cell }] = lstm.call(randn([2, 5]), lstm.initialState(2));
 * console.log(h.shape, cell.shape, lstm.wI.shape, lstm.wH.shape); // [ 2, 8 ] [ 2, 8 ] [ 5, 32 ] [ 8, 32 ]
 * ```
 */
export class LSTM extends GatedCore<LSTMState> {
  readonly forgetBias: number;

  constructor(hiddenSize: number, opts: GatedOptions & { forgetBias?: number } = {}) {
    super(hiddenSize, 4, opts);
    this.recordArgs(hiddenSize, opts);
    this.forgetBias = opts.forgetBias ?? 1;
  }

  forward(input: Tensor, prevState: LSTMState): [Tensor, LSTMState] {
    const x = this.input(input);
    const what = `LSTM '${this.scopeName}'`;
    if (prevState === null || typeof prevState !== 'object') throw new TypeError(`${what}: expected the previous state to be { hidden, cell }`);
    const B = x.shape[0]!;
    const h = checkState(what, 'hidden', prevState.hidden, B, this.hiddenSize);
    const c = checkState(what, 'cell', prevState.cell, B, this.hiddenSize);
    // One step as F ops: F.lstmCell would take the [in, 4H] weights as transposed views and copy
    // them to its layout on every step (twice as slow here); the fused sequence op pays that once.
    const gates = F.linear(x, this.wI.t(), { bias: this.b }).add(F.linear(h, this.wH.t()));
    const [i, f, g, o] = gates.chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const cell = F.sigmoid(f.add(this.forgetBias)).mul(c).add(F.sigmoid(i).mul(F.tanh(g)));
    const hidden = F.sigmoid(o).mul(F.tanh(cell));
    return [hidden, { hidden, cell }];
  }

  // The whole sequence is F.lstm's fused op (one input projection, one GEMM and one gate pass per step).
  protected override unrollSequence(xs: Tensor, state: LSTMState): [Tensor, LSTMState] | null {
    checkSequence(this, xs, this.inputSize!);
    const what = `LSTM '${this.scopeName}'`;
    const B = xs.shape[1]!;
    const h = checkState(what, 'hidden', state?.hidden, B, this.hiddenSize);
    const c = checkState(what, 'cell', state?.cell, B, this.hiddenSize);
    const [out, [hN, cN]] = F.lstm(xs, [h.unsqueeze(0), c.unsqueeze(0)], [this.wI.t(), this.wH.t(), this.b, this.#forgetBiasVector()]);
    return [out, { hidden: hN.select(0, 0), cell: cN.select(0, 0) }];
  }

  /** Sonnet's forget bias as the recurrent bias of PyTorch's gate layout: forgetBias on the f gates, 0 elsewhere. */
  #forgetBiasVector(): Tensor {
    const H = this.hiddenSize;
    const v = this.#fbCache;
    if (v !== null && v.dtype === this.b.dtype && v.device === this.b.device) return v;
    const fb = zeros([4 * H], { dtype: this.b.dtype, device: this.b.device });
    fb.narrow(0, H, H).fill_(this.forgetBias);
    this.#fbCache = fb;
    return fb;
  }
  #fbCache: Tensor | null = null;

  initialState(batchSize: number, opts?: InitialStateOptions): LSTMState {
    const z = zeroState(batchSize, this.hiddenSize, opts, 'LSTM.initialState');
    return { hidden: z, cell: z };
  }
}

/**
 * Gated recurrent unit: z, r = sigmoid(x w_i[z, r] + h w_h[z, r] + b[z, r]);
 * a = tanh(x w_i[a] + (r h) w_h[a] + b[a]); h' = (1 - z) h + z a. The output is h'.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { GRU } from '@cinder/modules';
 * const gru = new GRU(4);
 * const [out] = gru.call(randn([3, 2]), gru.initialState(3));
 * console.log(out.shape, gru.wI.shape); // [ 3, 4 ] [ 2, 12 ]
 * ```
 */
export class GRU extends GatedCore<Tensor> {
  constructor(hiddenSize: number, opts: GatedOptions = {}) {
    super(hiddenSize, 3, opts);
    this.recordArgs(hiddenSize, opts);
  }

  forward(input: Tensor, prevState: Tensor): [Tensor, Tensor] {
    const x = this.input(input);
    const H = this.hiddenSize;
    const h = checkState(`GRU '${this.scopeName}'`, 'previous', prevState, x.shape[0]!, H);
    const gx = F.linear(x, this.wI.t());
    const zr = F.sigmoid(gx.narrow(1, 0, 2 * H).add(F.linear(h, this.wH.narrow(1, 0, 2 * H).t())).add(this.b.narrow(0, 0, 2 * H)));
    const z = zr.narrow(1, 0, H);
    const r = zr.narrow(1, H, H);
    const a = F.tanh(gx.narrow(1, 2 * H, H).add(F.linear(r.mul(h), this.wH.narrow(1, 2 * H, H).t(), { bias: this.b.narrow(0, 2 * H, H) })));
    const next = z.neg().add(1).mul(h).add(z.mul(a));
    return [next, next];
  }

  initialState(batchSize: number, opts?: InitialStateOptions): Tensor {
    return zeroState(batchSize, this.hiddenSize, opts, 'GRU.initialState');
  }
}

/** A layer of a DeepRNN: a core, or a module / function applied without state. */
export type DeepRNNLayer = RNNCore | Module | ((x: Tensor) => Tensor);

/**
 * Cores (and stateless modules or functions) stacked: each layer's output feeds the next; the
 * state is the array of the cores' states, the output the last layer's.
 * @example
 * ```ts
 * import { randn, type Tensor } from '@cinder/tensor';
 * import { DeepRNN, LSTM, Linear } from '@cinder/modules';
 * const deep = new DeepRNN([new LSTM(8), (x: Tensor) => x.relu(), new LSTM(4), new Linear(2)]);
 * const state = deep.initialState(3);
 * const [out, next] = deep.call(randn([3, 5]), state);
 * console.log(out.shape, next.length); // [ 3, 2 ] 2
 * ```
 */
export class DeepRNN extends RNNCore<RNNState[]> {
  readonly layers: readonly DeepRNNLayer[];

  constructor(layers: readonly DeepRNNLayer[], opts: { name?: string } = {}) {
    super({ name: opts.name });
    this.recordArgs(layers, opts);
    if (!Array.isArray(layers) || layers.length === 0) throw new TypeError('DeepRNN: expected a non-empty array of cores, modules or functions');
    layers.forEach((l, i) => {
      if (!(l instanceof Module) && typeof l !== 'function') throw new TypeError(`DeepRNN: layer ${i} is neither a Module nor a function`);
    });
    this.layers = [...layers];
  }

  #cores(): RNNCore[] {
    return this.layers.filter((l): l is RNNCore => l instanceof RNNCore);
  }

  forward(input: Tensor, prevState: RNNState[]): [Tensor, RNNState[]] {
    const cores = this.#cores().length;
    if (!Array.isArray(prevState) || prevState.length !== cores) {
      throw new RangeError(`DeepRNN '${this.scopeName}': expected a state of ${cores} entries (one per core), got ${Array.isArray(prevState) ? prevState.length : typeof prevState}`);
    }
    const next: RNNState[] = [];
    let x = input;
    for (const layer of this.layers) {
      if (layer instanceof RNNCore) {
        const [out, s] = layer.call(x, prevState[next.length]!);
        x = out;
        next.push(s);
      } else if (layer instanceof Module) {
        x = (layer.call as unknown as (t: Tensor) => Tensor)(x);
      } else {
        x = layer(x);
      }
    }
    return [x, next];
  }

  initialState(batchSize: number, opts?: InitialStateOptions): RNNState[] {
    return this.#cores().map((c) => c.initialState(batchSize, opts));
  }
}

export interface UnrollOptions {
  /** [B] lengths: steps at or after a sequence's length give zero outputs and keep its state. */
  sequenceLength?: Tensor;
}

/** Applies fn to matching tensors of two states of the same structure. */
function zipState(a: RNNState, b: RNNState, fn: (x: Tensor, y: Tensor) => Tensor): RNNState {
  if (a instanceof Tensor) return fn(a, b as Tensor);
  if (Array.isArray(a)) return a.map((x, i) => zipState(x, (b as RNNState[])[i]!, fn));
  return Object.fromEntries(Object.entries(a).map(([k, x]) => [k, zipState(x, (b as Record<string, RNNState>)[k]!, fn)]));
}

function unrollChecks(what: string, core: unknown, T: number, B: number, opts: UnrollOptions): Tensor | null {
  if (!(core instanceof RNNCore)) throw new TypeError(`${what}: expected an RNNCore, got ${String(core)}`);
  if (T === 0) throw new RangeError(`${what}: the input sequence is empty (T = 0)`);
  const len = opts.sequenceLength;
  if (len === undefined) return null;
  if (!(len instanceof Tensor) || len.ndim !== 1 || len.shape[0] !== B) {
    throw new RangeError(`${what}: sequenceLength must be a [${B}] tensor, got ${len instanceof Tensor ? describe(len) : typeof len}`);
  }
  return len;
}

/** One step with sequenceLength masking. */
function step<S extends RNNState>(core: RNNCore<S>, x: Tensor, state: S, t: number, len: Tensor | null): [Tensor, S] {
  const [out, next] = core.call(x, state) as [Tensor, S];
  if (len === null) return [out, next];
  const live = len.gt(t);
  const mask = (y: Tensor): Tensor => live.reshape([live.shape[0]!, ...new Array<number>(y.ndim - 1).fill(1)]);
  return [where(mask(out), out, 0), zipState(next, state, (n, p) => where(mask(n), n, p)) as S];
}

/**
 * Unrolls `core` over a time-major sequence given as a [T, B, ...] tensor or an array of T
 * per-step [B, ...] tensors, step by step from `initialState`. Returns the stacked outputs
 * [T, B, ...] and the final state.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { LSTM, staticUnroll } from '@cinder/modules';
 * const lstm = new LSTM(4);
 * const [outs, final] = staticUnroll(lstm, randn([6, 2, 3]), lstm.initialState(2));
 * console.log(outs.shape, final.hidden.shape); // [ 6, 2, 4 ] [ 2, 4 ]
 * ```
 */
export function staticUnroll<S extends RNNState>(
  core: RNNCore<S>, inputSequence: Tensor | readonly Tensor[], initialState: S, opts: UnrollOptions = {},
): [Tensor, S] {
  const steps = inputSequence instanceof Tensor ? inputSequence.unbind(0) : [...inputSequence];
  if (steps.some((s) => !(s instanceof Tensor))) throw new TypeError('staticUnroll: expected a tensor or an array of tensors as the input sequence');
  const len = unrollChecks('staticUnroll', core, steps.length, steps[0]?.shape[0] ?? 0, opts);
  let state = initialState;
  const outputs: Tensor[] = [];
  steps.forEach((x, t) => {
    const [out, next] = step(core, x, state, t, len);
    outputs.push(out);
    state = next;
  });
  return [stack(outputs, 0), state];
}

/**
 * Unrolls `core` over a time-major [T, B, ...] tensor. Without sequence lengths, cores with a
 * fused sequence op run it (LSTM: `F.lstm`; VanillaRNN with tanh or relu: `F.rnnTanh` /
 * `F.rnnRelu`): one call instead of T steps. Otherwise it steps through the sequence as
 * staticUnroll does; the results agree to rounding.
 * @example
 * ```ts
 * import { randn, tensor } from '@cinder/tensor';
 * import { GRU, dynamicUnroll } from '@cinder/modules';
 * const gru = new GRU(3);
 * const lengths = tensor([5, 2], { dtype: 'int64' });
 * const [outs, final] = dynamicUnroll(gru, randn([5, 2, 4]), gru.initialState(2), { sequenceLength: lengths });
 * console.log(outs.shape, outs.select(0, 4).select(0, 1).abs().sum().item()); // [ 5, 2, 3 ] 0
 * ```
 */
export function dynamicUnroll<S extends RNNState>(core: RNNCore<S>, inputSequence: Tensor, initialState: S, opts: UnrollOptions = {}): [Tensor, S] {
  if (!(inputSequence instanceof Tensor) || inputSequence.ndim < 2) {
    throw new TypeError(`dynamicUnroll: expected a time-major [T, B, ...] tensor, got ${inputSequence instanceof Tensor ? describe(inputSequence) : typeof inputSequence}`);
  }
  const T = inputSequence.shape[0]!;
  const len = unrollChecks('dynamicUnroll', core, T, inputSequence.shape[1]!, opts);
  if (len === null) {
    core.create(inputSequence.select(0, 0), initialState);
    const fused = core._unrollSequence(inputSequence, initialState);
    if (fused !== null) return fused;
  }
  let state = initialState;
  const outputs: Tensor[] = new Array<Tensor>(T);
  for (let t = 0; t < T; t++) {
    const [out, next] = step(core, inputSequence.select(0, t), state, t, len);
    outputs[t] = out;
    state = next;
  }
  return [stack(outputs, 0), state];
}
