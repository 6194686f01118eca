/**
 * Shape algebra as properties (fast-check): random shapes (zero sizes and 0-d included), random
 * permutations, random views. Values are arange(numel), so any misplaced element shows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, broadcastShapes, cat, chunk, slice, split, type Tensor } from '../src/index.js';

const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const make = (shape: readonly number[]): Tensor => arange(0, numel(shape), { dtype: 'float64' }).reshape(shape);
const geom = (t: Tensor) => ({ shape: [...t.shape], strides: [...t.strides], offset: t.offset });

const shapeArb = (minDims = 0, maxDims = 4, maxSize = 4) =>
  fc.array(fc.integer({ min: 0, max: maxSize }), { minLength: minDims, maxLength: maxDims });
const nonEmptyShapeArb = (minDims = 0, maxDims = 4) =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: minDims, maxLength: maxDims });

/** A shape and a permutation of its dims. */
const shapePermArb = shapeArb().chain((s) =>
  fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length })),
);

/** A strided view of a fresh tensor: permuted, then sliced with steps along every dim. */
const viewArb = nonEmptyShapeArb(1, 4).chain((base) => {
  const perm = fc.shuffledSubarray([...base.keys()], { minLength: base.length, maxLength: base.length });
  const steps = fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 1, max: 3 })), {
    minLength: base.length,
    maxLength: base.length,
  });
  return fc.tuple(fc.constant(base), perm, steps);
});

function buildView(base: number[], perm: number[], steps: [number, number][]): Tensor {
  let v = make(base).permute(perm);
  steps.forEach(([start, step], d) => {
    v = v.slice(d, start, null, step);
  });
  return v;
}

const sliceSpecArb = fc.oneof(
  fc.constant(':'),
  fc.tuple(fc.option(fc.integer({ min: -6, max: 6 })), fc.option(fc.integer({ min: -6, max: 6 })), fc.integer({ min: 1, max: 3 })),
);

