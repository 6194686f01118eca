/** What the functional files share: argument checks that name the function, and loss reduction. */
import { isFloatingDType, Tensor } from '@cinder/tensor';

export type Reduction = 'none' | 'mean' | 'sum';

export function describe(t: Tensor): string {
  return `[${t.shape.join(', ')}] (${t.dtype})`;
}

export function tensorArg(op: string, v: unknown, what = 'input'): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}: expected ${what} to be a Tensor, got ${v === null ? 'null' : typeof v}`);
  return v;
}

export function floatArg(op: string, v: unknown, what = 'input'): Tensor {
  const t = tensorArg(op, v, what);
  if (!isFloatingDType(t.dtype)) throw new TypeError(`${op}: expected ${what} to be a floating point tensor, got ${describe(t)}`);
  return t;
}

export function optionalTensor(op: string, v: unknown, what: string): Tensor | null {
  return v === undefined || v === null ? null : tensorArg(op, v, what);
}

export function numberArg(op: string, v: unknown, what: string, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${op}: expected ${what} to be a number, got ${String(v)}`);
  return v;
}

export function boolArg(op: string, v: unknown, what: string, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${op}: expected ${what} to be a boolean, got ${String(v)}`);
  return v;
}

export function reductionArg(op: string, r: unknown, allowed: readonly string[] = ['none', 'mean', 'sum']): string {
  const v = r ?? 'mean';
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new RangeError(`${op}: reduction must be ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(r)}`);
  }
  return v;
}

/** Applies a loss reduction to elementwise losses. */
export function reduce(loss: Tensor, reduction: string): Tensor {
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  return loss;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
