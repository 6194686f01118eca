/**
 * Module: Sonnet's one abstraction. A module owns named variables, creates them on its first call
 * from the input's shape, and finds its variables and submodules by walking its own fields.
 *
 * Names come from name scopes: a module's scope is its parent's scope, a slash, then its own name
 * made unique among the parent's children (`mlp/linear_0`, a second default-named `linear` becoming
 * `linear_1`), and a variable's name is its module's scope, a slash, its own name (`mlp/linear_0/w`).
 * A module's parent is the module that holds it in a field (found when the parent is first called
 * or its variables are listed) or, for a module made during a call, the module that first calls it.
 */
import { noGrad } from '@cinder/autograd';
import { getDefaultDType, isFloatingDType, Tensor, type Device, type DType } from '@cinder/tensor';
import { initialize, type InitializerLike } from './initializers.js';
import { formatArgs } from './repr.js';
import { _setParentLookup, takePendingRestore } from './restoreRegistry.js';
import { Variable } from './variable.js';

export interface ModuleOptions {
  /** The module's own name (default: the class name in snake_case, `BatchNorm` -> `batch_norm`). */
  name?: string;
  /** Listing no variables is not an error (for modules that have none). */
  allowEmptyVariables?: boolean;
}

export interface CreateVariableOptions {
  /** The initializer (a function `(shape, dtype) => Tensor` works too). */
  init: InitializerLike;
  /** Default: the default float dtype. */
  dtype?: DType;
  /** Where to place the variable (default: the CPU). */
  device?: Device;
  /** Default true. */
  trainable?: boolean;
}

/** The modules whose call is running, innermost last: a module first called from one becomes its child. */
const callStack: Module[] = [];

/** Sonnet's camel_to_snake: `Conv2DTranspose` -> `conv2_d_transpose`, `MLP` -> `mlp`. */
export function camelToSnake(name: string): string {
  return name.replace(/((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))/g, '_$1').toLowerCase();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The leaves of a field value: arrays, plain objects and Maps are opened; objects and functions are leaves, primitives are skipped. */
function leaves(v: unknown, sorted: boolean, out: unknown[]): void {
  if (Array.isArray(v)) {
    for (const x of v) leaves(x, sorted, out);
  } else if (v instanceof Map) {
    for (const x of v.values()) leaves(x, sorted, out);
  } else if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (sorted) keys.sort();
    for (const k of keys) leaves(v[k], sorted, out);
  } else if ((typeof v === 'object' && v !== null) || typeof v === 'function') {
    out.push(v);
  }
}

function fieldLeaves(m: Module, sorted: boolean): unknown[] {
  const out: unknown[] = [];
  const keys = Object.keys(m);
  if (sorted) keys.sort();
  for (const k of keys) leaves((m as unknown as Record<string, unknown>)[k], sorted, out);
  return out;
}

/**
 * Runs `fn` once: later calls do nothing. A call that throws does not count, so the next call
 * runs `fn` again (Sonnet's `snt.once`).
 * @example
 * ```ts
 * import { once } from '@cinder/modules';
 * let runs = 0;
 * const setup = once((n: number) => { if (n < 0) throw new Error('negative'); runs++; });
 * try { setup(-1); } catch { }
 * setup(1);
 * setup(2);
 * console.log(runs); // 1
 * ```
 */
export function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let done = false;
  return (...args: A) => {
    if (done) return;
    fn(...args);
    done = true;
  };
}

/**
 * The base class of every module. Subclasses implement `forward(...)` and, when they own
 * variables that depend on the input, `initialize(...)`, which `call` runs with the first call's
 * arguments before `forward` (a first call that throws leaves the module as it was, uncreated).
 * Users call modules with `call(...)`, Sonnet's `__call__`.
 * @example
 * ```ts
 * import { randn, type Tensor } from '@cinder/tensor';
 * import { Module, Variable, initializers } from '@cinder/modules';
 *
 * class Scale extends Module {
 *   declare scale: Variable;
 *   constructor(opts: { name?: string } = {}) {
 *     super({ name: opts.name });
 *     this.recordArgs(opts);
 *   }
 *   protected override initialize(x: Tensor): void {
 *     const shape = [x.shape[x.ndim - 1]!];
 *     this.scale = this.createVariable('scale', shape, { init: new initializers.Ones(), dtype: x.dtype });
 *   }
 *   forward(x: Tensor): Tensor {
 *     return x.mul(this.scale);
 *   }
 * }
 * const s = new Scale();
 * s.call(randn([2, 3]));
 * console.log(String(s), s.variables.map((v) => `${v.name} [${v.shape}]`)); // Scale() [ 'scale/scale [3]' ]
 * ```
 */
