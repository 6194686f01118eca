/** Functional transforms built on grad(): vjp, jvp, jacobian, hessian (torch.autograd.functional). */
import { stack, Tensor, zerosLike } from '@cinder/tensor';
import { grad } from './engine.js';
import { oneHot } from './gradcheck.js';
import { enableGrad } from './mode.js';

type Fn = (...inputs: Tensor[]) => Tensor;

function asList(x: Tensor | readonly Tensor[]): Tensor[] {
  return x instanceof Tensor ? [x] : [...x];
}

/** Fresh leaves that require grad, sharing the inputs' values. */
function leaves(inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((t) => t.detach().requiresGrad_(true));
}

/**
 * Vector-Jacobian product: [fn(inputs), v^T J] (v defaults to 1 for a scalar output).
 * @example
 * ```ts
 * const [y, [g]] = vjp((x) => x.square().sum(), [tensor([1, 2])]); // g = [2, 4]
 * ```
 */
export function vjp(fn: Fn, inputs: Tensor | readonly Tensor[], v?: Tensor, options: { createGraph?: boolean } = {}): [Tensor, Tensor[]] {
  const xs = leaves(asList(inputs));
  return enableGrad(() => {
    const out = fn(...xs);
    if (!out.requiresGrad) return [out.detach(), xs.map((x) => zerosLike(x))];
    const gs = grad(out, xs, { gradOutputs: v ? [v] : undefined, createGraph: options.createGraph ?? false, allowUnused: true });
    return [options.createGraph ? out : out.detach(), gs.map((g, i) => g ?? zerosLike(xs[i]!))];
  });
}

/**
 * Jacobian-vector product: [fn(inputs), J v], by the double-vjp trick (the vjp is linear in its
 * cotangent, so differentiating it w.r.t. the cotangent gives J v).
 */
export function jvp(fn: Fn, inputs: Tensor | readonly Tensor[], v: Tensor | readonly Tensor[]): [Tensor, Tensor] {
  const xs = leaves(asList(inputs));
  const vs = asList(v);
  if (vs.length !== xs.length) throw new Error(`jvp: expected ${xs.length} tangent(s), got ${vs.length}`);
  return enableGrad(() => {
    const out = fn(...xs);
    const u = zerosLike(out).requiresGrad_(true);
    const gs = grad(out, xs, { gradOutputs: [u], createGraph: true, allowUnused: true });
    const used = gs.map((g, i) => [g, vs[i]!] as const).filter(([g]) => g !== null && g.requiresGrad);
    if (used.length === 0) return [out.detach(), zerosLike(out)];
    const [jv] = grad(used.map(([g]) => g!), u, { gradOutputs: used.map(([, t]) => t), allowUnused: true });
    return [out.detach(), jv ?? zerosLike(out)];
  });
}

/**
 * The Jacobian of fn at `inputs`: for one input, a tensor of shape [...out.shape, ...in.shape];
 * for several, one such tensor per input.
 */
export function jacobian(fn: Fn, inputs: Tensor | readonly Tensor[], options: { createGraph?: boolean } = {}): Tensor | Tensor[] {
  const single = inputs instanceof Tensor;
  const xs = leaves(asList(inputs));
  const createGraph = options.createGraph ?? false;
  const result = enableGrad(() => {
    const out = fn(...xs);
    const n = out.numel();
    const rows: Tensor[][] = xs.map(() => []);
    for (let j = 0; j < n; j++) {
      const gs = out.requiresGrad
        ? grad(out, xs, { gradOutputs: [oneHot(out, j)], retainGraph: true, createGraph, allowUnused: true })
        : xs.map(() => null);
      gs.forEach((g, i) => rows[i]!.push(g ?? zerosLike(xs[i]!)));
    }
    return xs.map((x, i) => {
      const stacked = n === 0 ? zerosLike(x).reshape([0, ...x.shape]) : stack(rows[i]!, 0);
      return stacked.reshape([...out.shape, ...x.shape]);
    });
  });
  return single ? result[0]! : result;
}

/** The Hessian of a scalar fn: the Jacobian of its gradient. */
export function hessian(fn: Fn, inputs: Tensor | readonly Tensor[]): Tensor | Tensor[] {
  const single = inputs instanceof Tensor;
  const list = asList(inputs);
  if (!single && list.length !== 1) {
    // Several inputs: the block Hessian over their concatenation is rarely what's wanted; do one.
    throw new Error('hessian: pass a single input tensor (concatenate several inputs into one)');
  }
  const gradFn = (x: Tensor): Tensor => {
    const y = fn(x);
    if (y.numel() !== 1) throw new Error(`hessian: fn must return a single-element tensor, got shape [${y.shape.join(', ')}]`);
    const [g] = grad(y, x, { createGraph: true, allowUnused: true });
    return g ?? zerosLike(x);
  };
  const h = jacobian(gradFn, list[0]!);
  return single ? h : [h as Tensor];
}
