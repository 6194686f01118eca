/** Creation and conversion entries. */
import { arange, clone, eye, full, linspace, ones, tensor, zeros, type DType } from '../../src/index.js';
import { Nd } from './ref.js';
import type { OpInfo } from './types.js';

const ALL: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'];

export const creationOps: OpInfo[] = [
  {
    name: 'zeros',
    run: ([shape], o) => zeros(shape, o),
    ref: ([shape]) => Nd.zeros(shape),
    samples: [{ args: [[2, 3]] }, { args: [[]] }, { args: [[0, 4]] }],
    dtypes: ['float32'],
    errors: [{ args: [[2, -1]], throws: /zeros: invalid size -1/ }],
  },
  {
    name: 'ones',
    run: ([shape], o) => ones(shape, o),
    ref: ([shape]) => Nd.zeros(shape).map(() => 1),
    samples: [{ args: [[3, 1, 2]] }, { args: [[5]], opts: { dtype: 'int32' } }],
    dtypes: ['float32'],
  },
  {
    name: 'full',
    run: ([shape, v], o) => full(shape, v, o),
    ref: ([shape, v]) => Nd.zeros(shape).map(() => v),
    samples: [{ args: [[2, 2], 3.5] }, { args: [[3], -2], opts: { dtype: 'int64' } }],
    dtypes: ['float32'],
  },
  {
    name: 'arange',
    run: ([a, b, c]) => arange(a, b, c),
    ref: ([a, b, c]) => {
      const vals: number[] = [];
      for (let v = a; v < b; v += c) vals.push(v);
      return new Nd([vals.length], Float64Array.from(vals));
    },
    samples: [{ args: [0, 5, 1] }, { args: [1, 2, 0.25] }, { args: [3, 3, 1] }],
    dtypes: ['float32'],
    errors: [{ args: [0, 5, 0], throws: /arange: step must be nonzero/ }, { args: [5, 0, 1], throws: /arange: upper bound and step are inconsistent/ }],
  },
  {
    name: 'linspace',
    run: ([a, b, n]) => linspace(a, b, n, { dtype: 'float64' }),
    ref: ([a, b, n]) => new Nd([n], Float64Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)))),
    samples: [{ args: [0, 1, 5] }, { args: [-3, 7, 1] }, { args: [2, -2, 9] }],
    dtypes: ['float64'],
  },
  {
    name: 'eye',
    run: ([n, m]) => eye(n, m),
    ref: ([n, m]) => {
      const r = Nd.zeros([n, m]);
      for (let i = 0; i < Math.min(n, m); i++) r.data[i * m + i] = 1;
      return r;
    },
    samples: [{ args: [3, 3] }, { args: [2, 4] }, { args: [0, 0] }],
    dtypes: ['float32'],
  },
  {
    name: 'tensor',
    run: ([v]) => tensor(v),
    ref: ([v]) => new Nd([v.length, v[0].length], Float64Array.from(v.flat())),
    samples: [{ args: [{ literal: [[1, 2.5], [3, 4]] }] }],
    dtypes: ['float32'],
    errors: [{ args: [{ literal: [[1, 2], [3]] }], throws: /tensor: ragged nested array/ }],
  },
  {
    name: 'clone',
    run: ([x]) => clone(x),
    ref: ([x]) => x,
    samples: [{ args: [{ shape: [3, 4] }] }, { args: [{ shape: [2, 3], noncontig: true }] }, { args: [{ shape: [] }] }, { args: [{ shape: [0, 3] }] }],
    dtypes: ALL,
    outDtype: (d) => d,
    grad: true,
  },
  {
    name: 'contiguous',
    grad: true,
    // The transposed view is made inside, so contiguous() copies even when the input is contiguous.
    run: ([x]) => x.t().contiguous(),
    ref: ([x]) => {
      const [r, c] = x.shape;
      const out = Nd.zeros([c, r]);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.data[j * r + i] = x.data[i * c + j]!;
      return out;
    },
    samples: [{ args: [{ shape: [3, 4], noncontig: true }] }, { args: [{ shape: [2, 3] }] }],
    dtypes: ['float32', 'float64', 'int64'],
    outDtype: (d) => d,
  },
  // Casts to 16-bit floats are differentiable too, but too coarse for finite differences: their
  // samples sit in a separate entry without `grad`.
  ...[
    { name: 'to', targets: ['float64', 'int32', 'int64', 'bool'], grad: true },
    { name: 'to (16-bit)', targets: ['float16', 'bfloat16'], grad: undefined },
  ].map(
    ({ name, targets, grad }): OpInfo => ({
      name,
      run: ([x, d]) => x.to(d),
      ref: ([x, d]) => (d === 'bool' ? x.map((v: number) => (v !== 0 ? 1 : 0)) : d.startsWith('int') || d === 'uint8' ? x.map(Math.trunc) : x),
      samples: targets.map((d) => ({
        name: `to ${d}`,
        args: [{ shape: [2, 3], noncontig: true, low: 0, high: 3 }, d],
      })),
      dtypes: ['float32'],
      tol: { float16: { atol: 2e-3, rtol: 2e-3 }, bfloat16: { atol: 2e-2, rtol: 1e-2 } },
      grad,
    }),
  ),
];
