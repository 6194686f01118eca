/**
 * What the op table cannot express: views share storage (writes show through), their strides and
 * offsets match PyTorch's, argument forms (rest vs array, options objects), in-place tril_/triu_,
 * and the multi-threaded paths of the copying ops on large inputs.
 */
import { describe, expect, it } from 'vitest';
import {
  arange, cat, installDispatchLayer, type DispatchLayer, chunk, diagonal, flip, index, narrow, ones, permute, reshape, roll, select, slice, split, stack, tensor,
  transpose, tril, triu, unbind, view, zeros, type Tensor,
} from '../src/index.js';

const geom = (t: Tensor): { shape: number[]; strides: number[]; offset: number } => ({
  shape: [...t.shape],
  strides: [...t.strides],
  offset: t.offset,
});

/** A writes through `v` shows in `base` at flat position `at`. */
function expectShared(base: Tensor, v: Tensor, at: number): void {
  expect(v._st).toBe(base._st);
  v.fill_(-7);
  expect(Number((base.contiguous().data() as Float32Array)[at])).toBe(-7);
}

describe('views share storage', () => {
  const base = (): Tensor => arange(0, 24, { dtype: 'float32' }).reshape(2, 3, 4);

  it('reshape/view of a contiguous tensor are views', () => {
    const x = base();
    const v = x.view(6, 4);
    expect(v._st).toBe(x._st);
    v.select(1, 2).select(0, 0).fill_(100);
    expect(x.index(0, 0, 2).item()).toBe(100);
    expect(x.reshape(-1)._st).toBe(x._st);
  });
  it('reshape copies only when strides make a view impossible', () => {
    const x = base();
    const tr = x.transpose(1, 2); // [2, 4, 3]
    const r = tr.reshape(2, 12);
    expect(r._st).not.toBe(x._st);
    expect(r.toArray()).toEqual(tr.contiguous().reshape(2, 12).toArray());
    // Splitting a dim of a transposed tensor is still a view.
    expect(tr.reshape(2, 2, 2, 3)._st).toBe(x._st);
    expect(() => tr.view(2, 12)).toThrow(/view: view size is not compatible/);
  });
  it('permute, transpose, t, mT, movedim', () => {
    for (const [mk, at] of [
      [(x: Tensor) => x.permute(2, 0, 1).select(0, 1).select(0, 1).select(0, 2), 12 + 8 + 1],
      [(x: Tensor) => x.transpose(0, 2).index(3, 2, 1), 12 + 8 + 3],
      [(x: Tensor) => x.select(0, 1).t().index(1, 2), 12 + 8 + 1],
      [(x: Tensor) => x.mT.index(1, 3, 2), 12 + 8 + 3],
      [(x: Tensor) => x.movedim(0, -1).index(2, 3, 1), 12 + 8 + 3],
      [(x: Tensor) => x.swapdims(0, 1).index(2, 1, 3), 12 + 8 + 3],
    ] as [(x: Tensor) => Tensor, number][]) {
      const x = base();
      expectShared(x, mk(x), at);
    }
  });
  it('squeeze, unsqueeze, expand, flatten, unflatten, narrow, select, slice, index, diagonal', () => {
    const cases: [(x: Tensor) => Tensor, number][] = [
      [(x) => x.unsqueeze(1).squeeze().index(1, 1, 1), 12 + 4 + 1],
      [(x) => x.narrow(2, 1, 2).index(0, 2, 1), 8 + 2],
      [(x) => x.select(-1, 3).index(1, 0), 12 + 3],
      [(x) => x.slice(2, 1, null, 2).index(0, 1, 1), 4 + 3],
      [(x) => x.index('...', slice(null, null, 3)).index(1, 2, 1), 12 + 8 + 3],
      [(x) => x.diagonal(0, 1, 2).index(1, 2), 12 + 8 + 2],
      [(x) => x.flatten(1).index(1, 5), 12 + 5],
      [(x) => x.reshape(2, 12).unflatten(1, [4, 3]).index(0, 3, 2), 11],
      [(x) => x.split(2, 2)[1]!.index(0, 0, 1), 3],
      [(x) => x.chunk(3, 1)[2]!.index(1, 0, 0), 12 + 8],
      [(x) => x.unbind(1)[1]!.index(1, 2), 12 + 4 + 2],
    ];
    for (const [mk, at] of cases) {
      const x = base();
      expectShared(x, mk(x), at);
    }
  });
  it('a write through an expanded view reaches the one underlying element', () => {
    const x = zeros(3, 1);
    const e = x.expand(3, 4);
    expect(e._st).toBe(x._st);
    expect(e.strides).toEqual([1, 0]);
    x.fill_(2);
    expect(e.toArray()).toEqual([[2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]]);
  });
  it('index() assigns through copy_', () => {
    const x = zeros(4, 5);
    x.index(':', '1:4:2').copy_(tensor([[1, 2]], { dtype: 'float32' }).expand(4, 2));
    expect(x.toArray()).toEqual(Array.from({ length: 4 }, () => [0, 1, 0, 2, 0]));
  });
});

