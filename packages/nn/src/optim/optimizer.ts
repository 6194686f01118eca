/**
 * The optimizer base class (torch.optim.Optimizer): parameter groups with per-group options,
 * per-parameter state, zeroGrad, and a state dict keyed by parameter index.
 */
import { isFloatingDType, Tensor, type Device } from '@cinder/tensor';
import { enableGrad, noGrad } from '@cinder/autograd';

/** A parameter group as the optimizer holds it: the tensors and every option, defaults filled in. */
export type ParamGroupOf<O> = O & { params: Tensor[]; [key: string]: unknown };

/** A parameter group as given by the user: `{ params, ...options }`; missing options take the defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Tensor | Iterable<Tensor>; [key: string]: unknown };

/** What an optimizer's constructor takes: tensors, or parameter groups. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** The options every optimizer has (schedulers read and write `lr`). */
export interface BaseOptions {
  lr: number;
}

/** A closure re-evaluates the model and returns the loss; step() runs it with gradients enabled. */
export type Closure<R extends Tensor | number = Tensor | number> = () => R;

/** The optimizer's state as plain data: per-parameter state keyed by index, groups with indices for params. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, unknown>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

export interface ZeroGradOptions {
  /** Drop the gradients (the default) instead of filling them with zeros. */
  setToNone?: boolean;
}

function isTensorIterable(v: unknown): v is Iterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** Deep copy of a state value: tensors are copied (floating ones cast to `dtype`), containers rebuilt. */
function copyState(v: unknown, dtype: Tensor['dtype'] | undefined, device: Device): unknown {
  if (v instanceof Tensor) {
    const d = dtype !== undefined && isFloatingDType(v.dtype) ? dtype : v.dtype;
    const t = v.detach();
    const moved = t.to({ dtype: d, device });
    return moved === t ? t.clone() : moved;
  }
  if (Array.isArray(v)) return v.map((x) => copyState(x, dtype, device));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyState(x, dtype, device);
    return out;
  }
  return v;
}

/** Moves the tensors of a state object (and of its arrays) to `device`, in place. */
function followDevice(s: Record<string, unknown>, device: Device): void {
  for (const k of Object.keys(s)) {
    const v = s[k];
    if (v instanceof Tensor) {
      if (v.device !== device) s[k] = noGrad(() => v.to(device));
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i] as unknown;
        if (x instanceof Tensor && x.device !== device) v[i] = noGrad(() => x.to(device));
      }
    }
  }
}

