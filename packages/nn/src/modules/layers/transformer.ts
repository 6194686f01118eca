/**
 * Attention and the Transformer (torch.nn.MultiheadAttention, TransformerEncoderLayer,
 * TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer), with PyTorch's
 * parameters, submodule names (so `nn.fromTorchKeys` loads PyTorch's state dicts), default
 * initialisation and printed form.
 *
 * Masks follow PyTorch: a boolean attention or key-padding mask marks with `true` the positions
 * that may NOT be attended to; a floating mask is added to the attention scores. Both kinds are
 * merged into one additive mask, as PyTorch 2 does.
 */
import { cat, isFloatingDType, Tensor, zeros, full, type Device, type DType } from '@cinder/tensor';
import { describe } from '../../functional/common.js';
import { dropout as dropoutFn } from '../../functional/dropout.js';
import { gelu, relu } from '../../functional/activation.js';
import { linear } from '../../functional/linear.js';
import { scaledDotProductAttention } from '../../functional/attention.js';
import { constant_, xavierNormal_, xavierUniform_ } from '../../init.js';
import { ModuleList } from '../containers.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { cinderKeyToTorch } from '../torchKeys.js';
import { deepCopy } from '../copy.js';
import { finite, newParam, positiveInt, probabilityArg, type FactoryOptions } from './common.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';

/**
 * The output projection of MultiheadAttention: a Linear under the class name PyTorch gives it
 * (which only matters to PyTorch's quantization), so the printed form matches PyTorch's.
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout probability on the attention weights while training (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Learn an extra key and value position appended to every sequence (default false). */
  addBiasKv?: boolean;
  /** Append a position of zeros to the keys and values (default false). */
  addZeroAttn?: boolean;
  /** Size of the key features (default embedDim). */
  kdim?: number | null;
  /** Size of the value features (default embedDim). */
  vdim?: number | null;
  /** Inputs and outputs are [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): bool (true: ignore that key) or float (added to the scores). */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /**
   * [L, S] or [N * numHeads, L, S] ([numHeads, L, S] unbatched): bool (true: not allowed) or
   * float (added to the scores).
   */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true). */
  averageAttnWeights?: boolean;
  /**
   * The attention is causal. With an attnMask this is a hint that the mask is the causal mask
   * (as in PyTorch 2); without one, the causal mask (position i sees keys 0..i) is applied.
   */
  isCausal?: boolean;
}

const MHA = 'MultiheadAttention';

function optionalTensorOf(layer: string, v: unknown, what: string): Tensor | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Tensor)) throw new TypeError(`${layer}: expected ${what} to be a Tensor, got ${typeof v}`);
  return v;
}