describe('strides and offsets match PyTorch', () => {
  const x = arange(24).reshape(2, 3, 4); // strides [12, 4, 1]
  it('permute / transpose / t / movedim', () => {
    expect(geom(x.permute(2, 0, 1))).toEqual({ shape: [4, 2, 3], strides: [1, 12, 4], offset: 0 });
    expect(geom(permute(x, [1, 0, 2]))).toEqual({ shape: [3, 2, 4], strides: [4, 12, 1], offset: 0 });
    expect(geom(x.transpose(0, 2))).toEqual({ shape: [4, 3, 2], strides: [1, 4, 12], offset: 0 });
    expect(geom(transpose(x, -1, -2))).toEqual({ shape: [2, 4, 3], strides: [12, 1, 4], offset: 0 });
    expect(geom(x.select(0, 1).t())).toEqual({ shape: [4, 3], strides: [1, 4], offset: 12 });
    expect(geom(x.movedim(0, -1))).toEqual({ shape: [3, 4, 2], strides: [4, 1, 12], offset: 0 });
  });
  it('narrow / select / slice', () => {
    expect(geom(x.narrow(1, 1, 2))).toEqual({ shape: [2, 2, 4], strides: [12, 4, 1], offset: 4 });
    expect(geom(narrow(x, -1, -2, 2))).toEqual({ shape: [2, 3, 2], strides: [12, 4, 1], offset: 2 });
    expect(geom(x.select(1, 2))).toEqual({ shape: [2, 4], strides: [12, 1], offset: 8 });
    expect(geom(select(x, 0, -1))).toEqual({ shape: [3, 4], strides: [4, 1], offset: 12 });
    expect(geom(arange(10).slice(0, 1, null, 3))).toEqual({ shape: [3], strides: [3], offset: 1 });
    expect(geom(x.slice(2, -3, 100, 2))).toEqual({ shape: [2, 3, 2], strides: [12, 4, 2], offset: 1 });
  });
  it('diagonal', () => {
    expect(geom(x.diagonal(0, 1, 2))).toEqual({ shape: [2, 3], strides: [12, 5], offset: 0 });
    expect(geom(x.diagonal(1, 1, 2))).toEqual({ shape: [2, 3], strides: [12, 5], offset: 1 });
    expect(geom(x.diagonal(-1, 1, 2))).toEqual({ shape: [2, 2], strides: [12, 5], offset: 4 });
    expect(geom(x.diagonal(0, 0, 2))).toEqual({ shape: [3, 2], strides: [4, 13], offset: 0 });
    expect(geom(diagonal(x, { offset: 1, dim1: 2, dim2: 0 }))).toEqual({ shape: [3, 1], strides: [4, 13], offset: 12 });
    expect(geom(diagonal(x, { offset: -1, dim1: 2, dim2: 0 }))).toEqual({ shape: [3, 2], strides: [4, 13], offset: 1 });
    // An empty diagonal keeps the input's offset.
    expect(geom(x.diagonal(9, 1, 2))).toEqual({ shape: [2, 0], strides: [12, 5], offset: 0 });
  });
  it('unsqueeze / squeeze / expand / index', () => {
    expect(geom(x.unsqueeze(1))).toEqual({ shape: [2, 1, 3, 4], strides: [12, 12, 4, 1], offset: 0 });
    expect(geom(x.unsqueeze(3))).toEqual({ shape: [2, 3, 4, 1], strides: [12, 4, 1, 1], offset: 0 });
    expect(geom(x.unsqueeze(1).squeeze(1))).toEqual(geom(x));
    expect(geom(arange(3).reshape(3, 1).expand(2, 3, 4))).toEqual({ shape: [2, 3, 4], strides: [0, 1, 0], offset: 0 });
    expect(geom(x.index(1, null, '::2'))).toEqual({ shape: [1, 2, 4], strides: [12, 8, 1], offset: 12 });
    expect(geom(x.index('...', 1))).toEqual({ shape: [2, 3], strides: [12, 4], offset: 1 });
  });
});

