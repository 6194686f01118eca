/** scaledDotProductAttention: softmax(q k^T * scale + mask) v, composed of batched matmuls. */
import { full, type Tensor } from '@cinder/tensor';
import { describe, floatArg, numberArg, optionalTensor } from './common.js';
import { dropout } from './dropout.js';

export interface AttentionOptions {
  /** Boolean (true: attend) or additive floating mask, broadcastable to [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0). */
  dropoutP?: number;
  /** Mask out future positions (a lower-triangular [L, S] mask). */
  isCausal?: boolean;
  /** Scale of q k^T (default 1 / sqrt(E)). */
  scale?: number | null;
}

/**
 * Attention of query [..., L, E] over key [..., S, E] and value [..., S, Ev]: [..., L, Ev].
 * Batch dims broadcast. Rows whose every position is masked give NaN, as in PyTorch.
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, opts?: AttentionOptions): Tensor {
  const op = 'scaledDotProductAttention';
  floatArg(op, query, 'query');
  floatArg(op, key, 'key');
  floatArg(op, value, 'value');
  if (query.ndim < 2 || key.ndim < 2 || value.ndim < 2) {
    throw new RangeError(`${op}: query ${describe(query)}, key ${describe(key)} and value ${describe(value)} need at least 2 dims`);
  }
  const E = query.shape[query.ndim - 1]!;
  const L = query.shape[query.ndim - 2]!;
  const S = key.shape[key.ndim - 2]!;
  if (key.shape[key.ndim - 1] !== E) throw new RangeError(`${op}: query ${describe(query)} and key ${describe(key)}: embedding sizes differ`);
  if (value.shape[value.ndim - 2] !== S) throw new RangeError(`${op}: key ${describe(key)} and value ${describe(value)}: sequence lengths differ`);
  const mask = optionalTensor(op, opts?.attnMask, 'attnMask');
  const isCausal = opts?.isCausal ?? false;
  if (isCausal && mask !== null) throw new RangeError(`${op}: attnMask and isCausal cannot both be set`);
  const p = numberArg(op, opts?.dropoutP, 'dropoutP', 0);
  const scale = opts?.scale ?? 1 / Math.sqrt(E);
  if (typeof scale !== 'number') throw new TypeError(`${op}: scale must be a number`);
  // Scale whichever is smaller: the query [.., L, E] or the scores [.., L, S].
  let scores = S > E ? query.mul(scale).matmul(key.transpose(-2, -1)) : query.matmul(key.transpose(-2, -1)).mul(scale);
  if (isCausal) {
    const allowed = full([L, S], true, { dtype: 'bool', device: query.device }).tril();
    scores = scores.maskedFill(allowed.logicalNot(), -Infinity);
  } else if (mask !== null) {
    if (mask.dtype === 'bool') scores = scores.maskedFill(mask.logicalNot(), -Infinity);
    else scores = scores.add(mask);
  }
  let attn = scores.softmax(-1);
  if (p > 0) attn = dropout(attn, { p, training: true });
  return attn.matmul(value);
}
