/**
 * L-BFGS (torch.optim.LBFGS): a limited-memory quasi-Newton method over all parameters as one flat
 * vector, with an optional strong-Wolfe line search. Needs a closure that re-evaluates the loss
 * (and its gradients) and returns it.
 */
import { cat, dot, zeros, type Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import {
  checkOption, Optimizer, type BaseOptions, type Closure, type ParamGroupInput, type ParamGroupOf, type Params,
} from './optimizer.js';

export interface LBFGSOptions extends BaseOptions {
  /** Step length (default 1). */
  lr: number;
  /** Iterations per step() (default 20). */
  maxIter: number;
  /** Function evaluations per step() (default maxIter * 5 / 4, rounded down). */
  maxEval: number;
  /** Stop when every gradient entry is at most this in magnitude (default 1e-7). */
  toleranceGrad: number;
  /** Stop when the step or the loss changes by less than this (default 1e-9). */
  toleranceChange: number;
  /** Number of curvature pairs kept (default 100). */
  historySize: number;
  /** 'strongWolfe' for a line search satisfying the strong Wolfe conditions, null for fixed steps of lr. */
  lineSearchFn: 'strongWolfe' | null;
}

export interface LBFGSState {
  funcEvals: number;
  nIter: number;
  /** The last search direction and step length. */
  d?: Tensor;
  t?: number;
  /** Curvature pairs: gradient differences, steps, and 1 / (y . s). */
  oldDirs?: Tensor[];
  oldStps?: Tensor[];
  ro?: number[];
  /** Scale of the initial inverse-Hessian approximation. */
  hDiag?: number;
  prevFlatGrad?: Tensor;
  prevLoss?: number;
}

const lossValue = (v: Tensor | number): number => (typeof v === 'number' ? v : Number(v.item()));
const absMax = (t: Tensor): number => Number(t.abs().max().item());

/** Minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to the bounds. */
function cubicMinimum(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const disc = d1 * d1 - g1 * g2;
  if (!(disc >= 0)) return (lo + hi) / 2;
  const d2 = Math.sqrt(disc);
  const at = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(at, lo), hi);
}

interface Probe {
  t: number;
  f: number;
  g: Tensor;
  gtd: number;
}

/**
 * A line search along d from the current point (loss f0, gradient g0, slope gtd0 < 0) for a step
 * satisfying the strong Wolfe conditions: first grow the step until an interval brackets one,
 * then shrink the interval by safeguarded cubic interpolation.
 */