function flag(layer: string, v: unknown, what: string, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${layer}: expected ${what} to be a boolean, got ${String(v)}`);
  return v;
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
const shp = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** A bool mask as an additive one (-inf where true), or a float mask in the compute dtype. */
function additive(layer: string, m: Tensor, what: string, dtype: DType): Tensor {
  if (m.dtype === 'bool') return zeros([...m.shape], { dtype, device: m.device }).maskedFill(m, -Infinity);
  if (!isFloatingDType(m.dtype)) throw new TypeError(`${layer}: only bool and floating ${what} are supported, got ${describe(m)}`);
  return m.dtype === dtype ? m : m.to(dtype);
}

/** The causal mask as an additive [L, S] mask: -inf above the diagonal. */
function causalMask(L: number, S: number, dtype: DType, device: Device): Tensor {
  return full([L, S], -Infinity, { dtype, device }).triu(1);
}

/**
 * Multi-head attention (torch.nn.MultiheadAttention): the query, key and value are projected,
 * split into `numHeads` heads of embedDim / numHeads features, attended per head, concatenated
 * and projected again. Initialised as PyTorch does: xavier-uniform projection weights, zero
 * projection biases, xavier-normal biasK / biasV, outProj.weight as a Linear's.
 *
 * Inputs are [L, N, E] (or [N, L, E] with batchFirst), or unbatched [L, E]. forward() returns
 * `[output, weights]`: weights are [N, L, S] averaged over the heads, [N, numHeads, L, S] with
 * averageAttnWeights false, or null with needWeights false (the faster path). Self-attention
 * (query, key and value the same tensor) projects all three with one GEMM.
 * @example
 * ```ts
 * const attn = new nn.MultiheadAttention(64, 4, { batchFirst: true });
 * const [y, w] = attn.forward(x, x, x);          // x [N, L, 64] -> y [N, L, 64], w [N, L, L]
 * const [y2] = attn.forward(q, mem, mem, { keyPaddingMask: pad, needWeights: false });
 * ```
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  /** kdim and vdim equal embedDim: one packed inProjWeight [3E, E]. */
  readonly qkvSameEmbedDim: boolean;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  inProjWeight: Parameter | null;
  qProjWeight: Parameter | null;
  kProjWeight: Parameter | null;
  vProjWeight: Parameter | null;
  inProjBias: Parameter | null;
  outProj: NonDynamicallyQuantizableLinear;
  biasK: Parameter | null;
  biasV: Parameter | null;
  readonly addZeroAttn: boolean;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    this.embedDim = positiveInt(MHA, 'embedDim', embedDim);
    this.kdim = opts.kdim === undefined || opts.kdim === null ? embedDim : positiveInt(MHA, 'kdim', opts.kdim);
    this.vdim = opts.vdim === undefined || opts.vdim === null ? embedDim : positiveInt(MHA, 'vdim', opts.vdim);
    this.qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.numHeads = positiveInt(MHA, 'numHeads', numHeads);
    this.dropout = probabilityArg(MHA, opts.dropout ?? 0);
    this.batchFirst = flag(MHA, opts.batchFirst, 'batchFirst', false);
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) {
      throw new RangeError(`${MHA}: embedDim must be divisible by numHeads (embedDim ${embedDim}, numHeads ${numHeads})`);
    }
    const E = embedDim;
    if (this.qkvSameEmbedDim) {
      this.inProjWeight = new Parameter(newParam([3 * E, E], opts));
      this.qProjWeight = this.kProjWeight = this.vProjWeight = null;
    } else {
      this.inProjWeight = null;
      this.qProjWeight = new Parameter(newParam([E, E], opts));
      this.kProjWeight = new Parameter(newParam([E, this.kdim], opts));
      this.vProjWeight = new Parameter(newParam([E, this.vdim], opts));
    }
    const bias = flag(MHA, opts.bias, 'bias', true);
    this.inProjBias = bias ? new Parameter(newParam([3 * E], opts)) : null;
    this.outProj = new NonDynamicallyQuantizableLinear(E, E, { bias, ...factory(opts) });
    const addBiasKv = flag(MHA, opts.addBiasKv, 'addBiasKv', false);
    this.biasK = addBiasKv ? new Parameter(newParam([1, 1, E], opts)) : null;
    this.biasV = addBiasKv ? new Parameter(newParam([1, 1, E], opts)) : null;
    this.addZeroAttn = flag(MHA, opts.addZeroAttn, 'addZeroAttn', false);
    this.resetParameters();
  }

  /** PyTorch's _reset_parameters. */
  resetParameters(): void {
    if (this.inProjWeight !== null) xavierUniform_(this.inProjWeight);
    for (const w of [this.qProjWeight, this.kProjWeight, this.vProjWeight]) if (w !== null) xavierUniform_(w);
    if (this.inProjBias !== null) {
      constant_(this.inProjBias, 0);
      if (this.outProj.bias !== null) constant_(this.outProj.bias, 0);
    }
    if (this.biasK !== null) xavierNormal_(this.biasK);
    if (this.biasV !== null) xavierNormal_(this.biasV);
  }

  protected override _reprChildName(key: string): string {
    return cinderKeyToTorch(key);
  }

  override forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    for (const [t, what] of [[query, 'query'], [key, 'key'], [value, 'value']] as const) {
      if (!(t instanceof Tensor)) throw new TypeError(`${MHA}: expected ${what} to be a Tensor, got ${t === null ? 'null' : typeof t}`);
    }
    const dtype = this.outProj.weight.dtype;
    if (query.dtype !== dtype || key.dtype !== dtype || value.dtype !== dtype) {
      throw new TypeError(`${MHA}: query ${describe(query)}, key ${describe(key)} and value ${describe(value)} must have the parameters' dtype (${dtype})`);
    }
    const batched = query.ndim === 3;
    if (query.ndim !== 2 && query.ndim !== 3) {
      throw new RangeError(`${MHA}: expected query to be 2-d (unbatched) or 3-d (batched), got ${describe(query)}`);
    }
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new RangeError(`${MHA}: for a ${query.ndim}-d query ${describe(query)}, key and value must be ${query.ndim}-d, got key ${describe(key)} and value ${describe(value)}`);
    }
    const E = this.embedDim;
    const H = this.numHeads;
    const Dh = this.headDim;
    const bf = batched && this.batchFirst;
    const seqAxis = bf ? 1 : 0;
    const L = query.shape[seqAxis]!;
    const S = key.shape[seqAxis]!;
    const N = batched ? query.shape[bf ? 0 : 1]! : 1;
    const layout = batched ? (bf ? '[N, L, E]' : '[L, N, E]') : '[L, E]';
    if (query.shape[query.ndim - 1] !== E) {
      throw new RangeError(`${MHA}: expected query ${layout} with E = embedDim = ${E}, got ${describe(query)}`);
    }
    if (key.shape[key.ndim - 1] !== this.kdim || value.shape[value.ndim - 1] !== this.vdim) {
      throw new RangeError(`${MHA}: expected key and value features of kdim = ${this.kdim} and vdim = ${this.vdim}, got key ${describe(key)} and value ${describe(value)}`);
    }
    if (!same(key.shape.slice(0, -1), value.shape.slice(0, -1))) {
      throw new RangeError(`${MHA}: key ${describe(key)} and value ${describe(value)} must have the same sequence length and batch size`);
    }
    if (batched && key.shape[bf ? 0 : 1] !== N) {
      throw new RangeError(`${MHA}: query ${describe(query)} and key ${describe(key)} have different batch sizes`);
    }
    const needWeights = flag(MHA, opts.needWeights, 'needWeights', true);
    const average = flag(MHA, opts.averageAttnWeights, 'averageAttnWeights', true);
    const isCausal = flag(MHA, opts.isCausal, 'isCausal', false);
    const attnMask = optionalTensorOf(MHA, opts.attnMask, 'attnMask');
    const kpm = optionalTensorOf(MHA, opts.keyPaddingMask, 'keyPaddingMask');

    // One additive mask broadcastable to [N, H, L, S].
    let mask: Tensor | null = null;
    if (attnMask !== null) {
      const m = additive(MHA, attnMask, 'attnMask', dtype);
      if (attnMask.ndim === 2) {
        if (!same(attnMask.shape, [L, S])) throw new RangeError(`${MHA}: the 2-d attnMask is ${describe(attnMask)}, but should be [${L}, ${S}] ([L, S])`);
        mask = m;
      } else if (attnMask.ndim === 3) {
        if (!same(attnMask.shape, [N * H, L, S])) {
          throw new RangeError(`${MHA}: the 3-d attnMask is ${describe(attnMask)}, but should be [${N * H}, ${L}, ${S}] ([N * numHeads, L, S])`);
        }
        mask = m.reshape([N, H, L, S]);
      } else {
        throw new RangeError(`${MHA}: attnMask must be 2-d [L, S] or 3-d [N * numHeads, L, S], got ${describe(attnMask)}`);
      }
    } else if (isCausal) {
      mask = causalMask(L, S, dtype, query.device);
    }
    if (kpm !== null) {
      const want = batched ? [N, S] : [S];
      if (!same(kpm.shape, want)) throw new RangeError(`${MHA}: expected keyPaddingMask of shape ${shp(want)} ([N, S]), got ${describe(kpm)}`);
      const k = additive(MHA, kpm, 'keyPaddingMask', dtype).reshape([N, 1, 1, S]);
      mask = mask === null ? k : mask.add(k);
    }

    // Projections, each in the input's own layout ([L, N, *] or [N, L, *]) as one 2-d GEMM, then
    // split into heads as strided views [N, H, len, Dh].
    const q3 = batched ? query : query.unsqueeze(1);
    const k3 = batched ? key : key.unsqueeze(1);
    const v3 = batched ? value : value.unsqueeze(1);
    const project = (x: Tensor, w: Tensor, b: Tensor | null): Tensor => {
      const [a, c] = [x.shape[0]!, x.shape[1]!];
      return linear(x.reshape([a * c, x.shape[2]!]), w, { bias: b }).reshape([a, c, w.shape[0]!]);
    };
    // [a, c, count * E] -> count views [N, H, len, Dh]; unbind's backward is one stack.
    const heads = (t: Tensor, count: number): Tensor[] => {
      const [a, c] = [t.shape[0]!, t.shape[1]!];
      if (count === 1) return [t.reshape([a, c, H, Dh]).permute(bf ? [0, 2, 1, 3] : [1, 2, 0, 3])];
      return t.reshape([a, c, count, H, Dh]).permute(bf ? [2, 0, 3, 1, 4] : [2, 1, 3, 0, 4]).unbind(0);
    };
    const bIn = this.inProjBias;
    const bPart = (i: number, n: number): Tensor | null => (bIn === null ? null : bIn.narrow(0, i * E, n * E));
    let q: Tensor, k: Tensor, v: Tensor;
    if (this.qkvSameEmbedDim) {
      const W = this.inProjWeight!;
      if (query === key && key === value) {
        [q, k, v] = heads(project(q3, W, bIn), 3) as [Tensor, Tensor, Tensor];
      } else if (key === value) {
        [q] = heads(project(q3, W.narrow(0, 0, E), bPart(0, 1)), 1) as [Tensor];
        [k, v] = heads(project(k3, W.narrow(0, E, 2 * E), bPart(1, 2)), 2) as [Tensor, Tensor];
      } else {
        [q] = heads(project(q3, W.narrow(0, 0, E), bPart(0, 1)), 1) as [Tensor];
        [k] = heads(project(k3, W.narrow(0, E, E), bPart(1, 1)), 1) as [Tensor];
        [v] = heads(project(v3, W.narrow(0, 2 * E, E), bPart(2, 1)), 1) as [Tensor];
      }
    } else {
      [q] = heads(project(q3, this.qProjWeight!, bPart(0, 1)), 1) as [Tensor];
      [k] = heads(project(k3, this.kProjWeight!, bPart(1, 1)), 1) as [Tensor];
      [v] = heads(project(v3, this.vProjWeight!, bPart(2, 1)), 1) as [Tensor];
    }
    let extra = 0;
    if (this.biasK !== null && this.biasV !== null) {
      k = cat([k, this.biasK.reshape([1, H, 1, Dh]).expand([N, H, 1, Dh])], 2);
      v = cat([v, this.biasV.reshape([1, H, 1, Dh]).expand([N, H, 1, Dh])], 2);
      extra++;
    }
    if (this.addZeroAttn) {
      const z = zeros([N, H, 1, Dh], { dtype, device: query.device });
      k = cat([k, z], 2);
      v = cat([v, z], 2);
      extra++;
    }
    if (mask !== null && extra > 0) {
      mask = cat([mask, zeros([...mask.shape.slice(0, -1), extra], { dtype, device: mask.device })], -1);
    }

    const p = this.training ? this.dropout : 0;
    let out: Tensor;
    let weights: Tensor | null = null;
    if (needWeights) {
      let scores = q.mul(1 / Math.sqrt(Dh)).matmul(k.transpose(-2, -1));
      if (mask !== null) scores = scores.add(mask);
      let w = scores.softmax(-1);
      if (p > 0) w = dropoutFn(w, { p, training: true });
      out = w.matmul(v);
      weights = average ? w.mean(1) : w;
      if (!batched) weights = weights.squeeze(0);
    } else {
      out = scaledDotProductAttention(q, k, v, { attnMask: mask, dropoutP: p });
    }
    // [N, H, L, Dh] -> the input layout [L, N, E] / [N, L, E], then the output projection.
    const merged = out.permute(bf ? [0, 2, 1, 3] : [2, 0, 1, 3]).reshape([L * N, E]);
    const y = linear(merged, this.outProj.weight, { bias: this.outProj.bias });
    return [batched ? y.reshape(bf ? [N, L, E] : [L, N, E]) : y, weights];
  }
}

