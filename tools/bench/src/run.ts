/**
 * `pnpm bench`: Cinder side by side with PyTorch (python3-torch) and tfjs in one run. Prints a table
 * of figures and ratios (Cinder's speed / the peer's, so > 1 means Cinder is faster) and writes the
 * raw timings as JSON to tools/bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { add, getNumThreads, matmul, randn, sum, exp, bmm, type Tensor } from '@cinder/tensor';
import '@cinder/autograd';
import { runTfjs, runTorch, type Case, type PeerResults } from './peers.js';
import { bestOf } from './timing.js';
import { printOverhead, runOverhead } from './overhead.js';
import { runUnarySuite } from './unary.js';
import { runOptimSuite } from './optim.js';
import { runTrainSuite } from './train.js';
import { runConvSuite } from './conv.js';
import { describePeak, maxPeak, measurePeak, percentOfPeak } from './peak.js';
import { runModulesSuite } from './modules.js';
import { runNnSuite } from './nn.js';
import { runAttnSuite } from './attn.js';
import { runSntSuite } from './snt.js';
import { runRnnSuite } from './rnn.js';
import { runCudaSuite } from './cuda.js';

const quick = process.argv.includes('--quick');
const M32 = quick ? 1 << 22 : 1 << 25;

const cases: Case[] = [
  { id: 'mm512_f32', kind: 'matmul', m: 512, k: 512, n: 512, dtype: 'float32', repeats: 5, inner: 10 },
  { id: 'mm1024_f32', kind: 'matmul', m: 1024, k: 1024, n: 1024, dtype: 'float32', repeats: 5, inner: 3 },
  ...(quick ? [] : [{ id: 'mm2048_f32', kind: 'matmul', m: 2048, k: 2048, n: 2048, dtype: 'float32', repeats: 3, inner: 1 } as Case]),
  { id: 'mm512_f64', kind: 'matmul', m: 512, k: 512, n: 512, dtype: 'float64', repeats: 5, inner: 5 },
  { id: 'mm1024_f64', kind: 'matmul', m: 1024, k: 1024, n: 1024, dtype: 'float64', repeats: 3, inner: 2 },
  ...(quick ? [] : [{ id: 'mm2048_f64', kind: 'matmul', m: 2048, k: 2048, n: 2048, dtype: 'float64', repeats: 2, inner: 1 } as Case]),
  { id: 'mm64x784x256_f32', kind: 'matmul', m: 64, k: 784, n: 256, dtype: 'float32', repeats: 5, inner: 200 },
  // A linear layer's forward x @ w.T (w stored 256x784) and weight gradient g.T @ x (g 64x256): views, no copies.
  { id: 'mm64x784x256_NT_f32', kind: 'matmul_nt', m: 64, k: 784, n: 256, dtype: 'float32', repeats: 5, inner: 200 },
  { id: 'mm256x64x784_TN_f32', kind: 'matmul_tn', m: 256, k: 64, n: 784, dtype: 'float32', repeats: 5, inner: 200 },
  { id: 'mm32x4x32_f32', kind: 'matmul', m: 32, k: 4, n: 32, dtype: 'float32', repeats: 5, inner: 20000 },
  { id: 'bmm32x32x128x128_f32', kind: 'bmm', b: 32, m: 32, k: 128, n: 128, repeats: 5, inner: 100 },
  { id: 'add_new_32M', kind: 'add_new', n: M32, repeats: 5, inner: 3 },
  { id: 'add_out_32M', kind: 'add_out', n: M32, repeats: 5, inner: 3 },
  { id: 'sum_32M', kind: 'sum', n: M32, repeats: 5, inner: 3 },
  { id: 'exp_32M', kind: 'exp', n: M32, repeats: 5, inner: 3 },
  { id: 'tiny_add', kind: 'tiny_add', repeats: 7, inner: 200000 },
  { id: 'autograd_(x*y+x).sum().backward()', kind: 'ag_small', repeats: 7, inner: 20000 },
  { id: 'autograd_recorded_add', kind: 'ag_record', repeats: 7, inner: 100000 },
];

type Unit = 'GFLOP/s' | 'GB/s' | 'us';
function unitOf(c: Case): Unit {
  return c.kind.startsWith('matmul') || c.kind === 'bmm' ? 'GFLOP/s' : c.kind === 'tiny_add' || c.kind.startsWith('ag_') ? 'us' : 'GB/s';
}
/** Converts seconds per call into the case's unit. */
function figure(c: Case, sec: number): number {
  switch (c.kind) {
    case 'matmul': case 'matmul_nt': case 'matmul_tn': return (2 * c.m! * c.k! * c.n!) / sec / 1e9;
    case 'bmm': return (2 * c.b! * c.m! * c.k! * c.n!) / sec / 1e9;
    case 'add_new': case 'add_out': return (3 * 4 * c.n!) / sec / 1e9;
    case 'sum': return (4 * c.n!) / sec / 1e9;
    case 'exp': return (2 * 4 * c.n!) / sec / 1e9;
    case 'tiny_add': case 'ag_small': case 'ag_record': return sec * 1e6;
  }
}

