/** Sequential: modules (or plain functions) applied in order, each to the previous one's output. */
import { Module } from './module.js';

/** A layer of a Sequential: a module or a function such as `(x) => x.relu()`. */
export type Layer = Module | ((...args: any[]) => unknown); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs a layer: a module through `call`, a function directly. */
export function applyLayer(layer: Layer, args: unknown[]): unknown {
  return layer instanceof Module ? (layer.call as (...a: unknown[]) => unknown)(...args) : layer(...args);
}

/**
 * Applies its layers in order: the first gets `call`'s arguments, each next one the previous output.
 * @example
 * ```ts
 * import { randn, type Tensor } from '@cinder/tensor';
 * import { Linear, Sequential } from '@cinder/modules';
 * const net = new Sequential([new Linear(8), (x: Tensor) => x.relu(), new Linear(2)]);
 * console.log(net.call(randn([4, 3])).shape, net.variables.length); // [ 4, 2 ] 4
 * ```
 */
export class Sequential extends Module {
  readonly layers: readonly Layer[];

  constructor(layers: readonly Layer[] = [], opts: { name?: string } = {}) {
    super({ name: opts.name });
    this.recordArgs(layers, opts);
    if (!Array.isArray(layers)) throw new TypeError(`Sequential: expected an array of modules or functions, got ${typeof layers}`);
    layers.forEach((l, i) => {
      if (!(l instanceof Module) && typeof l !== 'function') throw new TypeError(`Sequential: layer ${i} is neither a Module nor a function (${String(l)})`);
    });
    this.layers = [...layers];
  }

  forward(...args: any[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (this.layers.length === 0) return args.length === 1 ? args[0] : args;
    let out = applyLayer(this.layers[0]!, args);
    for (let i = 1; i < this.layers.length; i++) out = applyLayer(this.layers[i]!, [out]);
    return out;
  }
}
