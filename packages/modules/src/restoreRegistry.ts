/**
 * Checkpoint values waiting for variables that do not exist yet (deferred restoration): a
 * checkpoint restored into a module before its first call leaves them here, and each variable
 * takes its value when it is created.
 */
import type { Tensor } from '@cinder/tensor';
import type { Variable } from './variable.js';

export interface PendingRestore {
  /** Values by the variable's name relative to the module the checkpoint was restored into. */
  values: Map<string, Tensor>;
  /** Where the values came from, for error messages. */
  source: string;
}

interface ScopedModule {
  readonly scopeName: string;
}

const pending = new WeakMap<object, PendingRestore>();

export function setPendingRestore(m: ScopedModule, p: PendingRestore): void {
  if (p.values.size === 0) pending.delete(m);
  else pending.set(m, p);
}

export function getPendingRestore(m: ScopedModule): PendingRestore | undefined {
  return pending.get(m);
}

/**
 * Restores `v` from a pending checkpoint of one of `owner`'s ancestors (or its own), if any names
 * it. Returns how to drop the value from the pending ones, which the caller does once the
 * variable is there to stay (a failed first call keeps the value for the next one).
 */
export function takePendingRestore(owner: ScopedModule, v: Variable): (() => void) | null {
  const name = v.name;
  for (const [m, p] of candidates(owner)) {
    const scope = m.scopeName;
    const rel = name.startsWith(`${scope}/`) ? name.slice(scope.length + 1) : null;
    if (rel === null) continue;
    const value = p.values.get(rel);
    if (value === undefined) continue;
    if (value.shape.length !== v.shape.length || value.shape.some((s, i) => s !== v.shape[i])) {
      throw new RangeError(
        `restore: variable '${name}' was created with shape [${v.shape.join(', ')}] but ${p.source} holds [${value.shape.join(', ')}] for it`,
      );
    }
    v.assign(value.to(v.dtype));
    return () => {
      p.values.delete(rel);
      if (p.values.size === 0 && pending.get(m) === p) pending.delete(m);
    };
  }
  return null;
}

/** Modules with pending values, found by walking up the parent chain. */
function* candidates(owner: ScopedModule): Generator<[ScopedModule, PendingRestore]> {
  for (let m: ScopedModule | null = owner; m !== null; m = parentOf(m)) {
    const p = pending.get(m);
    if (p !== undefined) yield [m, p];
  }
}

let parentOf: (m: ScopedModule) => ScopedModule | null = () => null;

/** @internal module.ts tells how to find a module's parent (it keeps that private). */
export function _setParentLookup(fn: (m: ScopedModule) => ScopedModule | null): void {
  parentOf = fn;
}
