/** Adam, with AMSGrad (torch.optim.Adam), and AdamW's decoupled weight decay (torch.optim.AdamW). */
import { adamStep_, zerosLike, type AdamStepOptions, type Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import { checkFlag, checkOption, Optimizer, type BaseOptions, type Closure, type ParamGroupOf, type Params } from './optimizer.js';

export interface AdamOptions extends BaseOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 term in the gradient for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay: number;
  /** The AMSGrad variant: normalise by the running maximum of the second moment. */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

export interface AdamState {
  /** Number of updates made (as PyTorch's `step`). */
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

abstract class AdamFamily extends Optimizer<AdamOptions, AdamState> {
  protected abstract get decoupled(): boolean;

  protected override validateGroup(g: ParamGroupOf<AdamOptions>): void {
    const n = this.name;
    checkOption(n, 'lr', g.lr);
    checkOption(n, 'eps', g.eps);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new TypeError(`${n}: betas must be a pair [beta1, beta2]`);
    checkOption(n, 'beta1', g.betas[0], 0, 1);
    checkOption(n, 'beta2', g.betas[1], 0, 1);
    checkOption(n, 'weightDecay', g.weightDecay);
    checkFlag(n, 'amsgrad', g.amsgrad);
    checkFlag(n, 'maximize', g.maximize);
  }

  step<R extends Tensor | number>(closure?: Closure<R>): R | undefined {
    const loss = this.evalClosure(closure);
    const decoupled = this.decoupled;
    noGrad(() => {
      for (const g of this.paramGroups) {
        const o: AdamStepOptions = {
          step: 0, lr: g.lr, beta1: g.betas[0], beta2: g.betas[1], eps: g.eps, weightDecay: g.weightDecay,
          decoupled, amsgrad: g.amsgrad, maximize: g.maximize,
        };
        for (const p of g.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let st = this.stateOf(p);
          if (st === undefined) {
            st = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
            this.state.set(p, st);
          }
          // Created on demand, so amsgrad may also be switched on after the first steps.
          if (g.amsgrad && st.maxExpAvgSq === undefined) st.maxExpAvgSq = zerosLike(p);
          st.step += 1;
          o.step = st.step;
          adamStep_(p, grad, st.expAvg, st.expAvgSq, g.amsgrad ? st.maxExpAvgSq! : null, o);
        }
      }
    });
    return loss;
  }
}

/**
 * Adam (Kingma and Ba), PyTorch's update: bias-corrected moment estimates, `weightDecay` as an L2
 * term added to the gradient, optional AMSGrad. One fused native call per parameter.
 *
 * @example
 * ```ts
 * const opt = new optim.Adam(params, { lr: 1e-3 });
 * ```
 */
export class Adam extends AdamFamily {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, {
      lr: opts.lr ?? 1e-3,
      betas: opts.betas ?? [0.9, 0.999],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      amsgrad: opts.amsgrad ?? false,
      maximize: opts.maximize ?? false,
    });
  }
  override get name(): string {
    return 'Adam';
  }
  protected get decoupled(): boolean {
    return false;
  }
}

/**
 * AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, `param *= 1 - lr * weightDecay`
 * before the Adam update (default weightDecay 1e-2).
 */
export class AdamW extends AdamFamily {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, {
      lr: opts.lr ?? 1e-3,
      betas: opts.betas ?? [0.9, 0.999],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 1e-2,
      amsgrad: opts.amsgrad ?? false,
      maximize: opts.maximize ?? false,
    });
  }
  override get name(): string {
    return 'AdamW';
  }
  protected get decoupled(): boolean {
    return true;
  }
}
