/**
 * ParameterList and ParameterDict: parameters held in a list or by name, registered so that they
 * are the owner's parameters. A plain Tensor put in one is wrapped in a Parameter, as in PyTorch.
 */
import { Tensor } from '@cinder/tensor';
import { normalizeIndex } from './containers.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

function asParameter(op: string, t: unknown): Parameter {
  if (t instanceof Parameter) return t;
  if (t instanceof Tensor) return new Parameter(t);
  const what = t === null ? 'null' : typeof t === 'object' ? `an object of type ${(t as object).constructor?.name ?? 'Object'}` : `a ${typeof t}`;
  throw new TypeError(`${op}: expected a Tensor or an nn.Parameter, got ${what}`);
}

function describeParam(p: Tensor): string {
  return `${p instanceof Parameter ? 'Parameter' : 'Tensor'} containing: [${p.dtype} of size ${p.shape.join('x')}]`;
}

/**
 * Parameters in a list.
 * @example
 * ```ts
 * const ps = new nn.ParameterList([zeros([3]), zeros([2, 2])]); // wrapped in Parameters
 * ps.append(new nn.Parameter(ones([4])));
 * ps.get(-1).shape; // [4]
 * ```
 */
export class ParameterList extends Module {
  [index: number]: Parameter;

  constructor(values: Iterable<Tensor> = []) {
    super();
    this.extend(values);
  }

  private names(): string[] {
    return this._memberNames('param');
  }

  get length(): number {
    return this.names().length;
  }

  get(index: number): Parameter {
    const names = this.names();
    return (this as unknown as Record<string, Parameter>)[names[normalizeIndex('ParameterList.get', index, names.length)]!]!;
  }

  /** Replaces the parameter at `index`. */
  set(index: number, value: Tensor): void {
    const names = this.names();
    const name = names[normalizeIndex('ParameterList.set', index, names.length)]!;
    this.registerParameter(name, asParameter('ParameterList.set', value));
  }

  append(value: Tensor): this {
    this.registerParameter(String(this.length), asParameter('ParameterList.append', value));
    return this;
  }

  extend(values: Iterable<Tensor>): this {
    if (values === null || typeof (values as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
      throw new TypeError('ParameterList.extend: expected an iterable of tensors');
    }
    for (const v of values) this.append(v);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<Parameter> {
    const self = this as unknown as Record<string, Parameter | null>;
    for (const n of this.names()) {
      const p = self[n];
      if (p instanceof Parameter) yield p;
    }
  }

  override extraRepr(): string {
    return [...this].map((p, i) => `(${i}): ${describeParam(p)}`).join('\n');
  }
}

/**
 * Parameters by name, in insertion order. Iterating gives the names.
 * @example
 * ```ts
 * const pd = new nn.ParameterDict({ scale: ones([3]), shift: zeros([3]) });
 * pd.get('scale').requiresGrad; // true
 * ```
 */
export class ParameterDict extends Module {
  constructor(values: Record<string, Tensor> | Map<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    this.update(values);
  }

  get length(): number {
    return this.keys().length;
  }

  has(key: string): boolean {
    return this.keys().includes(key);
  }

  get(key: string): Parameter {
    const p = this.has(key) ? (this as unknown as Record<string, unknown>)[key] : undefined;
    if (!(p instanceof Parameter)) throw new Error(`ParameterDict.get: no parameter under '${key}' (keys: ${this.keys().join(', ')})`);
    return p;
  }

  set(key: string, value: Tensor): void {
    this.registerParameter(key, asParameter('ParameterDict.set', value));
  }

  pop(key: string): Parameter {
    const p = this.get(key);
    this._removeMember(key);
    return p;
  }

  delete(key: string): boolean {
    if (!this.has(key)) return false;
    this._removeMember(key);
    return true;
  }

  clear(): void {
    for (const k of this.keys()) this._removeMember(k);
  }

  update(values: Record<string, Tensor> | Map<string, Tensor> | Iterable<[string, Tensor]>): void {
    if (values === null || typeof values !== 'object') throw new TypeError('ParameterDict.update: expected a record, a Map or [name, tensor] pairs');
    const pairs = typeof (values as Iterable<unknown>)[Symbol.iterator] === 'function' ? [...(values as Iterable<[string, Tensor]>)] : Object.entries(values);
    pairs.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`ParameterDict.update: entry ${i} is not a [name, tensor] pair`);
      this.set(pair[0], pair[1]);
    });
  }

  keys(): string[] {
    return this._memberNames('param');
  }

  values(): Parameter[] {
    return this.items().map((e) => e[1]);
  }

  items(): [string, Parameter][] {
    const self = this as unknown as Record<string, unknown>;
    return this.keys()
      .filter((k) => self[k] instanceof Parameter)
      .map((k): [string, Parameter] => [k, self[k] as Parameter]);
  }

  entries(): [string, Parameter][] {
    return this.items();
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  override extraRepr(): string {
    return this.items().map(([k, p]) => `(${k}): ${describeParam(p)}`).join('\n');
  }
}