function copyOption(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends object = object> {
  /** The options a group takes when it does not set them. */
  readonly defaults: Readonly<O>;
  readonly paramGroups: ParamGroupOf<O>[] = [];
  /** Per-parameter state (moment estimates, step counts...), created on a parameter's first update. */
  readonly state = new Map<Tensor, S>();
  /**
   * Whether each state tensor of a parameter has that parameter's shape (checked by
   * loadStateDict). LBFGS keeps flat vectors over all parameters instead.
   */
  protected paramShapedState = true;

  constructor(params: Params<O>, defaults: O) {
    this.defaults = defaults;
    if (params instanceof Tensor || !isTensorIterable(params)) {
      throw new TypeError(
        `${this.name}: params should be an iterable of Tensors or of parameter groups, got ` +
          (params instanceof Tensor ? 'a Tensor' : String(params)),
      );
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new Error(`${this.name}: got an empty parameter list`);
    if (list[0] instanceof Tensor) this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupInput<O>);
    else for (const g of list) this.addParamGroup(g as ParamGroupInput<O>);
  }

  /** The optimizer's name in messages (each optimizer overrides it). */
  get name(): string {
    return 'Optimizer';
  }

  /** Checks a group's options (with defaults filled in); throws naming the optimizer and the option. */
  protected validateGroup(_group: ParamGroupOf<O>): void {}

  /** Adds a parameter group, e.g. layers unfrozen during fine-tuning; options it omits take the defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== 'object' || group instanceof Tensor || !('params' in group)) {
      throw new TypeError(`${this.name}: a parameter group must be an object { params, ...options }`);
    }
    const raw = group.params;
    if (raw instanceof Set) {
      throw new TypeError(`${this.name}: parameters must be given in an ordered collection (an array), not a Set`);
    }
    const params = raw instanceof Tensor ? [raw] : isTensorIterable(raw) ? [...raw] : undefined;
    if (params === undefined) throw new TypeError(`${this.name}: a group's params must be a Tensor or an iterable of Tensors`);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) {
        throw new TypeError(`${this.name}: can only optimize Tensors, but parameter ${i} of the group is ${p === null ? 'null' : typeof p}`);
      }
      if (!isFloatingDType(p.dtype)) {
        throw new TypeError(`${this.name}: can only optimize floating-point tensors, but parameter ${i} has dtype ${p.dtype}`);
      }
      if (!p.isLeaf && !p.retainsGrad) throw new Error(`${this.name}: can't optimize a non-leaf Tensor (parameter ${i})`);
    });
    if (new Set(params).size !== params.length) {
      throw new Error(`${this.name}: a parameter group contains the same parameter more than once`);
    }
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (params.includes(p)) throw new Error(`${this.name}: some parameters appear in more than one parameter group`);
      }
    }
    const full: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.defaults)) full[k] = copyOption(v);
    for (const [k, v] of Object.entries(group)) if (k !== 'params' && v !== undefined) full[k] = copyOption(v);
    full.params = params;
    const g = full as ParamGroupOf<O>;
    this.validateGroup(g);
    this.paramGroups.push(g);
  }

  /**
   * Clears the gradients of every parameter: drops them (`setToNone`, the default, as in
   * PyTorch 2) or fills them with zeros, detached from any graph.
   */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
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
  }

  /**
   * p's state, its tensors first moved to p's device when p has moved since they were made (a
   * model moved with Module.to() after some steps), so the update runs where the parameter is.
   */
  protected stateOf(p: Tensor): S | undefined {
    const s = this.state.get(p);
    if (s !== undefined) followDevice(s as Record<string, unknown>, p.device);
    return s;
  }

  /** One optimization step; `closure` (re-evaluating the loss) is optional for most optimizers. */
  abstract step<R extends Tensor | number>(closure?: Closure<R>): R | undefined;

  /** Runs the closure with gradients enabled, as every step() does before updating. */
  protected evalClosure<R extends Tensor | number>(closure: Closure<R> | undefined): R | undefined {
    if (closure === undefined) return undefined;
    if (typeof closure !== 'function') throw new TypeError(`${this.name}.step: closure must be a function`);
    return enableGrad(closure);
  }

  /**
   * The state as plain data, in PyTorch's layout: `state` maps each parameter's index (counting
   * through the groups in order) to its state, and each group lists its parameters' indices. The
   * state tensors are the optimizer's own (not copies): save or clone them before stepping again.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> & { params: number[] } = { params: [] };
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[k] = copyOption(v);
      for (const p of g.params) {
        if (!index.has(p)) index.set(p, index.size);
        packed.params.push(index.get(p)!);
      }
      return packed;
    });
    const state: Record<number, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...(s as Record<string, unknown>) };
    }
    return { state, paramGroups };
  }

  /**
   * Loads a state dict from stateDict() (of an optimizer of the same kind over parameters of the
   * same shapes, grouped the same way). Tensors are copied, floating ones cast to their
   * parameter's dtype; the groups' options are replaced by the saved ones.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== 'object') {
      throw new TypeError(`${op}: expected { state, paramGroups } as returned by stateDict()`);
    }
    const groups = this.paramGroups;
    const saved = sd.paramGroups;
    if (saved.length !== groups.length) {
      throw new Error(`${op}: the state dict has ${saved.length} parameter group(s) but the optimizer has ${groups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((sg, gi) => {
      if (sg === null || typeof sg !== 'object' || !Array.isArray(sg.params)) {
        throw new TypeError(`${op}: parameter group ${gi} of the state dict has no params list`);
      }
      const mine = groups[gi]!.params;
      if (sg.params.length !== mine.length) {
        throw new Error(
          `${op}: parameter group ${gi} of the state dict has ${sg.params.length} parameter(s) but the optimizer's has ${mine.length}`,
        );
      }
      sg.params.forEach((idx, j) => byIndex.set(idx, mine[j]!));
    });
    const state = new Map<Tensor, S>();
    for (const [key, value] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new Error(`${op}: the state dict has state for parameter ${key}, which no group lists`);
      if (value === null || typeof value !== 'object') throw new TypeError(`${op}: the state of parameter ${key} must be an object`);
      if (this.paramShapedState) {
        for (const [name, v] of Object.entries(value)) {
          if (v instanceof Tensor && (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i]))) {
            throw new Error(`${op}: state '${name}' of parameter ${key} has shape ${shapeStr(v.shape)} but the parameter has shape ${shapeStr(p.shape)}`);
          }
        }
      }
      state.set(p, copyState(value, p.dtype, p.device) as S);
    }
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
    saved.forEach((sg, gi) => {
      const g = groups[gi]! as Record<string, unknown>;
      const params = g.params;
      for (const k of Object.keys(g)) delete g[k];
      for (const [k, v] of Object.entries(sg)) if (k !== 'params') g[k] = copyOption(v);
      g.params = params;
    });
  }

  /** PyTorch's summary: each group's options. */
  toString(): string {
    let s = `${this.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}`;
      for (const k of Object.keys(g).filter((k) => k !== 'params').sort()) {
        const v = g[k];
        s += `\n    ${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`;
      }
    });
    return `${s}\n)`;
  }
}

/** Throws unless `v` is a finite number >= 0 (or within [lo, hi) when given). */
export function checkOption(op: string, name: string, v: unknown, lo = 0, hi = Infinity, hiInclusive = false): void {
  const ok = typeof v === 'number' && v >= lo && (hiInclusive ? v <= hi : v < hi) && !Number.isNaN(v);
  if (!ok) {
    const range = hi === Infinity ? `>= ${lo}` : `in [${lo}, ${hi}${hiInclusive ? ']' : ')'}`;
    throw new RangeError(`${op}: invalid ${name} ${String(v)} (expected a number ${range})`);
  }
}

/** Throws unless `v` is a boolean. */
export function checkFlag(op: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new TypeError(`${op}: ${name} must be a boolean, got ${String(v)}`);
}
