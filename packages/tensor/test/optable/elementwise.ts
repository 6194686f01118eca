/** Elementwise entries: arithmetic, comparisons, logical ops, unary math, clamp, lerp, where. */
import * as T from '../../src/index.js';
import type { DType, Tensor } from '../../src/index.js';
import { Nd, zipWith } from './ref.js';
import type { ErrorCase, OpInfo, Sample, SampleArg, TensorArg } from './types.js';

// ---- float64 references for the special functions (independent of the native code) ------------

const SQRT_PI = Math.sqrt(Math.PI);

/** erf by its Maclaurin series (|x| <= 3) or the continued fraction of erfc (larger |x|). */
export function refErf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax > 3) return Math.sign(x) * (1 - refErfcLarge(ax));
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}
function refErfcLarge(x: number): number {
  // Lentz-free backward evaluation of erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / SQRT_PI / f;
}
export function refErfc(x: number): number {
  return x > 3 ? refErfcLarge(x) : 1 - refErf(x);
}
/** erfinv by bisection on refErf. */
export function refErfinv(y: number): number {
  if (!(y >= -1 && y <= 1)) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  let lo = -6;
  let hi = 6;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (refErf(mid) < y) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-16) break;
  }
  return (lo + hi) / 2;
}
/** log|Gamma(x)|: shift up to >= 15 then Stirling; reflection for x < 0.5. */
export function refLgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - refLgamma(1 - x);
  let shift = 0;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const z = 1 / (x * x);
  const series = (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z / 1680))) / x;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}
/** digamma: shift up to >= 20, then ln x - 1/(2x) - sum; reflection below 0. */
export function refDigamma(x: number): number {
  if (x <= 0 && Number.isInteger(x)) return x === 0 ? -Infinity : NaN;
  if (x < 0) return refDigamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  let acc = 0;
  while (x < 20) {
    acc -= 1 / x;
    x += 1;
  }
  const z = 1 / (x * x);
  return acc + Math.log(x) - 0.5 / x - z * (1 / 12 - z * (1 / 120 - z / 252));
}
/** polygamma(n >= 1, x) = (-1)^(n+1) n! sum_k (x + k)^-(n+1), summed directly with an integral tail. */
export function refPolygamma(n: number, x: number): number {
  if (n === 0) return refDigamma(x);
  if (x <= 0 && Number.isInteger(x)) return n % 2 === 1 ? Infinity : NaN;
  if (x < 0 && n === 1) {
    const s = Math.sin(Math.PI * x);
    return (Math.PI * Math.PI) / (s * s) - refPolygamma(1, 1 - x);
  }
  const s = n + 1;
  const K = 2000;
  let sum = 0;
  for (let k = K - 1; k >= 0; k--) sum += (x + k) ** -s;
  const a = x + K;
  // Euler-Maclaurin tail: integral + half the first term + first derivative correction.
  sum += a ** (1 - s) / (s - 1) + 0.5 * a ** -s + (s * a ** (-s - 1)) / 12;
  let fact = 1;
  for (let k = 2; k <= n; k++) fact *= k;
  return (n % 2 === 1 ? 1 : -1) * fact * sum;
}
/** Round half to even. */
export function refRoundEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

// ---- reference dtype rules (simplified: the table's samples mix one dtype with numbers) --------

const RANK: DType[] = ['bool', 'uint8', 'int32', 'int64', 'float32', 'float64'];
const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

function refResultType(args: unknown[], dtypes: DType[]): DType {
  let r: DType = dtypes[0] ?? 'float32';
  for (const d of dtypes) if (RANK.indexOf(d) > RANK.indexOf(r)) r = d;
  for (const a of args) {
    if (typeof a === 'number') {
      if (!Number.isInteger(a) && !isFloat(r)) r = 'float32';
      else if (Number.isInteger(a) && r === 'bool') r = 'int64';
    }
  }
  return r;
}

/** A float64 value stored into dtype d (integers wrap as C casts do on these small values). */
function store(v: number, d: DType): number {
  switch (d) {
    case 'bool': return v !== 0 ? 1 : 0;
    case 'uint8': return ((Math.trunc(v) % 256) + 256) % 256;
    case 'int32': return Math.trunc(v) | 0;
    case 'int64': return Math.trunc(v);
    default: return v;
  }
}

function asNd(a: unknown): Nd {
  if (a instanceof Nd) return a;
  return Nd.scalar(typeof a === 'boolean' ? (a ? 1 : 0) : (a as number));
}

// ---- sample builders ---------------------------------------------------------------------------

type ArgFor = (shape: number[], extra?: Partial<TensorArg>) => SampleArg;
const plain: ArgFor = (shape, extra) => ({ shape, ...extra });

