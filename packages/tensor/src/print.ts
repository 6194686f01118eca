/**
 * PyTorch-style printing: `tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])`.
 * The layout rules follow PyTorch's tensor formatter (precision 4, one common width for every
 * element, integral floats as `1.`, scientific notation for wide ranges, summarisation with `...`
 * above `threshold` elements, wrapping at `linewidth`).
 */
import { getDefaultDType, isFloatingDType, type DType } from './dtype.js';
import { _setFormatter, bf16BitsToNumber, halfBitsToNumber, Tensor } from './tensor.js';

export interface PrintOptions {
  /** Digits after the decimal point for floats (default 4). */
  precision: number;
  /** Above this many elements, only the edges are printed (default 1000). */
  threshold: number;
  /** Items printed at each end of a summarised dim (default 3). */
  edgeitems: number;
  /** Characters per line before wrapping (default 80). */
  linewidth: number;
  /** true/false forces scientific notation on/off; null chooses automatically. */
  sciMode: boolean | null;
}

const DEFAULTS: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };
const opts: PrintOptions = { ...DEFAULTS };

const PROFILES: Record<string, Omit<PrintOptions, 'sciMode'>> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};

/**
 * torch.set_printoptions. Omitted fields keep their value; `profile` ('default' | 'short' | 'full')
 * sets all of them first.
 * @example
 * ```ts
 * setPrintOptions({ precision: 2 });
 * tensor([1.2345]).toString(); // 'tensor([1.23])'
 * ```
 */
export function setPrintOptions(o: Partial<PrintOptions> & { profile?: 'default' | 'short' | 'full' } = {}): void {
  if (o === null || typeof o !== 'object') throw new TypeError('setPrintOptions: expected an options object');
  if (o.profile !== undefined) {
    const p = PROFILES[o.profile];
    if (p === undefined) throw new TypeError(`setPrintOptions: unknown profile ${JSON.stringify(o.profile)} (expected default, short or full)`);
    Object.assign(opts, p);
  }
  const count = (name: 'precision' | 'threshold' | 'edgeitems' | 'linewidth', allowInf: boolean): void => {
    const v = o[name];
    if (v === undefined) return;
    if (typeof v !== 'number' || v < 0 || (!Number.isInteger(v) && !(allowInf && v === Infinity))) {
      throw new TypeError(`setPrintOptions: ${name} must be a non-negative integer, got ${String(v)}`);
    }
    opts[name] = v;
  };
  count('precision', false);
  count('threshold', true);
  count('edgeitems', false);
  count('linewidth', false);
  if (opts.precision > 60) throw new RangeError(`setPrintOptions: precision must be at most 60, got ${opts.precision}`);
  if ('sciMode' in o) {
    const s = o.sciMode;
    if (s !== undefined && s !== null && typeof s !== 'boolean') throw new TypeError(`setPrintOptions: sciMode must be a boolean or null, got ${String(s)}`);
    opts.sciMode = s ?? null;
  }
}

/** The current print options (a copy). */
export function getPrintOptions(): PrintOptions {
  return { ...opts };
}

// ---- number formatting with Python's rules (round half to even on the exact binary value) -----

/** The exact decimal digits of a positive finite double: value = 0.DIGITS x 10^point. */
function exactDigits(a: number): { digits: string; point: number } {
  const s = a.toPrecision(100);
  let mant = s;
  let exp = 0;
  const e = s.indexOf('e');
  if (e >= 0) {
    mant = s.slice(0, e);
    exp = Number(s.slice(e + 1));
  }
  const dot = mant.indexOf('.');
  const intLen = dot < 0 ? mant.length : dot;
  let digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  let point = intLen + exp;
  let lead = 0;
  while (lead < digits.length && digits[lead] === '0') lead++;
  digits = digits.slice(lead);
  point -= lead;
  return { digits: digits.replace(/0+$/, ''), point };
}

/** Keeps `keep` leading digits, rounding half to even; returns the digits and whether it carried. */
function roundDigits(digits: string, keep: number): { out: string; carry: boolean } {
  if (keep < 0) return { out: '', carry: false };
  if (digits.length <= keep) return { out: digits.padEnd(keep, '0'), carry: false };
  const next = digits.charCodeAt(keep) - 48;
  const restNonZero = /[1-9]/.test(digits.slice(keep + 1));
  const lastOdd = keep > 0 && (digits.charCodeAt(keep - 1) - 48) % 2 === 1;
  const up = next > 5 || (next === 5 && (restNonZero || lastOdd));
  let out = digits.slice(0, keep);
  if (!up) return { out, carry: false };
  const arr = out.split('');
  let i = arr.length - 1;
  while (i >= 0 && arr[i] === '9') arr[i--] = '0';
  if (i < 0) return { out: '1' + arr.join(''), carry: true };
  arr[i] = String.fromCharCode(arr[i]!.charCodeAt(0) + 1);
  out = arr.join('');
  return { out, carry: false };
}

