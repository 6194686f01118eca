/**
 * `node dist/run.js --unary`: float32 transcendental elementwise ops, Cinder and PyTorch in one run,
 * at 32M elements (DRAM-bound: one read and one write stream) and at 64K (cache-resident), as GB/s
 * of those two streams, each op producing a fresh tensor per call like `exp_32M`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  erf, exp, gelu, getNumThreads, log, sigmoid, silu, sin, tanh, uniform, type Tensor,
} from '@cinder/tensor';
import { bestOf } from './timing.js';

interface UnaryCase { op: string; n: number; repeats: number; inner: number }

const OPS: Record<string, (x: Tensor) => Tensor> = {
  exp, tanh, sigmoid, log, silu, erf, sin, gelu: (x) => gelu(x), gelu_tanh: (x) => gelu(x, { approximate: 'tanh' }),
};
// Inputs where each op does real work: log on (0.1, 10), the rest on (-8, 8).
const range = (op: string): [number, number] => (op === 'log' ? [0.1, 10] : [-8, 8]);

const TORCH = String.raw`
import json, sys, time, torch
import torch.nn.functional as F
cases = json.loads(sys.argv[1])
fns = {'exp': torch.exp, 'tanh': torch.tanh, 'sigmoid': torch.sigmoid, 'log': torch.log, 'silu': F.silu,
       'erf': torch.erf, 'sin': torch.sin, 'gelu': F.gelu, 'gelu_tanh': lambda x: F.gelu(x, approximate='tanh')}
out = {}
for c in cases:
    lo, hi = (0.1, 10.0) if c['op'] == 'log' else (-8.0, 8.0)
    x = torch.empty(c['n']).uniform_(lo, hi)
    f = fns[c['op']]
    f(x)
    best = float('inf')
    for _ in range(c['repeats']):
        t0 = time.perf_counter()
        for _ in range(c['inner']): f(x)
        best = min(best, (time.perf_counter() - t0) / c['inner'])
    out[c['op'] + '_' + str(c['n'])] = best
print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'results': out}))
`;

function runTorch(cases: UnaryCase[]): { version: string; threads: number; results: Record<string, number> } | undefined {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  try {
    return JSON.parse(execFileSync(python, ['-c', TORCH, JSON.stringify(cases)], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  } catch {
    return undefined;
  }
}

/** Prints the table; returns the raw timings (seconds) for the JSON record. */
export function runUnarySuite(): { cinderSeconds: Record<string, number>; torch?: unknown } {
  const ops = (process.env.UNARY_OPS ?? 'exp,tanh,sigmoid,log,silu,erf,gelu,gelu_tanh,sin').split(',');
  const cases: UnaryCase[] = [];
  for (const op of ops) {
    cases.push({ op, n: 1 << 25, repeats: 5, inner: 3 });
    cases.push({ op, n: 1 << 16, repeats: 9, inner: 2000 });
  }
  const ours: Record<string, number> = {};
  for (const c of cases) {
    const [lo, hi] = range(c.op);
    const x = uniform(lo, hi, [c.n]);
    const f = OPS[c.op]!;
    f(x).dispose();
    ours[`${c.op}_${c.n}`] = bestOf(() => f(x).dispose(), c.repeats, c.inner);
    x.dispose();
  }
  const torch = runTorch(cases);
  console.log(`Cinder threads: ${getNumThreads()}; ${torch ? `PyTorch ${torch.version}, ${torch.threads} intra-op thread(s)` : 'PyTorch not available'}`);
  console.log(['case', 'Cinder GB/s', 'PyTorch GB/s', 'ratio'].map((s) => s.padEnd(16)).join(''));
  for (const c of cases) {
    const id = `${c.op}_${c.n}`;
    const gbs = (sec: number): number => (8 * c.n) / sec / 1e9;
    const a = gbs(ours[id]!);
    const t = torch?.results[id];
    const b = t === undefined ? undefined : gbs(t);
    const label = `${c.op}_${c.n >= 1 << 20 ? `${c.n >> 20}M` : `${c.n >> 10}K`}`;
    console.log([label, a.toFixed(1), b === undefined ? '-' : b.toFixed(1), b === undefined ? '-' : `${(a / b).toFixed(2)}x`].map((s) => s.padEnd(16)).join(''));
  }
  return { cinderSeconds: ours, torch };
}
