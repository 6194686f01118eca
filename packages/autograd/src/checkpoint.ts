/**
 * Activation checkpointing (torch.utils.checkpoint): run fn without recording, keep only its inputs,
 * and recompute it with recording during backward. Trades compute for memory. The default
 * generator's state is restored for the recomputation, so dropout-like randomness repeats exactly.
 */
import { getRngState, setRngState, Tensor } from '@cinder/tensor';
import { grad } from './engine.js';
import { defineFunction, type FunctionCtx } from './function.js';
import { enableGrad, isGradEnabled, noGrad } from './mode.js';

/**
 * Tensors that need gradients, parameters included, are passed as arguments: gradients do not
 * reach tensors that fn captures from its scope.
 * @example
 * ```ts
 * const y = checkpoint((h, a, b) => h.matmul(a).relu().matmul(b), x, w1, w2); // intermediates are not kept
 * y.sum().backward();
 * ```
 */
export function checkpoint(fn: (...args: Tensor[]) => Tensor, ...args: Tensor[]): Tensor {
  if (isGradEnabled() && !args.some((a) => a.requiresGrad)) {
    // As PyTorch's reentrant checkpoint: gradients reach only tensors passed as arguments.
    console.warn('checkpoint: none of the inputs has requiresGrad; the output will not require grad either. Pass the tensors that need gradients (parameters too) as arguments.');
  }
  const run = defineFunction<Tensor[]>({
    name: 'Checkpoint',
    forward(ctx: FunctionCtx, ...inputs: Tensor[]) {
      ctx.rngState = getRngState();
      ctx.inputs = inputs;
      return noGrad(() => fn(...inputs));
    },
    backward(ctx: FunctionCtx, g: Tensor | null) {
      const inputs = ctx.inputs as Tensor[];
      const now = getRngState();
      setRngState(ctx.rngState as Tensor);
      try {
        const xs = inputs.map((t) => (t.requiresGrad ? t.detach().requiresGrad_(true) : t.detach()));
        return enableGrad(() => {
          const out = fn(...xs);
          const want = xs.filter((x) => x.requiresGrad);
          if (g === null || !out.requiresGrad || want.length === 0) return xs.map(() => null);
          const gs = grad(out, want, { gradOutputs: [g], allowUnused: true });
          let k = 0;
          return xs.map((x) => (x.requiresGrad ? gs[k++] ?? null : null));
        });
      } finally {
        setRngState(now);
      }
    },
  });
  return run(...args) as Tensor;
}