describe('shape properties', () => {
  it('reshape round-trips through any shape with the same numel', () => {
    fc.assert(
      fc.property(shapePermArb, fc.boolean(), ([shape, perm], viaFlat) => {
        const x = make(shape);
        const other = perm.map((d) => shape[d]!);
        const y = (viaFlat ? x.reshape(-1) : x).reshape(other).reshape(shape);
        expect(y.shape).toEqual(shape);
        expect(y.toArray()).toEqual(x.toArray());
        expect(y._st).toBe(x._st); // a contiguous tensor never needs a copy
      }),
    );
  });

  it('permute then the inverse permutation is the identity (values and geometry)', () => {
    fc.assert(
      fc.property(shapePermArb, ([shape, perm]) => {
        const x = make(shape);
        const inv = new Array<number>(perm.length);
        perm.forEach((p, i) => (inv[p] = i));
        const p = x.permute(perm);
        expect(p.shape).toEqual(perm.map((d) => shape[d]));
        const back = p.permute(inv);
        expect(geom(back)).toEqual(geom(x));
        expect(back.toArray()).toEqual(x.toArray());
      }),
    );
  });

  it('transpose twice is the identity', () => {
    fc.assert(
      fc.property(shapeArb(1), fc.nat(), fc.nat(), (shape, a, b) => {
        const x = make(shape);
        const [d0, d1] = [a % shape.length, -1 - (b % shape.length)];
        const y = x.transpose(d0, d1).transpose(d0, d1);
        expect(geom(y)).toEqual(geom(x));
        expect(x.transpose(d0, d1).transpose(d1, d0).toArray()).toEqual(x.toArray());
      }),
    );
  });

  it('flatten then unflatten is the identity', () => {
    fc.assert(
      fc.property(nonEmptyShapeArb(1), fc.nat(), fc.nat(), (shape, a, b) => {
        const x = make(shape);
        const [s, e] = [a % shape.length, b % shape.length].sort((p, q) => p - q) as [number, number];
        const f = x.flatten(s, e);
        expect(f.ndim).toBe(shape.length - (e - s));
        expect(f.shape[s]).toBe(numel(shape.slice(s, e + 1)));
        const back = f.unflatten(s, shape.slice(s, e + 1));
        expect(back.shape).toEqual(shape);
        expect(back.toArray()).toEqual(x.toArray());
        expect(back._st).toBe(x._st);
      }),
    );
  });

  const compatiblePairArb = fc
    .tuple(shapeArb(0, 4, 3), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.nat(4), fc.nat(4))
    .map(([base, ones, dropA, dropB]) => {
      const a = base.map((s, i) => (ones[i] ? 1 : s)).slice(Math.min(dropA, base.length));
      const b = base.map((s, i) => (ones[i + 4] ? 1 : s)).slice(Math.min(dropB, base.length));
      return [a, b] as [number[], number[]];
    });

  it('broadcastShapes is commutative and agrees with expand', () => {
    fc.assert(
      fc.property(compatiblePairArb, ([a, b]) => {
        const ab = broadcastShapes('test', a, b);
        expect(broadcastShapes('test', b, a)).toEqual(ab);
        expect(ab.length).toBe(Math.max(a.length, b.length));
        for (const s of [a, b]) {
          const x = make(s);
          const e = x.expand(ab);
          expect(e.shape).toEqual(ab);
          expect(e._st).toBe(x._st);
          // Every element of the expansion is the source element at the broadcast index.
          const flat = e.contiguous().data() as Float64Array;
          const src = x.contiguous().data() as Float64Array;
          const lead = ab.length - s.length;
          for (let i = 0; i < flat.length; i++) {
            let rem = i;
            let off = 0;
            let acc = 1;
            for (let d = ab.length - 1; d >= 0; d--) {
              const idx = rem % ab[d]!;
              rem = Math.floor(rem / ab[d]!);
              if (d >= lead) {
                off += (s[d - lead] === 1 ? 0 : idx) * acc;
                acc *= s[d - lead]!;
              }
            }
            if (flat[i] !== src[off]) expect.fail(`expand ${JSON.stringify(s)} -> ${JSON.stringify(ab)}: element ${i}`);
          }
        }
      }),
    );
  });

  it('incompatible shapes fail to broadcast in both orders', () => {
    fc.assert(
      fc.property(nonEmptyShapeArb(1, 3), fc.nat(), fc.integer({ min: 2, max: 5 }), (a, k, extra) => {
        const d = k % a.length;
        fc.pre(a[d] !== 1);
        const b = [...a];
        b[d] = a[d]! + extra; // neither 1 nor a[d]
        expect(() => broadcastShapes('test', a, b)).toThrow(/cannot be broadcast/);
        expect(() => broadcastShapes('test', b, a)).toThrow(/cannot be broadcast/);
        expect(() => make(a).expand(b)).toThrow(/expand: the expanded size/);
      }),
    );
  });

  it('split then cat is the identity, and cat then split gives the parts back', () => {
    fc.assert(
      fc.property(shapeArb(1), fc.nat(), fc.array(fc.nat(), { maxLength: 5 }), (shape, k, cuts) => {
        const x = make(shape);
        const d = k % shape.length;
        const n = shape[d]!;
        const points = cuts.map((c) => c % (n + 1)).sort((p, q) => p - q);
        const sizes = [...points, n].map((p, i, arr) => p - (i === 0 ? 0 : arr[i - 1]!));
        const parts = split(x, sizes, d);
        expect(parts.map((p) => p.shape[d])).toEqual(sizes);
        const back = cat(parts, d);
        expect(back.shape).toEqual(shape);
        expect(back.toArray()).toEqual(x.toArray());
        const again = split(back, sizes, d);
        again.forEach((p, i) => expect(p.toArray()).toEqual(parts[i]!.toArray()));
      }),
    );
  });

  it('chunk sizes: ceil(n / chunks) each but the last, summing to n', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.integer({ min: 1, max: 12 }), (n, c) => {
        const parts = chunk(arange(n), c);
        const sizes = parts.map((p) => p.shape[0]!);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
        expect(sizes.length).toBeLessThanOrEqual(c);
        if (n === 0) {
          expect(sizes).toEqual(new Array(c).fill(0));
          return;
        }
        const each = Math.ceil(n / c);
        expect(sizes.length).toBe(Math.ceil(n / each));
        sizes.slice(0, -1).forEach((s) => expect(s).toBe(each));
        expect(sizes[sizes.length - 1]).toBeGreaterThan(0);
        expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(each);
        expect(cat(parts).toArray()).toEqual(arange(n).toArray());
      }),
    );
  });

  it('slicing a strided view equals slicing its contiguous copy', () => {
    fc.assert(
      fc.property(viewArb, fc.array(sliceSpecArb, { maxLength: 4 }), ([base, perm, steps], specs) => {
        const v = buildView(base, perm, steps);
        const c = v.contiguous().clone();
        const used = specs.slice(0, v.ndim).map((s) => (s === ':' ? s : slice(s[0], s[1], s[2])));
        const a = v.index(...used);
        const b = c.index(...used);
        expect(a._st).toBe(v._st);
        expect(a.shape).toEqual(b.shape);
        expect(a.toArray()).toEqual(b.toArray());
        // reshape of the strided view agrees with reshape of the copy, view or not.
        expect(v.reshape(-1).toArray()).toEqual(c.reshape(-1).toArray());
        expect(v.flatten().toArray()).toEqual(c.flatten().toArray());
      }),
    );
  });
});