function factory(opts: FactoryOptions): FactoryOptions {
  const f: FactoryOptions = {};
  if (opts.dtype !== undefined) f.dtype = opts.dtype;
  if (opts.device !== undefined) f.device = opts.device;
  return f;
}

// ---- Transformer layers --------------------------------------------------------------------------

/** The feed-forward activation: 'relu', 'gelu', a function of a tensor, or a module (printed). */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;

export interface TransformerLayerOptions extends FactoryOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default 'relu'). */
  activation?: TransformerActivation;
  /** LayerNorm eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs are [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
  /** LayerNorm before attention and feed-forward (pre-norm) instead of after (default false). */
  normFirst?: boolean;
  /** Biases in the Linear, LayerNorm and attention layers (default true). */
  bias?: boolean;
}

function activationOf(layer: string, a: unknown): ((x: Tensor) => Tensor) | Module {
  if (a === undefined || a === 'relu') return relu;
  if (a === 'gelu') return gelu;
  if (typeof a === 'function' || a instanceof Module) return a as ((x: Tensor) => Tensor) | Module;
  throw new RangeError(`${layer}: activation should be 'relu', 'gelu', a function or a Module, not ${JSON.stringify(a)}`);
}

function runActivation(a: ((x: Tensor) => Tensor) | Module, x: Tensor): Tensor {
  return a instanceof Module ? (a.forward(x) as Tensor) : a(x);
}

