/** BatchApply: runs a module on inputs with extra leading dims by merging them into one. */
import { Tensor } from '@cinder/tensor';
import { applyLayer, type Layer } from './sequential.js';
import { Module } from './module.js';

export interface BatchApplyOptions {
  /** How many leading dims are merged (default 2). */
  numDims?: number;
  name?: string;
}

function mapTensors(v: unknown, fn: (t: Tensor) => Tensor): unknown {
  if (v instanceof Tensor) return fn(v);
  if (Array.isArray(v)) return v.map((x) => mapTensors(x, fn));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapTensors(x, fn)]));
  }
  return v;
}

/**
 * Merges the first `numDims` dims of every tensor argument into one, runs the module (or function),
 * and splits the first dim of every tensor in the result back: a [T, B, ...] sequence through a
 * module that takes [N, ...].
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { BatchApply, Linear } from '@cinder/modules';
 * const perStep = new BatchApply(new Linear(4));
 * console.log(perStep.call(randn([5, 2, 3])).shape); // [ 5, 2, 4 ]
 * ```
 */
export class BatchApply extends Module {
  readonly module: Layer;
  readonly numDims: number;

  constructor(module: Layer, opts: BatchApplyOptions = {}) {
    super({ name: opts.name });
    this.recordArgs(module, opts);
    if (!(module instanceof Module) && typeof module !== 'function') throw new TypeError(`BatchApply: expected a Module or a function, got ${String(module)}`);
    const n = opts.numDims ?? 2;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`BatchApply: numDims must be a positive integer, got ${String(opts.numDims)}`);
    this.module = module;
    this.numDims = n;
  }

  forward(...args: any[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    const n = this.numDims;
    let lead: number[] | null = null;
    const merged = args.map((a) =>
      mapTensors(a, (t) => {
        if (t.ndim < n) throw new RangeError(`BatchApply '${this.scopeName}': input of shape [${t.shape.join(', ')}] has fewer than numDims=${n} dims`);
        const l = t.shape.slice(0, n);
        if (lead === null) lead = l;
        else if (l.some((s, i) => s !== lead![i])) {
          throw new RangeError(`BatchApply '${this.scopeName}': inputs disagree on the leading dims: [${lead.join(', ')}] and [${l.join(', ')}]`);
        }
        return t.reshape([-1, ...t.shape.slice(n)]);
      }),
    );
    if (lead === null) throw new TypeError(`BatchApply '${this.scopeName}': no tensor among the arguments`);
    const leadDims: number[] = lead;
    const out = applyLayer(this.module, merged);
    return mapTensors(out, (t) => t.reshape([...leadDims, ...t.shape.slice(1)]));
  }
}
