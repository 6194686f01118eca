/** Reduction entries: every op over all dims, one dim, negative and several dims, keepdim, strided, 0-d and zero-size inputs. */
import { varMean, stdMean, type DType, type Tensor } from '../../src/index.js';
import { Nd, reduceDims } from './ref.js';
import type { ErrorCase, OpInfo, Sample } from './types.js';

const FLOATS: DType[] = ['float32', 'float64'];
const NUMERIC: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8'];
const WITH_BOOL: DType[] = [...NUMERIC, 'bool'];

const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
const widened = (d: DType): DType => (isFloat(d) ? d : 'int64');

function dimsOf(dim: unknown): number[] | undefined {
  if (dim === undefined || dim === null) return undefined;
  if (typeof dim === 'number') return [dim];
  const a = dim as number[];
  return a.length ? a : undefined;
}

/** The reference of a reduction over `dim` (absent: every dim). */
function red(x: Nd, dim: unknown, o: Record<string, unknown> | undefined, f: (v: number[]) => number): Nd {
  return reduceDims(x, dimsOf(dim), o?.keepdim === true, f);
}

/** f over every line along `dim`, writing a line of the same length. */
function alongDim(x: Nd, dim: number, f: (v: number[]) => number[]): Nd {
  if (x.ndim === 0) return new Nd([], Float64Array.from(f([x.data[0]!])));
  const d = dim < 0 ? dim + x.ndim : dim;
  const out = Nd.zeros([...x.shape]);
  const st = x.strides();
  const n = x.shape[d]!;
  Nd.forEachIndex(x.shape, (idx, flat) => {
    if (idx[d] !== 0) return;
    const vals: number[] = [];
    for (let k = 0; k < n; k++) vals.push(x.data[flat + k * st[d]!]!);
    const r = f(vals);
    for (let k = 0; k < n; k++) out.data[flat + k * st[d]!] = r[k]!;
  });
  return out;
}

const total = (v: number[]): number => v.reduce((a, b) => a + b, 0);
const product = (v: number[]): number => v.reduce((a, b) => a * b, 1);
const maxOf = (v: number[]): number => (v.some(Number.isNaN) ? NaN : Math.max(...v));
const minOf = (v: number[]): number => (v.some(Number.isNaN) ? NaN : Math.min(...v));
function firstIndex(v: number[], isMax: boolean): number {
  let best = 0;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i])) return i;
    if (isMax ? v[i]! > v[best]! : v[i]! < v[best]!) best = i;
  }
  return best;
}
function variance(v: number[], correction: number): number {
  const m = total(v) / v.length;
  const ss = v.reduce((a, b) => a + (b - m) * (b - m), 0);
  return (v.length === 0 ? NaN : ss) / Math.max(0, v.length - correction);
}
function lse(v: number[]): number {
  const m = maxOf(v);
  if (v.length === 0) return -Infinity;
  if (!Number.isFinite(m)) return Math.log(total(v.map(Math.exp)));
  return m + Math.log(total(v.map((a) => Math.exp(a - m))));
}
function pnorm(v: number[], p: number): number {
  const a = v.map(Math.abs);
  if (p === Infinity) return maxOf(a);
  if (p === -Infinity) return minOf(a);
  if (p === 0) return a.filter((x) => x !== 0).length;
  return Math.pow(total(a.map((x) => Math.pow(x, p))), 1 / p);
}
/** Samples whose variance divides by zero (one element per output): NaN, no gradient to check. */
const degenerateVar = (s: Sample): boolean => s.name === '0-d' || s.name === '0-d with dim' || s.name === 'one element per output';

const correctionOf = (o: Record<string, unknown> | undefined, unbiased: unknown): number =>
  typeof unbiased === 'boolean' ? (unbiased ? 1 : 0) : ((o?.correction as number | undefined) ?? (o?.unbiased === false ? 0 : 1));