function strongWolfe(
  evaluate: (t: number) => { f: number; g: Tensor },
  t: number, d: Tensor, f0: number, g0: Tensor, gtd0: number,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25,
): { f: number; g: Tensor; t: number; evals: number } {
  const dNorm = absMax(d);
  const probe = (s: number): Probe => {
    const { f, g } = evaluate(s);
    return { t: s, f, g, gtd: Number(dot(g, d).item()) };
  };
  const sufficientDecrease = (p: Probe): boolean => !(p.f > f0 + c1 * p.t * gtd0);
  const curvature = (p: Probe): boolean => Math.abs(p.gtd) <= -c2 * gtd0;

  let evals = 1;
  let cur = probe(t);
  let prev: Probe = { t: 0, f: f0, g: g0.clone(), gtd: gtd0 };
  let iter = 0;
  let bracket: Probe[] | undefined;
  let done = false;
  // Bracketing: extrapolate until the interval [prev, cur] holds an acceptable step.
  while (iter < maxLs) {
    if (!sufficientDecrease(cur) || (iter > 1 && cur.f >= prev.f) || (!curvature(cur) && cur.gtd >= 0)) {
      bracket = [prev, cur];
      break;
    }
    if (curvature(cur)) {
      bracket = [cur];
      done = true;
      break;
    }
    const next = cubicMinimum(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, [cur.t + 0.01 * (cur.t - prev.t), cur.t * 10]);
    prev = cur;
    cur = probe(next);
    evals++;
    iter++;
  }
  if (iter === maxLs) bracket = [{ t: 0, f: f0, g: g0, gtd: gtd0 }, cur];
  const b = bracket!;
  // Zoom: shrink the bracket, keeping `low` the better end, until a point passes both conditions.
  let insufficientProgress = false;
  let [low, high] = b[0]!.f <= b[b.length - 1]!.f ? [0, 1] : [1, 0];
  while (!done && iter < maxLs) {
    const lo = Math.min(b[0]!.t, b[1]!.t);
    const hi = Math.max(b[0]!.t, b[1]!.t);
    if ((hi - lo) * dNorm < toleranceChange) break;
    let s = cubicMinimum(b[0]!.t, b[0]!.f, b[0]!.gtd, b[1]!.t, b[1]!.f, b[1]!.gtd);
    // Safeguard: a point too close to an end of the interval, twice in a row or outside it,
    // is moved a tenth of the interval inside.
    const margin = 0.1 * (hi - lo);
    if (Math.min(hi - s, s - lo) < margin) {
      if (insufficientProgress || s >= hi || s <= lo) {
        s = Math.abs(s - hi) < Math.abs(s - lo) ? hi - margin : lo + margin;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    const p = probe(s);
    evals++;
    iter++;
    if (!sufficientDecrease(p) || p.f >= b[low]!.f) {
      b[high] = p;
      [low, high] = b[0]!.f <= b[1]!.f ? [0, 1] : [1, 0];
    } else {
      if (curvature(p)) done = true;
      else if (p.gtd * (b[high]!.t - b[low]!.t) >= 0) b[high] = b[low]!;
      b[low] = p;
    }
  }
  const best = b[low]!;
  return { f: best.f, g: best.g, t: best.t, evals };
}

/**
 * L-BFGS. Only one parameter group is supported (the parameters form one vector). Each step()
 * runs up to maxIter iterations, calling the closure for every function evaluation.
 *
 * @example
 * ```ts
 * const opt = new optim.LBFGS([x], { lineSearchFn: 'strongWolfe' });
 * opt.step(() => { opt.zeroGrad(); const loss = f(x); loss.backward(); return loss; });
 * ```
 */
export class LBFGS extends Optimizer<LBFGSOptions, LBFGSState> {
  constructor(params: Params<LBFGSOptions>, opts: Partial<LBFGSOptions> = {}) {
    const maxIter = opts.maxIter ?? 20;
    super(params, {
      lr: opts.lr ?? 1,
      maxIter,
      maxEval: opts.maxEval ?? Math.floor((maxIter * 5) / 4),
      toleranceGrad: opts.toleranceGrad ?? 1e-7,
      toleranceChange: opts.toleranceChange ?? 1e-9,
      historySize: opts.historySize ?? 100,
      lineSearchFn: opts.lineSearchFn ?? null,
    });
    this.paramShapedState = false;
  }

  override get name(): string {
    return 'LBFGS';
  }

  override addParamGroup(group: ParamGroupInput<LBFGSOptions>): void {
    if (this.paramGroups.length > 0) throw new Error("LBFGS: doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  protected override validateGroup(g: ParamGroupOf<LBFGSOptions>): void {
    checkOption('LBFGS', 'lr', g.lr);
    for (const k of ['maxIter', 'maxEval', 'historySize'] as const) {
      if (!Number.isInteger(g[k]) || g[k] < 1) throw new RangeError(`LBFGS: ${k} must be a positive integer, got ${String(g[k])}`);
    }
    checkOption('LBFGS', 'toleranceGrad', g.toleranceGrad);
    checkOption('LBFGS', 'toleranceChange', g.toleranceChange);
    if (g.lineSearchFn !== null && g.lineSearchFn !== 'strongWolfe') {
      throw new RangeError(`LBFGS: lineSearchFn must be 'strongWolfe' or null, got ${String(g.lineSearchFn)}`);
    }
  }

  private get params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  /** The gradients of all parameters as one flat vector (zeros where a gradient is missing). */
  private flatGrad(): Tensor {
    return cat(this.params.map((p) => (p.grad === null ? zeros([p.numel()], { dtype: p.dtype, device: p.device }) : p.grad.reshape([-1]))), 0);
  }

  /** params += t * d (d flat). */
  private addStep(t: number, d: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      const n = p.numel();
      p.add_(d.narrow(0, offset, n).reshape(p.shape), { alpha: t });
      offset += n;
    }
  }

  step<R extends Tensor | number>(closure?: Closure<R>): R | undefined {
    if (typeof closure !== 'function') throw new TypeError('LBFGS.step: a closure that re-evaluates the loss is required');
    const g = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } = g;
    const first = this.params[0]!;
    let state = this.stateOf(first);
    if (state === undefined) {
      state = { funcEvals: 0, nIter: 0 };
      this.state.set(first, state);
    }
    const st = state;
    const evalLoss = (): number => lossValue(this.evalClosure(closure)!);

    const origLoss = this.evalClosure(closure)!;
    return noGrad(() => {
      let loss = lossValue(origLoss);
      let evals = 1;
      st.funcEvals += 1;
      let flatGrad = this.flatGrad();
      if (absMax(flatGrad) <= toleranceGrad) return origLoss;

      let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = st;
      let iter = 0;
      while (iter < maxIter) {
        iter++;
        st.nIter++;
        if (st.nIter === 1) {
          d = flatGrad.neg();
          oldDirs = [];
          oldStps = [];
          ro = [];
          hDiag = 1;
        } else {
          // Update the curvature pairs with the last step, when it had positive curvature.
          const y = flatGrad.sub(prevFlatGrad!);
          const s = d!.mul(t!);
          const ys = Number(dot(y, s).item());
          if (ys > 1e-10) {
            if (oldDirs!.length === historySize) {
              oldDirs!.shift();
              oldStps!.shift();
              ro!.shift();
            }
            oldDirs!.push(y);
            oldStps!.push(s);
            ro!.push(1 / ys);
            hDiag = ys / Number(dot(y, y).item());
          }
          // Two-loop recursion: d = -H g with H the L-BFGS inverse-Hessian approximation.
          const k = oldDirs!.length;
          const al = new Array<number>(k);
          const q = flatGrad.neg();
          for (let i = k - 1; i >= 0; i--) {
            al[i] = Number(dot(oldStps![i]!, q).item()) * ro![i]!;
            q.add_(oldDirs![i]!, { alpha: -al[i]! });
          }
          const r = q.mul(hDiag!);
          for (let i = 0; i < k; i++) {
            const be = Number(dot(oldDirs![i]!, r).item()) * ro![i]!;
            r.add_(oldStps![i]!, { alpha: al[i]! - be });
          }
          d = r;
        }
        prevFlatGrad = flatGrad.clone();
        prevLoss = loss;
        // The first step is scaled down by the gradient's size: there is no curvature yet.
        t = st.nIter === 1 ? Math.min(1, 1 / Number(flatGrad.abs().sum().item())) * lr : lr;
        const gtd = Number(dot(flatGrad, d!).item());
        if (gtd > -toleranceChange) break; // not a descent direction

        let lsEvals = 0;
        let converged = false;
        if (lineSearchFn === 'strongWolfe') {
          const start = this.params.map((p) => p.clone());
          const dir = d!;
          const evaluate = (s: number): { f: number; g: Tensor } => {
            this.addStep(s, dir);
            const f = evalLoss();
            const grad = this.flatGrad();
            this.params.forEach((p, i) => p.copy_(start[i]!));
            return { f, g: grad };
          };
          const ls = strongWolfe(evaluate, t, dir, loss, flatGrad, gtd);
          loss = ls.f;
          flatGrad = ls.g;
          t = ls.t;
          lsEvals = ls.evals;
          this.addStep(t, dir);
          converged = absMax(flatGrad) <= toleranceGrad;
        } else {
          this.addStep(t, d!);
          if (iter !== maxIter) {
            // Re-evaluate for the next iteration (the last one's gradient would go unused).
            loss = evalLoss();
            flatGrad = this.flatGrad();
            converged = absMax(flatGrad) <= toleranceGrad;
            lsEvals = 1;
          }
        }
        evals += lsEvals;
        st.funcEvals += lsEvals;
        if (iter === maxIter || evals >= maxEval || converged) break;
        if (absMax(d!.mul(t)) <= toleranceChange) break; // the step barely moves the parameters
        if (Math.abs(loss - prevLoss) < toleranceChange) break; // the loss barely changes
      }
      Object.assign(st, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
      return origLoss;
    });
  }
}