function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** @internal Python's '{:.Nf}'.format(v). */
export function _formatFixed(v: number, prec: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let body: string;
  const scaled = a * 10 ** prec;
  const frac = scaled - Math.floor(scaled);
  if (a < 1e21 && Math.abs(frac - 0.5) > 1e-7 * Math.max(1, scaled)) {
    body = a.toFixed(prec);
  } else if (a === 0) {
    body = prec > 0 ? '0.' + '0'.repeat(prec) : '0';
  } else {
    let { digits, point } = exactDigits(a);
    if (point <= 0) {
      digits = '0'.repeat(1 - point) + digits;
      point = 1;
    }
    const r = roundDigits(digits, point + prec);
    if (r.carry) point++;
    const intPart = r.out.slice(0, point).replace(/^0+(?=\d)/, '');
    const fracPart = r.out.slice(point);
    body = prec > 0 ? `${intPart}.${fracPart}` : intPart;
  }
  return neg ? '-' + body : body;
}

/** @internal Python's '{:.Ne}'.format(v). */
export function _formatExp(v: number, prec: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let mant: string;
  let exp: number;
  if (a === 0) {
    mant = prec > 0 ? '0.' + '0'.repeat(prec) : '0';
    exp = 0;
  } else {
    const s = a.toExponential(prec);
    const e = s.indexOf('e');
    exp = Number(s.slice(e + 1));
    const scaled = a * 10 ** (prec - exp);
    const frac = scaled - Math.floor(scaled);
    if (Number.isFinite(scaled) && Math.abs(frac - 0.5) > 1e-7 * Math.max(1, scaled)) {
      mant = s.slice(0, e);
    } else {
      const { digits, point } = exactDigits(a);
      const r = roundDigits(digits, prec + 1);
      exp = point - 1 + (r.carry ? 1 : 0);
      const d = r.out.slice(0, prec + 1);
      mant = prec > 0 ? `${d[0]}.${d.slice(1)}` : d;
    }
  }
  const es = Math.abs(exp) < 10 ? '0' + Math.abs(exp) : String(Math.abs(exp));
  return `${neg ? '-' : ''}${mant}e${exp < 0 ? '-' : '+'}${es}`;
}

// ---- the element formatter ----------------------------------------------------------------------

type Value = number | boolean | bigint;

class Formatter {
  private readonly floating: boolean;
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;

  constructor(dtype: DType, values: readonly Value[]) {
    this.floating = isFloatingDType(dtype);
    const prec = opts.precision;
    if (!this.floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, this.plain(v).length);
    } else {
      const finite: number[] = [];
      let lo = Infinity;
      let hi = 0;
      for (const v of values as readonly number[]) {
        if (!Number.isFinite(v) || v === 0) continue;
        finite.push(v);
        const a = Math.abs(v);
        if (a < lo) lo = a;
        if (a > hi) hi = a;
        if (this.intMode && v !== Math.ceil(v)) this.intMode = false;
      }
      if (finite.length !== 0) {
        const wide = hi / lo > 1000 || hi > 1e8;
        if (this.intMode) {
          if (wide) {
            this.sciMode = true;
            for (const v of finite) this.maxWidth = Math.max(this.maxWidth, _formatExp(v, prec).length);
          } else {
            for (const v of finite) this.maxWidth = Math.max(this.maxWidth, _formatFixed(v, 0).length + 1);
          }
        } else if (wide || lo < 1e-4) {
          this.sciMode = true;
          for (const v of finite) this.maxWidth = Math.max(this.maxWidth, _formatExp(v, prec).length);
        } else {
          for (const v of finite) this.maxWidth = Math.max(this.maxWidth, _formatFixed(v, prec).length);
        }
      }
    }
    if (opts.sciMode !== null) this.sciMode = opts.sciMode;
  }

  private plain(v: Value): string {
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    return String(v);
  }

  get width(): number {
    return this.maxWidth;
  }

  format(v: Value): string {
    let s: string;
    if (this.floating) {
      const x = v as number;
      if (this.sciMode) s = _formatExp(x, opts.precision);
      else if (this.intMode) s = Number.isFinite(x) ? _formatFixed(x, 0) + '.' : nonFinite(x);
      else s = _formatFixed(x, opts.precision);
    } else {
      s = this.plain(v);
    }
    return s.length < this.maxWidth ? ' '.repeat(this.maxWidth - s.length) + s : s;
  }
}

// ---- layout -------------------------------------------------------------------------------------

/** Reads element i (row-major) of a contiguous copy of the tensor as a JS value. */
function elementReader(t: Tensor): (i: number) => Value {
  const d = t.data();
  switch (t.dtype) {
    case 'bool':
      return (i) => d[i] !== 0;
    case 'int64':
      return (i) => (d as BigInt64Array)[i]!;
    case 'float16':
      return (i) => halfBitsToNumber(d[i] as number);
    case 'bfloat16':
      return (i) => bf16BitsToNumber(d[i] as number);
    default:
      return (i) => d[i] as number;
  }
}

