/**
 * torch.einsum: subscripts are parsed, repeated ones become diagonal views, and the operands are
 * contracted pairwise (left to right) with batched GEMMs; labels nobody needs are summed first.
 */
import { scalarTensor } from '../creation.js';
import { dispatch } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { numelOf, shapeString } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { Device } from '../device.js';
import { batchedMatmul, checkTensor, permuteView, reshapeView } from './linalgCommon.js';

interface Labeled {
  t: Tensor;
  labels: string[];
}

/** Collapses repeated labels of one operand into a diagonal view. */
function diagonalize(op: string, t: Tensor, labels: string[]): Labeled {
  const shape: number[] = [];
  const strides: number[] = [];
  const out: string[] = [];
  labels.forEach((l, i) => {
    const j = out.indexOf(l);
    if (j >= 0) {
      if (shape[j] !== t.shape[i]) {
        throw new RangeError(`${op}: subscript ${l} is repeated for operand of shape ${shapeString(t.shape)} but the sizes don't match (${shape[j]} != ${t.shape[i]})`);
      }
      strides[j] = strides[j]! + t.strides[i]!;
    } else {
      out.push(l);
      shape.push(t.shape[i]!);
      strides.push(t.strides[i]!);
    }
  });
  return { t: t._view(shape, strides, t.offset), labels: out };
}

/** Sums away the labels of `x` not in `keep` (via a GEMM with a ones vector). */
function sumOut(op: string, x: Labeled, keep: Set<string>): Labeled {
  const kept = x.labels.map((l, i) => [l, i] as const).filter(([l]) => keep.has(l));
  const gone = x.labels.map((l, i) => [l, i] as const).filter(([l]) => !keep.has(l));
  if (gone.length === 0) return x;
  const perm = [...kept.map(([, i]) => i), ...gone.map(([, i]) => i)];
  const p = permuteView(x.t, perm);
  const keptShape = kept.map(([, i]) => x.t.shape[i]!);
  const s = numelOf(gone.map(([, i]) => x.t.shape[i]!));
  const flat = reshapeView(p, [numelOf(keptShape), s]);
  const ones = fullOnes(x.t.dtype, s, x.t.device);
  const r = batchedMatmul(op, flat, ones);
  return { t: reshapeView(r, keptShape), labels: kept.map(([l]) => l) };
}

function fullOnes(dtype: DType, n: number, device: Device): Tensor {
  const one = scalarTensor(1, dtype, device);
  return one._view([n, 1], [0, 0], one.offset);
}

/** Contracts two labeled operands, keeping the labels in `keep`. */
function contractPair(op: string, x: Labeled, y: Labeled, keep: Set<string>): Labeled {
  const sizes = new Map<string, number>();
  for (const z of [x, y]) z.labels.forEach((l, i) => sizes.set(l, z.t.shape[i]!));
  const inY = new Set(y.labels);
  const inX = new Set(x.labels);
  // Labels only one side has and nobody needs are summed first.
  x = sumOut(op, x, new Set([...x.labels].filter((l) => inY.has(l) || keep.has(l))));
  y = sumOut(op, y, new Set([...y.labels].filter((l) => inX.has(l) || keep.has(l))));
  const batch = x.labels.filter((l) => inY.has(l) && keep.has(l));
  const contr = x.labels.filter((l) => inY.has(l) && !keep.has(l));
  const freeX = x.labels.filter((l) => !inY.has(l));
  const freeY = y.labels.filter((l) => !inX.has(l));
  const idx = (z: Labeled, ls: string[]): number[] => ls.map((l) => z.labels.indexOf(l));
  const sz = (ls: string[]): number => numelOf(ls.map((l) => sizes.get(l)!));
  const xp = permuteView(x.t, [...idx(x, batch), ...idx(x, freeX), ...idx(x, contr)]);
  const yp = permuteView(y.t, [...idx(y, batch), ...idx(y, contr), ...idx(y, freeY)]);
  const x3 = reshapeView(xp, [sz(batch), sz(freeX), sz(contr)]);
  const y3 = reshapeView(yp, [sz(batch), sz(contr), sz(freeY)]);
  const r = batchedMatmul(op, x3, y3);
  const labels = [...batch, ...freeX, ...freeY];
  return { t: reshapeView(r, labels.map((l) => sizes.get(l)!)), labels };
}

/** Splits one operand's subscripts into labels, '...' becoming one marker. */
function parseSubscripts(op: string, sub: string, equation: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < sub.length; i++) {
    const c = sub[i]!;
    if (c === '.') {
      if (sub.slice(i, i + 3) !== '...' || out.includes('...')) throw new Error(`${op}: invalid ellipsis in '${equation}' (at most one '...' per operand)`);
      out.push('...');
      i += 2;
    } else if (/[a-zA-Z]/.test(c)) {
      out.push(c);
    } else {
      throw new Error(`${op}: invalid subscript '${c}' in '${equation}' (letters and '...' only)`);
    }
  }
  return out;
}

/** Ellipsis dims get labels '#k' (k counted from the right) so they align and broadcast. */
function expandEllipsis(labels: string[], count: number): string[] {
  const at = labels.indexOf('...');
  if (at < 0) return labels;
  const ell = Array.from({ length: count }, (_, j) => `#${count - 1 - j}`);
  return [...labels.slice(0, at), ...ell, ...labels.slice(at + 1)];
}

