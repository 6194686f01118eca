/** Turns sample arguments into tensors and their float64 references. */
import { Tensor, tensor, isFloatingDType, type DType } from '../../src/index.js';
import { makeRng, Nd } from './ref.js';
import type { SampleArg, TensorArg } from './types.js';

export function isTensorArg(a: SampleArg): a is TensorArg {
  return typeof a === 'object' && a !== null && !Array.isArray(a) && 'shape' in a;
}

function roundTo(v: number, dtype: DType): number {
  switch (dtype) {
    case 'float32': return Math.fround(v);
    case 'float64': return v;
    case 'float16': case 'bfloat16': return tensor([v], { dtype }).to('float64').toArray() as unknown as number;
    case 'bool': return v ? 1 : 0;
    case 'uint8': return Math.max(0, Math.min(255, Math.round(v)));
    default: return Math.round(v);
  }
}

/** Builds the tensor and its reference for one argument. */
export function buildArg(a: TensorArg, dtype: DType, seed: number): { t: Tensor; ref: Nd; dtype: DType } {
  const dt = a.dtype ?? dtype;
  const n = Nd.numel(a.shape);
  const rng = makeRng(seed);
  let lo = a.low ?? -2;
  let hi = a.high ?? 2;
  if (dt === 'uint8') {
    lo = Math.max(0, lo);
    hi = Math.max(lo + 1, hi);
  }
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    if (a.values) v = a.values[i]!;
    else if (dt === 'bool') v = rng() < 0.5 ? 1 : 0;
    else if (!isFloatingDType(dt)) v = Math.floor(lo + rng() * (hi - lo + 1));
    else v = lo + rng() * (hi - lo);
    vals[i] = roundTo(v, dt);
  }
  const ref = new Nd([...a.shape], vals);
  let t: Tensor;
  if (a.noncontig && n > 0) {
    // Interleave with junk and view every other element: a strided, non-contiguous tensor.
    const wide = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      wide[2 * i] = vals[i]!;
      wide[2 * i + 1] = 12345;
    }
    const base = tensor(wide, { dtype: dt });
    const strides: number[] = [];
    let acc = 2;
    for (let d = a.shape.length - 1; d >= 0; d--) {
      strides[d] = acc;
      acc *= a.shape[d]!;
    }
    t = base._view([...a.shape], strides, 0);
  } else {
    t = tensor(vals, { dtype: dt, shape: [...a.shape] });
  }
  return { t, ref, dtype: dt };
}

export interface BuiltArgs {
  tensors: unknown[];
  refs: unknown[];
  dtypes: DType[];
}

export function buildArgs(args: readonly SampleArg[], dtype: DType, seed: number): BuiltArgs {
  const tensors: unknown[] = [];
  const refs: unknown[] = [];
  const dtypes: DType[] = [];
  args.forEach((a, i) => {
    if (isTensorArg(a)) {
      const b = buildArg(a, dtype, seed * 31 + i);
      tensors.push(b.t);
      refs.push(b.ref);
      dtypes.push(b.dtype);
    } else if (typeof a === 'object' && a !== null && !Array.isArray(a) && 'literal' in a) {
      tensors.push(a.literal);
      refs.push(a.literal);
    } else {
      tensors.push(a);
      refs.push(a);
    }
  });
  return { tensors, refs, dtypes };
}
