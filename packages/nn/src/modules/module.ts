/**
 * nn.Module: the base class of every layer and model (torch.nn.Module).
 *
 * Registration by assignment. TypeScript class fields are assigned after `super()` returns, so the
 * base constructor cannot see them; instead a module discovers its members lazily. Whenever it is
 * asked about its structure (parameters(), children(), stateDict(), toString(), ...) it walks its
 * own enumerable properties: a Parameter there is a parameter, a Module a submodule, and a name
 * given to registerBuffer() a buffer. Members remember their order and kind in a private table, so
 * forward() pays nothing: fields are plain properties and no Proxy stands in the way.
 *
 * The user-facing call is `module.forward(x)` (as in the API guide). `module.call(x)` runs the
 * forward pre-hooks, forward, then the forward hooks; while a module has hooks, its `forward` is
 * routed through `call`, so hooks also run when a parent calls `this.child.forward(x)`.
 */
import { DTYPES, isFloatingDType, Tensor, type Device, type DType } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import { HookList, type ForwardHook, type ForwardPreHook, type HookOptions, type RemovableHandle } from './hooks.js';
import { Parameter } from './parameter.js';
import { summarize, type SummaryOptions } from './summary.js';
import { replaceData } from './tensorData.js';

type Kind = 'module' | 'param' | 'buffer';
interface Member {
  kind: Kind;
  /** Buffers only: whether the buffer is part of the state dict. */
  persistent: boolean;
}

/** A state dict: dotted names (`fc1.weight`) to tensors. */
export type StateDict = Record<string, Tensor>;

export interface StateDictOptions {
  /** Prepended to every key. */
  prefix?: string;
  /** Return the parameters and buffers themselves instead of detached views of them. */
  keepVars?: boolean;
}

export interface LoadStateDictOptions {
  /** Missing and unexpected keys are errors (default true). Shape mismatches always are. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export interface NamedMembersOptions {
  /** Prepended to every name. */
  prefix?: string;
  /** Include the members of every submodule (default true). */
  recurse?: boolean;
  /** Report a tensor reachable under several names once, under its first name (default true). */
  removeDuplicate?: boolean;
}

export interface ZeroGradOptions {
  /** Drop the gradients (the default, as in PyTorch 2) instead of filling them with zeros. */
  setToNone?: boolean;
}

export type ToTarget = DType | Device | Tensor | { dtype?: DType; device?: Device };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return v instanceof Parameter ? 'a Parameter' : 'a Tensor';
  if (typeof v === 'object' || typeof v === 'function') return `an object of type ${(v as object).constructor?.name ?? 'Object'}`;
  return `a ${typeof v}`;
}

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Adds a property even for names like "__proto__", which plain assignment would misread. */
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** PyTorch's _addindent: indents every line but the first. */
function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const pad = ' '.repeat(n);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join('\n');
}

/** Modules on the current recursion stack of each recursive operation (cycles stop there). */
const active = { train: new Set<object>(), apply: new Set<object>(), state: new Set<object>(), repr: new Set<object>() };

function guarded<R>(set: Set<object>, m: object, onCycle: () => R, fn: () => R): R {
  if (set.has(m)) return onCycle();
  set.add(m);
  try {
    return fn();
  } finally {
    set.delete(m);
  }
}

/**
 * The base class of layers and models. Subclasses assign their submodules and parameters to
 * fields and implement forward().
 * @example
 * ```ts
 * import { randn, zeros, type Tensor } from '@cinder/tensor';
 * import { nn } from '@cinder/nn';
 * class Affine extends nn.Module {
 *   weight = new nn.Parameter(randn([2, 3]));
 *   bias = new nn.Parameter(zeros([2]));
 *   override forward(x: Tensor): Tensor { return x.matmul(this.weight.t()).add(this.bias); }
 * }
 * const m = new Affine();
 * m.namedParameters().map(([n]) => n); // ['weight', 'bias']
 * const y = m.forward(randn([4, 3]));
 * ```
 */
/**
 * @internal For deepCopy (copy.ts): copies a module's member table (kinds, buffer persistence) and
 * training flag onto a fresh shell of the same class. Hooks are not copied.
 */
export let copyModuleState: (from: Module, to: Module) => void;

