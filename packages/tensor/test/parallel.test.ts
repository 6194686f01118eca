// Large elementwise kernels: the thread pool's hand-over and the streamed (non-temporal) output
// path taken by outputs of 16 MiB and more, checked element by element against plain JS.
import { afterEach, describe, expect, test } from 'vitest';
import { add, arange, exp, getNumThreads, mul, setNumThreads, sigmoid, type Tensor } from '../src/index.js';

const saved = getNumThreads();
afterEach(() => setNumThreads(saved));

// 4.5M float32 = 18 MiB: above the streaming threshold, and not a multiple of the block size.
const N = 4_500_001;

function expectEvery(t: Tensor, f: (i: number) => number, rel = 0): void {
  const d = t.data() as Float32Array;
  expect(d.length).toBe(t.numel());
  let bad = -1;
  for (let i = 0; i < d.length; i++) {
    const want = Math.fround(f(i));
    if (Math.abs(d[i]! - want) > rel * Math.abs(want)) {
      bad = i;
      break;
    }
  }
  expect(bad, bad >= 0 ? `first mismatch at ${bad}: ${d[bad]} vs ${Math.fround(f(bad))}` : '').toBe(-1);
}

describe('large elementwise ops', () => {
  for (const threads of [1, 2, 3]) {
    test(`add, mul and exp of ${N} elements on ${threads} thread(s)`, () => {
      setNumThreads(threads);
      const a = arange(N, { dtype: 'float32' });
      const b = mul(a, 0.5);
      expectEvery(b, (i) => i * 0.5);
      expectEvery(add(a, b), (i) => Math.fround(i) + Math.fround(i * 0.5));
      const small = mul(a, 1e-6);
      expectEvery(exp(small), (i) => Math.exp(Math.fround(Math.fround(i) * Math.fround(1e-6))), 4e-7);
      expectEvery(sigmoid(small), (i) => 1 / (1 + Math.exp(-Math.fround(Math.fround(i) * Math.fround(1e-6)))), 4e-7);
    });
  }

  test('in place into a view whose first element is not 16-byte aligned', () => {
    const base = arange(N + 3, { dtype: 'float32' });
    const view = base.narrow(0, 1, N); // starts 4 bytes into the storage
    view.add_(1);
    expectEvery(base, (i) => (i === 0 || i > N ? i : i + 1));
  });

  test('many small parallel regions in a row, switching thread counts', () => {
    const a = arange(100_000, { dtype: 'float32' });
    let acc = a;
    for (let k = 0; k < 200; k++) {
      if (k % 50 === 0) setNumThreads(1 + ((k / 50) % 3));
      acc = add(acc, 1);
    }
    expectEvery(acc, (i) => i + 200);
  });

  test('results do not depend on the thread count', () => {
    const a = mul(arange(N, { dtype: 'float32' }), 1e-5);
    setNumThreads(1);
    const one = exp(a).data() as Float32Array;
    setNumThreads(2);
    const two = exp(a).data() as Float32Array;
    expect(Buffer.compare(Buffer.from(one.buffer, one.byteOffset, one.byteLength), Buffer.from(two.buffer, two.byteOffset, two.byteLength))).toBe(0);
  });
});