function binarySamples(a: ArgFor, b: ArgFor, scalar: number | null): Sample[] {
  const s: Sample[] = [
    { name: 'same shape', args: [a([3, 4]), b([3, 4])] },
    { name: 'broadcast both ways', args: [a([3, 1]), b([1, 4])] },
    { name: 'broadcast rank', args: [a([4]), b([2, 3, 4])] },
    { name: 'noncontig', args: [a([3, 4], { noncontig: true }), b([4], { noncontig: true })] },
    { name: '0-d', args: [a([]), b([])] },
    { name: '0-d with tensor', args: [a([2, 3]), b([])] },
    { name: 'zero-size', args: [a([0, 3]), b([3])] },
  ];
  if (scalar !== null) {
    s.push({ name: 'scalar other', args: [a([2, 3]), scalar] });
    s.push({ name: 'scalar self', args: [scalar, b([2, 3])] });
  }
  return s;
}

const nonzero = (vals: number[]): ArgFor => (shape, extra) => {
  const n = Nd.numel(shape);
  return { shape, ...extra, values: Array.from({ length: n }, (_, i) => vals[i % vals.length]!) };
};
const DIVISORS = nonzero([-3, 2, -1, 3, 1, -2, 5, 4]);
/** Divisors for remainder/fmod: none divides the scalar -7, so d/db is away from the jumps of the quotient. */
const MOD_DIVISORS = nonzero([-3, 2, -4, 3, 5, -2, 5, 4]);

const FLOATS: DType[] = ['float32', 'float64'];
const NUMERIC: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8'];
const ALL: DType[] = [...NUMERIC, 'bool'];
const SIGNED: DType[] = ['float32', 'float64', 'int32', 'int64'];

function bshapeErrors(name: string, run_: boolean): ErrorCase[] {
  const e: ErrorCase[] = [
    { name: 'non-broadcastable shapes', args: [{ shape: [2, 3] }, { shape: [4] }], throws: new RegExp(`${name}: shapes \\[2, 3\\] and \\[4\\] cannot be broadcast`) },
  ];
  if (run_) {
    e.push({
      name: 'in-place broadcast into a smaller tensor',
      args: [{ shape: [3] }, { shape: [2, 3] }],
      opts: { inplace: true },
      throws: new RegExp(`${name}_: output with shape \\[3\\] doesn't match the broadcast shape \\[2, 3\\]`),
    });
  }
  return e;
}

type BinFn = (a: any, b: any, o?: any) => Tensor;
interface BinCfg {
  dtypes: DType[];
  a?: ArgFor;
  b?: ArgFor;
  scalar?: number | null;
  /** Result kind: same (promoted), float (true division), bool (predicates). */
  kind?: 'same' | 'float' | 'bool';
  inplace?: (a: Tensor, b: any, o?: any) => Tensor;
  errors?: ErrorCase[];
  extra?: Sample[];
  opts?: Record<string, unknown>;
  tol?: OpInfo['tol'];
  /** Differentiable (autograd's gradcheck walks it). */
  grad?: boolean;
}

function binaryEntry(name: string, fn: BinFn, ref: (a: number, b: number, d: DType, o: any) => number, cfg: BinCfg): OpInfo {
  const kind = cfg.kind ?? 'same';
  const samples = [...binarySamples(cfg.a ?? plain, cfg.b ?? plain, cfg.scalar === undefined ? 2 : cfg.scalar), ...(cfg.extra ?? [])];
  if (cfg.opts) for (const s of samples) s.opts = { ...cfg.opts, ...s.opts };
  return {
    name,
    run: ([a, b], o) => (o?.inplace && cfg.inplace ? cfg.inplace(a, b, o) : fn(a, b, o)),
    ref: ([a, b], o, dtypes) => {
      let rd = refResultType([a, b], dtypes);
      if (kind === 'float' && !isFloat(rd)) rd = 'float32';
      const out = kind === 'bool' ? 'bool' : rd;
      return zipWith([asNd(a), asNd(b)], (x, y) => store(ref(x, y, rd, o), out));
    },
    samples,
    dtypes: cfg.dtypes,
    outDtype: !(kind === 'same' && cfg.dtypes.includes('bool'))
      ? (d) => (kind === 'bool' ? 'bool' : kind === 'float' && !isFloat(d) ? 'float32' : d)
      : undefined,
    tol: cfg.tol,
    errors: [...bshapeErrors(name.split(' ')[0]!, cfg.inplace !== undefined), ...(cfg.errors ?? [])],
    grad: cfg.grad,
  };
}

// ---- unary -------------------------------------------------------------------------------------