/** The parts an encoder and a decoder layer share, built in PyTorch's order. */
function layerParts(layer: string, dModel: number, nhead: number, opts: TransformerLayerOptions) {
  positiveInt(layer, 'dModel', dModel);
  positiveInt(layer, 'nhead', nhead);
  const ff = positiveInt(layer, 'dimFeedforward', opts.dimFeedforward ?? 2048);
  const p = probabilityArg(layer, opts.dropout ?? 0.1);
  const eps = finite(layer, 'layerNormEps', opts.layerNormEps ?? 1e-5);
  const bias = flag(layer, opts.bias, 'bias', true);
  const batchFirst = flag(layer, opts.batchFirst, 'batchFirst', false);
  const normFirst = flag(layer, opts.normFirst, 'normFirst', false);
  const f = factory(opts);
  const attn = (): MultiheadAttention => new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst, ...f });
  return {
    ff, p, eps, bias, normFirst, f, attn,
    norm: (): LayerNorm => new LayerNorm(dModel, { eps, bias, ...f }),
    activation: activationOf(layer, opts.activation),
  };
}

export interface TransformerEncoderLayerForwardOptions {
  /** Attention mask over the source ([S, S] or [N * nhead, S, S]; bool true: not allowed, or float). */
  srcMask?: Tensor | null;
  /** [N, S]: bool (true: padding) or float. */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention (a hint when srcMask is given; the causal mask when it is not). */
  isCausal?: boolean;
}