function runCinder(c: Case): number {
  const keepAlive: Tensor[] = [];
  const use = <T extends Tensor>(t: T): T => (keepAlive.push(t), t);
  try {
    switch (c.kind) {
      case 'matmul': {
        const a = use(randn([c.m!, c.k!], { dtype: c.dtype }));
        const b = use(randn([c.k!, c.n!], { dtype: c.dtype }));
        return bestOf(() => matmul(a, b).dispose(), c.repeats, c.inner);
      }
      case 'matmul_nt': {
        const a = use(randn([c.m!, c.k!], { dtype: c.dtype }));
        const wT = use(randn([c.n!, c.k!], { dtype: c.dtype })).mT;
        return bestOf(() => matmul(a, wT).dispose(), c.repeats, c.inner);
      }
      case 'matmul_tn': {
        const gT = use(randn([c.k!, c.m!], { dtype: c.dtype })).mT;
        const x = use(randn([c.k!, c.n!], { dtype: c.dtype }));
        return bestOf(() => matmul(gT, x).dispose(), c.repeats, c.inner);
      }
      case 'bmm': {
        const a = use(randn([c.b!, c.m!, c.k!]));
        const b = use(randn([c.b!, c.k!, c.n!]));
        return bestOf(() => bmm(a, b).dispose(), c.repeats, c.inner);
      }
      case 'add_new': {
        const a = use(randn([c.n!]));
        const b = use(randn([c.n!]));
        return bestOf(() => add(a, b).dispose(), c.repeats, c.inner);
      }
      case 'add_out': {
        // Into an existing tensor: c.add_(b) moves the same three streams as PyTorch's
        // add(a, b, out=c), the figure BENCHMARKS.md takes as this machine's DRAM bandwidth.
        const b = use(randn([c.n!]));
        const out = use(randn([c.n!]));
        return bestOf(() => void out.add_(b), c.repeats, c.inner);
      }
      case 'sum': {
        const a = use(randn([c.n!]));
        return bestOf(() => sum(a).dispose(), c.repeats, c.inner);
      }
      case 'exp': {
        const a = use(randn([c.n!]));
        return bestOf(() => exp(a).dispose(), c.repeats, c.inner);
      }
      case 'tiny_add': {
        const a = use(randn([4]));
        const b = use(randn([4]));
        return bestOf(() => add(a, b).dispose(), c.repeats, c.inner);
      }
      case 'ag_small': {
        const x = use(randn([4], { requiresGrad: true }));
        const y = use(randn([4], { requiresGrad: true }));
        return bestOf(() => x.mul(y).add(x).sum().backward(), c.repeats, c.inner);
      }
      case 'ag_record': {
        const x = use(randn([4], { requiresGrad: true }));
        const y = use(randn([4]));
        return bestOf(() => add(x, y), c.repeats, c.inner);
      }
    }
  } finally {
    for (const t of keepAlive) t.dispose();
  }
}

function fmt(v: number | undefined, unit: Unit): string {
  if (v === undefined) return '-';
  return unit === 'us' ? v.toFixed(3) : v.toFixed(1);
}

async function main(): Promise<void> {
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  console.log(`Cinder benchmarks on ${machine}; Cinder threads: ${getNumThreads()}${quick ? ' (quick)' : ''}`);
  if (process.argv.includes('--overhead-only')) {
    printOverhead(await runOverhead());
    return;
  }
  const peakBefore = measurePeak(getNumThreads());
  const cinder: Record<string, number> = {};
  for (const c of cases) cinder[c.id] = runCinder(c);
  const peak = maxPeak(peakBefore, measurePeak(getNumThreads()));
  const overhead = await runOverhead();
  const peers: PeerResults[] = [];
  const notes: string[] = [];
  for (const p of [runTorch(cases), await runTfjs('cpu', cases, 512), await runTfjs('wasm', cases, 1024)]) {
    if ('error' in p) notes.push(p.error);
    else peers.push(p);
  }
  const header = ['case', 'unit', 'Cinder', '% of peak', ...peers.flatMap((p) => [p.name, `ratio vs ${p.name}`])];
  const rows: string[][] = [header];
  for (const c of cases) {
    const u = unitOf(c);
    const ours = figure(c, cinder[c.id]!);
    const row = [c.id, u, fmt(ours, u), percentOfPeak(peak, c, ours) ?? '-'];
    for (const p of peers) {
      const sec = p.results[c.id];
      const theirs = sec === undefined ? undefined : figure(c, sec);
      // Ratio of speeds: for times (us), peer time / ours; for throughputs, ours / peer.
      const ratio = theirs === undefined ? undefined : u === 'us' ? theirs / ours : ours / theirs;
      row.push(fmt(theirs, u), ratio === undefined ? '-' : `${ratio.toFixed(2)}x`);
    }
    rows.push(row);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  console.log(describePeak(peak));
  for (const p of peers) console.log(`${p.name}: ${p.version}`);
  for (const n of notes) console.log(n);
  printOverhead(overhead);
  // The other sections print their own tables; --quick skips the long ones.
  console.log('');
  const conv = runConvSuite();
  console.log('');
  const optim = runOptimSuite();
  console.log('');
  const unary = quick ? undefined : runUnarySuite();
  const nnKernels = runNnSuite();
  console.log('');
  const train = runTrainSuite();
  console.log('');
  const attn = runAttnSuite();
  console.log('');
  const rnn = runRnnSuite(quick ? 1 : 3);
  console.log('');
  const cudaSection = runCudaSuite(quick ? 3 : 7);
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, peakGflops: peak, cinderSeconds: cinder, overheadNs: overhead, peers, notes, cases, conv, optim, unary, nnKernels, train, attn, rnn, cuda: cudaSection }, null, 2));
  console.log(`raw timings: ${file}`);
}

if (process.argv.includes('--conv')) runConvSuite();
else if (process.argv.includes('--nn')) runNnSuite();
else if (process.argv.includes('--unary')) runUnarySuite();
else if (process.argv.includes('--optim')) runOptimSuite();
else if (process.argv.includes('--modules')) runModulesSuite();
else if (process.argv.includes('--train')) runTrainSuite();
else if (process.argv.includes('--attn')) runAttnSuite();
else if (process.argv.includes('--snt')) runSntSuite();
else if (process.argv.includes('--rnn')) runRnnSuite();
else if (process.argv.includes('--cuda')) runCudaSuite(quick ? 3 : 7);
else await main();
