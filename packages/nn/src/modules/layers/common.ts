/** Shared pieces of the layer classes: factory options, argument checks, PyTorch's repr spelling. */
import { empty, type Device, type DType, type Tensor } from '@cinder/tensor';

/** Where a layer's parameters are created (PyTorch's factory kwargs `device` and `dtype`). */
export interface FactoryOptions {
  dtype?: DType;
  device?: Device;
}

/** An uninitialised tensor for a parameter of the given shape, honouring the factory options. */
export function newParam(shape: readonly number[], opts: FactoryOptions | undefined): Tensor {
  return empty([...shape], { dtype: opts?.dtype ?? 'float32', ...(opts?.device === undefined ? {} : { device: opts.device }) });
}

/** A positive integer argument of a layer constructor, or a RangeError naming the layer. */
export function positiveInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new RangeError(`${layer}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/** A non-negative integer argument of a layer constructor. */
export function nonNegativeInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`${layer}: ${name} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

/** A finite number argument of a layer constructor. */
export function finite(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${layer}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** A dropout probability in [0, 1]. */
export function probabilityArg(layer: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new RangeError(`${layer}: dropout probability has to be between 0 and 1, but got ${String(v)}`);
  }
  return v;
}

/** Python's spelling of a boolean, as PyTorch's reprs print it. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** Python's spelling of a number or tuple: 3 -> "3", [3, 3] -> "(3, 3)", [3] -> "(3,)". */
export function pyTuple(v: number | readonly number[]): string {
  if (typeof v === 'number') return String(v);
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}

/** Python's spelling of a float as repr() prints it: 1e-05, 0.1, 1.0, 1e+16. */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  // The shortest round-tripping digits, then Python's layout: fixed for 1e-4 <= |v| < 1e16.
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}