/**
 * One Transformer encoder block (torch.nn.TransformerEncoderLayer): self-attention and a
 * feed-forward block (linear1, activation, dropout, linear2), each with dropout, a residual
 * connection and a LayerNorm (after, or before with normFirst).
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(128, 4, { dimFeedforward: 512, batchFirst: true });
 * const y = layer.forward(x, { srcKeyPaddingMask: pad });   // x [N, S, 128]
 * ```
 */
export class TransformerEncoderLayer extends Module {
  selfAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const c = layerParts('TransformerEncoderLayer', dModel, nhead, opts);
    this.selfAttn = c.attn();
    this.linear1 = new Linear(dModel, c.ff, { bias: c.bias, ...c.f });
    this.dropout = new Dropout(c.p);
    this.linear2 = new Linear(c.ff, dModel, { bias: c.bias, ...c.f });
    this.normFirst = c.normFirst;
    this.norm1 = c.norm();
    this.norm2 = c.norm();
    this.dropout1 = new Dropout(c.p);
    this.dropout2 = new Dropout(c.p);
    this.activation = c.activation;
  }

  protected override _reprChildName(key: string): string {
    return cinderKeyToTorch(key);
  }

  override forward(src: Tensor, opts: TransformerEncoderLayerForwardOptions = {}): Tensor {
    const mask = opts.srcMask ?? null;
    const kpm = opts.srcKeyPaddingMask ?? null;
    const isCausal = opts.isCausal ?? false;
    let x = src;
    if (this.normFirst) {
      x = x.add(this._saBlock(this.norm1.forward(x), mask, kpm, isCausal));
      return x.add(this._ffBlock(this.norm2.forward(x)));
    }
    x = this.norm1.forward(x.add(this._saBlock(x, mask, kpm, isCausal)));
    return this.norm2.forward(x.add(this._ffBlock(x)));
  }

  protected _saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    const [y] = this.selfAttn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false, isCausal });
    return this.dropout1.forward(y);
  }

  protected _ffBlock(x: Tensor): Tensor {
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(runActivation(this.activation, this.linear1.forward(x)))));
  }
}

