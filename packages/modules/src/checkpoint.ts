/**
 * Checkpoints of module trees as safetensors files: each variable is stored under its name
 * relative to the module saved (`linear_0/w` for `mlp/linear_0/w`; with several modules,
 * prefixed by their key: `model/linear_0/w`, `optimizer/m/mlp/linear_0/w`). Restoring matches
 * names, so a freshly built module of the same structure takes the values: at once for variables
 * that exist, and on creation (the first call) for those that do not yet (deferred restoration).
 */
import { loadFile, loadFileSync, saveFile, saveFileSync, type Tensor } from '@cinder/tensor';
import { Module } from './module.js';
import { getPendingRestore, setPendingRestore } from './restoreRegistry.js';
import type { Variable } from './variable.js';

const META_KEY = 'cinder.modules';

export interface RestoreOptions {
  /**
   * A variable that exists in the module but not in the file is an error (default true); with
   * false it keeps its value and is listed in `missing`.
   */
  strict?: boolean;
}

export interface RestoreStatus {
  /** Names (as stored) of the values copied into existing variables. */
  restored: string[];
  /** Names of the values waiting for their variables to be created. */
  deferred: string[];
  /** Names of existing variables the file has no value for (only when not strict). */
  missing: string[];
}

function describe(t: Tensor): string {
  return `[${t.shape.join(', ')}] (${t.dtype})`;
}

/**
 * Saves and restores the variables of one module tree, or of several under keys
 * (`{ model, optimizer }`).
 * @example
 * ```ts
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * import { randn } from '@cinder/tensor';
 * import { Checkpoint, nets } from '@cinder/modules';
 * const path = join(tmpdir(), `mlp-${process.pid}.safetensors`);
 * const x = randn([2, 3]);
 * const mlp = new nets.MLP([4, 2]);
 * const y = mlp.call(x);
 * new Checkpoint(mlp).saveSync(path);
 *
 * const fresh = new nets.MLP([4, 2]);
 * const status = new Checkpoint(fresh).restoreSync(path); // before the first call: deferred
 * console.log(status.deferred, fresh.call(x).sub(y).abs().max().item()); // [ 'linear_0/b', 'linear_0/w', 'linear_1/b', 'linear_1/w' ] 0
 * ```
 */
export class Checkpoint {
  readonly roots: ReadonlyMap<string, Module>;

  constructor(objects: Module | Record<string, Module>) {
    const roots = new Map<string, Module>();
    if (objects instanceof Module) {
      roots.set('', objects);
    } else if (objects !== null && typeof objects === 'object') {
      for (const [k, m] of Object.entries(objects)) {
        if (!(m instanceof Module)) throw new TypeError(`Checkpoint: '${k}' is not a Module`);
        if (k === '' || k.includes('/')) throw new TypeError(`Checkpoint: keys must be non-empty and free of '/', got ${JSON.stringify(k)}`);
        roots.set(k, m);
      }
    } else {
      throw new TypeError(`Checkpoint: expected a Module or an object of Modules, got ${String(objects)}`);
    }
    this.roots = roots;
  }

  /** The tensors a save writes, by stored name. */
  tensors(): Record<string, Variable> {
    const out: Record<string, Variable> = {};
    for (const [key, root] of this.roots) {
      for (const [rel, v] of relativeVariables(root)) {
        const name = key === '' ? rel : `${key}/${rel}`;
        if (name in out && out[name] !== v) throw new Error(`Checkpoint.save: two variables are stored as '${name}'`);
        out[name] = v;
      }
    }
    return out;
  }

  async save(path: string): Promise<void> {
    await saveFile(path, this.tensors(), { metadata: this.#metadata() });
  }

  saveSync(path: string): void {
    saveFileSync(path, this.tensors(), { metadata: this.#metadata() });
  }

  async restore(path: string, opts: RestoreOptions = {}): Promise<RestoreStatus> {
    return this.#restore((await loadFile(path)).tensors, path, opts);
  }

  restoreSync(path: string, opts: RestoreOptions = {}): RestoreStatus {
    return this.#restore(loadFileSync(path).tensors, path, opts);
  }

  /**
   * The stored names of restored values still waiting for their variables (after the modules'
   * first calls this should be empty: what remains matches no variable that was created).
   */
  pending(): string[] {
    const out: string[] = [];
    for (const [key, root] of this.roots) {
      for (const rel of getPendingRestore(root)?.values.keys() ?? []) out.push(key === '' ? rel : `${key}/${rel}`);
    }
    return out;
  }

  #metadata(): Record<string, string> {
    const scopes = Object.fromEntries([...this.roots].map(([k, m]) => [k, m.scopeName]));
    return { [META_KEY]: JSON.stringify({ format: 1, scopes }) };
  }

  #restore(values: Record<string, Tensor>, source: string, opts: RestoreOptions): RestoreStatus {
    const strict = opts.strict ?? true;
    const status: RestoreStatus = { restored: [], deferred: [], missing: [] };
    const assignments: [Variable, Tensor][] = [];
    const problems: string[] = [];
    const pending = new Map<Module, Map<string, Tensor>>();
    const used = new Set<string>();
    for (const [key, root] of this.roots) {
      const prefix = key === '' ? '' : `${key}/`;
      const existing = relativeVariables(root);
      for (const [rel, v] of existing) {
        const name = prefix + rel;
        const value = values[name];
        if (value === undefined) {
          if (strict) problems.push(`variable '${v.name}' (stored as '${name}') is not in the file`);
          else status.missing.push(name);
          continue;
        }
        used.add(name);
        if (value.shape.length !== v.shape.length || value.shape.some((s, i) => s !== v.shape[i])) {
          problems.push(`'${name}' is ${describe(value)} in the file but variable '${v.name}' is ${describe(v)}`);
          continue;
        }
        assignments.push([v, value]);
        status.restored.push(name);
      }
      const rest = new Map<string, Tensor>();
      for (const [name, value] of Object.entries(values)) {
        if (used.has(name) || !name.startsWith(prefix)) continue;
        const rel = name.slice(prefix.length);
        if (existing.has(rel)) continue;
        rest.set(rel, value);
        used.add(name);
        status.deferred.push(name);
      }
      pending.set(root, rest);
    }
    const unclaimed = Object.keys(values).filter((n) => !used.has(n));
    if (unclaimed.length > 0) problems.push(`the file's ${unclaimed.map((n) => `'${n}'`).join(', ')} belong to none of the modules (${[...this.roots.keys()].map((k) => `'${k}'`).join(', ')})`);
    if (problems.length > 0) throw new Error(`Checkpoint.restore from ${source}: ${problems.join('; ')}`);
    // Everything was checked before anything is copied.
    for (const [v, value] of assignments) v.assign(value.to(v.dtype));
    for (const [root, rest] of pending) {
      const before = getPendingRestore(root)?.values ?? new Map<string, Tensor>();
      setPendingRestore(root, { values: new Map([...before, ...rest]), source });
    }
    return status;
  }
}

/** A module tree's variables by name relative to the module (each once). */
function relativeVariables(root: Module): Map<string, Variable> {
  const out = new Map<string, Variable>();
  const scope = `${root.scopeName}/`;
  for (const v of root._allVariables()) {
    const name = v.name;
    out.set(name.startsWith(scope) ? name.slice(scope.length) : name, v);
  }
  return out;
}