/** The indices printed along a dim of size n. */
function shownIndices(n: number, summarize: boolean): number[] {
  const e = opts.edgeitems;
  const idx: number[] = [];
  if (summarize && n > 2 * e) {
    for (let i = 0; i < e; i++) idx.push(i);
    for (let i = n - e; i < n; i++) idx.push(i);
  } else {
    for (let i = 0; i < n; i++) idx.push(i);
  }
  return idx;
}

function tensorBody(dtype: DType, shape: readonly number[], at: (i: number) => Value, indent: number): string {
  let numel = 1;
  for (const s of shape) numel *= s;
  if (numel === 0) return '[]';
  const summarize = numel > opts.threshold;
  const nd = shape.length;
  const strides = new Array<number>(nd);
  for (let i = nd - 1, acc = 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }

  // The formatter sees only what is printed, as PyTorch's does; a summarised tensor is never
  // expanded in full.
  const shown: Value[] = [];
  if (summarize) {
    const walk = (dim: number, base: number): void => {
      if (dim === nd) {
        shown.push(at(base));
        return;
      }
      for (const i of shownIndices(shape[dim]!, true)) walk(dim + 1, base + i * strides[dim]!);
    };
    walk(0, 0);
  } else {
    for (let i = 0; i < numel; i++) shown.push(at(i));
  }
  const values = summarize ? at : (i: number): Value => shown[i]!;
  const fmt = new Formatter(dtype, shown);
  if (nd === 0) return fmt.format(values(0));

  const e = opts.edgeitems;
  const vector = (base: number, ind: number): string => {
    const n = shape[nd - 1]!;
    const perLine = Math.max(1, Math.floor((opts.linewidth - ind) / (fmt.width + 2)));
    let data: string[];
    if (summarize && e === 0) {
      data = ['...'];
    } else if (summarize && n > 2 * e) {
      data = [];
      for (let i = 0; i < e; i++) data.push(fmt.format(values(base + i)));
      data.push(' ...');
      for (let i = n - e; i < n; i++) data.push(fmt.format(values(base + i)));
    } else {
      data = new Array<string>(n);
      for (let i = 0; i < n; i++) data[i] = fmt.format(values(base + i));
    }
    const lines: string[] = [];
    for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
    return '[' + lines.join(',\n' + ' '.repeat(ind + 1)) + ']';
  };
  const block = (dim: number, base: number, ind: number): string => {
    if (dim === nd - 1) return vector(base, ind);
    const n = shape[dim]!;
    const slices: string[] = [];
    if (summarize && n > 2 * e) {
      for (let i = 0; i < e; i++) slices.push(block(dim + 1, base + i * strides[dim]!, ind + 1));
      slices.push('...');
      for (let i = n - e; i < n; i++) slices.push(block(dim + 1, base + i * strides[dim]!, ind + 1));
    } else {
      for (let i = 0; i < n; i++) slices.push(block(dim + 1, base + i * strides[dim]!, ind + 1));
    }
    return '[' + slices.join(',' + '\n'.repeat(nd - dim - 1) + ' '.repeat(ind + 1)) + ']';
  };
  return block(0, 0, indent);
}

function addSuffixes(body: string, suffixes: readonly string[], indent: number): string {
  const parts = [body];
  let lastLineLen = body.length - body.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLineLen + s.length + 2 > opts.linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + s);
      lastLineLen = indent + s.length;
    } else {
      parts.push(', ' + s);
      lastLineLen += s.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * The string PyTorch's repr() gives for a tensor (with `dtype=float64` where PyTorch writes
 * `dtype=torch.float64`).
 * @example
 * ```ts
 * formatTensor(tensor([[1, 2], [3, 4]], { dtype: 'float32' }));
 * // tensor([[1., 2.],
 * //         [3., 4.]])
 * ```
 */
export function formatTensor(t: Tensor): string {
  if (!(t instanceof Tensor)) throw new TypeError('formatTensor: expected a Tensor');
  if (t.isDisposed) return 'tensor(<disposed>)';
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device}'`);
  const defaultFloat = getDefaultDType();
  let body: string;
  if (t.numel() === 0) {
    if (t.ndim !== 1) suffixes.push('size=' + pyTuple(t.shape));
    if (t.dtype !== defaultFloat) suffixes.push('dtype=' + t.dtype);
    body = '[]';
  } else {
    if (t.dtype !== defaultFloat && t.dtype !== 'int64' && t.dtype !== 'bool') suffixes.push('dtype=' + t.dtype);
    const host = t.device === 'cpu' ? t : (t as unknown as { cpu(): Tensor }).cpu();
    body = tensorBody(t.dtype, t.shape, elementReader(host), indent);
  }
  const gradFn = t.gradFn;
  if (gradFn !== null) suffixes.push(`grad_fn=<${gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}

_setFormatter(formatTensor);
