/**
 * `node dist/run.js --optim`: one optimizer step over the parameters of a 784-256-256-10 MLP
 * (269,322 float32 values, gradients already in place), Cinder's fused updates against PyTorch's
 * `optimizer.step()` (its default single-tensor loop, and `foreach=True`) in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getNumThreads, manualSeed, randn, type Tensor } from '@cinder/tensor';
import { optim } from '@cinder/nn';
import { bestOf } from './timing.js';

const SHAPES = [[256, 784], [256], [256, 256], [256], [10, 256], [10]];
const CASES: { id: string; make: (p: Tensor[]) => optim.Optimizer; torch: string }[] = [
  { id: 'Adam', make: (p) => new optim.Adam(p, { lr: 1e-3 }), torch: 'torch.optim.Adam(ps, lr=1e-3{fe})' },
  { id: 'AdamW', make: (p) => new optim.AdamW(p, { lr: 1e-3 }), torch: 'torch.optim.AdamW(ps, lr=1e-3{fe})' },
  { id: 'SGD momentum', make: (p) => new optim.SGD(p, { lr: 0.01, momentum: 0.9 }), torch: 'torch.optim.SGD(ps, lr=0.01, momentum=0.9{fe})' },
  { id: 'RMSprop', make: (p) => new optim.RMSprop(p, { lr: 0.01 }), torch: 'torch.optim.RMSprop(ps, lr=0.01{fe})' },
];
const REPEATS = 15;
const INNER = 200;

const TORCH = String.raw`
import json, sys, time, torch
cases, shapes, repeats, inner = json.loads(sys.argv[1])
out = {}
for c in cases:
    for fe in ('', ', foreach=True'):
        ps = [torch.randn(s, requires_grad=True) for s in shapes]
        for p in ps: p.grad = torch.randn(p.shape)
        opt = eval(c['torch'].replace('{fe}', fe))
        opt.step()
        best = float('inf')
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(inner): opt.step()
            best = min(best, (time.perf_counter() - t0) / inner)
        out[c['id'] + ('/foreach' if fe else '')] = best
print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'results': out}))
`;

/** Prints the table; returns the raw timings (seconds) for the JSON record. */
export function runOptimSuite(): { cinderSeconds: Record<string, number>; torch?: unknown } {
  manualSeed(0);
  const ours: Record<string, number> = {};
  for (const c of CASES) {
    const params = SHAPES.map((s) => randn(s, { requiresGrad: true }));
    for (const p of params) p.grad = randn(p.shape);
    const opt = c.make(params);
    opt.step();
    ours[c.id] = bestOf(() => opt.step(), REPEATS, INNER);
  }
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  let torch: { version: string; threads: number; results: Record<string, number> } | undefined;
  try {
    const spec = JSON.stringify([CASES.map(({ id, torch: t }) => ({ id, torch: t })), SHAPES, REPEATS, INNER]);
    torch = JSON.parse(execFileSync(python, ['-c', TORCH, spec], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  } catch {
    torch = undefined;
  }
  const n = SHAPES.reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
  console.log(`One optimizer step over a 784-256-256-10 MLP (${n} float32 parameters); Cinder threads: ${getNumThreads()}; ` +
    (torch ? `PyTorch ${torch.version}, ${torch.threads} intra-op thread(s)` : 'PyTorch not available'));
  const cols = ['case', 'Cinder us', 'PyTorch us', 'ratio', 'PyTorch foreach us', 'ratio'];
  console.log(cols.map((s) => s.padEnd(20)).join(''));
  for (const c of CASES) {
    const a = ours[c.id]! * 1e6;
    const t = torch?.results[c.id];
    const f = torch?.results[`${c.id}/foreach`];
    const cell = (v: number | undefined): string[] => (v === undefined ? ['-', '-'] : [(v * 1e6).toFixed(1), `${((v * 1e6) / a).toFixed(2)}x`]);
    console.log([c.id, a.toFixed(1), ...cell(t), ...cell(f)].map((s) => s.padEnd(20)).join(''));
  }
  return { cinderSeconds: ours, torch };
}
