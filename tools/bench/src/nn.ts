/**
 * `node dist/run.js --nn`: @cinder/nn's fused kernels against PyTorch in one run: cross entropy
 * forward + backward (logits [64, 10] and [256, 1000]), 2x2 max pooling and training-mode batch
 * norm on [64, 16, 28, 28] (forward, and forward + backward for the input and parameters), as
 * microseconds per call, best of alternating rounds. PyTorch runs the same calls through
 * py/torch_bench.py ('nn_*' cases), with torch.autograd.grad for the backward passes as here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getNumThreads, randint, randn, tidy, zeros, ones, type Tensor } from '@cinder/tensor';
import { grad } from '@cinder/autograd';
import { F } from '@cinder/nn';
import { bestOf } from './timing.js';

export interface NnCase {
  id: string;
  kind: 'nn_ce' | 'nn_maxpool' | 'nn_batchnorm';
  shape: number[];
  backward: boolean;
  inner: number;
}

export const NN_CASES: NnCase[] = [
  { id: 'crossEntropy [64, 10] fwd+bwd', kind: 'nn_ce', shape: [64, 10], backward: true, inner: 2000 },
  { id: 'crossEntropy [256, 1000] fwd+bwd', kind: 'nn_ce', shape: [256, 1000], backward: true, inner: 50 },
  { id: 'maxPool2d 2x2 [64, 16, 28, 28] fwd', kind: 'nn_maxpool', shape: [64, 16, 28, 28], backward: false, inner: 20 },
  { id: 'maxPool2d 2x2 [64, 16, 28, 28] fwd+bwd', kind: 'nn_maxpool', shape: [64, 16, 28, 28], backward: true, inner: 10 },
  { id: 'batchNorm2d [64, 16, 28, 28] train fwd', kind: 'nn_batchnorm', shape: [64, 16, 28, 28], backward: false, inner: 10 },
  { id: 'batchNorm2d [64, 16, 28, 28] train fwd+bwd', kind: 'nn_batchnorm', shape: [64, 16, 28, 28], backward: true, inner: 5 },
];

function measureCinder(c: NnCase, repeats: number): number {
  const keep: Tensor[] = [];
  const use = (t: Tensor): Tensor => (keep.push(t), t);
  try {
    if (c.kind === 'nn_ce') {
      const x = use(randn(c.shape, { requiresGrad: true }));
      const t = use(randint(0, c.shape[1]!, [c.shape[0]!]));
      return bestOf(() => tidy(() => void grad(F.crossEntropy(x, t), [x])), repeats, c.inner);
    }
    if (c.kind === 'nn_maxpool') {
      const x = use(randn(c.shape, { requiresGrad: c.backward }));
      if (!c.backward) return bestOf(() => tidy(() => void F.maxPool2d(x, 2)), repeats, c.inner);
      const gy = use(randn([c.shape[0]!, c.shape[1]!, c.shape[2]! / 2, c.shape[3]! / 2]));
      return bestOf(() => tidy(() => void grad(F.maxPool2d(x, 2), [x], { gradOutputs: [gy] })), repeats, c.inner);
    }
    const C = c.shape[1]!;
    const x = use(randn(c.shape, { requiresGrad: c.backward }));
    const w = use(ones([C], { requiresGrad: c.backward }));
    const b = use(zeros([C], { requiresGrad: c.backward }));
    const rm = use(zeros([C]));
    const rv = use(ones([C]));
    const opts = { weight: w, bias: b, training: true };
    if (!c.backward) return bestOf(() => tidy(() => void F.batchNorm(x, rm, rv, opts)), repeats, c.inner);
    const gy = use(randn(c.shape));
    return bestOf(() => tidy(() => void grad(F.batchNorm(x, rm, rv, opts), [x, w, b], { gradOutputs: [gy] })), repeats, c.inner);
  } finally {
    for (const t of keep) t.dispose();
  }
}

function measureTorch(cases: NnCase[], repeats: number): { version: string; results: Record<string, number> } | { error: string } {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'py', 'torch_bench.py');
  try {
    const spec = cases.map((c) => ({ ...c, repeats }));
    const out = execFileSync(python, [script, JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
    const parsed = JSON.parse(out) as { version: string; threads: number; results: Record<string, number> };
    return { version: `${parsed.version} (${parsed.threads} intra-op thread(s))`, results: parsed.results };
  } catch (e) {
    return { error: `PyTorch not measured: ${(e as Error).message.split('\n')[0]} (apt-get install python3-torch)` };
  }
}

export interface NnRow { id: string; cinderUs: number; torchUs?: number; ratio?: number }

/** Alternating rounds (Cinder, then PyTorch); each side keeps its best time per case. */
export function runNnSuite(opts: { repeats?: number; rounds?: number } = {}): NnRow[] {
  const repeats = opts.repeats ?? 7;
  const rounds = opts.rounds ?? 5;
  const ours = new Map<string, number>();
  const theirs = new Map<string, number>();
  let torchInfo = 'PyTorch not measured';
  for (let r = 0; r < rounds; r++) {
    for (const c of NN_CASES) ours.set(c.id, Math.min(ours.get(c.id) ?? Infinity, measureCinder(c, repeats)));
    const p = measureTorch(NN_CASES, repeats);
    if ('error' in p) {
      torchInfo = p.error;
      break;
    }
    torchInfo = `PyTorch: ${p.version}`;
    for (const [k, v] of Object.entries(p.results)) theirs.set(k, Math.min(theirs.get(k) ?? Infinity, v));
  }
  const rows: NnRow[] = NN_CASES.map((c) => {
    const cinderUs = ours.get(c.id)! * 1e6;
    const t = theirs.get(c.id);
    const torchUs = t === undefined ? undefined : t * 1e6;
    return { id: c.id, cinderUs, torchUs, ratio: torchUs === undefined ? undefined : torchUs / cinderUs };
  });
  console.log(`\nnn kernels (us per call, best of ${rounds} rounds; ratio = PyTorch time / Cinder time, > 1 means Cinder is faster); Cinder threads: ${getNumThreads()}`);
  const table = [['case', 'Cinder us', 'PyTorch us', 'ratio'], ...rows.map((r) => [
    r.id, r.cinderUs.toFixed(1), r.torchUs === undefined ? '-' : r.torchUs.toFixed(1), r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
  ])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  console.log(torchInfo);
  return rows;
}
