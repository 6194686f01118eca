/** Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay (torch.optim.SGD). */
import { sgdStep_, zerosLike, type Tensor, type SgdStepOptions } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import { checkFlag, checkOption, Optimizer, type BaseOptions, type Closure, type ParamGroupOf, type Params } from './optimizer.js';

export interface SGDOptions extends BaseOptions {
  lr: number;
  /** Momentum factor (default 0: none). */
  momentum: number;
  /** Dampening of the momentum's gradient term (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

export interface SGDState {
  momentumBuffer: Tensor;
}

/**
 * SGD: `param -= lr * d`, where d is the gradient plus `weightDecay * param`, or with momentum the
 * buffer `buf = momentum * buf + (1 - dampening) * d` (Nesterov: `d + momentum * buf`). Each
 * parameter is updated by one fused native call.
 *
 * @example
 * ```ts
 * const opt = new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> = {}) {
    super(params, {
      lr: opts.lr as number, // required, here or in every group (checked per group)
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  override get name(): string {
    return 'SGD';
  }

  protected override validateGroup(g: ParamGroupOf<SGDOptions>): void {
    if (g.lr === undefined) throw new TypeError('SGD: lr is required (in the options or in every parameter group)');
    checkOption('SGD', 'lr', g.lr);
    checkOption('SGD', 'momentum', g.momentum);
    checkOption('SGD', 'dampening', g.dampening, -Infinity);
    checkOption('SGD', 'weightDecay', g.weightDecay);
    checkFlag('SGD', 'nesterov', g.nesterov);
    checkFlag('SGD', 'maximize', g.maximize);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new RangeError('SGD: Nesterov momentum requires a momentum > 0 and zero dampening');
    }
  }

  step<R extends Tensor | number>(closure?: Closure<R>): R | undefined {
    const loss = this.evalClosure(closure);
    noGrad(() => {
      for (const g of this.paramGroups) {
        const o: SgdStepOptions = {
          lr: g.lr, momentum: g.momentum, dampening: g.dampening, weightDecay: g.weightDecay,
          nesterov: g.nesterov, maximize: g.maximize, initBuffer: false,
        };
        for (const p of g.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let buf: Tensor | null = null;
          if (g.momentum !== 0) {
            const st = this.stateOf(p);
            o.initBuffer = st === undefined;
            if (st === undefined) {
              buf = zerosLike(p);
              this.state.set(p, { momentumBuffer: buf });
            } else {
              buf = st.momentumBuffer;
            }
          }
          sgdStep_(p, grad, buf, o);
        }
      }
    });
    return loss;
  }
}