interface UnCfg {
  dtypes?: DType[];
  low?: number;
  high?: number;
  /** Result dtype: float (ints give float32), same, bool. */
  kind?: 'float' | 'same' | 'bool';
  extra?: Sample[];
  errors?: ErrorCase[];
  opts?: Record<string, unknown>;
  tol?: OpInfo['tol'];
  /** Differentiable (autograd's gradcheck walks it). */
  grad?: boolean;
  /** Only these samples (not the standard unary ones): forward-only edge cases split off a differentiable entry. */
  only?: Sample[];
}

function unarySamples(low: number | undefined, high: number | undefined): Sample[] {
  const r = { low, high };
  return [
    { name: 'contiguous', args: [{ shape: [3, 5], ...r }] },
    { name: 'noncontig', args: [{ shape: [4, 3], noncontig: true, ...r }] },
    { name: '0-d', args: [{ shape: [], ...r }] },
    { name: 'zero-size', args: [{ shape: [0, 2], ...r }] },
  ];
}

function unaryEntry(name: string, fn: (x: Tensor, o?: any) => Tensor, ref: (v: number, o: any, d: DType) => number, cfg: UnCfg = {}): OpInfo {
  const kind = cfg.kind ?? 'float';
  const dtypes = cfg.dtypes ?? (kind === 'float' ? FLOATS : SIGNED);
  const samples = cfg.only ?? [...unarySamples(cfg.low, cfg.high), ...(cfg.extra ?? [])];
  if (cfg.opts) for (const s of samples) s.opts = { ...cfg.opts, ...s.opts };
  return {
    name,
    run: ([x], o) => fn(x, o),
    ref: ([x], o, dtypes_) => {
      const d = dtypes_[0]!;
      const out: DType = kind === 'bool' ? 'bool' : kind === 'float' && !isFloat(d) ? 'float32' : d;
      return (x as Nd).map((v) => store(ref(v, o, d), out));
    },
    samples,
    dtypes,
    outDtype: (d) => (kind === 'bool' ? 'bool' : kind === 'float' && !isFloat(d) ? 'float32' : d),
    tol: cfg.tol,
    errors: cfg.errors,
    grad: cfg.grad,
  };
}

const intDiv = (name: string): ErrorCase => ({
  name: 'integer division by zero',
  args: [{ shape: [3], dtype: 'int64', values: [1, 2, 3] }, { shape: [3], dtype: 'int64', values: [1, 0, 2] }],
  throws: new RegExp(`${name}: ZeroDivisionError`),
});

function pyFloorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const refRound = (v: number, o: any): number => {
  const d = o?.decimals ?? 0;
  return d === 0 ? refRoundEven(v) : refRoundEven(v * 10 ** d) / 10 ** d;
};

