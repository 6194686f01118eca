/**
 * Basic indexing, as Python's `x[...]`: the spec parser (numbers, null, '...', `slice()` and
 * string specs such as '1:5:2'), index() (the view) and indexScatter() (a copy with that view
 * replaced, what index's backward writes its gradient with). The parsed specs are replayable, so
 * both ops see the very same view.
 */
import { dispatch } from '../dispatch.js';
import { shapeString } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkBound, checkStep, clampSlice } from './rawViews.js';
import { scatterIntoView } from './shapeHelpers.js';

// ---- index specs -------------------------------------------------------------------------------

/** A Python-style slice `start:end:step` for `Tensor.index`; null means "to the end". */
export class Slice {
  constructor(
    readonly start: number | null = null,
    readonly end: number | null = null,
    readonly step: number | null = null,
  ) {}
  toString(): string {
    const f = (v: number | null): string => (v === null ? '' : String(v));
    return `${f(this.start)}:${f(this.end)}${this.step === null ? '' : `:${this.step}`}`;
  }
}

/** Python's `start:end:step` as an index spec: `x.index(slice(1, null, 2))` is `x[1::2]`. */
export function slice(start: number | null = null, end: number | null = null, step: number | null = null): Slice {
  return new Slice(start, end, step);
}

/**
 * One spec of `Tensor.index`: a number selects (removing the dim), `null` inserts a new size-1
 * axis, `'...'` stands for all the dims not otherwise indexed, a `Slice` (from `slice()`), a
 * `{ start, end, step }` object or a string such as `':'`, `'1:5:2'`, `'::2'` or `'-3:'` slices.
 */
export type IndexSpec = number | null | '...' | string | Slice | { start?: number | null; end?: number | null; step?: number | null };

function parseSliceString(spec: string, op: string): Slice | number {
  const s = spec.trim();
  const parts = s.split(':');
  const num = (p: string): number | null => {
    const q = p.trim();
    if (q === '' || q === 'None' || q === 'null') return null;
    if (!/^[+-]?\d+$/.test(q)) throw new TypeError(`${op}: invalid index '${spec}' (expected a slice such as ':', '1:5' or '::2')`);
    return Number(q);
  };
  if (parts.length === 1) {
    const v = num(parts[0]!);
    if (v === null) throw new TypeError(`${op}: invalid index '${spec}' (expected a slice such as ':', '1:5' or '::2')`);
    return v;
  }
  if (parts.length > 3) throw new TypeError(`${op}: invalid index '${spec}' (a slice has at most start:end:step)`);
  return new Slice(num(parts[0]!), num(parts[1]!), parts.length === 3 ? num(parts[2]!) : null);
}

type ParsedSpec = { kind: 'int'; i: number } | { kind: 'new' } | { kind: 'ellipsis' } | { kind: 'slice'; s: Slice };

function parseSpec(spec: unknown, op: string): ParsedSpec {
  if (spec === null) return { kind: 'new' };
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec)) throw new TypeError(`${op}: index ${spec} is not an integer`);
    return { kind: 'int', i: spec };
  }
  if (typeof spec === 'string') {
    if (spec.trim() === '...') return { kind: 'ellipsis' };
    const p = parseSliceString(spec, op);
    return typeof p === 'number' ? { kind: 'int', i: p } : { kind: 'slice', s: p };
  }
  if (spec instanceof Slice) return { kind: 'slice', s: spec };
  if (spec instanceof Tensor) {
    throw new TypeError(`${op}: tensor indices (advanced indexing) are not supported by index(); use indexSelect, gather or maskedSelect`);
  }
  if (typeof spec === 'object' && spec !== undefined && !Array.isArray(spec) && ('start' in spec || 'end' in spec || 'step' in spec)) {
    const o = spec as { start?: number | null; end?: number | null; step?: number | null };
    return { kind: 'slice', s: new Slice(o.start ?? null, o.end ?? null, o.step ?? null) };
  }
  throw new TypeError(
    `${op}: invalid index ${Array.isArray(spec) ? `[${spec.map(String).join(', ')}]` : String(spec)} ` +
      "(expected a number, null, '...', slice(start, end, step) or a string like '1:5:2')",
  );
}

// ---- index / indexScatter ----------------------------------------------------------------------

/**
 * Basic indexing, as Python's `x[...]`: a view (no copy) sharing `x`'s storage. Each spec is a
 * number (selects one index and removes the dim; negative counts from the end; out of range is an
 * error), `null` (a new axis of size 1), `'...'` (the ellipsis: all the dims not otherwise
 * indexed), `slice(start, end, step)` or a `{ start, end, step }` object, or a string such as
 * `':'`, `'1:5:2'`, `'::2'` or `'-3:'`. Missing trailing specs mean `':'`. Assign through the
 * view with `copy_` / `fill_`.
 * @example
 * ```ts
 * import { arange, slice } from '@cinder/tensor';
 * const x = arange(24).reshape(2, 3, 4);
 * x.index(0, slice(1, null, 2), null, '...'); // x[0, 1::2, None, ...]: shape [1, 1, 4]
 * x.index('...', -1);                          // x[..., -1]: shape [2, 3]
 * x.index(':', '::2').fill_(0);                // x[:, ::2] = 0, written into x
 * ```
 */