export abstract class Module {
  #name: string;
  #parent: Module | null = null;
  #uniqueName: string;
  #childNames = new Set<string>();
  #created = false;
  #fieldsAdopted = false;
  #allowEmpty: boolean;
  #reprArgs: unknown[] = [];
  /** While initialize runs: what to do once it succeeds (drop the checkpoint values it used). */
  #commits: (() => void)[] | null = null;

  static {
    _setParentLookup((m) => (m instanceof Module ? m.#parent : null));
  }

  constructor(opts: ModuleOptions = {}) {
    if (opts === null || typeof opts !== 'object') throw new TypeError(`${new.target.name}: expected an options object, got ${String(opts)}`);
    const name = opts.name ?? camelToSnake(new.target.name);
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.\-]+$/.test(name)) {
      throw new TypeError(`${new.target.name}: name must be a non-empty string of letters, digits, '_', '.' or '-', got ${JSON.stringify(name)}`);
    }
    this.#name = name;
    this.#uniqueName = name;
    this.#allowEmpty = opts.allowEmptyVariables ?? false;
    // A module without initialize() has nothing to create lazily.
    if ((this as unknown as { initialize: unknown }).initialize === Module.prototype.initialize) this.#created = true;
  }

  /** The module's own name, as given or from its class name (`linear`). */
  get name(): string {
    return this.#name;
  }

  /** The module's full name scope: its parent's scope, '/', its name made unique among its siblings. */
  get scopeName(): string {
    return this.#parent === null ? this.#uniqueName : `${this.#parent.scopeName}/${this.#uniqueName}`;
  }

  /** Whether the module and every module below it have made their variables (a first call succeeded). */
  get isCreated(): boolean {
    return this.#created && this.submodules.every((m) => m.#created);
  }