export class Module {
  static {
    copyModuleState = (from, to) => {
      to.#members = new Map([...from.#sync()].map(([k, m]) => [k, { ...m }]));
      to.#training = from.#training;
    };
  }
  #members = new Map<string, Member>();
  #training = true;
  #preHooks: HookList<ForwardPreHook> | undefined = undefined;
  #hooks: HookList<ForwardHook> | undefined = undefined;
  /** The module's own forward while hooks route `forward` through call(). */
  #forwardImpl: ((...args: any[]) => any) | undefined = undefined;
  /** An own `forward` property (an arrow-function field) that routing replaced, restored after. */
  #ownForward: PropertyDescriptor | undefined = undefined;

  /** Whether the module is in training mode (train()) or evaluation mode (eval()). */
  get training(): boolean {
    return this.#training;
  }
  set training(mode: boolean) {
    if (typeof mode !== 'boolean') throw new TypeError(`${this._getName()}: training must be a boolean, got ${String(mode)}`);
    this.#training = mode;
  }

  /** The computation; subclasses implement it. */
  forward(..._args: any[]): any {
    throw new Error(`${this._getName()}: the module has no forward() (a Module subclass must define forward)`);
  }

  /** Runs the forward pre-hooks, forward, then the forward hooks. */
  call<T extends Module>(this: T, ...args: Parameters<T['forward']>): ReturnType<T['forward']> {
    const impl = this.#forwardImpl ?? this.forward;
    const pre = this.#preHooks;
    const post = this.#hooks;
    if (pre === undefined && post === undefined) return impl.apply(this, args);
    let a: unknown[] = args;
    if (pre !== undefined) {
      for (const h of pre.list()) {
        const r = h(this, a);
        if (r === undefined) continue;
        if (!Array.isArray(r)) {
          throw new TypeError(`${this._getName()}: a forward pre-hook must return the new argument list (an array) or undefined, got ${describe(r)}`);
        }
        a = r;
      }
    }
    let out = impl.apply(this, a);
    if (post !== undefined) {
      for (const h of post.list()) {
        const r = h(this, a, out);
        if (r !== undefined) out = r;
      }
    }
    return out;
  }

  // ---- members ------------------------------------------------------------------------------