/** The usual samples of a dims reduction: args are [x, dim]. */
function dimSamples(opts: { empty?: boolean; range?: { low: number; high: number } } = {}): Sample[] {
  const r = opts.range ?? {};
  const s: Sample[] = [
    { name: 'all dims', args: [{ shape: [3, 4], ...r }] },
    { name: 'one dim', args: [{ shape: [3, 4], ...r }, 1] },
    { name: 'dim 0', args: [{ shape: [3, 5], ...r }, 0] },
    { name: 'negative dim', args: [{ shape: [2, 3, 4], ...r }, -1] },
    { name: 'several dims', args: [{ shape: [2, 3, 4], ...r }, [0, 2]] },
    { name: 'several negative dims, keepdim', args: [{ shape: [2, 3, 4], ...r }, [-1, 0]], opts: { keepdim: true } },
    { name: 'keepdim', args: [{ shape: [3, 4], ...r }, 0], opts: { keepdim: true } },
    { name: 'outer reduction', args: [{ shape: [40, 33], ...r }, 0] },
    { name: 'outer reduction over two dims', args: [{ shape: [3, 7, 20], ...r }, [0, 1]] },
    { name: 'non-contiguous, one dim', args: [{ shape: [3, 5], noncontig: true, ...r }, 1] },
    { name: 'non-contiguous, all dims', args: [{ shape: [4, 6], noncontig: true, ...r }] },
    { name: 'non-contiguous, outer', args: [{ shape: [9, 12], noncontig: true, ...r }, 0] },
    { name: 'non-contiguous, middle dim', args: [{ shape: [2, 3, 4], noncontig: true, ...r }, 1] },
    { name: 'permuted kept dims', args: [{ shape: [3, 4, 5], noncontig: true, ...r }, [1]] },
    { name: '0-d', args: [{ shape: [], ...r }] },
    { name: '0-d with dim', args: [{ shape: [], ...r }, 0] },
    { name: 'long rows', args: [{ shape: [2, 1000], ...r }, 1] },
    { name: 'empty list is every dim', args: [{ shape: [2, 3], ...r }, []] },
  ];
  if (opts.empty !== false) {
    s.push(
      { name: 'zero-size, reduced', args: [{ shape: [0, 3], ...r }, 0] },
      { name: 'zero-size, kept', args: [{ shape: [0, 3], ...r }, 1] },
      { name: 'zero-size, all dims', args: [{ shape: [2, 0], ...r }] },
    );
  }
  return s;
}

function dimErrors(op: string, run = 'dims'): ErrorCase[] {
  const e: ErrorCase[] = [
    { name: 'dim out of range', args: [{ shape: [2, 3] }, 2], throws: new RegExp(`${op}: dimension out of range`) },
    { name: 'negative dim out of range', args: [{ shape: [2, 3] }, -3], throws: new RegExp(`${op}: dimension out of range`) },
  ];
  if (run === 'dims') {
    e.push({ name: 'repeated dims', args: [{ shape: [2, 3] }, [1, -1]], throws: new RegExp(`${op}: dim 1 appears multiple times`) });
  }
  return e;
}

const emptyError = (op: string, shape = [0, 3], dim?: number): ErrorCase => ({
  name: 'zero-size reduction without identity',
  args: dim === undefined ? [{ shape }] : [{ shape }, dim],
  throws: new RegExp(`${op}: cannot reduce over a zero-size dimension`),
});

function sumRun(name: 'sum' | 'prod' | 'mean') {
  return ([x, dim]: [Tensor, unknown], o?: Record<string, unknown>): Tensor =>
    dim === undefined ? (x[name] as (o?: unknown) => Tensor)(o) : (x[name] as (d: unknown, o?: unknown) => Tensor)(dim, o);
}

