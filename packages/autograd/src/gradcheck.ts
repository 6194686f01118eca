/**
 * gradcheck and gradgradcheck (torch.autograd.gradcheck): compare the analytical Jacobian that
 * backward computes with central finite differences, in float64.
 */
import { isFloatingDType, tensor, Tensor, zerosLike } from '@cinder/tensor';
import { grad } from './engine.js';
import { flattenOutputs } from './layer.js';
import { enableGrad, noGrad } from './mode.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw a descriptive Error on failure (default) instead of returning false. */
  raiseException?: boolean;
}

type AnyFn = (...inputs: Tensor[]) => unknown;

function floatOutputs(fn: AnyFn, inputs: readonly Tensor[]): Tensor[] {
  return flattenOutputs(fn(...inputs)).filter((t) => isFloatingDType(t.dtype));
}

/** A tensor shaped like t with a single 1 at flat position r. */
export function oneHot(t: Tensor, r: number): Tensor {
  const v = new Float64Array(t.numel());
  v[r] = 1;
  return tensor(v, { shape: [...t.shape] }).to({ dtype: t.dtype, device: t.device });
}

function values(t: Tensor): Float64Array {
  return Float64Array.from(t.contiguous().to('float64').data() as Float64Array);
}

/** Numerical Jacobian blocks: J[o][i] is a (numel(out o) x numel(in i)) matrix, row-major. */
function numericalJacobian(fn: AnyFn, inputs: readonly Tensor[], eps: number): Float64Array[][] {
  const base = noGrad(() => floatOutputs(fn, inputs));
  const J = base.map((o) => inputs.map((x) => new Float64Array(o.numel() * x.numel())));
  inputs.forEach((x, i) => {
    if (!x.requiresGrad) return;
    const n = x.numel();
    // Inputs are contiguous float64 leaves: write in place (on a device, one element at a time
    // through a 0-d view of it; data() there is a copy).
    const onHost = x.device === 'cpu';
    const data = onHost ? (x.data() as Float64Array) : values(x);
    const set = (k: number, v: number): void => {
      if (onHost) data[k] = v;
      else {
        const e = x._view([], [], x.offset + k);
        noGrad(() => e.fill_(v));
        e.dispose();
      }
      x._st.version++;
    };
    const nOut = base.map((o) => o.numel());
    for (let k = 0; k < n; k++) {
      const orig = data[k]!;
      set(k, orig + eps);
      const plus = noGrad(() => floatOutputs(fn, inputs).map(values));
      set(k, orig - eps);
      const minus = noGrad(() => floatOutputs(fn, inputs).map(values));
      set(k, orig);
      plus.forEach((p, o) => {
        for (let r = 0; r < nOut[o]!; r++) J[o]![i]![r * n + k] = (p[r]! - minus[o]![r]!) / (2 * eps);
      });
    }
  });
  return J;
}

function analyticalJacobian(fn: AnyFn, inputs: readonly Tensor[]): Float64Array[][] {
  const diff = inputs.filter((x) => x.requiresGrad);
  return enableGrad(() => {
    const outs = floatOutputs(fn, inputs);
    return outs.map((o) => {
      const blocks = inputs.map((x) => new Float64Array(o.numel() * x.numel()));
      const n = o.numel();
      if (!o.requiresGrad) return blocks;
      for (let r = 0; r < n; r++) {
        const gs = grad(o, diff, { gradOutputs: [oneHot(o, r)], retainGraph: true, allowUnused: true });
        let k = 0;
        inputs.forEach((x, i) => {
          if (!x.requiresGrad) return;
          const g = gs[k++];
          if (g === null || g === undefined) return;
          if (g.shape.length !== x.shape.length || g.shape.some((s, d) => s !== x.shape[d])) {
            throw new Error(`gradcheck: gradient for input ${i} has shape [${g.shape}], expected [${x.shape}]`);
          }
          const v = values(g);
          blocks[i]!.set(v, r * x.numel());
        });
      }
      return blocks;
    });
  });
}

/**
 * Checks fn's gradients w.r.t. every input that requires grad. Inputs should be float64.
 * @example
 * ```ts
 * const x = rand([3], { dtype: 'float64', requiresGrad: true });
 * gradcheck((t) => t.sin().mul(t), [x]); // true, or throws describing the mismatch
 * ```
 */
export function gradcheck(fn: AnyFn, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  for (const [i, x] of inputs.entries()) {
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new TypeError(`gradcheck: input ${i} is ${x.dtype}; gradcheck needs float64 inputs for accuracy`);
    }
  }
  // Finite differences write into the inputs: give them private contiguous copies.
  const xs = noGrad(() => inputs.map((x) => (x.requiresGrad ? x.detach().clone().requiresGrad_(true) : x)));
  const numerical = numericalJacobian(fn, xs, eps);
  const analytical = analyticalJacobian(fn, xs);
  for (let o = 0; o < numerical.length; o++) {
    for (let i = 0; i < xs.length; i++) {
      const a = analytical[o]![i]!;
      const n = numerical[o]![i]!;
      for (let k = 0; k < a.length; k++) {
        if (!(Math.abs(a[k]! - n[k]!) <= atol + rtol * Math.abs(n[k]!))) {
          if (options.raiseException === false) return false;
          const cols = xs[i]!.numel();
          throw new Error(
            `gradcheck: Jacobian mismatch for output ${o} with respect to input ${i}, ` +
              `at output element ${Math.floor(k / cols)}, input element ${k % cols}: ` +
              `numerical ${n[k]}, analytical ${a[k]} (atol ${atol}, rtol ${rtol})`,
          );
        }
      }
    }
  }
  return true;
}

/**
 * Checks second derivatives: gradcheck of the function (inputs, gradOutputs) -> grad(fn(inputs),
 * inputs, gradOutputs) with createGraph.
 */
export function gradgradcheck(fn: AnyFn, inputs: readonly Tensor[], options: GradcheckOptions & { seed?: number } = {}): boolean {
  const outs = enableGrad(() => floatOutputs(fn, inputs.map((x) => (x.requiresGrad ? x.detach().requiresGrad_(true) : x))));
  let s = options.seed ?? 1;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const gradOutputs = outs.map((o) => {
    const d = new Float64Array(o.numel());
    for (let k = 0; k < d.length; k++) d[k] = rnd();
    return tensor(d, { shape: [...o.shape], device: o.device }).requiresGrad_(true);
  });
  const nIn = inputs.length;
  const diffIdx = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  // Finite differences run fn under noGrad; the first-order gradients inside need grad mode.
  const first = (...args: Tensor[]): Tensor[] => enableGrad(() => {
    const xs = args.slice(0, nIn);
    const gos = args.slice(nIn);
    const ys = floatOutputs(fn, xs);
    const usable = ys.map((y, k) => [y, gos[k]!] as const).filter(([y]) => y.requiresGrad);
    if (usable.length === 0) return diffIdx.map((i) => zerosLike(xs[i]!));
    const gs = grad(usable.map(([y]) => y), diffIdx.map((i) => xs[i]!), {
      gradOutputs: usable.map(([, g]) => g),
      createGraph: true,
      allowUnused: true,
    });
    return gs.map((g, k) => g ?? zerosLike(xs[diffIdx[k]!]!));
  });
  return gradcheck(first, [...inputs, ...gradOutputs], options);
}
