/** Shape algebra shared by every op family: broadcasting, dim normalisation, formatting. */
import { normalizeDim } from './tensor.js';

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** torch.broadcast_shapes; the error names the op and every shape. */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  let nd = 0;
  for (const s of shapes) if (s.length > nd) nd = s.length;
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    const lead = nd - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const cur = out[lead + i]!;
      if (d === cur || d === 1) continue;
      if (cur === 1) out[lead + i] = d;
      else {
        throw new RangeError(
          `${op}: shapes ${shapes.map(shapeString).join(' and ')} cannot be broadcast together ` +
            `(size ${cur} vs ${d} at dim ${lead + i})`,
        );
      }
    }
  }
  return out;
}

/** Normalises one dim, a list of dims, or undefined (all dims) to sorted unique non-negative dims. */
export function normalizeDims(dims: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normalizeDim(d, ndim, op));
  const sorted = [...new Set(out)].sort((a, b) => a - b);
  if (sorted.length !== out.length) throw new RangeError(`${op}: dim ${out.find((d, i) => out.indexOf(d) !== i)} appears multiple times in the list of dims`);
  return sorted;
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
