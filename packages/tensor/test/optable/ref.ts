/**
 * The reference side of the op table: a naive float64 n-d array (row-major) with the handful of
 * helpers references need. Deliberately simple and independent of the native core.
 */
import type { Tensor } from '../../src/index.js';

export class Nd {
  constructor(
    readonly shape: number[],
    readonly data: Float64Array,
  ) {
    if (data.length !== Nd.numel(shape)) throw new Error(`Nd: ${data.length} values for shape [${shape}]`);
  }
  static numel(shape: readonly number[]): number {
    return shape.reduce((a, b) => a * b, 1);
  }
  static zeros(shape: number[]): Nd {
    return new Nd(shape, new Float64Array(Nd.numel(shape)));
  }
  static scalar(v: number): Nd {
    return new Nd([], Float64Array.of(v));
  }
  static fromTensor(t: Tensor): Nd {
    const flat: number[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else flat.push(typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
    };
    walk(t.toArray());
    return new Nd([...t.shape], Float64Array.from(flat));
  }
  get ndim(): number {
    return this.shape.length;
  }
  strides(): number[] {
    const s = new Array<number>(this.ndim);
    let acc = 1;
    for (let i = this.ndim - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= this.shape[i]!;
    }
    return s;
  }
  /** Element at a multi-index. */
  at(idx: readonly number[]): number {
    const st = this.strides();
    let o = 0;
    for (let i = 0; i < idx.length; i++) o += idx[i]! * st[i]!;
    return this.data[o]!;
  }
  map(f: (v: number, i: number) => number): Nd {
    return new Nd([...this.shape], this.data.map(f));
  }
  /** Calls f(multiIndex, flatIndex) for every element of `shape`. */
  static forEachIndex(shape: readonly number[], f: (idx: number[], flat: number) => void): void {
    const n = Nd.numel(shape);
    const idx = new Array<number>(shape.length).fill(0);
    for (let flat = 0; flat < n; flat++) {
      f(idx, flat);
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++idx[d]! < shape[d]!) break;
        idx[d] = 0;
      }
    }
  }
}

export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    let size = 1;
    for (const s of shapes) {
      const d = s[s.length - nd + i] ?? 1;
      if (d !== 1) {
        if (size !== 1 && size !== d) throw new Error(`broadcast: [${shapes.map((x) => `[${x}]`).join(', ')}]`);
        size = d;
      }
    }
    out.push(size);
  }
  return out;
}

/** Element of `a` seen at index `idx` of a broadcast shape. */
export function broadcastAt(a: Nd, idx: readonly number[]): number {
  const lead = idx.length - a.ndim;
  const st = a.strides();
  let o = 0;
  for (let d = 0; d < a.ndim; d++) {
    const i = a.shape[d] === 1 ? 0 : idx[lead + d]!;
    o += i * st[d]!;
  }
  return a.data[o]!;
}

/** Elementwise f over broadcast inputs. */
export function zipWith(inputs: Nd[], f: (...v: number[]) => number): Nd {
  const shape = broadcastShapes(...inputs.map((x) => x.shape));
  const out = Nd.zeros(shape);
  Nd.forEachIndex(shape, (idx, flat) => {
    out.data[flat] = f(...inputs.map((x) => broadcastAt(x, idx)));
  });
  return out;
}

/** Reduces `dims` (all when empty) with f over the collected values. */
export function reduceDims(a: Nd, dims: number[] | undefined, keepdim: boolean, f: (vals: number[]) => number): Nd {
  const nd = a.ndim;
  const ds = (dims === undefined || dims.length === 0 ? [...Array(nd).keys()] : dims.map((d) => (d < 0 ? d + nd : d)));
  const outShapeKeep = a.shape.map((s, i) => (ds.includes(i) ? 1 : s));
  const groups = new Map<number, number[]>();
  const ost = new Nd(outShapeKeep, new Float64Array(Nd.numel(outShapeKeep))).strides();
  Nd.forEachIndex(a.shape, (idx, flat) => {
    let o = 0;
    for (let d = 0; d < nd; d++) if (!ds.includes(d)) o += idx[d]! * ost[d]!;
    let g = groups.get(o);
    if (!g) groups.set(o, (g = []));
    g.push(a.data[flat]!);
  });
  const out = new Float64Array(Nd.numel(outShapeKeep));
  for (let o = 0; o < out.length; o++) out[o] = f(groups.get(o) ?? []);
  const shape = keepdim ? outShapeKeep : a.shape.filter((_, i) => !ds.includes(i));
  return new Nd(shape, out);
}

/** Deterministic pseudo-random numbers for sample inputs (mulberry32). */
export function makeRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