  /** Runs the module: on the first call `initialize(...args)` (once), then `forward(...args)`. */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    const caller = callStack.length === 0 ? null : callStack[callStack.length - 1]!;
    if (caller !== null && caller !== this && this.#parent === null) caller.#adopt(this);
    if (!this.#fieldsAdopted) this.#adoptFields();
    callStack.push(this);
    try {
      if (!this.#created) this.#runInitialize(args);
      return this.forward(...args) as ReturnType<this['forward']>;
    } finally {
      callStack.pop();
    }
  }

  /**
   * Creates the variables from an example of `call`'s arguments without running `forward`
   * (nothing happens once they exist).
   */
  create(...args: Parameters<this['forward']>): void {
    if (this.#created) return;
    const caller = callStack.length === 0 ? null : callStack[callStack.length - 1]!;
    if (caller !== null && caller !== this && this.#parent === null) caller.#adopt(this);
    if (!this.#fieldsAdopted) this.#adoptFields();
    callStack.push(this);
    try {
      this.#runInitialize(args);
    } finally {
      callStack.pop();
    }
  }

  /** The computation; called by `call` after the variables exist. */
  abstract forward(...args: any[]): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

  /** Creates the variables from the first call's arguments; the base does nothing. */
  protected initialize(..._args: any[]): void {} // eslint-disable-line @typescript-eslint/no-explicit-any

  /**
   * Makes a variable named `name` in this module's scope from an initializer. A checkpoint
   * restored into an ancestor before the variable existed supplies its value instead.
   */
  protected createVariable(name: string, shape: readonly number[], opts: CreateVariableOptions): Variable {
    const dtype = opts.dtype ?? getDefaultDType();
    const value = noGrad(() => {
      let t = initialize(opts.init, shape, dtype, `${this.constructor.name} '${this.scopeName}'`, name);
      if (opts.device !== undefined && t.device !== opts.device) t = t.to(opts.device);
      return t;
    });
    const v = new Variable(value, { name, trainable: opts.trainable ?? true });
    v._setOwner(this);
    const consume = takePendingRestore(this, v);
    if (consume !== null) {
      if (this.#commits !== null) this.#commits.push(consume);
      else consume();
    }
    return v;
  }

  /** Records the constructor's arguments for the printed form (`Linear(3, { withBias: false })`). */
  protected recordArgs(...args: unknown[]): void {
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) n--;
    this.#reprArgs = args.slice(0, n);
  }

  /** The module's variables and its submodules', each once: own fields in name order, then submodules'. */
  get variables(): Variable[] {
    return this.#checked('variables', this.#collect((v): v is Variable => v instanceof Variable));
  }

  /** The variables with `trainable` set. */
  get trainableVariables(): Variable[] {
    return this.#checked('trainableVariables', this.#collect((v): v is Variable => v instanceof Variable && v.trainable));
  }

  /** The variables without `trainable` (moving averages, counters). Never an error. */
  get nonTrainableVariables(): Variable[] {
    return this.#collect((v): v is Variable => v instanceof Variable && !v.trainable);
  }

  /** @internal The variables, without the check that there are some. */
  _allVariables(): Variable[] {
    return this.#collect((v): v is Variable => v instanceof Variable);
  }

  /** Every module below this one, each once. */
  get submodules(): Module[] {
    return this.#collect((v): v is Module => v instanceof Module);
  }

  /** The printed form, from the constructor's arguments: `Linear(3, { name: 'out' })`. */
  toString(): string {
    return `${this.constructor.name}(${formatArgs(this.#reprArgs)})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  #checked(what: string, vs: Variable[]): Variable[] {
    if (vs.length === 0 && !this.#allowEmpty) {
      throw new Error(
        `${this.constructor.name} '${this.scopeName}': ${what} requested but the module has none yet. ` +
          'Variables are created on the first call from the input: call the module with an example input first ' +
          '(a module that has no variables can be built with { allowEmptyVariables: true }).',
      );
    }
    return vs;
  }

  /** tf.Module's walk: own fields in sorted order (each value once), then the submodules found, depth first. */
  #collect<T>(pred: (v: unknown) => v is T): T[] {
    const out: T[] = [];
    const seen = new Set<unknown>();
    const onStack = new Set<Module>();
    const walk = (m: Module): void => {
      onStack.add(m);
      // Field order names first-seen children (as construction order would); later ones are adopted below.
      if (!m.#fieldsAdopted) m.#adoptFields();
      const subs: Module[] = [];
      for (const leaf of fieldLeaves(m, true)) {
        if (seen.has(leaf)) continue;
        seen.add(leaf);
        if (pred(leaf)) out.push(leaf);
        if (leaf instanceof Module) {
          if (leaf.#parent === null && leaf !== m) m.#adopt(leaf);
          subs.push(leaf);
        }
      }
      for (const s of subs) if (!onStack.has(s)) walk(s);
      onStack.delete(m);
    };
    walk(this);
    return out;
  }

  /** Adopts the parentless modules held in this module's fields, in field order. */
  #adoptFields(): void {
    for (const leaf of fieldLeaves(this, false)) {
      if (leaf instanceof Module && leaf.#parent === null && leaf !== this) this.#adopt(leaf);
    }
    this.#fieldsAdopted = true;
  }

  #adopt(child: Module): void {
    for (let m: Module | null = this; m !== null; m = m.#parent) if (m === child) return; // never adopt an ancestor
    let unique = child.#name;
    for (let i = 1; this.#childNames.has(unique); i++) unique = `${child.#name}_${i}`;
    this.#childNames.add(unique);
    child.#parent = this;
    child.#uniqueName = unique;
  }

  #runInitialize(args: unknown[]): void {
    // A failed first call leaves the fields as they were, so the module stays uncreated.
    const self = this as unknown as Record<string, unknown>;
    const before = new Map(Object.keys(self).map((k) => [k, self[k]]));
    const commits: (() => void)[] = [];
    this.#commits = commits;
    try {
      this.initialize(...args);
    } catch (e) {
      for (const k of Object.keys(self)) if (!before.has(k)) delete self[k];
      for (const [k, v] of before) self[k] = v;
      throw e;
    } finally {
      this.#commits = null;
    }
    for (const c of commits) c();
    this.#created = true;
  }
}

/** A floating point tensor argument of a module call (what layers with variables take). */
export function moduleFloatArg(m: Module, op: string, v: unknown, what = 'input'): Tensor {
  const t = moduleArg(m, op, v, what);
  if (!isFloatingDType(t.dtype)) {
    throw new TypeError(`${m.constructor.name} '${m.scopeName}' ${op}: expected ${what} to be a floating point tensor, got [${t.shape.join(', ')}] (${t.dtype})`);
  }
  return t;
}

/** Tensors of a module call's inputs: a helper for argument checks that name the module. */
export function moduleArg(m: Module, op: string, v: unknown, what = 'input'): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${m.constructor.name} '${m.scopeName}' ${op}: expected ${what} to be a Tensor, got ${v === null ? 'null' : typeof v}`);
  return v;
}
