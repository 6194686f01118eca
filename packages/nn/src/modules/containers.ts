/**
 * Module containers: Sequential, ModuleList and ModuleDict (torch.nn's). Their entries are ordinary
 * members of the module (properties named '0', '1', ... or by key), so they appear in
 * parameters(), stateDict() and the printed tree like any field.
 */
import { Module } from './module.js';
import type { Tensor } from '@cinder/tensor';
import { Trainer, type BatchSource, type EvaluateOptions, type FitOptions, type History, type PredictOptions } from '../keras/training.js';
import type { CompileOptions } from '../keras/compile.js';

/** The Keras state of each Sequential (kept off the module, so it is never taken for a member). */
const TRAINERS = new WeakMap<object, Trainer>();

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object' || typeof v === 'function') return `an object of type ${(v as object).constructor?.name ?? 'Object'}`;
  return `a ${typeof v}`;
}

function checkModule(op: string, m: unknown): Module {
  if (!(m instanceof Module)) throw new TypeError(`${op}: ${kindOf(m)} is not an nn.Module`);
  return m;
}

/** A position in [-n, n) (or [-n, n] for insertion) made non-negative, or a RangeError naming the op. */
export function normalizeIndex(op: string, index: number, n: number, inclusive = false): number {
  const hi = inclusive ? n : n - 1;
  if (!Number.isInteger(index) || index < -n || index > hi) {
    throw new RangeError(`${op}: index ${String(index)} is out of range for a container of length ${n}`);
  }
  return index < 0 ? index + n : index;
}

/** Ordered [name, module] entries from a record, a Map or an iterable of pairs. */
function namedEntries(op: string, src: Record<string, Module> | Iterable<[string, Module]>): [string, Module][] {
  const pairs = typeof (src as Iterable<unknown>)[Symbol.iterator] === 'function' ? [...(src as Iterable<[string, Module]>)] : Object.entries(src);
  return pairs.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`${op}: entry ${i} is not a [name, module] pair`);
    return [pair[0], checkModule(op, pair[1])];
  });
}

/** The shared machinery of the list-like containers: modules under the names '0', '1', ... */
abstract class IndexedModules extends Module {
  /** Numeric access as in PyTorch: `seq[0]`. */
  [index: number]: Module;

  protected get opName(): string {
    return this._getName();
  }

  protected names(): string[] {
    return this._memberNames('module');
  }

  get length(): number {
    return this.names().length;
  }

  /** The module at `index` (negative counts from the end). */
  get(index: number): Module {
    const names = this.names();
    const i = normalizeIndex(`${this.opName}.get`, index, names.length);
    return (this as unknown as Record<string, Module>)[names[i]!]!;
  }

  /** Replaces the module at `index`, keeping its name. */
  set(index: number, module: Module): void {
    const names = this.names();
    const op = `${this.opName}.set`;
    const i = normalizeIndex(op, index, names.length);
    this.registerModule(names[i]!, checkModule(op, module));
  }

  /** Adds a module at the end. */
  append(module: Module): this {
    this.registerModule(String(this.length), checkModule(`${this.opName}.append`, module));
    return this;
  }

  /** Appends every module of an iterable. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module before `index`; entries are renumbered 0, 1, ... */
  insert(index: number, module: Module): this {
    const op = `${this.opName}.insert`;
    const mods = [...this];
    mods.splice(normalizeIndex(op, index, mods.length, true), 0, checkModule(op, module));
    this.renumber(mods);
    return this;
  }

  /** Removes and returns the module at `index` (default: the last); entries are renumbered. */
  pop(index = -1): Module {
    const mods = [...this];
    const [m] = mods.splice(normalizeIndex(`${this.opName}.pop`, index, mods.length), 1);
    this.renumber(mods);
    return m!;
  }

  protected renumber(mods: readonly Module[]): void {
    for (const name of this.names()) this._removeMember(name);
    mods.forEach((m, i) => this.registerModule(String(i), m));
  }

  *[Symbol.iterator](): IterableIterator<Module> {
    const self = this as unknown as Record<string, Module | null>;
    for (const name of this.names()) {
      const m = self[name];
      if (m instanceof Module) yield m;
    }
  }
}

/**
 * Modules applied in order, each to the previous one's output. Built from modules, or from named
 * modules (a record, a Map or [name, module] pairs); grows with append() (or Keras's add()).
 * @example
 * ```ts
 * const seq = new nn.Sequential(new Scale(2), new Scale(3));
 * seq.forward(x);                    // x * 2 * 3
 * seq.length;                        // 2
 * seq[0]; seq.get(-1);               // the first and the last module
 * const named = new nn.Sequential({ twice: new Scale(2), thrice: new Scale(3) });
 * named.namedChildren().map(([n]) => n); // ['twice', 'thrice']
 * ```
 */
export class Sequential extends IndexedModules {
  constructor(...modules: Module[]);
  constructor(named: Record<string, Module> | Map<string, Module> | Iterable<[string, Module]>);
  constructor(...args: unknown[]) {
    super();
    const first = args[0];
    if (args.length === 1 && !(first instanceof Module) && first !== null && typeof first === 'object') {
      for (const [name, m] of namedEntries('Sequential', first as Record<string, Module>)) this.registerModule(name, m);
    } else {
      args.forEach((m, i) => this.registerModule(String(i), checkModule('Sequential', m)));
    }
  }

  /** Keras's name for append(). */
  add(module: Module): this {
    return this.append(module);
  }

