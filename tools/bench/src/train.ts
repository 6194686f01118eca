/**
 * `node dist/run.js --train`: one full training step (zero the gradients, forward, loss, backward,
 * Adam step) of the models the nn issue names, against the same model and step in PyTorch 1.13, in
 * the same run: an MLP 784-256-256-10 (batch 64), an MLP 4-32-2 (batch 32), LeNet-5 on 28x28
 * (batch 64) and an LSTM 32->128 over T=32 (batch 32) with a linear head on the last step.
 * Both sides are float32, cross-entropy loss, gradients set to None between steps.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getNumThreads, manualSeed, type Tensor } from '@cinder/tensor';
import { F, optim } from '@cinder/nn';
import { bestOf } from './timing.js';
import { TORCH_MODELS, TRAIN_MODELS, type TrainModel } from './trainModels.js';

// The speed targets against PyTorch, per model.
const TARGETS: Record<string, string> = {
  'MLP 784-256-256-10, batch 64': '<= 0.8x',
  'MLP 4-32-2, batch 32': '<= 0.33x',
  'LeNet-5 28x28, batch 64': '<= 0.9x',
  'LSTM 32->128, T=32, batch 32': '<= 0.8x',
};

const CASES = TRAIN_MODELS.map((m) => ({ ...m, target: TARGETS[m.id]! }));

const TORCH = String.raw`
import json, sys, time, torch
import torch.nn as nn
import torch.nn.functional as F
repeats, inner = json.loads(sys.argv[1])
torch.manual_seed(0)
${TORCH_MODELS}out = {}
for name, (make, xshape, classes, n) in models.items():
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(xshape)
    y = torch.randint(0, classes, (n,))
    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    for _ in range(3): step()
    best = float('inf')
    k = inner[name]
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(k): step()
        best = min(best, (time.perf_counter() - t0) / k)
    out[name] = best
print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'results': out}))
`;

const REPEATS = 7;

/** Prints the table; returns the raw timings (seconds) for the JSON record. */
export function runTrainSuite(): { cinderSeconds: Record<string, number>; torch?: unknown } {
  const ours: Record<string, number> = {};
  const failed: Record<string, string> = {};
  for (const c of CASES) {
    manualSeed(0);
    let made: ReturnType<TrainModel['make']>;
    try {
      made = c.make();
    } catch (e) {
      failed[c.id] = (e as Error).message;
      continue;
    }
    const { model, x, y } = made;
    const opt = new optim.Adam([...model.parameters()], { lr: 1e-3 });
    const step = (): void => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x) as Tensor, y).backward();
      opt.step();
    };
    for (let i = 0; i < 3; i++) step();
    ours[c.id] = bestOf(step, REPEATS, c.inner);
  }
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  let torch: { version: string; threads: number; results: Record<string, number> } | undefined;
  try {
    const spec = JSON.stringify([REPEATS, Object.fromEntries(CASES.map((c) => [c.id, c.inner]))]);
    torch = JSON.parse(execFileSync(python, ['-c', TORCH, spec], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  } catch {
    torch = undefined;
  }
  console.log(`One Adam training step (zero grads, forward, cross entropy, backward, step); Cinder threads: ${getNumThreads()}; ` +
    (torch ? `PyTorch ${torch.version}, ${torch.threads} intra-op thread(s)` : 'PyTorch not available'));
  const cols = ['model', 'Cinder us', 'PyTorch us', 'time ratio (Cinder/PyTorch)', 'target'];
  const rows = [cols];
  for (const c of CASES) {
    if (failed[c.id] !== undefined) {
      rows.push([c.id, `failed: ${failed[c.id]}`, '-', '-', c.target]);
      continue;
    }
    const a = ours[c.id]! * 1e6;
    const t = torch?.results[c.id];
    rows.push([c.id, a.toFixed(1), t === undefined ? '-' : (t * 1e6).toFixed(1), t === undefined ? '-' : `${(a / (t * 1e6)).toFixed(2)}x`, c.target]);
  }
  const widths = cols.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  return { cinderSeconds: ours, torch };
}