export const reductionOps: OpInfo[] = [
  {
    name: 'sum',
    run: sumRun('sum'),
    ref: ([x, dim], o) => red(x, dim, o, total),
    samples: [
      ...dimSamples(),
      { name: 'broadcast (stride 0) input', args: [{ shape: [3, 1] }, 1] },
    ],
    dtypes: WITH_BOOL,
    outDtype: widened,
    errors: dimErrors('sum'),
    grad: true,
  },
  {
    name: 'mean',
    run: sumRun('mean'),
    ref: ([x, dim], o) => red(x, dim, o, (v) => total(v) / v.length),
    samples: dimSamples(),
    dtypes: FLOATS,
    outDtype: (d) => d,
    errors: [
      ...dimErrors('mean'),
      { name: 'integer input without dtype', args: [{ shape: [2, 3], dtype: 'int64' }, 1], throws: /mean: could not infer the output dtype.*int64/ },
    ],
    grad: true,
  },
  {
    name: 'prod',
    run: sumRun('prod'),
    ref: ([x, dim], o) => red(x, dim, o, product),
    samples: [
      ...dimSamples({ range: { low: -2, high: 2 } }).filter((s) => s.name !== 'long rows'),
      { name: 'one zero', args: [{ shape: [3, 4], values: [1.5, -0.5, 0, 2, 0.7, 1.2, -1.1, 0.9, 0, -1.3, 0.8, 1.7] }, 1] },
      { name: 'one zero, all dims', args: [{ shape: [2, 3], values: [1.5, -0.5, 0, 2, 0.7, 1.2] }] },
      { name: 'two zeros in a row', args: [{ shape: [2, 4], values: [0, 1.5, 0, -0.7, 1.1, 0, 0.6, 1.4] }, 1] },
    ],
    dtypes: WITH_BOOL,
    outDtype: widened,
    errors: dimErrors('prod'),
    grad: true,
  },
  {
    name: 'amax',
    run: ([x, dim], o) => (dim === undefined ? x.amax(o) : x.amax(dim, o)),
    ref: ([x, dim], o) => red(x, dim, o, maxOf),
    samples: dimSamples({ empty: false }).concat([{ name: 'zero-size, kept', args: [{ shape: [0, 3] }, 1] }]),
    dtypes: WITH_BOOL,
    outDtype: (d) => d,
    errors: [...dimErrors('amax'), emptyError('amax', [0, 3], 0), emptyError('amax')],
    grad: true,
  },
  {
    name: 'amin',
    run: ([x, dim], o) => (dim === undefined ? x.amin(o) : x.amin(dim, o)),
    ref: ([x, dim], o) => red(x, dim, o, minOf),
    samples: dimSamples({ empty: false }),
    dtypes: WITH_BOOL,
    outDtype: (d) => d,
    errors: [...dimErrors('amin'), emptyError('amin', [3, 0], 1)],
    grad: true,
  },
  {
    name: 'max',
    run: ([x, dim], o) => (dim === undefined ? x.max() : x.max(dim, o)),
    ref: ([x, dim], o) =>
      dim === undefined
        ? red(x, undefined, undefined, maxOf)
        : { values: red(x, dim, o, maxOf), indices: red(x, dim, o, (v) => firstIndex(v, true)) },
    samples: dimSamples({ empty: false }).filter((s) => !Array.isArray(s.args[1])),
    dtypes: [...NUMERIC, 'bool'],
    errors: [
      ...dimErrors('max', 'one'),
      emptyError('max'),
      { name: 'zero-size dim', args: [{ shape: [2, 0] }, 1], throws: /max: cannot reduce over a zero-size dimension/ },
    ],
    grad: true,
  },
  {
    name: 'min',
    run: ([x, dim], o) => (dim === undefined ? x.min() : x.min(dim, o)),
    ref: ([x, dim], o) =>
      dim === undefined
        ? red(x, undefined, undefined, minOf)
        : { values: red(x, dim, o, minOf), indices: red(x, dim, o, (v) => firstIndex(v, false)) },
    samples: dimSamples({ empty: false }).filter((s) => !Array.isArray(s.args[1])),
    dtypes: NUMERIC,
    errors: [...dimErrors('min', 'one'), emptyError('min')],
    grad: true,
  },
  {
    name: 'argmax',
    run: ([x, dim], o) => (dim === undefined ? x.argmax(o) : x.argmax(dim, o)),
    ref: ([x, dim], o) =>
      dim === undefined && o?.keepdim
        ? new Nd(x.shape.map(() => 1), Float64Array.of(firstIndex([...x.data], true)))
        : red(x, dim, o, (v) => firstIndex(v, true)),
    samples: [
      ...dimSamples({ empty: false }).filter((s) => !Array.isArray(s.args[1])),
      { name: 'flat, keepdim', args: [{ shape: [3, 4] }], opts: { keepdim: true } },
      { name: 'flat, non-contiguous', args: [{ shape: [3, 4], noncontig: true }] },
      { name: 'ties give the first index', args: [{ shape: [2, 4], values: [1, 3, 3, 0, 2, 2, 2, 2] }, 1] },
      { name: 'zero-size, kept dim', args: [{ shape: [0, 3] }, 1] },
    ],
    dtypes: NUMERIC,
    outDtype: () => 'int64',
    errors: [...dimErrors('argmax', 'one'), emptyError('argmax')],
  },
  {
    name: 'argmin',
    run: ([x, dim], o) => (dim === undefined ? x.argmin(o) : x.argmin(dim, o)),
    ref: ([x, dim], o) =>
      dim === undefined && o?.keepdim
        ? new Nd(x.shape.map(() => 1), Float64Array.of(firstIndex([...x.data], false)))
        : red(x, dim, o, (v) => firstIndex(v, false)),
    samples: [
      ...dimSamples({ empty: false }).filter((s) => !Array.isArray(s.args[1])),
      { name: 'ties give the first index', args: [{ shape: [2, 4], values: [1, 0, 0, 3, 2, 2, 2, 2] }, 1] },
    ],
    dtypes: NUMERIC,
    outDtype: () => 'int64',
    errors: [...dimErrors('argmin', 'one'), emptyError('argmin', [2, 0], 1)],
  },
  {
    name: 'var',
    run: ([x, dim], o) => (dim === undefined ? x.var(o) : x.var(dim, o)),
    ref: ([x, dim], o) => red(x, typeof dim === 'boolean' ? undefined : dim, o, (v) => variance(v, correctionOf(o, dim))),
    samples: [
      ...dimSamples(),
      { name: 'correction 0', args: [{ shape: [3, 4] }, 1], opts: { correction: 0 } },
      { name: 'correction 2, keepdim', args: [{ shape: [3, 4] }, [0, 1]], opts: { correction: 2, keepdim: true } },
      { name: 'unbiased false', args: [{ shape: [3, 4] }, false] },
      { name: 'unbiased option', args: [{ shape: [3, 4] }, 0], opts: { unbiased: false } },
      { name: 'one element per output', args: [{ shape: [3, 1] }, 1] },
      { name: 'large offset', args: [{ shape: [4, 50], low: 1000, high: 1001 }, 1] },
    ].filter((s) => !degenerateVar(s)),
    dtypes: FLOATS,
    outDtype: (d) => d,
    errors: [
      ...dimErrors('var'),
      { name: 'integer input', args: [{ shape: [2, 3], dtype: 'int32' }], throws: /var: expected a floating point input, got int32/ },
    ],
    grad: true,
  },
  {
    name: 'std',
    run: ([x, dim], o) => (dim === undefined ? x.std(o) : x.std(dim, o)),
    ref: ([x, dim], o) => red(x, typeof dim === 'boolean' ? undefined : dim, o, (v) => Math.sqrt(variance(v, correctionOf(o, dim)))),
    samples: [
      ...dimSamples(),
      { name: 'correction 0', args: [{ shape: [3, 4] }, 1], opts: { correction: 0 } },
      { name: 'unbiased false', args: [{ shape: [3, 4] }, false] },
    ].filter((s) => !degenerateVar(s)),
    dtypes: FLOATS,
    outDtype: (d) => d,
    errors: dimErrors('std'),
    grad: true,
  },
  ...(['var', 'std'] as const).map(
    (op): OpInfo => ({
      name: `${op} (one element per output)`,
      run: ([x, dim], o) => (dim === undefined ? x[op](o) : x[op](dim, o)),
      ref: ([x, dim], o) =>
        red(x, dim, o, (v) => (op === 'var' ? variance(v, correctionOf(o, undefined)) : Math.sqrt(variance(v, correctionOf(o, undefined))))),
      samples: [...dimSamples(), { name: 'one element per output', args: [{ shape: [3, 1] }, 1] }].filter(degenerateVar),
      dtypes: FLOATS,
      outDtype: (d) => d,
    }),
  ),
  {
    name: 'varMean',
    run: ([x, dim], o) => varMean(x, dim, o),
    ref: ([x, dim], o) => [red(x, dim, o, (v) => variance(v, correctionOf(o, undefined))), red(x, dim, o, (v) => total(v) / v.length)],
    samples: [
      { args: [{ shape: [3, 4] }] },
      { args: [{ shape: [3, 4] }, 1], opts: { keepdim: true, correction: 0 } },
      { args: [{ shape: [2, 3, 4], noncontig: true }, [0, 2]] },
    ],
    dtypes: FLOATS,
    errors: dimErrors('varMean'),
    grad: true,
  },
  {
    name: 'stdMean',
    run: ([x, dim], o) => stdMean(x, dim, o),
    ref: ([x, dim], o) => [red(x, dim, o, (v) => Math.sqrt(variance(v, correctionOf(o, undefined)))), red(x, dim, o, (v) => total(v) / v.length)],
    samples: [{ args: [{ shape: [3, 4] }, 0] }, { args: [{ shape: [5] }], opts: { correction: 0 } }],
    dtypes: FLOATS,
    grad: true,
  },
  {
    name: 'logsumexp',
    run: ([x, dim], o) => (dim === undefined ? x.logsumexp(o) : x.logsumexp(dim, o)),
    ref: ([x, dim], o) => red(x, dim, o, lse),
    samples: [
      ...dimSamples(),
      { name: 'huge values', args: [{ shape: [3, 4], low: 500, high: 900 }, 1] },
      { name: 'very negative values', args: [{ shape: [3, 4], low: -900, high: -500 }, 0] },
    ],
    dtypes: FLOATS,
    outDtype: (d) => d,
    errors: dimErrors('logsumexp'),
    grad: true,
  },
  {
    name: 'logsumexp (infinities)',
    run: ([x, dim], o) => x.logsumexp(dim, o),
    ref: ([x, dim], o) => red(x, dim, o, lse),
    samples: [{ name: 'infinities', args: [{ shape: [3, 2], values: [-Infinity, -Infinity, Infinity, 1, -Infinity, 2] }, 1] }],
    dtypes: FLOATS,
    outDtype: (d) => d,
  },
  {
    name: 'logsumexp (integer input)',
    run: ([x, dim]) => x.logsumexp(dim),
    ref: ([x, dim]) => red(x, dim, undefined, lse),
    samples: [{ args: [{ shape: [3, 4] }, 1] }],
    dtypes: ['int32', 'int64'],
    outDtype: () => 'float32',
  },
  {
    name: 'norm',
    run: ([x, p, dim], o) => x.norm(p, dim, o),
    ref: ([x, p, dim], o) => red(x, dim, o, (v) => pnorm(v, p === undefined || p === 'fro' ? 2 : p)),
    samples: [
      { name: 'default p', args: [{ shape: [3, 4] }] },
      { name: 'fro over a dim', args: [{ shape: [3, 4] }, 'fro', 1] },
      { name: 'p 1', args: [{ shape: [3, 4] }, 1, 0] },
      { name: 'p inf', args: [{ shape: [3, 4] }, Infinity, 1] },
      { name: 'p -inf', args: [{ shape: [3, 4] }, -Infinity, [0, 1]] },
      { name: 'p 0', args: [{ shape: [3, 4], values: [0, 1, 2, 0, 0, 0, 3, 1, 0, 0, 0, 0] }, 0, 1] },
      { name: 'p 3, keepdim', args: [{ shape: [2, 3, 4] }, 3, [0, 2]], opts: { keepdim: true } },
      { name: 'p 0.5', args: [{ shape: [3, 4] }, 0.5, -1] },
      { name: 'outer', args: [{ shape: [30, 20] }, 2, 0] },
      { name: 'non-contiguous', args: [{ shape: [4, 6], noncontig: true }, 2, 1] },
      { name: '0-d', args: [{ shape: [] }, 2] },
      { name: 'zero-size', args: [{ shape: [0, 3] }, 2, 0] },
    ],
    dtypes: FLOATS,
    outDtype: (d) => d,
    errors: [
      { name: 'integer input', args: [{ shape: [2, 3], dtype: 'int64' }], throws: /norm: expected a floating point input, got int64/ },
      { name: 'nuclear norm', args: [{ shape: [2, 3] }, 'nuc'], throws: /norm: unsupported norm type "nuc"/ },
      { name: 'dim out of range', args: [{ shape: [2, 3] }, 2, 5], throws: /norm: dimension out of range/ },
      { name: 'inf norm of empty', args: [{ shape: [0] }, Infinity], throws: /norm: cannot reduce over a zero-size dimension/ },
    ],
    grad: true,
  },
  {
    name: 'all',
    run: ([x, dim], o) => (dim === undefined ? x.all(o) : x.all(dim, o)),
    ref: ([x, dim], o) => red(x, dim, o, (v) => (v.every((a) => a !== 0) ? 1 : 0)),
    samples: [
      ...dimSamples({ range: { low: 0, high: 1 } }),
      { name: 'zeros among floats', args: [{ shape: [2, 3], values: [0, 1, 2, 3, 4, 5] }, 1] },
    ],
    dtypes: ['bool', 'int32', 'uint8', 'float64'],
    outDtype: (d) => (d === 'uint8' ? 'uint8' : 'bool'),
    errors: dimErrors('all'),
  },
  {
    name: 'any',
    run: ([x, dim], o) => (dim === undefined ? x.any(o) : x.any(dim, o)),
    ref: ([x, dim], o) => red(x, dim, o, (v) => (v.some((a) => a !== 0) ? 1 : 0)),
    samples: [
      ...dimSamples({ range: { low: 0, high: 1 } }),
      { name: 'zeros among floats', args: [{ shape: [2, 3], values: [0, 0, 0, 0, 4, 0] }, 1] },
    ],
    dtypes: ['bool', 'int32', 'uint8', 'float64'],
    outDtype: (d) => (d === 'uint8' ? 'uint8' : 'bool'),
    errors: dimErrors('any'),
  },
  {
    name: 'countNonzero',
    run: ([x, dim]) => x.countNonzero(dim),
    ref: ([x, dim]) => red(x, dim, undefined, (v) => v.filter((a) => a !== 0).length),
    samples: dimSamples({ range: { low: -1, high: 1 } }).filter((s) => s.opts === undefined),
    dtypes: ['bool', 'int32', 'int64', 'uint8', 'float32'],
    outDtype: () => 'int64',
    errors: dimErrors('countNonzero'),
  },
  ...(['cumsum', 'cumprod'] as const).map(
    (op): OpInfo => ({
      name: op,
      run: ([x, dim], o) => x[op](dim, o),
      ref: ([x, dim]) =>
        alongDim(x, dim, (v) => {
          let acc = op === 'cumsum' ? 0 : 1;
          return v.map((a) => (acc = op === 'cumsum' ? acc + a : acc * a));
        }),
      samples: [
        { name: 'last dim', args: [{ shape: [3, 4] }, 1] },
        { name: 'dim 0', args: [{ shape: [3, 4] }, 0] },
        { name: 'middle dim', args: [{ shape: [2, 5, 3] }, 1] },
        { name: 'negative dim', args: [{ shape: [2, 3, 4] }, -1] },
        { name: 'wide rows', args: [{ shape: [4, 300] }, 0] },
        { name: 'non-contiguous', args: [{ shape: [3, 4], noncontig: true }, 0] },
        { name: 'non-contiguous, last dim', args: [{ shape: [3, 4], noncontig: true }, 1] },
        { name: '0-d', args: [{ shape: [] }, 0] },
        { name: 'zero-size', args: [{ shape: [0, 3] }, 0] },
        { name: 'zero-size other dim', args: [{ shape: [0, 3] }, 1] },
        ...(op === 'cumprod'
          ? [
              { name: 'one zero', args: [{ shape: [2, 4], values: [1.5, 0, -0.7, 1.2, 0.8, -1.1, 0, 0.9] }, 1] },
              { name: 'two zeros', args: [{ shape: [5], values: [1.3, 0, 0.6, 0, -1.2] }, 0] },
            ]
          : []),
      ],
      dtypes: WITH_BOOL,
      outDtype: widened,
      errors: [
        { name: 'dim out of range', args: [{ shape: [2, 3] }, 2], throws: new RegExp(`${op}: dimension out of range`) },
        { name: 'missing dim', args: [{ shape: [2, 3] }], throws: new RegExp(`${op}: dim is required`) },
      ],
      grad: true,
    }),
  ),
  ...(['softmax', 'logSoftmax'] as const).map(
    (op): OpInfo => ({
      name: op,
      run: ([x, dim], o) => x[op](dim, o),
      ref: ([x, dim]) =>
        alongDim(x, dim, (v) => {
          const m = maxOf(v);
          const s = total(v.map((a) => Math.exp(a - m)));
          return v.map((a) => (op === 'softmax' ? Math.exp(a - m) / s : a - m - Math.log(s)));
        }),
      samples: [
        { name: 'last dim', args: [{ shape: [3, 4] }, 1] },
        { name: 'dim 0', args: [{ shape: [3, 4] }, 0] },
        { name: 'middle dim', args: [{ shape: [2, 5, 3] }, 1] },
        { name: 'negative dim', args: [{ shape: [2, 3, 4] }, -1] },
        { name: 'wide rows', args: [{ shape: [4, 300] }, 0] },
        { name: 'huge logits', args: [{ shape: [2, 3], values: [1000, -1000, 0, 999, 1000, 998] }, 1] },
        { name: 'long rows', args: [{ shape: [3, 200], low: -30, high: 30 }, 1] },
        { name: 'long rows, non-contiguous', args: [{ shape: [3, 100], noncontig: true }, -1] },
        { name: 'huge logits along dim 0', args: [{ shape: [2, 3], values: [1000, -1000, 0, 999, 1000, 998] }, 0] },
        { name: 'non-contiguous', args: [{ shape: [3, 4], noncontig: true }, 0] },
        { name: 'non-contiguous, last dim', args: [{ shape: [3, 4], noncontig: true }, -1] },
        { name: '0-d', args: [{ shape: [] }, 0] },
        { name: 'zero-size', args: [{ shape: [0, 3] }, 1] },
        { name: 'zero-size dim', args: [{ shape: [2, 0] }, 1] },
      ],
      dtypes: FLOATS,
      outDtype: (d) => d,
      errors: [
        { name: 'dim out of range', args: [{ shape: [2, 3] }, -3], throws: new RegExp(`${op}: dimension out of range`) },
        { name: 'integer input', args: [{ shape: [2, 3], dtype: 'int64' }, 1], throws: new RegExp(`${op}: expected a floating point input, got int64`) },
      ],
      grad: true,
    }),
  ),
];