export interface TransformerDecoderLayerForwardOptions {
  /** Attention mask of the target self-attention ([T, T] or [N * nhead, T, T]). */
  tgtMask?: Tensor | null;
  /** Attention mask of the attention over the memory ([T, S] or [N * nhead, T, S]). */
  memoryMask?: Tensor | null;
  /** [N, T]: bool (true: padding) or float. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S]: bool (true: padding) or float. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal target self-attention (a hint with tgtMask; the causal mask without one). */
  tgtIsCausal?: boolean;
  /** Causal attention over the memory (a hint with memoryMask; the causal mask without one). */
  memoryIsCausal?: boolean;
}

/**
 * One Transformer decoder block (torch.nn.TransformerDecoderLayer): target self-attention,
 * attention over the encoder's output (the memory), and a feed-forward block, each with dropout,
 * a residual connection and a LayerNorm (norm1..3; before each block with normFirst).
 */
export class TransformerDecoderLayer extends Module {
  selfAttn: MultiheadAttention;
  multiheadAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const c = layerParts('TransformerDecoderLayer', dModel, nhead, opts);
    this.selfAttn = c.attn();
    this.multiheadAttn = c.attn();
    this.linear1 = new Linear(dModel, c.ff, { bias: c.bias, ...c.f });
    this.dropout = new Dropout(c.p);
    this.linear2 = new Linear(c.ff, dModel, { bias: c.bias, ...c.f });
    this.normFirst = c.normFirst;
    this.norm1 = c.norm();
    this.norm2 = c.norm();
    this.norm3 = c.norm();
    this.dropout1 = new Dropout(c.p);
    this.dropout2 = new Dropout(c.p);
    this.dropout3 = new Dropout(c.p);
    this.activation = c.activation;
  }

  protected override _reprChildName(key: string): string {
    return cinderKeyToTorch(key);
  }

  override forward(tgt: Tensor, memory: Tensor, opts: TransformerDecoderLayerForwardOptions = {}): Tensor {
    const tm = opts.tgtMask ?? null;
    const mm = opts.memoryMask ?? null;
    const tk = opts.tgtKeyPaddingMask ?? null;
    const mk = opts.memoryKeyPaddingMask ?? null;
    const tc = opts.tgtIsCausal ?? false;
    const mc = opts.memoryIsCausal ?? false;
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this._saBlock(this.norm1.forward(x), tm, tk, tc));
      x = x.add(this._mhaBlock(this.norm2.forward(x), memory, mm, mk, mc));
      return x.add(this._ffBlock(this.norm3.forward(x)));
    }
    x = this.norm1.forward(x.add(this._saBlock(x, tm, tk, tc)));
    x = this.norm2.forward(x.add(this._mhaBlock(x, memory, mm, mk, mc)));
    return this.norm3.forward(x.add(this._ffBlock(x)));
  }

  protected _saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    const [y] = this.selfAttn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false, isCausal });
    return this.dropout1.forward(y);
  }

  protected _mhaBlock(x: Tensor, mem: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    const [y] = this.multiheadAttn.forward(x, mem, mem, { attnMask, keyPaddingMask, needWeights: false, isCausal });
    return this.dropout2.forward(y);
  }

  protected _ffBlock(x: Tensor): Tensor {
    return this.dropout3.forward(this.linear2.forward(this.dropout.forward(runActivation(this.activation, this.linear1.forward(x)))));
  }
}

