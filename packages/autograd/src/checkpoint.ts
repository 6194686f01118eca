/**
 * Activation checkpointing (torch.utils.checkpoint): run fn without recording, keep only its inputs,
 * and recompute it with recording during backward. Trades compute for memory. The default
 * generator's state is restored for the recomputation, so dropout-like randomness repeats exactly.
 */
import { getRngState, setRngState, Tensor } from '@cinder/tensor';
import { grad } from './engine.js';
import { defineFunction, type FunctionCtx } from './function.js';
import { enableGrad, noGrad } from './mode.js';

/**
 * @example
 * ```ts
 * const y = checkpoint((h) => h.matmul(w).relu().matmul(w2), x); // intermediates are not kept
 * y.sum().backward();
 * ```
 */
export function checkpoint(fn: (...args: Tensor[]) => Tensor, ...args: Tensor[]): Tensor {
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
