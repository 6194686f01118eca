/**
 * Trajectories and learning-rate sequences against PyTorch 1.13 (test/golden/*.json, written by
 * scripts/golden.py): the optimizers over six steps of a pulled quadratic, L-BFGS on Rosenbrock's
 * function, and every scheduler's rates (and OneCycleLR's momentum) step by step.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor, type DType, type NestedArray, type Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import { optim } from '../src/index.js';

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const flat = (v: NestedArray): number[] => (Array.isArray(v) ? v.flatMap((x) => flat(x)) : [v as number]);
const vals = (t: Tensor): number[] => Array.from(t.detach().to('float64').contiguous().data() as Float64Array);

/** Normwise relative error: max |a - b| / max |b| (entries near 0 are judged at the tensor's scale). */
function relErr(a: readonly number[], b: readonly number[]): number {
  let worst = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!);
    if (!(e <= worst)) worst = e;
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return worst / scale;
}

interface OptimCase {
  optimizer: string;
  options: Record<string, unknown>;
  dtype: DType;
  shapes: number[][];
  params: NestedArray[];
  grads: NestedArray[][];
  trajectory: NestedArray[][];
  groups?: { params: number[]; options: Record<string, unknown> }[];
  skip?: [number, number][];
}

interface LbfgsCase {
  options: Record<string, unknown>;
  params: number[];
  trajectory: number[][];
  losses: number[];
  evals: number[];
  funcEvals: number;
  nIter: number;
}

type AnyCtor = new (params: unknown, opts?: Record<string, unknown>) => optim.Optimizer;
const ctor = (name: string): AnyCtor => (optim as unknown as Record<string, AnyCtor>)[name]!;

describe('optimizers against PyTorch 1.13', () => {
  const golden = load('optim.json') as { cases: OptimCase[]; lbfgs: LbfgsCase[] };
  for (const c of golden.cases) {
    const label = `${c.optimizer} ${c.dtype} ${JSON.stringify(c.options)}${c.groups ? ' with groups' : ''}${c.skip ? ' with missing grads' : ''}`;
    it(label, () => {
      const params = c.params.map((v) => tensor(v, { dtype: c.dtype, requiresGrad: true }));
      const arg = c.groups ? c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options })) : params;
      const opt = new (ctor(c.optimizer))(arg, c.options);
      const tol = c.dtype === 'float32' ? 1e-6 : 1e-13;
      c.grads.forEach((row, k) => {
        params.forEach((p, i) => {
          const skipped = c.skip?.some(([s, j]) => s === k && j === i) ?? false;
          p.grad = skipped ? null : noGrad(() => tensor(row[i]!, { dtype: c.dtype }).add(p.mul(0.5)));
        });
        opt.step();
        params.forEach((p, i) => {
          expect(relErr(vals(p), flat(c.trajectory[k]![i]!)), `step ${k + 1}, param ${i}`).toBeLessThan(tol);
        });
      });
    });
  }

  for (const c of golden.lbfgs) {
    it(`LBFGS ${JSON.stringify(c.options)} on Rosenbrock's function`, () => {
      const x = tensor(c.params, { dtype: 'float64', requiresGrad: true });
      const opt = new optim.LBFGS([x], c.options);
      let evals = 0;
      const closure = (): Tensor => {
        opt.zeroGrad();
        const head = x.narrow(0, 0, x.shape[0]! - 1);
        const tail = x.narrow(0, 1, x.shape[0]! - 1);
        const loss = tail.sub(head.square()).square().mul(100).add(head.neg().add(1).square()).sum();
        loss.backward();
        evals++;
        return loss;
      };
      c.trajectory.forEach((expected, k) => {
        const loss = opt.step(closure)!;
        expect(loss.item() as number).toBeCloseTo(c.losses[k]!, 8);
        expect(evals, `closure calls after step ${k + 1}`).toBe(c.evals[k]);
        expect(relErr(vals(x), expected), `params after step ${k + 1}`).toBeLessThan(1e-9);
      });
      const st = opt.state.get(x)!;
      expect([st.funcEvals, st.nIter]).toEqual([c.funcEvals, c.nIter]);
    });
  }
});

interface SchedSpec {
  cls: string;
  args?: unknown[];
  opts?: Record<string, unknown>;
  schedulers?: SchedSpec[];
  milestones?: number[];
}
interface SchedCase extends SchedSpec {
  steps?: number;
  epochs?: number[];
  metrics?: number[];
  lrs: number[];
  optimizer: 'SGD' | 'Adam';
  expected: number[][];
  momentum?: (number | null)[][];
  lastLr?: number[];
}

const lambda = (src: string): ((e: number) => number) => new Function('e', `return ${src};`) as (e: number) => number;

function build(spec: SchedSpec, opt: optim.Optimizer): optim.LRScheduler | optim.ChainedScheduler | optim.ReduceLROnPlateau {
  const s = optim as unknown as Record<string, new (...a: unknown[]) => optim.LRScheduler>;
  if (spec.cls === 'SequentialLR') return new optim.SequentialLR(opt, spec.schedulers!.map((x) => build(x, opt) as optim.LRScheduler), spec.milestones!);
  if (spec.cls === 'ChainedScheduler') return new optim.ChainedScheduler(spec.schedulers!.map((x) => build(x, opt) as optim.LRScheduler));
  let args = spec.args ?? [];
  if (spec.cls === 'LambdaLR' || spec.cls === 'MultiplicativeLR') {
    const a = args[0] as string | string[];
    args = [Array.isArray(a) ? a.map(lambda) : lambda(a)];
  }
  return new s[spec.cls]!(opt, ...args, spec.opts ?? {});
}

describe('lr schedulers against PyTorch 1.13', () => {
  const golden = load('lrScheduler.json') as { cases: SchedCase[] };
  for (const c of golden.cases) {
    const label = `${c.cls} ${JSON.stringify(c.args ?? c.schedulers?.map((s) => s.cls) ?? [])} ${JSON.stringify(c.opts ?? {})}`;
    it(label, () => {
      const groups = c.lrs.map((lr) => ({ params: [tensor([0], { dtype: 'float32', requiresGrad: true })], lr }));
      const opt = c.optimizer === 'SGD' ? new optim.SGD(groups, { lr: c.lrs[0], momentum: 0.9 }) : new optim.Adam(groups, { lr: c.lrs[0] });
      const sched = build(c, opt);
      const lrs = (): number[] => opt.paramGroups.map((g) => g.lr);
      const moms = (): number[] => opt.paramGroups.map((g) => (g.betas !== undefined ? (g.betas as number[])[0]! : (g.momentum as number)));
      const check = (k: number): void => {
        const got = lrs();
        c.expected[k]!.forEach((e, i) => expect(got[i], `lr of group ${i} after ${k} step(s)`).toBeCloseTo(e, 14));
        if (c.momentum && c.momentum[k]) c.momentum[k]!.forEach((e, i) => expect(moms()[i], `momentum after ${k} step(s)`).toBeCloseTo(e!, 14));
      };
      check(0);
      const n = c.metrics?.length ?? c.epochs?.length ?? c.steps!;
      for (let k = 0; k < n; k++) {
        opt.step();
        if (c.metrics) (sched as optim.ReduceLROnPlateau).step(c.metrics[k]!);
        else if (c.epochs) (sched as optim.LRScheduler).step(c.epochs[k]!);
        else (sched as optim.LRScheduler | optim.ChainedScheduler).step();
        check(k + 1);
      }
      if (c.lastLr) c.lastLr.forEach((e, i) => expect(sched.getLastLr()[i]).toBeCloseTo(e, 14));
    });
  }
});