export interface TransformerStackOptions {
  /** A final normalisation module applied to the output (PyTorch's `norm`; default none). */
  norm?: Module | null;
}

function stack(layer: string, proto: unknown, numLayers: number, cls: new (...args: never[]) => Module): ModuleList {
  if (!(proto instanceof cls)) {
    throw new TypeError(`${layer}: expected a ${cls.name} to copy, got ${proto === null ? 'null' : typeof proto === 'object' ? (proto as object).constructor.name : typeof proto}`);
  }
  positiveInt(layer, 'numLayers', numLayers);
  return new ModuleList(Array.from({ length: numLayers }, () => deepCopy(proto)));
}

function moduleArg(layer: string, what: string, n: unknown): Module | null {
  if (n === undefined || n === null) return null;
  if (!(n instanceof Module)) throw new TypeError(`${layer}: ${what} must be an nn.Module or null, got ${typeof n}`);
  return n;
}

export interface TransformerEncoderForwardOptions {
  /** The source attention mask, passed to every layer. */
  mask?: Tensor | null;
  /** [N, S]: bool (true: padding) or float. */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention in every layer. */
  isCausal?: boolean;
}

/**
 * A stack of `numLayers` copies of an encoder layer (torch.nn.TransformerEncoder): each is a deep
 * copy (nn.deepCopy), so all start from the same weights, as in PyTorch. An optional `norm` is
 * applied to the output.
 * @example
 * ```ts
 * const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(128, 4), 6, { norm: new nn.LayerNorm(128) });
 * const memory = enc.forward(src, { srcKeyPaddingMask: pad });
 * ```
 */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: TransformerStackOptions = {}) {
    super();
    this.layers = stack('TransformerEncoder', encoderLayer, numLayers, TransformerEncoderLayer);
    this.numLayers = numLayers;
    this.norm = moduleArg('TransformerEncoder', 'norm', opts.norm);
  }

  override forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    let x = src;
    const o = { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null, isCausal: opts.isCausal ?? false };
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).forward(x, o);
    return this.norm === null ? x : (this.norm.forward(x) as Tensor);
  }
}

/** A stack of `numLayers` copies of a decoder layer (torch.nn.TransformerDecoder), with an optional final norm. */
export class TransformerDecoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: TransformerStackOptions = {}) {
    super();
    this.layers = stack('TransformerDecoder', decoderLayer, numLayers, TransformerDecoderLayer);
    this.numLayers = numLayers;
    this.norm = moduleArg('TransformerDecoder', 'norm', opts.norm);
  }

  override forward(tgt: Tensor, memory: Tensor, opts: TransformerDecoderLayerForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, opts);
    return this.norm === null ? x : (this.norm.forward(x) as Tensor);
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  /** Model width (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nhead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
  /** Use this module as the encoder instead of building one. */
  customEncoder?: Module | null;
  /** Use this module as the decoder instead of building one. */
  customDecoder?: Module | null;
}