  /** Brings the member table up to date with the module's own properties; returns it. */
  #sync(): Map<string, Member> {
    const members = this.#members;
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      if (members.has(key)) continue;
      const v = self[key];
      if (v instanceof Parameter) members.set(key, { kind: 'param', persistent: true });
      else if (v instanceof Module) members.set(key, { kind: 'module', persistent: true });
    }
    for (const [key, m] of members) {
      if (!Object.hasOwn(this, key)) {
        members.delete(key);
        continue;
      }
      const v = self[key];
      if (v === null || v === undefined) continue;
      if (v instanceof Parameter) m.kind = 'param';
      else if (v instanceof Module) m.kind = 'module';
      else if (!(v instanceof Tensor && m.kind === 'buffer')) throw new TypeError(this.#badValue(key, m.kind, v));
    }
    return members;
  }

  #badValue(key: string, kind: Kind, v: unknown): string {
    const name = this._getName();
    if (kind === 'param') {
      return `${name}: '${key}' is a parameter and holds ${describe(v)} (expected an nn.Parameter or null; wrap a tensor in new nn.Parameter(t), or register it with registerBuffer)`;
    }
    if (kind === 'module') return `${name}: '${key}' is a submodule and holds ${describe(v)} (expected an nn.Module or null)`;
    return `${name}: '${key}' is a buffer and holds ${describe(v)} (expected a Tensor or null)`;
  }

  /** This module's own members of one kind, in order, skipping null ones. */
  #own<T>(kind: Kind, persistentOnly = false): [string, T][] {
    const self = this as unknown as Record<string, T>;
    const out: [string, T][] = [];
    for (const [key, m] of this.#sync()) {
      if (m.kind !== kind || (persistentOnly && !m.persistent)) continue;
      const v = self[key];
      if (v !== null && v !== undefined) out.push([key, v]);
    }
    return out;
  }

  #register(op: string, name: string, kind: Kind, value: unknown, persistent: boolean): void {
    if (typeof name !== 'string') throw new TypeError(`${op}: name should be a string, got ${describe(name)}`);
    if (name === '') throw new Error(`${op}: name can't be empty`);
    if (name.includes('.')) throw new Error(`${op}: name can't contain "." (got "${name}")`);
    const members = this.#sync();
    const m = members.get(name);
    // A declared field not yet assigned (`weight!: Parameter`) holds undefined and may be registered.
    const free = Object.hasOwn(this, name) && (this as unknown as Record<string, unknown>)[name] === undefined;
    if (m === undefined ? name in this && !free : m.kind !== kind) throw new Error(`${op}: attribute '${name}' already exists`);
    define(this as unknown as Record<string, unknown>, name, value);
    if (m === undefined) members.set(name, { kind, persistent });
    else m.persistent = persistent;
  }

  /** Adds a submodule under `name` (what assigning a Module to a field does). */
  registerModule(name: string, module: Module | null): void {
    const op = `${this._getName()}.registerModule`;
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${op}: ${describe(module)} is not an nn.Module`);
    this.#register(op, name, 'module', module, true);
  }

  /** Alias of registerModule (PyTorch's add_module). */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** Adds a parameter under `name`; null declares the name (a bias turned off) without a tensor. */
  registerParameter(name: string, param: Parameter | null): void {
    const op = `${this._getName()}.registerParameter`;
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`${op}: cannot use ${describe(param)} as parameter '${name}' (an nn.Parameter or null is required)`);
    }
    if (param !== null && !param.isLeaf) throw new Error(`${op}: cannot use a non-leaf tensor as parameter '${name}'`);
    this.#register(op, name, 'param', param, true);
  }

  /**
   * Adds a buffer: a tensor that is part of the module's state but not a parameter (running
   * statistics). Non-persistent buffers are left out of the state dict.
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    const op = `${this._getName()}.registerBuffer`;
    if (tensor !== null && !(tensor instanceof Tensor)) throw new TypeError(`${op}: cannot use ${describe(tensor)} as buffer '${name}' (a Tensor or null is required)`);
    if (tensor instanceof Parameter) throw new TypeError(`${op}: '${name}' is an nn.Parameter; register it with registerParameter`);
    const persistent = opts.persistent ?? true;
    if (typeof persistent !== 'boolean') throw new TypeError(`${op}: persistent must be a boolean`);
    this.#register(op, name, 'buffer', tensor, persistent);
  }

  /** @internal For containers: the names of this module's members of one kind, in order (null ones too). */
  protected _memberNames(kind: 'module' | 'param' | 'buffer'): string[] {
    const out: string[] = [];
    for (const [key, m] of this.#sync()) if (m.kind === kind) out.push(key);
    return out;
  }

  /** @internal For containers: removes a member (its property and its entry). */
  protected _removeMember(name: string): void {
    this.#members.delete(name);
    delete (this as unknown as Record<string, unknown>)[name];
  }

  // ---- traversal ----------------------------------------------------------------------------

  /** The direct submodules with their names (each module once). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, m] of this.#own<Module>('module')) {
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map((e) => e[1]);
  }

  /** This module and every submodule, with dotted names ('' for this one), depth first. */
  namedModules(opts: { prefix?: string; removeDuplicate?: boolean } = {}): [string, Module][] {
    const removeDuplicate = opts.removeDuplicate ?? true;
    const memo = new Set<Module>();
    const out: [string, Module][] = [];
    const visit = (m: Module, prefix: string, stack: Set<Module>): void => {
      if (removeDuplicate) {
        if (memo.has(m)) return;
        memo.add(m);
      } else if (stack.has(m)) {
        return;
      }
      out.push([prefix, m]);
      stack.add(m);
      for (const [name, c] of m.#own<Module>('module')) visit(c, prefix === '' ? name : `${prefix}.${name}`, stack);
      stack.delete(m);
    };
    visit(this, opts.prefix ?? '', new Set());
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map((e) => e[1]);
  }

  #namedTensors<T extends Tensor>(kind: 'param' | 'buffer', opts: NamedMembersOptions): [string, T][] {
    const prefix = opts.prefix ?? '';
    const removeDuplicate = opts.removeDuplicate ?? true;
    const mods: [string, Module][] = opts.recurse ?? true ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this]];
    const memo = new Set<Tensor>();
    const out: [string, T][] = [];
    for (const [mp, m] of mods) {
      for (const [name, t] of m.#own<T>(kind)) {
        if (removeDuplicate) {
          if (memo.has(t)) continue;
          memo.add(t);
        }
        out.push([mp === '' ? name : `${mp}.${name}`, t]);
      }
    }
    return out;
  }

  /** The parameters with dotted names (`fc1.weight`), each tensor once by default. */
  namedParameters(opts: NamedMembersOptions = {}): [string, Parameter][] {
    return this.#namedTensors<Parameter>('param', opts);
  }

  parameters(opts: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(opts).map((e) => e[1]);
  }

  /** The buffers (persistent or not) with dotted names. */
  namedBuffers(opts: NamedMembersOptions = {}): [string, Tensor][] {
    return this.#namedTensors<Tensor>('buffer', opts);
  }

  buffers(opts: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(opts).map((e) => e[1]);
  }

  /** The submodule at a dotted path ('' is this module). */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let m: Module = this;
    const parts = target.split('.');
    parts.forEach((part, i) => {
      const where = parts.slice(0, i).join('.') || m._getName();
      const entry = m.#sync().get(part);
      const v = (m as unknown as Record<string, unknown>)[part];
      if (entry === undefined || entry.kind !== 'module' || !(v instanceof Module)) {
        throw new Error(`getSubmodule: ${where} (${m._getName()}) has no submodule '${part}' (looking up '${target}')`);
      }
      m = v;
    });
    return m;
  }

  #getTensor(op: string, kind: 'param' | 'buffer', target: string): Tensor {
    const i = target.lastIndexOf('.');
    const m = i < 0 ? this : this.getSubmodule(target.slice(0, i));
    const name = target.slice(i + 1);
    const found = m.#own<Tensor>(kind).find(([n]) => n === name);
    if (found === undefined) throw new Error(`${op}: ${m._getName()} has no ${kind === 'param' ? 'parameter' : 'buffer'} '${name}' (looking up '${target}')`);
    return found[1];
  }

  /** The parameter at a dotted path (`encoder.fc1.weight`). */
  getParameter(target: string): Parameter {
    return this.#getTensor('getParameter', 'param', target) as Parameter;
  }

  /** The buffer at a dotted path. */
  getBuffer(target: string): Tensor {
    return this.#getTensor('getBuffer', 'buffer', target);
  }

  // ---- modes and bulk changes ---------------------------------------------------------------

  /** Sets training mode on this module and, recursively, its children (each child's train()). */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError(`${this._getName()}.train: mode must be a boolean, got ${String(mode)}`);
    return guarded(active.train, this, () => this, () => {
      this.#training = mode;
      for (const c of this.children()) c.train(mode);
      return this;
    });
  }

  /** train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Calls fn on every submodule (children first, recursively), then on this module. */
  apply(fn: (module: Module) => void): this {
    if (typeof fn !== 'function') throw new TypeError(`${this._getName()}.apply: expected a function`);
    return guarded(active.apply, this, () => this, () => {
      for (const c of this.children()) c.apply(fn);
      fn(this);
      return this;
    });
  }

  /** Sets requiresGrad on every parameter (freezing with false). */
  requiresGrad_(requiresGrad = true): this {
    if (typeof requiresGrad !== 'boolean') throw new TypeError(`${this._getName()}.requiresGrad_: expected a boolean, got ${String(requiresGrad)}`);
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Clears the parameters' gradients: drops them (default) or fills them with zeros. */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (setToNone) {
        p.grad = null;
      } else {
        g.detach_();
        noGrad(() => g.zero_());
      }
    }
  }

  /**
   * Converts the floating-point parameters and buffers to a dtype and/or moves every parameter and
   * buffer to a device, in place: each keeps its identity (an optimizer built earlier still holds
   * the right tensors), as PyTorch's `module.to()` does. Gradients are converted with them.
   * Integer buffers keep their dtype.
   */
  to(target: ToTarget): this {
    const op = `${this._getName()}.to`;
    let dtype: DType | undefined;
    let device: Device | undefined;
    if (target instanceof Tensor) {
      dtype = target.dtype;
      device = target.device;
    } else if (typeof target === 'string') {
      if ((DTYPES as readonly string[]).includes(target)) dtype = target as DType;
      else device = target as Device;
    } else if (target !== null && typeof target === 'object') {
      dtype = target.dtype;
      device = target.device;
    } else {
      throw new TypeError(`${op}: expected a dtype, a device, a tensor or { dtype, device }, got ${String(target)}`);
    }
    if (dtype !== undefined && !isFloatingDType(dtype)) {
      throw new TypeError(`${op}: only floating-point dtypes are accepted, got ${String(dtype)}`);
    }
    return this._apply((t) => {
      const d = dtype !== undefined && isFloatingDType(t.dtype) ? dtype : t.dtype;
      return t.to(device === undefined ? d : { dtype: d, device });
    });
  }

  /** Applies fn to every parameter, gradient and buffer, replacing each one's data in place. */
  _apply(fn: (t: Tensor) => Tensor): this {
    const seen = new Set<Tensor>();
    const convert = (t: Tensor): void => {
      if (seen.has(t)) return;
      seen.add(t);
      const grad = t.grad;
      const fresh = fn(t);
      if (fresh === t) return;
      replaceData(t, fresh);
      if (grad !== null) {
        const g = fn(grad);
        if (g !== grad) {
          t.grad = null;
          t.grad = g;
        }
      }
    };
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m.#own<Tensor>('param')) convert(p);
        for (const [, b] of m.#own<Tensor>('buffer')) convert(b);
      }
    });
    return this;
  }

  float(): this {
    return this.to('float32');
  }
  double(): this {
    return this.to('float64');
  }
  half(): this {
    return this.to('float16');
  }
  bfloat16(): this {
    return this.to('bfloat16');
  }
  cpu(): this {
    return this.to('cpu');
  }

  // ---- hooks --------------------------------------------------------------------------------

  /** Routes the instance's `forward` through call() while it has hooks. */
  #route(): void {
    if (this.#forwardImpl !== undefined) return;
    this.#ownForward = Object.getOwnPropertyDescriptor(this, 'forward');
    const impl = this.forward;
    this.#forwardImpl = impl;
    const self = this;
    Object.defineProperty(this, 'forward', {
      value: function forward(...args: unknown[]): unknown {
        return (self.call as (...a: unknown[]) => unknown)(...args);
      },
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }

  #unroute(): void {
    if (this.#forwardImpl === undefined || this.#preHooks !== undefined || this.#hooks !== undefined) return;
    if (this.#ownForward !== undefined) Object.defineProperty(this, 'forward', this.#ownForward);
    else delete (this as { forward?: unknown }).forward;
    this.#forwardImpl = undefined;
    this.#ownForward = undefined;
  }

  /** Registers a hook run before forward; it may return a new argument list. */
  registerForwardPreHook(hook: ForwardPreHook<this>, opts: HookOptions = {}): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`${this._getName()}.registerForwardPreHook: expected a function`);
    const list = (this.#preHooks ??= new HookList());
    const h = list.add(hook as ForwardPreHook, opts.prepend === true, (id) => {
      if (this.#preHooks?.remove(id) && this.#preHooks.size === 0) this.#preHooks = undefined;
      this.#unroute();
    });
    this.#route();
    return h;
  }

  /** Registers a hook run after forward with (module, args, output); it may return a new output. */
  registerForwardHook(hook: ForwardHook<this>, opts: HookOptions = {}): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`${this._getName()}.registerForwardHook: expected a function`);
    const list = (this.#hooks ??= new HookList());
    const h = list.add(hook as ForwardHook, opts.prepend === true, (id) => {
      if (this.#hooks?.remove(id) && this.#hooks.size === 0) this.#hooks = undefined;
      this.#unroute();
    });
    this.#route();
    return h;
  }

  // ---- state dict ---------------------------------------------------------------------------

  /**
   * The parameters and persistent buffers by dotted name, as detached tensors sharing their
   * storage (the tensors themselves with `keepVars`). Tied tensors appear under each name.
   */
  stateDict(opts: StateDictOptions = {}): StateDict {
    const prefix = opts.prefix ?? '';
    const keepVars = opts.keepVars === true;
    return guarded(
      active.state,
      this,
      () => {
        throw new Error(`stateDict: ${this._getName()} contains itself (a module cycle at '${prefix}')`);
      },
      () => {
        const out: StateDict = {};
        const put = (name: string, t: Tensor): void => define(out, prefix + name, keepVars ? t : t.detach());
        for (const [name, p] of this.#own<Tensor>('param')) put(name, p);
        for (const [name, b] of this.#own<Tensor>('buffer', true)) put(name, b);
        for (const [name, c] of this.#own<Module>('module')) {
          for (const [k, t] of Object.entries(c.stateDict({ prefix: `${prefix}${name}.`, keepVars }))) define(out, k, t);
        }
        return out;
      },
    );
  }

  /**
   * Copies a state dict's tensors into the parameters and buffers (converting dtypes). Every
   * problem is checked before anything is copied: with `strict` (the default) missing and
   * unexpected keys are errors, and shape mismatches always are; the error lists all of them.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const sd: Record<string, unknown> = stateDict instanceof Map ? Object.fromEntries(stateDict) : (stateDict as Record<string, unknown>);
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd) || sd instanceof Tensor) {
      throw new TypeError(`${this._getName()}.loadStateDict: expected a state dict (an object mapping names to tensors), got ${describe(stateDict)}`);
    }
    const own = this.stateDict({ keepVars: true });
    const missingKeys = Object.keys(own).filter((k) => !Object.hasOwn(sd, k));
    const unexpectedKeys = Object.keys(sd).filter((k) => !Object.hasOwn(own, k));
    const errors: string[] = [];
    for (const [k, t] of Object.entries(own)) {
      if (!Object.hasOwn(sd, k)) continue;
      const v = sd[k];
      if (!(v instanceof Tensor)) {
        errors.push(`value for ${k} is ${describe(v)}, expected a Tensor.`);
      } else if (v.isDisposed) {
        errors.push(`value for ${k} was disposed.`);
      } else if (v.shape.length !== t.shape.length || v.shape.some((d, i) => d !== t.shape[i])) {
        errors.push(`size mismatch for ${k}: copying a param with shape ${shapeStr(v.shape)} from checkpoint, the shape in current model is ${shapeStr(t.shape)}.`);
      }
    }
    if (strict) {
      if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
      if (missingKeys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    }
    if (errors.length > 0) throw new Error(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errors.join('\n\t')}`);
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) if (Object.hasOwn(sd, k)) t.copy_(sd[k] as Tensor);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing -----------------------------------------------------------------------------

  /** The class name, as printed. */
  _getName(): string {
    return this.constructor.name;
  }

  /** Extra information printed inside the parentheses (`in_features=784, ...`); one line or several. */
  extraRepr(): string {
    return '';
  }

  /**
   * The name a submodule is printed under: its field name. Layers whose PyTorch attribute names
   * differ (`selfAttn` for `self_attn`) print PyTorch's, so their repr matches PyTorch's.
   */
  protected _reprChildName(key: string): string {
    return key;
  }

  /** The module tree printed as PyTorch prints it. */
  toString(): string {
    return guarded(active.repr, this, () => `<cycle: ${this._getName()}>`, () => {
      const extra = this.extraRepr();
      const extraLines = extra === '' ? [] : extra.split('\n');
      const childLines: string[] = [];
      const self = this as unknown as Record<string, unknown>;
      for (const [key, m] of this.#sync()) {
        if (m.kind !== 'module') continue;
        const v = self[key];
        childLines.push(`(${this._reprChildName(key)}): ${addIndent(v instanceof Module ? v.toString() : 'null', 2)}`);
      }
      const lines = [...extraLines, ...childLines];
      let s = `${this._getName()}(`;
      if (lines.length > 0) {
        if (extraLines.length === 1 && childLines.length === 0) s += extraLines[0];
        else s += `\n  ${lines.join('\n  ')}\n`;
      }
      return `${s})`;
    });
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /**
   * A Keras-style table: each submodule with its type, output shape (when `input` is given: one
   * forward pass under noGrad records them) and parameter count, then the total, trainable and
   * non-trainable counts.
   */
  summary(opts: SummaryOptions = {}): string {
    return summarize(this, opts);
  }
}
