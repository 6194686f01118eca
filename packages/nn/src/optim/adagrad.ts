/** Adagrad with learning-rate decay (torch.optim.Adagrad). */
import { adagradStep_, fullLike, type AdagradStepOptions, type Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import { checkFlag, checkOption, Optimizer, type BaseOptions, type Closure, type ParamGroupInput, type ParamGroupOf, type Params } from './optimizer.js';

export interface AdagradOptions extends BaseOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** The learning rate at step t is lr / (1 + (t - 1) lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps: number;
  /** Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

export interface AdagradState {
  step: number;
  sum: Tensor;
}

/**
 * Adagrad (Duchi et al.): each coordinate's step is divided by the root of its accumulated squared
 * gradients. As in PyTorch the state is created with the optimizer (so stateDict() holds it from
 * the start). One fused native call per parameter.
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: Params<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, {
      lr: opts.lr ?? 1e-2,
      lrDecay: opts.lrDecay ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      initialAccumulatorValue: opts.initialAccumulatorValue ?? 0,
      eps: opts.eps ?? 1e-10,
      maximize: opts.maximize ?? false,
    });
  }

  override get name(): string {
    return 'Adagrad';
  }

  protected override validateGroup(g: ParamGroupOf<AdagradOptions>): void {
    checkOption('Adagrad', 'lr', g.lr);
    checkOption('Adagrad', 'lrDecay', g.lrDecay);
    checkOption('Adagrad', 'weightDecay', g.weightDecay);
    checkOption('Adagrad', 'initialAccumulatorValue', g.initialAccumulatorValue);
    checkOption('Adagrad', 'eps', g.eps);
    checkFlag('Adagrad', 'maximize', g.maximize);
  }

  override addParamGroup(group: ParamGroupInput<AdagradOptions>): void {
    super.addParamGroup(group);
    this.initState(this.paramGroups[this.paramGroups.length - 1]!);
  }

  private initState(g: ParamGroupOf<AdagradOptions>): void {
    for (const p of g.params) {
      if (!this.state.has(p)) this.state.set(p, { step: 0, sum: noGrad(() => fullLike(p, g.initialAccumulatorValue)) });
    }
  }

  step<R extends Tensor | number>(closure?: Closure<R>): R | undefined {
    const loss = this.evalClosure(closure);
    noGrad(() => {
      for (const g of this.paramGroups) {
        const o: AdagradStepOptions = { step: 0, lr: g.lr, lrDecay: g.lrDecay, eps: g.eps, weightDecay: g.weightDecay, maximize: g.maximize };
        for (const p of g.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let st = this.stateOf(p);
          if (st === undefined) {
            st = { step: 0, sum: fullLike(p, g.initialAccumulatorValue) };
            this.state.set(p, st);
          }
          st.step += 1;
          o.step = st.step;
          adagradStep_(p, grad, st.sum, o);
        }
      }
    });
    return loss;
  }
}
