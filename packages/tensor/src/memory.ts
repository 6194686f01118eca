/**
 * Deterministic release: tidy() scopes. Tensors created inside a scope are disposed when it ends,
 * except those returned from it (which move to the enclosing scope) and those passed to keep().
 */
import type { Tensor } from './tensor.js';

const scopes: Tensor[][] = [];

/** Called by the Tensor constructor. */
export function trackTensor(t: Tensor): void {
  if (scopes.length !== 0) scopes[scopes.length - 1]!.push(t);
}

/** Exempts a tensor from disposal by the enclosing tidy() scopes. */
export function keep<T extends Tensor>(t: T): T {
  for (const scope of scopes) {
    const i = scope.indexOf(t);
    if (i >= 0) scope.splice(i, 1);
  }
  return t;
}

function collect(value: unknown, out: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if ((value as { _isTensor?: boolean })._isTensor === true) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else for (const v of Object.values(value as object)) collect(v, out, depth + 1);
}

/**
 * Runs fn, then disposes every tensor it created except those in its result.
 * @example
 * ```ts
 * const y = tidy(() => x.mul(2).add(1).relu()); // the intermediates are freed now
 * ```
 */
export function tidy<R>(fn: () => R): R {
  if (typeof fn !== 'function') throw new TypeError('tidy: expected a function');
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new TypeError('tidy: fn must be synchronous (it returned a Promise)');
  const kept = new Set<unknown>();
  collect(result, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.push(t);
    else t.dispose();
  }
  return result;
}