export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  srcIsCausal?: boolean;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}

/**
 * The encoder-decoder Transformer (torch.nn.Transformer): a TransformerEncoder and a
 * TransformerDecoder, each ending in a LayerNorm. Every parameter with more than one dimension is
 * re-initialised xavier-uniform, as PyTorch does. All arguments are options, as PyTorch's are
 * keywords with defaults.
 * @example
 * ```ts
 * const model = new nn.Transformer({ dModel: 64, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2 });
 * const tgtMask = nn.Transformer.generateSquareSubsequentMask(tgt.shape[0]);
 * const out = model.forward(src, tgt, { tgtMask });     // src [S, N, 64], tgt [T, N, 64]
 * ```
 */
export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(opts: TransformerOptions = {}) {
    super();
    const T = 'Transformer';
    const dModel = positiveInt(T, 'dModel', opts.dModel ?? 512);
    const nhead = positiveInt(T, 'nhead', opts.nhead ?? 8);
    const layerOpts: TransformerLayerOptions = { ...opts };
    const f = factory(opts);
    const eps = opts.layerNormEps ?? 1e-5;
    const bias = opts.bias ?? true;
    if (opts.customEncoder !== undefined && opts.customEncoder !== null) {
      this.encoder = moduleArg(T, 'customEncoder', opts.customEncoder)!;
    } else {
      const layer = new TransformerEncoderLayer(dModel, nhead, layerOpts);
      this.encoder = new TransformerEncoder(layer, opts.numEncoderLayers ?? 6, { norm: new LayerNorm(dModel, { eps, bias, ...f }) });
    }
    if (opts.customDecoder !== undefined && opts.customDecoder !== null) {
      this.decoder = moduleArg(T, 'customDecoder', opts.customDecoder)!;
    } else {
      const layer = new TransformerDecoderLayer(dModel, nhead, layerOpts);
      this.decoder = new TransformerDecoder(layer, opts.numDecoderLayers ?? 6, { norm: new LayerNorm(dModel, { eps, bias, ...f }) });
    }
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = opts.batchFirst ?? false;
    this.resetParameters();
  }

  /** Xavier-uniform for every parameter with more than one dimension (PyTorch's _reset_parameters). */
  resetParameters(): void {
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }

  override forward(src: Tensor, tgt: Tensor, opts: TransformerForwardOptions = {}): Tensor {
    const T = 'Transformer';
    if (!(src instanceof Tensor) || !(tgt instanceof Tensor)) throw new TypeError(`${T}: expected src and tgt to be Tensors`);
    const batched = src.ndim === 3;
    const b = this.batchFirst ? 0 : 1;
    if (batched && (tgt.ndim !== 3 || src.shape[b] !== tgt.shape[b])) {
      throw new RangeError(`${T}: the batch number of src ${describe(src)} and tgt ${describe(tgt)} must be equal`);
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new RangeError(`${T}: the feature number of src ${describe(src)} and tgt ${describe(tgt)} must be equal to dModel (${this.dModel})`);
    }
    const memory = this.encoder.forward(src, {
      mask: opts.srcMask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null, isCausal: opts.srcIsCausal ?? false,
    }) as Tensor;
    return this.decoder.forward(tgt, memory, {
      tgtMask: opts.tgtMask ?? null, memoryMask: opts.memoryMask ?? null,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask ?? null, memoryKeyPaddingMask: opts.memoryKeyPaddingMask ?? null,
      tgtIsCausal: opts.tgtIsCausal ?? false, memoryIsCausal: opts.memoryIsCausal ?? false,
    }) as Tensor;
  }

  /**
   * The [sz, sz] float mask that stops position i attending to positions after i: -inf above the
   * diagonal, 0 elsewhere.
   */
  static generateSquareSubsequentMask(sz: number, opts: FactoryOptions = {}): Tensor {
    positiveInt('Transformer.generateSquareSubsequentMask', 'sz', sz);
    return causalMask(sz, sz, opts.dtype ?? 'float32', opts.device ?? 'cpu');
  }
}