/**
 * torch.einsum: `einsum('bij,bjk->bik', a, b)`. Repeated subscripts take diagonals, subscripts
 * missing from the output are summed, '...' stands for broadcast batch dims, size-1 dims
 * broadcast, and an implicit output (no `->`) lists the ellipsis dims then the subscripts that
 * occur once, in alphabetical order. Contractions lower to batched GEMMs (left to right).
 */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  const ts: Tensor[] = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : (operands as Tensor[]);
  return einsumImpl(equation, ts, true);
}

/**
 * einsum itself. linalg.vecdot and linalg.pinv call it with `viaDispatcher` false, as the kernel
 * of their own dispatched op, so the dispatch layers see one op rather than an inner einsum.
 */
export function einsumImpl(equation: string, ts: Tensor[], viaDispatcher: boolean): Tensor {
  const op = 'einsum';
  if (typeof equation !== 'string') throw new TypeError(`${op}: expected an equation string`);
  ts.forEach((t, i) => checkTensor(t, op, `operand ${i}`));
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const inputs = lhs.split(',');
  if (inputs.length !== ts.length) {
    throw new RangeError(`${op}: '${equation}' has ${inputs.length} operand subscripts but ${ts.length} operands were given`);
  }
  if (ts.length === 0) throw new RangeError(`${op}: must provide at least one operand`);
  const parsed = inputs.map((s) => parseSubscripts(op, s, equation));
  let ellDims = 0;
  const labelsPer = parsed.map((ls, i) => {
    const t = ts[i]!;
    const letters = ls.filter((l) => l !== '...').length;
    const hasEll = ls.includes('...');
    if (hasEll ? t.ndim < letters : t.ndim !== letters) {
      throw new RangeError(`${op}: subscripts '${inputs[i]}' of operand ${i} do not match its shape ${shapeString(t.shape)}`);
    }
    const e = t.ndim - letters;
    ellDims = Math.max(ellDims, e);
    return expandEllipsis(ls, e);
  });
  const counts = new Map<string, number>();
  for (const ls of labelsPer) for (const l of ls) counts.set(l, (counts.get(l) ?? 0) + 1);
  const ellLabels = Array.from({ length: ellDims }, (_, j) => `#${ellDims - 1 - j}`);
  let outLabels: string[];
  if (arrow >= 0) {
    const rhs = parseSubscripts(op, eq.slice(arrow + 2), equation);
    outLabels = expandEllipsis(rhs, ellDims);
    const seen = new Set<string>();
    for (const l of outLabels) {
      if (seen.has(l)) throw new Error(`${op}: output subscript ${l} appears more than once in '${equation}'`);
      if (!counts.has(l)) throw new Error(`${op}: output subscript ${l} does not appear in the inputs of '${equation}'`);
      seen.add(l);
    }
  } else {
    outLabels = [...ellLabels, ...[...counts.entries()].filter(([l, c]) => c === 1 && !l.startsWith('#')).map(([l]) => l).sort()];
  }
  const dtype = ts[0]!.dtype;
  for (const t of ts) if (t.dtype !== dtype) throw new TypeError(`${op}: expected operands of one dtype, but got ${ts.map((x) => x.dtype).join(' and ')}`);
  const run = (): Tensor => {
    const ops = ts.map((t, i) => diagonalize(op, t, labelsPer[i]!));
    // One size per subscript; size-1 dims broadcast (stride 0) to it.
    const sizes = new Map<string, number>();
    for (const z of ops) {
      z.labels.forEach((l, i) => {
        const s = z.t.shape[i]!;
        const prev = sizes.get(l);
        if (prev === undefined || prev === 1) sizes.set(l, s);
        else if (s !== 1 && s !== prev) {
          const name = l.startsWith('#') ? `'...' dim ${l.slice(1)} (from the right)` : `subscript ${l}`;
          throw new RangeError(`${op}: operands do not broadcast with remapped shapes: ${name} has sizes ${prev} and ${s}`);
        }
      });
    }
    const bops = ops.map((z) => {
      if (z.labels.every((l, i) => z.t.shape[i] === sizes.get(l))) return z;
      const shape = z.labels.map((l) => sizes.get(l)!);
      const strides = z.labels.map((l, i) => (z.t.shape[i] === sizes.get(l) ? z.t.strides[i]! : 0));
      return { t: z.t._view(shape, strides, z.t.offset), labels: z.labels };
    });
    let acc = bops[0]!;
    const outSet = new Set(outLabels);
    for (let i = 1; i < bops.length; i++) {
      const later = new Set(outLabels);
      for (let j = i + 1; j < bops.length; j++) for (const l of bops[j]!.labels) later.add(l);
      acc = contractPair(op, acc, bops[i]!, later);
    }
    acc = sumOut(op, acc, outSet);
    const perm = outLabels.map((l) => acc.labels.indexOf(l));
    const res = permuteView(acc.t, perm);
    return ts.some((t) => t._st === res._st) ? res._copyAs(res.dtype) : res.contiguous();
  };
  return viaDispatcher ? dispatch('einsum', ts, { equation }, run) : run();
}