describe('argument forms', () => {
  const x = arange(24).reshape(2, 3, 4);
  it('shapes and dims as rest arguments or arrays', () => {
    expect(x.permute([1, 0, 2]).shape).toEqual(x.permute(1, 0, 2).shape);
    expect(x.reshape([4, 6]).shape).toEqual([4, 6]);
    expect(reshape(x, 4, -1).shape).toEqual([4, 6]);
    expect(view(x, [-1]).shape).toEqual([24]);
    expect(x.expand([3, 2, 3, 4]).shape).toEqual([3, 2, 3, 4]);
    expect(x.flip(0, 2).toArray()).toEqual(x.flip([0, 2]).toArray());
    expect(x.repeat([1, 2, 1]).shape).toEqual([2, 6, 4]);
    expect(x.tile(2).shape).toEqual([2, 3, 8]);
  });
  it('options objects', () => {
    expect(x.flatten({ startDim: 1 }).shape).toEqual([2, 12]);
    expect(x.flatten(0, 1).shape).toEqual([6, 4]);
    expect(cat([x, x], { dim: 2 }).shape).toEqual([2, 3, 8]);
    expect(stack([x, x], { dim: -1 }).shape).toEqual([2, 3, 4, 2]);
    expect(x.diagonal({ dim1: 1, dim2: 2 }).shape).toEqual([2, 3]);
    expect(x.split(2, { dim: 2 }).map((p) => p.shape)).toEqual([[2, 3, 2], [2, 3, 2]]);
    expect(x.chunk(3, { dim: 1 }).length).toBe(3);
    expect(x.unbind({ dim: -1 }).length).toBe(4);
    expect(x.roll(1, { dims: 2 }).toArray()).toEqual(x.roll(1, 2).toArray());
    expect(x.tril({ diagonal: 1 }).toArray()).toEqual(x.tril(1).toArray());
    expect(x.triu({ diagonal: -1 }).toArray()).toEqual(x.triu(-1).toArray());
  });
  it('index() with every spec form', () => {
    const y = arange(60).reshape(3, 4, 5);
    const a = index(y, 1, slice(1, null, 2), null, '...');
    expect(a.shape).toEqual([2, 1, 5]);
    expect(a.toArray()).toEqual([[[25, 26, 27, 28, 29]], [[35, 36, 37, 38, 39]]]);
    expect(y.index('1', '1:', ':-1:2').toArray()).toEqual([[25, 27], [30, 32], [35, 37]]);
    expect(y.index({ start: -1 }, 0, { step: 4 }).toArray()).toEqual([[40, 44]]);
    expect(y.index().shape).toEqual([3, 4, 5]);
    expect(() => y.index(3)).toThrow(/index: index 3 is out of bounds for dimension 0 with size 3/);
    expect(() => y.index(0.5)).toThrow(/index: index 0.5 is not an integer/);
    expect(() => y.index([1, 2] as never)).toThrow(/index: invalid index \[1, 2\]/);
    expect(() => y.index(y as never)).toThrow(/index: tensor indices/);
  });
  it('split, chunk and unbind return arrays', () => {
    expect(split(arange(7), 3).map((t) => t.toArray())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(arange(7).split([2, 5]).map((t) => t.shape[0])).toEqual([2, 5]);
    expect(chunk(arange(6), 4).map((t) => t.shape[0])).toEqual([2, 2, 2]);
    expect(unbind(arange(6).reshape(2, 3), 1).map((t) => t.toArray())).toEqual([[0, 3], [1, 4], [2, 5]]);
  });
  it('non-integer arguments are clear errors', () => {
    expect(() => x.reshape(2.5, 4)).toThrow(/reshape: sizes must be integers/);
    expect(() => x.select(0, 1.5)).toThrow(/select: index must be an integer/);
    expect(() => x.narrow(0, 0, -1)).toThrow(/narrow: length must be non-negative/);
  });
});

describe('reinterpreting views', () => {
  it('view(dtype) reinterprets the same memory', () => {
    const x = tensor([1, -2, 0.5], { dtype: 'float32' });
    const bits = x.view('int32');
    expect(bits._st).toBe(x._st);
    expect(bits.toArray()).toEqual([0x3f800000, 0xc0000000 | 0, 0x3f000000]);
    const bytes = x.view('uint8');
    expect(geom(bytes)).toEqual({ shape: [12], strides: [1], offset: 0 });
    expect((bytes.toArray() as number[]).slice(0, 4)).toEqual([0, 0, 0x80, 0x3f]);
    const m = arange(0, 8, { dtype: 'float32' }).reshape(2, 4).view('float64');
    expect(geom(m)).toEqual({ shape: [2, 2], strides: [2, 1], offset: 0 });
    expect(m.view('float32').toArray()).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(geom(arange(0, 8, { dtype: 'float32' }).reshape(2, 4).narrow(1, 2, 2).view('float64'))).toEqual({ shape: [2, 1], strides: [2, 1], offset: 1 });
    expect(() => arange(0, 5, { dtype: 'float32' }).view('float64')).toThrow(/view: self.size\(-1\) must be divisible by 2 to view float32 as float64/);
    expect(() => arange(0, 6, { dtype: 'float32' }).reshape(2, 3).t().view('uint8')).toThrow(/view: self.stride\(-1\) must be 1/);
    expect(() => tensor(1.5).view('float64')).toThrow(/view: self.dim\(\) cannot be 0/);
  });
  it('unfold and asStrided are views', () => {
    const x = arange(0, 7, { dtype: 'float32' });
    const w = x.unfold(0, 3, 2);
    expect(geom(w)).toEqual({ shape: [3, 3], strides: [2, 1], offset: 0 });
    expectShared(x, w.index(2, 0), 4);
    const y = arange(0, 6, { dtype: 'float32' });
    const a = y.asStrided([2, 2], [1, 2], 1);
    expect(a.toArray()).toEqual([[1, 3], [2, 4]]);
    expectShared(y, a.index(1, 1), 4);
  });
});

describe('copying ops', () => {
  it('flip copies and leaves its input alone (negative-stride view inside)', () => {
    const x = arange(6).reshape(2, 3);
    const f = flip(x, [0, 1]);
    expect(f._st).not.toBe(x._st);
    expect(f.isContiguous()).toBe(true);
    expect(f.toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(x.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(x.fliplr().toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(x.flipud().toArray()).toEqual([[3, 4, 5], [0, 1, 2]]);
    // A view with negative strides is accepted by the native copy and bounds checks.
    const neg = x._view([2, 3], [-3, -1], 5);
    expect(neg.contiguous().toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(() => x._view([2, 3], [-3, -1], 4).contiguous()).toThrow(/reaches outside its storage/);
  });
  it('cat and stack copy and promote', () => {
    const a = arange(0, 3, { dtype: 'int32' });
    const b = tensor([true, false]);
    const c = cat([a, b]);
    expect(c.dtype).toBe('int32');
    expect(c.toArray()).toEqual([0, 1, 2, 1, 0]);
    expect(cat([a, tensor([0.5])]).dtype).toBe('float32');
    expect(stack([a, a], 0).dtype).toBe('int32');
    expect(cat([zeros(0), zeros(0)]).shape).toEqual([0]);
  });
  it('repeat of a high-rank tensor stays within the native rank limit', () => {
    const x = arange(0, 6, { dtype: 'float32' }).reshape(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3);
    const r = x.repeat(1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 2, 2);
    expect(r.shape).toEqual([1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 4, 6]);
    const row = [0, 1, 2, 0, 1, 2];
    const rows = [row, row.map((v) => v + 3), row, row.map((v) => v + 3)];
    expect(r.reshape(2, 4, 6).toArray()).toEqual([rows, rows]);
  });
  it('roll without dims rolls the flattened tensor', () => {
    expect(roll(arange(6).reshape(2, 3), 1).toArray()).toEqual([[5, 0, 1], [2, 3, 4]]);
    expect(arange(6).reshape(2, 3).roll(-1, 1).toArray()).toEqual([[1, 2, 0], [4, 5, 3]]);
  });
  it('tril_ and triu_ work in place, on any dtype including bool', () => {
    const x = ones(3, 3);
    const r = x.tril_();
    expect(r).toBe(x);
    expect(x.toArray()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    const v0 = x._st.version;
    x.triu_(1);
    expect(x._st.version).toBe(v0 + 1);
    expect(x.toArray()).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(() => zeros(3, 1).expand(3, 3).tril_()).toThrow(/tril_: unsupported operation: more than one element/);
    const b = tensor([[true, true], [true, true]]);
    expect(triu(b).toArray()).toEqual([[true, true], [false, true]]);
    // In place through a transposed view: the view's own layout is respected.
    const y = arange(0, 9, { dtype: 'float64' }).reshape(3, 3);
    y.t().tril_();
    expect(y.toArray()).toEqual([[0, 1, 2], [0, 4, 5], [0, 0, 8]]);
  });
});

describe('large inputs (threaded and memcpy paths) agree with small-step references', () => {
  it('tril/triu over a big batched, transposed input', () => {
    const x = arange(0, 4 * 300 * 200, { dtype: 'float32' }).reshape(4, 300, 200);
    const xt = x.transpose(1, 2); // [4, 200, 300], non-contiguous
    for (const [k, upper] of [[0, false], [7, true], [-13, false], [-5, true]] as [number, boolean][]) {
      const got = (upper ? triu(xt, k) : tril(xt, k)).data() as Float32Array;
      const src = xt.contiguous().data() as Float32Array;
      let bad = -1;
      for (let i = 0; i < got.length && bad < 0; i++) {
        const r = Math.floor(i / 300) % 200;
        const c = i % 300;
        const keep = upper ? c - r >= k : c - r <= k;
        if (got[i] !== (keep ? src[i] : 0)) bad = i;
      }
      expect(bad, `k=${k} upper=${upper}`).toBe(-1);
    }
  });
  it('cat, flip and repeat of large tensors', () => {
    const a = arange(0, 200 * 300, { dtype: 'float32' }).reshape(200, 300);
    const c = cat([a, a.t().contiguous().t()], 1);
    expect(c.shape).toEqual([200, 600]);
    expect(c.narrow(1, 300, 300).toArray()).toEqual(a.toArray());
    const f = a.flip(1).data() as Float32Array;
    expect(f[0]).toBe(299);
    expect(f[300 * 199 + 299]).toBe(300 * 199);
    const r = a.repeat(2, 1);
    expect(r.narrow(0, 200, 200).toArray()).toEqual(a.toArray());
  });
});

describe('dispatch', () => {
  it('every op goes through the dispatcher, once, with replayable attributes', () => {
    const seen: { op: string; inputs: number; attrs: Readonly<Record<string, unknown>> }[] = [];
    const layer: DispatchLayer = {
      call(op, inputs, attrs, kernel) {
        seen.push({ op, inputs: inputs.length, attrs });
        return kernel();
      },
      setRequiresGrad() {},
      backward() {},
      retainGrad() {},
      registerHook: () => ({ remove() {} }),
    };
    const x = arange(0, 24, { dtype: 'float32' }).reshape(2, 3, 4);
    installDispatchLayer(layer);
    try {
      const ops: [() => unknown, string][] = [
        [() => x.reshape(6, 4), 'reshape'], [() => x.view(-1), 'view'], [() => x.permute(2, 1, 0), 'permute'],
        [() => x.transpose(0, 1), 'permute'], [() => x.mT, 'permute'], [() => x.squeeze(), 'squeeze'],
        [() => x.unsqueeze(0), 'unsqueeze'], [() => x.expand(2, 2, 3, 4), 'expand'], [() => x.flatten(), 'reshape'],
        [() => x.narrow(1, 0, 2), 'slice'], [() => x.select(0, 1), 'select'], [() => x.slice(2, 1), 'slice'],
        [() => x.split(1), 'split'], [() => x.chunk(2, 2), 'split'], [() => x.unbind(), 'unbind'],
        [() => x.diagonal(), 'diagonal'], [() => cat([x, x]), 'cat'], [() => stack([x, x]), 'stack'],
        [() => x.flip(0), 'flip'], [() => x.roll(1), 'roll'], [() => x.repeat(1, 1, 2), 'repeat'],
        [() => x.tril(), 'tril'], [() => x.triu(), 'triu'], [() => x.index(0, null), 'index'],
      ];
      for (const [f, name] of ops) {
        seen.length = 0;
        f();
        expect(seen.map((s) => s.op), name).toEqual([name]);
      }
      seen.length = 0;
      const v = x.index(1, slice(0, null, 2), null, '...');
      const specs = seen[0]!.attrs.specs as Parameters<Tensor['index']>;
      installDispatchLayer(null);
      const again = x.index(...specs);
      expect(geom(again)).toEqual(geom(v));
    } finally {
      installDispatchLayer(null);
    }
  });
});
