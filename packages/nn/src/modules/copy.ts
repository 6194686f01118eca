/**
 * nn.deepCopy: an independent copy of a module tree (Python's copy.deepcopy of an nn.Module, which
 * TransformerEncoder and TransformerDecoder use to stack copies of one layer). Parameters and
 * buffers are cloned (same values, dtype, device and requiresGrad; no gradients), submodules are
 * copied recursively, and other fields are copied when they are arrays, plain objects, Maps, Sets
 * or typed arrays. Functions and instances of other classes are shared, as are strings and numbers.
 * A tensor or module reachable twice is copied once, so tied weights stay tied in the copy.
 * The copy has the source's training mode and no hooks.
 * @example
 * ```ts
 * const layer = new nn.Linear(4, 4);
 * const twin = nn.deepCopy(layer);   // same weights, separate storage
 * ```
 */
import { Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import { copyModuleState, Module } from './module.js';
import { Parameter } from './parameter.js';

type Memo = Map<object, unknown>;

function define(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function copyTensor(t: Tensor): Tensor {
  if (t instanceof Parameter) return new Parameter(t.detach().clone(), t.requiresGrad);
  const c = t.detach().clone();
  if (t.requiresGrad && t.isLeaf) c.requiresGrad = true;
  return c;
}

function copyValue(v: unknown, memo: Memo): unknown {
  if (v === null || typeof v !== 'object') return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  if (v instanceof Tensor) {
    const c = copyTensor(v);
    memo.set(v, c);
    return c;
  }
  if (v instanceof Module) {
    // A shell of the same class: Module's own state is initialised, the subclass's constructor
    // does not run (its fields are copied below).
    const c = Reflect.construct(Module, [], v.constructor) as Module;
    memo.set(v, c);
    for (const key of Object.keys(v)) define(c, key, copyValue((v as unknown as Record<string, unknown>)[key], memo));
    copyModuleState(v, c);
    return c;
  }
  if (Array.isArray(v)) {
    const c: unknown[] = [];
    memo.set(v, c);
    for (const e of v) c.push(copyValue(e, memo));
    return c;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const c = (v as unknown as { slice(): unknown }).slice();
    memo.set(v, c);
    return c;
  }
  if (v instanceof Map) {
    const c = new Map();
    memo.set(v, c);
    for (const [k, e] of v) c.set(copyValue(k, memo), copyValue(e, memo));
    return c;
  }
  if (v instanceof Set) {
    const c = new Set();
    memo.set(v, c);
    for (const e of v) c.add(copyValue(e, memo));
    return c;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === Object.prototype || proto === null) {
    const c = Object.create(proto as object | null) as Record<string, unknown>;
    memo.set(v, c);
    for (const key of Object.keys(v)) define(c, key, copyValue((v as Record<string, unknown>)[key], memo));
    return c;
  }
  return v;
}

/** A deep copy of `module`: same structure and values, its own parameters and buffers. */
export function deepCopy<T extends Module>(module: T): T {
  if (!(module instanceof Module)) {
    throw new TypeError(`deepCopy: expected an nn.Module, got ${module === null ? 'null' : typeof module}`);
  }
  return noGrad(() => copyValue(module, new Map()) as T);
}