  /**
   * Keras's compile(): the optimizer (an optim.Optimizer, a name such as 'adam', or a factory of the
   * parameters), the loss (a name such as 'crossEntropy', a function or a loss module) and metrics
   * (e.g. ['accuracy']) that fit() and evaluate() use.
   */
  compile(opts: CompileOptions): this {
    this.trainer().compile(opts);
    return this;
  }

  /**
   * Trains for `epochs` over tensors x, y (batched and shuffled here) or batches from a DataLoader,
   * with a progress bar, validation, and callbacks; resolves to the per-epoch History.
   */
  fit(x: Tensor, y: Tensor, opts?: FitOptions): Promise<History>;
  fit(data: BatchSource, opts?: FitOptions): Promise<History>;
  fit(x: Tensor | BatchSource, y?: Tensor | FitOptions, opts?: FitOptions): Promise<History> {
    return this.trainer().fit(x, y, opts);
  }

  /** The compiled loss and metrics over the data: { loss, accuracy, ... }. */
  evaluate(x: Tensor, y: Tensor, opts?: EvaluateOptions): Promise<Record<string, number>>;
  evaluate(data: BatchSource, opts?: EvaluateOptions): Promise<Record<string, number>>;
  evaluate(x: Tensor | BatchSource, y?: Tensor | EvaluateOptions, opts?: EvaluateOptions): Promise<Record<string, number>> {
    return this.trainer().evaluate(x, y, opts);
  }

  /** Outputs for every sample (eval mode, no gradients), concatenated along dim 0. */
  predict(x: Tensor | BatchSource, opts?: PredictOptions): Promise<Tensor> {
    return this.trainer().predict(x, opts);
  }

  private trainer(): Trainer {
    let t = TRAINERS.get(this);
    if (t === undefined) {
      t = new Trainer(this);
      TRAINERS.set(this, t);
    }
    return t;
  }

  /** A Sequential of the modules in [start, end) (negative counts from the end), keeping their names. */
  slice(start?: number, end?: number): Sequential {
    const self = this as unknown as Record<string, Module>;
    return new Sequential(this.names().slice(start, end).map((n): [string, Module] => [n, self[n]!]));
  }

  override forward(input: any): any {
    const self = this as unknown as Record<string, Module | null>;
    let x = input;
    for (const name of this.names()) {
      const m = self[name];
      if (m instanceof Module) x = m.forward(x);
    }
    return x;
  }
}

/**
 * A list of submodules, registered so that their parameters are the owner's (a plain array of
 * modules is not). It has no forward: index or iterate it inside the owner's forward.
 * @example
 * ```ts
 * const layers = new nn.ModuleList([new Scale(2), new Scale(3)]);
 * layers.append(new Scale(4));
 * for (const layer of layers) x = layer.forward(x);
 * ```
 */
export class ModuleList extends IndexedModules {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** A ModuleList of the modules in [start, end), numbered from 0. */
  slice(start?: number, end?: number): ModuleList {
    return new ModuleList([...this].slice(start, end));
  }
}

/**
 * Submodules by name, in insertion order. Names must not clash with the module's own members
 * (`forward`, `train`, ...), as in PyTorch. Iterating gives the names, as a Python dict does.
 * @example
 * ```ts
 * const heads = new nn.ModuleDict({ policy: new Scale(1), value: new Scale(2) });
 * heads.get('value').forward(x);
 * [...heads.keys()]; // ['policy', 'value']
 * ```
 */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Map<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  get length(): number {
    return this._memberNames('module').length;
  }

  has(key: string): boolean {
    return this._memberNames('module').includes(key);
  }

  /** The module under `key`; an error names the keys there are when there is none. */
  get(key: string): Module {
    const m = this.has(key) ? (this as unknown as Record<string, unknown>)[key] : undefined;
    if (!(m instanceof Module)) throw new Error(`ModuleDict.get: no module under '${key}' (keys: ${this._memberNames('module').join(', ')})`);
    return m;
  }

  set(key: string, module: Module): void {
    this.registerModule(key, checkModule('ModuleDict.set', module));
  }

  /** Removes the module under `key` and returns it. */
  pop(key: string): Module {
    const m = this.get(key);
    this._removeMember(key);
    return m;
  }

  /** Removes the module under `key`; returns whether there was one. */
  delete(key: string): boolean {
    if (!this.has(key)) return false;
    this._removeMember(key);
    return true;
  }

  clear(): void {
    for (const k of this._memberNames('module')) this._removeMember(k);
  }

  /** Adds or replaces entries from a record, a Map or [name, module] pairs. */
  update(modules: Record<string, Module> | Map<string, Module> | Iterable<[string, Module]>): void {
    if (modules === null || typeof modules !== 'object') throw new TypeError(`ModuleDict.update: expected a record, a Map or [name, module] pairs, got ${kindOf(modules)}`);
    for (const [k, m] of namedEntries('ModuleDict.update', modules)) this.registerModule(k, m);
  }

  keys(): string[] {
    return this._memberNames('module');
  }

  values(): Module[] {
    return this.items().map((e) => e[1]);
  }

  items(): [string, Module][] {
    const self = this as unknown as Record<string, unknown>;
    return this._memberNames('module')
      .filter((k) => self[k] instanceof Module)
      .map((k): [string, Module] => [k, self[k] as Module]);
  }

  /** items(), Map's name for it. */
  entries(): [string, Module][] {
    return this.items();
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.keys()[Symbol.iterator]();
  }
}