export function index(x: Tensor, ...specs: IndexSpec[]): Tensor {
  const op = 'index';
  const { parsed, consumed, replay } = parseIndex(x, specs, op);
  return dispatch('index', [x], { specs: replay }, () => indexRaw(x, parsed, consumed, op));
}

/** Parses and checks index specs; `replay` is replayable by index() itself (for backward). */
function parseIndex(x: Tensor, specs: readonly IndexSpec[], op: string): { parsed: ParsedSpec[]; consumed: number; replay: IndexSpec[] } {
  const parsed = specs.map((s) => parseSpec(s, op));
  let ellipses = 0;
  let consumed = 0;
  for (const p of parsed) {
    if (p.kind === 'ellipsis') ellipses++;
    else if (p.kind === 'int' || p.kind === 'slice') consumed++;
  }
  if (ellipses > 1) throw new RangeError(`${op}: an index can only have a single ellipsis ('...')`);
  if (consumed > x.ndim) {
    throw new RangeError(`${op}: too many indices for tensor of dimension ${x.ndim} (got ${consumed} indices for shape ${shapeString(x.shape)})`);
  }
  // Replayable by index() itself, so a backward can write a gradient through the same view.
  const replay: IndexSpec[] = parsed.map((p) =>
    p.kind === 'int' ? p.i : p.kind === 'new' ? null : p.kind === 'ellipsis' ? '...' : p.s,
  );
  return { parsed, consumed, replay };
}

/** The view of basic indexing `x[specs]` (specs parsed, `consumed` of them taking a dim). */
function indexRaw(x: Tensor, parsed: readonly ParsedSpec[], consumed: number, op: string): Tensor {
  let shape: number[] = [];
  let strides: number[] = [];
  let offset = x.offset;
  let d = 0;
  for (const p of parsed) {
    switch (p.kind) {
      case 'new':
        shape.push(1);
        strides.push(d < x.ndim ? x.shape[d]! * x.strides[d]! : 1);
        break;
      case 'ellipsis': {
        const n = x.ndim - consumed;
        for (let k = 0; k < n; k++, d++) {
          shape.push(x.shape[d]!);
          strides.push(x.strides[d]!);
        }
        break;
      }
      case 'int': {
        const size = x.shape[d]!;
        if (p.i < -size || p.i >= size) {
          throw new RangeError(`${op}: index ${p.i} is out of bounds for dimension ${d} with size ${size} (shape ${shapeString(x.shape)})`);
        }
        offset += (p.i < 0 ? p.i + size : p.i) * x.strides[d]!;
        d++;
        break;
      }
      case 'slice': {
        const st = checkStep(p.s.step, op);
        const [s, e] = clampSlice(x.shape[d]!, checkBound(p.s.start, op, 'start'), checkBound(p.s.end, op, 'end'));
        shape.push(e > s ? Math.floor((e - s + st - 1) / st) : 0);
        strides.push(x.strides[d]! * st);
        offset += s * x.strides[d]!;
        d++;
        break;
      }
    }
  }
  for (; d < x.ndim; d++) {
    shape.push(x.shape[d]!);
    strides.push(x.strides[d]!);
  }
  return x._view(shape, strides, offset);
}

/**
 * A copy of `input` with the basic-indexing view `input.index(...specs)` replaced by `src`
 * (the out-of-place form of `x[specs] = src`); src must have the view's shape.
 * @example
 * ```ts
 * indexScatter(zeros(3, 4), ones(3, 2), [':', '::2']); // ones in columns 0 and 2
 * ```
 */
export function indexScatter(input: Tensor, src: Tensor, specs: readonly IndexSpec[]): Tensor {
  const op = 'indexScatter';
  if (!Array.isArray(specs)) throw new TypeError(`${op}: expected specs to be an array of index specs`);
  const { parsed, consumed, replay } = parseIndex(input, specs, op);
  return scatterIntoView(op, input, src, { specs: replay }, 'view', (t) => indexRaw(t, parsed, consumed, op));
}

// ---- methods ---------------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    /** Basic indexing as Python's `x[...]`; see {@link index}. */
    index(...specs: IndexSpec[]): Tensor;
    /** See {@link indexScatter}. */
    indexScatter(src: Tensor, specs: readonly IndexSpec[]): Tensor;
  }
}

const proto = Tensor.prototype;
proto.index = function (this: Tensor, ...specs: IndexSpec[]) { return index(this, ...specs); };
proto.indexScatter = function (this: Tensor, src: Tensor, specs: readonly IndexSpec[]) { return indexScatter(this, src, specs); };
