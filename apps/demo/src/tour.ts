/**
 * A short tour of @cinder/tensor: create tensors, run ops, print them, and time a matmul.
 * (The nn work turns this into the training demo.)
 */
import {
  arange, cuda, getNumThreads, linalg, manualSeed, matmul, memoryStats, randn, tensor, tidy, zeros,
} from '@cinder/tensor';
import { grad } from '@cinder/autograd';

function section(title: string): void {
  console.log(`\n== ${title}`);
}

manualSeed(0);

section('creation');
const x = tensor([[1, 2], [3, 4]], { dtype: 'float32' });
console.log('x =', x.toString());
console.log('arange(12).reshape(3, 4) =', arange(12).reshape(3, 4).toString());
console.log('zeros(2, 3, { dtype: "int32" }) =', zeros([2, 3], { dtype: 'int32' }).toString());
console.log('randn(2, 3) =', randn(2, 3).toString());

section('elementwise ops with broadcasting');
const row = tensor([10, 20]);
console.log('x + [10, 20] =', x.add(row).toString());
console.log('x.exp() =', x.exp().toString());
console.log('x > 2 =', x.gt(2).toString());

section('views share storage');
const m = arange(6, { dtype: 'float32' }).reshape(2, 3);
const mt = m.t();
console.log('m.t() =', mt.toString(), 'contiguous:', mt.isContiguous());
console.log("m.index(':', '0::2') =", m.index(':', '0::2').toString());

section('reductions');
console.log('x.sum() =', x.sum().toString(), ' x.mean(0) =', x.mean(0).toString());
console.log('softmax(x, 1) =', x.softmax(1).toString());
const { values, indices } = x.max(1);
console.log('x.max(1) = values', values.toString(), 'indices', indices.toString());

section('linear algebra');
const a = tensor([[4, 2], [2, 3]], { dtype: 'float64' });
console.log('a @ x =', matmul(a, x.double()).toString());
console.log('cholesky(a) =', linalg.cholesky(a).toString());
console.log('det(a) =', linalg.det(a).item());

section('gradients');
const w = tensor([[0.5, -1], [2, 0.25]], { dtype: 'float64', requiresGrad: true });
const loss = matmul(a, w).tanh().square().sum();
loss.backward();
console.log('loss =', loss.toString());
console.log('d loss / d w =', w.grad!.toString());
const s = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
const [ds] = grad(s.pow(3).sum(), s, { createGraph: true });
const [dds] = grad(ds!.sum(), s);
console.log('d/ds sum(s^3) =', ds!.detach().toString(), ' second derivative =', dds!.toString());

section('timing');
for (const n of [256, 1024]) {
  const p = randn(n, n);
  const q = randn(n, n);
  matmul(p, q).dispose();
  const reps = n === 256 ? 50 : 5;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tidy(() => matmul(p, q));
  const ms = (performance.now() - t0) / reps;
  console.log(`matmul ${n}x${n}: ${ms.toFixed(3)} ms per call, ${((2 * n ** 3) / ms / 1e6).toFixed(1)} GFLOP/s on ${getNumThreads()} thread(s)`);
}
console.log('CUDA available:', cuda.isAvailable());
console.log('host memory:', memoryStats());
