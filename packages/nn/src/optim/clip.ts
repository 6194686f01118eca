/** Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_). */
import { div, linalg, stack, tensor, Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';

export interface ClipGradNormOptions {
  /** The norm's order: any p > 0, or Infinity for the largest magnitude (default 2). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, parameters: Tensor | Iterable<Tensor>): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : parameters != null && typeof (parameters as Iterable<Tensor>)[Symbol.iterator] === 'function' ? [...parameters] : undefined;
  if (list === undefined) throw new TypeError(`${op}: parameters must be a Tensor or an iterable of Tensors`);
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${op}: parameter ${i} is not a Tensor`);
    if (p.grad !== null) grads.push(p.grad);
  });
  return grads;
}

/**
 * Scales the gradients of `parameters` in place so that their total norm (the norm of all of them
 * as one vector) is at most `maxNorm`, and returns that total norm (before clipping) as a 0-d tensor.
 *
 * @example
 * ```ts
 * loss.backward();
 * const norm = clipGradNorm_(params, 1.0);
 * opt.step();
 * ```
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, opts: ClipGradNormOptions = {}): Tensor {
  const op = 'clipGradNorm_';
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new TypeError(`${op}: maxNorm must be a number, got ${String(maxNorm)}`);
  const normType = opts.normType ?? 2;
  if (typeof normType !== 'number' || !(normType > 0)) throw new RangeError(`${op}: normType must be a positive number or Infinity, got ${String(normType)}`);
  const grads = gradsOf(op, parameters);
  if (grads.length === 0) return tensor(0, { dtype: 'float32' });
  return noGrad(() => {
    const norms = grads.map((g) => linalg.vectorNorm(g.detach(), normType));
    // Norms of gradients on other devices join the first gradient's device (where the total lives).
    const dev = grads[0]!.device;
    const total = norms.length === 1 ? norms[0]! : linalg.vectorNorm(stack(norms.map((n) => (n.device === dev ? n : n.to(dev)))), normType);
    // Reading the norm waits for a device's queued work: only when it is checked.
    const value = opts.errorIfNonfinite === true ? Number(total.item()) : 0;
    if (opts.errorIfNonfinite === true && !Number.isFinite(value)) {
      throw new Error(
        `${op}: the total norm of order ${normType} of the gradients is ${value}, so they cannot be clipped ` +
          '(pass errorIfNonfinite: false to scale them by it anyway)',
      );
    }
    // The coefficient is min(1, maxNorm / (norm + 1e-6)), computed in the norm's dtype as PyTorch does.
    const coef = div(maxNorm, total.add(1e-6)).clamp({ max: 1 });
    for (const g of grads) g.mul_(coef.to({ dtype: g.dtype, device: g.device }));
    return total;
  });
}

/** Clamps every gradient of `parameters` to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue_';
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue)) throw new TypeError(`${op}: clipValue must be a number, got ${String(clipValue)}`);
  const grads = gradsOf(op, parameters);
  noGrad(() => {
    for (const g of grads) g.clamp_(-clipValue, clipValue);
  });
}