export const elementwiseOps: OpInfo[] = [
  binaryEntry('add', (a, b, o) => T.add(a, b, o), (a, b, d, o) => (d === 'bool' ? (a || b ? 1 : 0) : a + (o?.alpha ?? 1) * b), {
    dtypes: ALL, grad: true, inplace: (a, b, o) => a.clone().add_(b, o),
    extra: [{ name: 'alpha', args: [{ shape: [2, 3] }, { shape: [3] }], opts: { alpha: 3 } }],
    errors: [{ name: 'float alpha on integers', args: [{ shape: [2], dtype: 'int32' }, { shape: [2], dtype: 'int32' }], opts: { alpha: 0.5 }, throws: /add: for integral input tensors, argument alpha must not be a floating point number/ }],
  }),
  binaryEntry('sub', (a, b, o) => T.sub(a, b, o), (a, b, _d, o) => a - (o?.alpha ?? 1) * b, {
    dtypes: NUMERIC, grad: true, inplace: (a, b, o) => a.clone().sub_(b, o),
    extra: [{ name: 'alpha', args: [{ shape: [2, 3] }, { shape: [3] }], opts: { alpha: 2 } }],
    errors: [{ name: 'bool operands', args: [{ shape: [2], dtype: 'bool' }, { shape: [2], dtype: 'bool' }], throws: /sub: subtraction, the `-` operator, with two bool tensors is not supported/ }],
  }),
  binaryEntry('mul', (a, b) => T.mul(a, b), (a, b, d) => (d === 'bool' ? (a && b ? 1 : 0) : a * b), { dtypes: ALL, grad: true, inplace: (a, b) => a.clone().mul_(b) }),
  binaryEntry('div', (a, b) => T.div(a, b), (a, b) => a / b, {
    dtypes: ['float32', 'float64', 'int32', 'int64'], kind: 'float', b: DIVISORS, grad: true, inplace: (a, b) => a.clone().div_(b),
    errors: [{ name: 'in-place true division of integers', args: [{ shape: [2], dtype: 'int64' }, { shape: [2], dtype: 'int64', values: [1, 2] }], opts: { inplace: true }, throws: /div_: result type Float can't be cast to the desired output type Long/ }],
  }),
  binaryEntry('div (trunc)', (a, b) => T.div(a, b, { roundingMode: 'trunc' }), (a, b) => Math.trunc(a / b), {
    dtypes: SIGNED, b: DIVISORS, inplace: (a, b) => a.clone().div_(b, { roundingMode: 'trunc' }), errors: [intDiv('div')],
  }),
  binaryEntry('div (floor)', (a, b, o) => T.div(a, b, { roundingMode: o?.roundingMode ?? 'floor' }), pyFloorDiv, {
    dtypes: SIGNED, b: DIVISORS, inplace: (a, b) => a.clone().div_(b, { roundingMode: 'floor' }),
    errors: [intDiv('div'), { name: 'bad rounding mode', args: [{ shape: [2] }, { shape: [2] }], opts: { roundingMode: 'round' }, throws: /div: expected roundingMode/ }],
  }),
  binaryEntry('remainder', (a, b) => T.remainder(a, b), pyMod, {
    dtypes: SIGNED, b: MOD_DIVISORS, scalar: -7, grad: true, inplace: (a, b) => a.clone().remainder_(b), errors: [intDiv('remainder')],
  }),
  binaryEntry('fmod', (a, b) => T.fmod(a, b), (a, b) => a % b, {
    dtypes: SIGNED, b: MOD_DIVISORS, scalar: -7, grad: true, inplace: (a, b) => a.clone().fmod_(b), errors: [intDiv('fmod')],
  }),
  binaryEntry('pow', (a, b) => T.pow(a, b), (a, b) => a ** b, {
    dtypes: NUMERIC, a: (shape, e) => ({ shape, low: 0.5, high: 2, ...e }), b: (shape, e) => ({ shape, low: 0, high: 3, ...e }),
    grad: true, inplace: (a, b) => a.clone().pow_(b),
    extra: [{ name: 'zero base', args: [{ shape: [4], values: [0, 0, 1.5, 2] }, { shape: [4], values: [2, 3, 0, 1] }] }],
    errors: [{ name: 'integer to a negative power', args: [{ shape: [2], dtype: 'int64' }, -1], throws: /pow: integers to negative integer powers are not allowed/ }],
  }),
  binaryEntry('atan2', (a, b) => T.atan2(a, b), Math.atan2, { dtypes: ['float32', 'float64', 'int32'], kind: 'float', grad: true, inplace: (a, b) => a.clone().atan2_(b) }),
  binaryEntry('maximum', (a, b) => T.maximum(a, b), (a, b, d) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), {
    dtypes: ALL, grad: true,
    // Ties split the gradient evenly, which is what central differences see there too.
    extra: [{ name: 'ties', args: [{ shape: [4], values: [1, 2, 3, 4] }, { shape: [4], values: [1, 0, 3, 5] }] }],
  }),
  binaryEntry('minimum', (a, b) => T.minimum(a, b), (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)), {
    dtypes: ALL, grad: true,
    extra: [{ name: 'ties', args: [{ shape: [4], values: [1, 2, 3, 4] }, { shape: [4], values: [1, 0, 3, 5] }] }],
  }),
  ...(
    [
      ['eq', T.eq, (a: number, b: number) => a === b, (a: Tensor, b: any) => a.clone().eq_(b)],
      ['ne', T.ne, (a: number, b: number) => a !== b, (a: Tensor, b: any) => a.clone().ne_(b)],
      ['lt', T.lt, (a: number, b: number) => a < b, (a: Tensor, b: any) => a.clone().lt_(b)],
      ['le', T.le, (a: number, b: number) => a <= b, (a: Tensor, b: any) => a.clone().le_(b)],
      ['gt', T.gt, (a: number, b: number) => a > b, (a: Tensor, b: any) => a.clone().gt_(b)],
      ['ge', T.ge, (a: number, b: number) => a >= b, (a: Tensor, b: any) => a.clone().ge_(b)],
    ] as const
  ).map(([name, f, r, ip]) =>
    binaryEntry(name, (a, b) => f(a, b), (a, b) => (r(a, b) ? 1 : 0), {
      dtypes: ALL, kind: 'bool', scalar: 1, inplace: ip,
      extra: [{ name: 'ties', args: [{ shape: [4], values: [1, 2, 3, 4] }, { shape: [4], values: [1, 0, 3, 5] }] }],
    }),
  ),
  binaryEntry('logicalAnd', (a, b) => T.logicalAnd(a, b), (a, b) => (a !== 0 && b !== 0 ? 1 : 0), { dtypes: ALL, kind: 'bool', scalar: 0, inplace: (a, b) => a.clone().logicalAnd_(b) }),
  binaryEntry('logicalOr', (a, b) => T.logicalOr(a, b), (a, b) => (a !== 0 || b !== 0 ? 1 : 0), { dtypes: ALL, kind: 'bool', scalar: 0, inplace: (a, b) => a.clone().logicalOr_(b) }),
  binaryEntry('logicalXor', (a, b) => T.logicalXor(a, b), (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0), { dtypes: ALL, kind: 'bool', scalar: 1, inplace: (a, b) => a.clone().logicalXor_(b) }),
  unaryEntry('logicalNot', (x) => T.logicalNot(x), (v) => (v === 0 ? 1 : 0), { kind: 'bool', dtypes: ALL, low: -1, high: 1 }),

  // unary, same dtype (integers too)
  unaryEntry('neg', (x) => T.neg(x), (v) => -v, {
    kind: 'same', grad: true,
    errors: [{ name: 'bool', args: [{ shape: [2], dtype: 'bool' }], throws: /neg: negation, the `-` operator, on a bool tensor is not supported/ }],
  }),
  unaryEntry('abs', (x) => T.abs(x), Math.abs, { kind: 'same', dtypes: NUMERIC, grad: true }),
  unaryEntry('square', (x) => T.square(x), (v) => v * v, { kind: 'same', dtypes: NUMERIC, grad: true }),
  unaryEntry('relu', (x) => T.relu(x), (v) => (v < 0 ? 0 : v), { kind: 'same', dtypes: NUMERIC, grad: true }),
  unaryEntry('sign', (x) => T.sign(x), (v) => Math.sign(v), { kind: 'same', dtypes: NUMERIC, grad: true }),
  unaryEntry('floor', (x) => T.floor(x), Math.floor, { kind: 'same', low: -3, high: 3, grad: true }),
  unaryEntry('ceil', (x) => T.ceil(x), Math.ceil, { kind: 'same', low: -3, high: 3, grad: true }),
  unaryEntry('trunc', (x) => T.trunc(x), Math.trunc, { kind: 'same', low: -3, high: 3, grad: true }),
  unaryEntry('round', (x, o) => T.round(x, o), refRound, {
    kind: 'same', low: -4, high: 4, grad: true,
    extra: [{ name: 'decimals, away from halves', args: [{ shape: [5], values: [1.2345, 0.3712, -2.6181, 1.23456, 10.0049] }], opts: { decimals: 2 } }],
    tol: { float32: { atol: 1e-6, rtol: 1e-6 } },
  }),
  // Ties sit on the jumps, where finite differences are meaningless: a forward-only entry.
  unaryEntry('round (halves)', (x, o) => T.round(x, o), refRound, {
    kind: 'same',
    only: [
      { name: 'halves to even', args: [{ shape: [8], values: [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, 3.5] }] },
      { name: 'decimals', args: [{ shape: [5], values: [1.25, 0.375, -2.625, 1.23456, 10] }], opts: { decimals: 2 } },
    ],
    tol: { float32: { atol: 1e-6, rtol: 1e-6 } },
  }),
  unaryEntry('nanToNum', (x, o) => T.nanToNum(x, o), (v, o, d) => {
    const big = d === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
    if (Number.isNaN(v)) return o?.nan ?? 0;
    if (v === Infinity) return o?.posinf ?? big;
    if (v === -Infinity) return o?.neginf ?? -big;
    return v;
  }, {
    kind: 'same', dtypes: FLOATS, grad: true,
    extra: [
      { name: 'specials', args: [{ shape: [4], values: [NaN, Infinity, -Infinity, 1.5] }] },
      { name: 'explicit values', args: [{ shape: [4], values: [NaN, Infinity, -Infinity, 1.5] }], opts: { nan: 7, posinf: 100, neginf: -100 } },
    ],
  }),

  // unary float math
  unaryEntry('reciprocal', (x) => T.reciprocal(x), (v) => 1 / v, { low: 0.2, high: 3, dtypes: ['float32', 'float64', 'int32'], grad: true }),
  unaryEntry('sqrt', (x) => T.sqrt(x), Math.sqrt, { low: 0, high: 4, dtypes: ['float32', 'float64', 'int32'], grad: true }),
  unaryEntry('rsqrt', (x) => T.rsqrt(x), (v) => 1 / Math.sqrt(v), { low: 0.1, high: 4, grad: true }),
  unaryEntry('exp', (x) => T.exp(x), Math.exp, { dtypes: ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'], grad: true }),
  unaryEntry('exp2', (x) => T.exp2(x), (v) => 2 ** v, { grad: true }),
  unaryEntry('expm1', (x) => T.expm1(x), Math.expm1, { grad: true }),
  unaryEntry('log', (x) => T.log(x), Math.log, { low: 0.1, high: 5, dtypes: ['float32', 'float64', 'int32'], grad: true }),
  unaryEntry('log2', (x) => T.log2(x), Math.log2, { low: 0.1, high: 5, grad: true }),
  unaryEntry('log10', (x) => T.log10(x), Math.log10, { low: 0.1, high: 5, grad: true }),
  unaryEntry('log1p', (x) => T.log1p(x), Math.log1p, { low: -0.9, high: 3, grad: true }),
  unaryEntry('sin', (x) => T.sin(x), Math.sin, { dtypes: ['float32', 'float64', 'int32'], grad: true }),
  unaryEntry('cos', (x) => T.cos(x), Math.cos, { grad: true }),
  unaryEntry('tan', (x) => T.tan(x), Math.tan, { low: -1.2, high: 1.2, grad: true }),
  unaryEntry('asin', (x) => T.asin(x), Math.asin, { low: -0.95, high: 0.95, grad: true }),
  unaryEntry('acos', (x) => T.acos(x), Math.acos, { low: -0.95, high: 0.95, grad: true }),
  unaryEntry('atan', (x) => T.atan(x), Math.atan, { grad: true }),
  unaryEntry('sinh', (x) => T.sinh(x), Math.sinh, { grad: true }),
  unaryEntry('cosh', (x) => T.cosh(x), Math.cosh, { grad: true }),
  unaryEntry('tanh', (x) => T.tanh(x), Math.tanh, { grad: true }),
  unaryEntry('asinh', (x) => T.asinh(x), Math.asinh, { grad: true }),
  unaryEntry('acosh', (x) => T.acosh(x), Math.acosh, { low: 1.05, high: 4, grad: true }),
  unaryEntry('atanh', (x) => T.atanh(x), Math.atanh, { low: -0.95, high: 0.95, grad: true }),
  unaryEntry('sigmoid', (x) => T.sigmoid(x), sigmoid, { low: -6, high: 6, grad: true }),
  unaryEntry('logit', (x, o) => T.logit(x, o?.eps), (v, o) => {
    const e = o?.eps;
    const z = e === undefined ? v : Math.min(Math.max(v, e), 1 - e);
    return Math.log(z / (1 - z));
  }, { low: 0.02, high: 0.98, grad: true, extra: [{ name: 'eps', args: [{ shape: [5], values: [0, 0.001, 0.5, 0.999, 1] }], opts: { eps: 0.01 } }] }),
  unaryEntry('silu', (x) => T.silu(x), (v) => v * sigmoid(v), { low: -5, high: 5, grad: true }),
  unaryEntry('gelu', (x, o) => T.gelu(x, o), (v, o) => (o?.approximate === 'tanh'
    ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))
    : 0.5 * v * (1 + refErf(v / Math.SQRT2))), {
    low: -4, high: 4, grad: true,
    extra: [{ name: 'tanh approximation', args: [{ shape: [3, 4], low: -4, high: 4 }], opts: { approximate: 'tanh' } }],
    errors: [{ name: 'bad approximate', args: [{ shape: [2] }], opts: { approximate: 'fast' }, throws: /gelu: approximate must be 'none' or 'tanh'/ }],
  }),
  unaryEntry('softplus', (x, o) => T.softplus(x, o), (v, o) => {
    const beta = o?.beta ?? 1;
    const th = o?.threshold ?? 20;
    return v * beta > th ? v : Math.log1p(Math.exp(beta * v)) / beta;
  }, {
    low: -5, high: 5, grad: true,
    extra: [{ name: 'beta and threshold', args: [{ shape: [6], values: [-3, -0.5, 0, 0.5, 2, 5] }], opts: { beta: 2, threshold: 3 } }],
  }),
  unaryEntry('erf', (x) => T.erf(x), refErf, { low: -3, high: 3, grad: true }),
  unaryEntry('erfc', (x) => T.erfc(x), refErfc, { low: -2, high: 4, tol: { float64: { atol: 1e-12, rtol: 1e-9 } }, grad: true }),
  unaryEntry('erfinv', (x) => T.erfinv(x), refErfinv, {
    low: -0.999, high: 0.999, grad: true,
    extra: [{ name: 'tails', args: [{ shape: [4], values: [0.99, -0.995, 1e-8, 0] }] }],
    tol: { float32: { atol: 1e-5, rtol: 2e-4 } },
  }),
  // Infinite ends and steep tails: forward only (finite differences cannot follow them).
  unaryEntry('erfinv (ends)', (x) => T.erfinv(x), refErfinv, {
    only: [{ name: 'ends and tails', args: [{ shape: [7], values: [-1, 1, 0, 0.9999, -0.99999, 1e-8, 1.5] }] }],
    tol: { float32: { atol: 1e-5, rtol: 2e-4 } },
  }),
  unaryEntry('lgamma', (x) => T.lgamma(x), refLgamma, {
    low: 0.05, high: 8, grad: true, extra: [{ name: 'negative', args: [{ shape: [4], values: [-0.5, -1.5, -2.25, 100.5] }] }],
    tol: { float32: { atol: 2e-5, rtol: 1e-4 } },
  }),
  // Poles: forward only.
  unaryEntry('lgamma (poles)', (x) => T.lgamma(x), refLgamma, {
    only: [{ name: 'negative and poles', args: [{ shape: [6], values: [-0.5, -1.5, -2.25, 0, -1, 100.5] }] }],
    tol: { float32: { atol: 2e-5, rtol: 1e-4 } },
  }),
  unaryEntry('digamma', (x) => T.digamma(x), refDigamma, {
    low: 0.05, high: 8, grad: true, extra: [{ name: 'negative', args: [{ shape: [4], values: [-0.5, -1.5, -2.25, 100.5] }] }],
    tol: { float32: { atol: 5e-5, rtol: 1e-4 } },
  }),
  // Poles: forward only.
  unaryEntry('digamma (poles)', (x) => T.digamma(x), refDigamma, {
    only: [{ name: 'negative and poles', args: [{ shape: [6], values: [-0.5, -1.5, -2.25, 0, -1, 100.5] }] }],
    tol: { float32: { atol: 5e-5, rtol: 1e-4 } },
  }),
  ...[0, 1, 2, 3].map((n) => unaryEntry(`polygamma (n = ${n})`, (x, o) => T.polygamma(o?.n ?? n, x), (v) => refPolygamma(n, v), {
    low: 0.2, high: 6, grad: true,
    extra: n >= 1 ? [{ name: 'negative', args: [{ shape: [3], values: [-0.5, -1.25, -3.5] }] }] : [],
    tol: { float32: { atol: 1e-4, rtol: 2e-4 }, float64: { atol: 1e-9, rtol: 1e-8 } },
    errors: n === 0 ? [{ name: 'negative n', args: [{ shape: [2] }], opts: { n: -1 }, throws: /polygamma: polygamma\(n, x\) does not support negative/ }] : undefined,
  })),
  unaryEntry('isnan', (x) => T.isnan(x), (v) => (Number.isNaN(v) ? 1 : 0), {
    kind: 'bool', dtypes: FLOATS, extra: [{ name: 'specials', args: [{ shape: [4], values: [NaN, Infinity, -Infinity, 0] }] }],
  }),
  unaryEntry('isinf', (x) => T.isinf(x), (v) => (v === Infinity || v === -Infinity ? 1 : 0), {
    kind: 'bool', dtypes: FLOATS, extra: [{ name: 'specials', args: [{ shape: [4], values: [NaN, Infinity, -Infinity, 0] }] }],
  }),
  unaryEntry('isfinite', (x) => T.isfinite(x), (v) => (Number.isFinite(v) ? 1 : 0), {
    kind: 'bool', dtypes: FLOATS, extra: [{ name: 'specials', args: [{ shape: [4], values: [NaN, Infinity, -Infinity, 0] }] }],
  }),

  // clamp, lerp, where
  {
    name: 'clamp',
    run: ([x, lo, hi], o) => (o?.inplace ? x.clone().clamp_(lo, hi) : o?.alias ? T.clip(x, lo, hi) : T.clamp(x, lo, hi)),
    ref: ([x, lo, hi], _o, dtypes) => {
      const rd = refResultType([x, lo, hi], dtypes);
      const n = (v: unknown): Nd => (v === null || v === undefined ? Nd.scalar(NaN) : asNd(v));
      return zipWith([x, n(lo), n(hi)], (v, l, h) => {
        let y = Number.isNaN(l) ? v : Math.max(v, l);
        y = Number.isNaN(h) ? y : Math.min(y, h);
        return store(Number.isNaN(v) ? v : y, rd);
      });
    },
    samples: [
      { name: 'number bounds', args: [{ shape: [3, 4] }, -1, 1] },
      { name: 'min only', args: [{ shape: [3, 4], noncontig: true }, 0, null] },
      { name: 'max only', args: [{ shape: [3, 4] }, null, 0] },
      { name: 'tensor bounds, broadcast', args: [{ shape: [3, 4] }, { shape: [4], low: -2, high: 0 }, { shape: [3, 1], low: 0, high: 2 }] },
      { name: 'tensor min only', args: [{ shape: [2, 3] }, { shape: [3] }, null] },
      { name: 'tensor max, number min', args: [{ shape: [2, 3] }, -1, { shape: [2, 1] }] },
      { name: 'clip alias', args: [{ shape: [5] }, -0.5, 0.5], opts: { alias: true } },
      { name: 'in-place', args: [{ shape: [5] }, -1, 1], opts: { inplace: true } },
      { name: '0-d', args: [{ shape: [] }, -1, 1] },
      { name: 'zero-size', args: [{ shape: [0, 3] }, -1, 1] },
    ],
    dtypes: SIGNED,
    grad: true,
    errors: [
      { name: 'no bounds', args: [{ shape: [2] }, null, null], throws: /clamp: at least one of 'min' or 'max' must not be None/ },
      { name: 'non-broadcastable bounds', args: [{ shape: [2, 3] }, { shape: [4] }, { shape: [3] }], throws: /clamp: shapes \[2, 3\] and \[4\] and \[3\] cannot be broadcast/ },
      { name: 'in-place float bounds into integers', args: [{ shape: [3], dtype: 'int64' }, 0.5, 1.5], opts: { inplace: true }, throws: /clamp_: result type Float can't be cast to the desired output type Long/ },
    ],
  },
  {
    name: 'lerp',
    run: ([s, e, w], o) => (o?.inplace ? s.clone().lerp_(e, w) : T.lerp(s, e, w)),
    ref: ([s, e, w]) => zipWith([asNd(s), asNd(e), asNd(w)], (a, b, t) => a + t * (b - a)),
    samples: [
      { name: 'scalar weight', args: [{ shape: [3, 4] }, { shape: [3, 4] }, 0.25] },
      { name: 'weight above half', args: [{ shape: [3, 4] }, { shape: [4] }, 0.75] },
      { name: 'tensor weight, broadcast', args: [{ shape: [3, 1] }, { shape: [1, 4] }, { shape: [4], low: 0, high: 1 }] },
      { name: 'noncontig', args: [{ shape: [2, 3], noncontig: true }, { shape: [2, 3], noncontig: true }, { shape: [2, 3], noncontig: true }] },
      { name: 'in-place', args: [{ shape: [2, 3] }, { shape: [3] }, 0.5], opts: { inplace: true } },
      { name: '0-d', args: [{ shape: [] }, { shape: [] }, 0.3] },
      { name: 'zero-size', args: [{ shape: [0] }, { shape: [0] }, 0.3] },
    ],
    dtypes: FLOATS,
    grad: true,
    errors: [
      { name: 'integer tensors', args: [{ shape: [2], dtype: 'int64' }, { shape: [2], dtype: 'int64' }, 1], throws: /lerp: expected floating point tensors/ },
      { name: 'non-broadcastable', args: [{ shape: [2] }, { shape: [3] }, 0.5], throws: /lerp: shapes \[2\] and \[3\] and \[\] cannot be broadcast/ },
    ],
  },
  {
    name: 'where',
    run: ([c, x, y], o) => (o?.method ? (x as Tensor).where(c, y) : T.where(c, x, y)),
    ref: ([c, x, y], _o, dtypes) => {
      const rd = refResultType([x, y], dtypes.slice(1));
      return zipWith([c, asNd(x), asNd(y)], (k, a, b) => store(k ? a : b, rd));
    },
    samples: [
      { name: 'same shape', args: [{ shape: [3, 4], dtype: 'bool' }, { shape: [3, 4] }, { shape: [3, 4] }] },
      { name: 'broadcast', args: [{ shape: [3, 1], dtype: 'bool' }, { shape: [4] }, { shape: [2, 1, 1] }] },
      { name: 'number other', args: [{ shape: [2, 3], dtype: 'bool' }, { shape: [2, 3] }, 0] },
      { name: 'number input', args: [{ shape: [2, 3], dtype: 'bool' }, 5, { shape: [3] }] },
      { name: 'method', args: [{ shape: [2, 3], dtype: 'bool', noncontig: true }, { shape: [2, 3], noncontig: true }, { shape: [2, 3] }], opts: { method: true } },
      { name: '0-d', args: [{ shape: [], dtype: 'bool' }, { shape: [] }, { shape: [] }] },
      { name: 'zero-size', args: [{ shape: [0, 2], dtype: 'bool' }, { shape: [2] }, { shape: [0, 2] }] },
    ],
    dtypes: ALL,
    grad: true,
    errors: [
      { name: 'non-bool condition', args: [{ shape: [2], dtype: 'float32' }, { shape: [2] }, { shape: [2] }], throws: /where: expected condition to be a boolean tensor, but got a tensor with dtype float32/ },
      { name: 'non-broadcastable', args: [{ shape: [2], dtype: 'bool' }, { shape: [3] }, { shape: [2] }], throws: /where: shapes \[2\] and \[3\] and \[2\] cannot be broadcast/ },
    ],
  },
];
