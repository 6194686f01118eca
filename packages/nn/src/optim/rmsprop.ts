/** RMSprop, centred or not, with momentum (torch.optim.RMSprop). */
import { rmspropStep_, zerosLike, type RmspropStepOptions, type Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import { checkFlag, checkOption, Optimizer, type BaseOptions, type Closure, type ParamGroupOf, type Params } from './optimizer.js';

export interface RMSpropOptions extends BaseOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment. */
  centered: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

export interface RMSpropState {
  step: number;
  squareAvg: Tensor;
  momentumBuffer?: Tensor;
  gradAvg?: Tensor;
}

/**
 * RMSprop (Hinton), PyTorch's form: the gradient is divided by the root of a running average of
 * its square (minus the square of its running average when centred) plus eps. One fused native
 * call per parameter.
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, {
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  override get name(): string {
    return 'RMSprop';
  }

  protected override validateGroup(g: ParamGroupOf<RMSpropOptions>): void {
    checkOption('RMSprop', 'lr', g.lr);
    checkOption('RMSprop', 'alpha', g.alpha);
    checkOption('RMSprop', 'eps', g.eps);
    checkOption('RMSprop', 'weightDecay', g.weightDecay);
    checkOption('RMSprop', 'momentum', g.momentum);
    checkFlag('RMSprop', 'centered', g.centered);
    checkFlag('RMSprop', 'maximize', g.maximize);
  }

  step<R extends Tensor | number>(closure?: Closure<R>): R | undefined {
    const loss = this.evalClosure(closure);
    noGrad(() => {
      for (const g of this.paramGroups) {
        const o: RmspropStepOptions = {
          lr: g.lr, alpha: g.alpha, eps: g.eps, weightDecay: g.weightDecay, momentum: g.momentum,
          centered: g.centered, maximize: g.maximize,
        };
        for (const p of g.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let st = this.stateOf(p);
          if (st === undefined) {
            st = { step: 0, squareAvg: zerosLike(p) };
            this.state.set(p, st);
          }
          if (g.momentum > 0 && st.momentumBuffer === undefined) st.momentumBuffer = zerosLike(p);
          if (g.centered && st.gradAvg === undefined) st.gradAvg = zerosLike(p);
          st.step += 1;
          rmspropStep_(p, grad, st.squareAvg, g.centered ? st.gradAvg! : null, g.momentum > 0 ? st.momentumBuffer! : null, o);
        }
      }
    });
    return loss;
  }
}
