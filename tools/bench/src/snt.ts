/**
 * `node dist/run.js --snt`: what @cinder/modules' Sonnet-style machinery costs. Training steps
 * (forward, `grad`, `opt.apply`) of a 4-32-2 MLP (batch 32) and a 784-256-256-10 MLP (batch 64)
 * with Adam, written with @cinder/modules and with @cinder/nn, against PyTorch's
 * (zero_grad, backward, step) in the same run; one Linear call on a [1, 4] input (no grad); and an
 * LSTM (input 32, hidden 128, T = 32, batch 32) unrolled both ways, forward and backward to the
 * weights, against PyTorch's nn.LSTM.
 * Rounds alternate between the two Cinder forms so machine noise hits both alike.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { grad, noGrad } from '@cinder/autograd';
import { manualSeed, randint, randn } from '@cinder/tensor';
import { F, nn, optim } from '@cinder/nn';
import { Adam, LSTM, Linear, dynamicUnroll, nets, staticUnroll } from '@cinder/modules';
import { bestOf } from './timing.js';

const TORCH = String.raw`
import json, sys, time, torch, torch.nn as nn
repeats = json.loads(sys.argv[1])
def best(fn, r, n):
    b = float('inf')
    for _ in range(r):
        t0 = time.perf_counter()
        for _ in range(n): fn()
        b = min(b, (time.perf_counter() - t0) / n)
    return b
torch.manual_seed(0)
out = {}
lin = nn.Linear(4, 4); x1 = torch.randn(1, 4)
with torch.no_grad():
    out['linear'] = best(lambda: lin(x1), repeats, 20000)
for name, sizes, batch, inner in (('small', [4, 32, 2], 32, 500), ('big', [784, 256, 256, 10], 64, 30)):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2: layers.append(nn.ReLU())
    net = nn.Sequential(*layers); opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(batch, sizes[0]); y = torch.randint(0, sizes[-1], (batch,))
    def step():
        opt.zero_grad(); nn.functional.cross_entropy(net(x), y).backward(); opt.step()
    for _ in range(inner): step()
    out[name] = best(step, repeats, inner)
lstm = nn.LSTM(32, 128); xs = torch.randn(32, 32, 32)
def lstm_step():
    o, _ = lstm(xs); torch.autograd.grad(o.sum(), list(lstm.parameters()))
for _ in range(5): lstm_step()
out['lstm'] = best(lstm_step, repeats, 5)
print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'results': out}))
`;

function mlpSteps(sizes: number[], batch: number): { snt: () => void; nn: () => void } {
  manualSeed(0);
  const x = randn([batch, sizes[0]!]);
  const y = randint(0, sizes[sizes.length - 1]!, [batch]);
  const mlp = new nets.MLP(sizes.slice(1));
  mlp.call(x);
  const sntOpt = new Adam(1e-3);
  const layers: nn.Module[] = [];
  for (let i = 0; i < sizes.length - 1; i++) {
    layers.push(new nn.Linear(sizes[i]!, sizes[i + 1]!));
    if (i < sizes.length - 2) layers.push(new nn.ReLU());
  }
  const net = new nn.Sequential(...layers);
  const nnOpt = new optim.Adam(net.parameters(), { lr: 1e-3 });
  return {
    snt: () => {
      const params = mlp.trainableVariables;
      sntOpt.apply(grad(F.crossEntropy(mlp.call(x), y), params), params);
    },
    nn: () => {
      nnOpt.zeroGrad();
      F.crossEntropy(net.forward(x), y).backward();
      nnOpt.step();
    },
  };
}

/** Best of alternating rounds of a and b. */
function alternate(a: () => void, b: () => void, rounds: number, inner: number): [number, number] {
  let ba = Infinity;
  let bb = Infinity;
  for (let r = 0; r < rounds; r++) {
    ba = Math.min(ba, bestOf(a, 1, inner));
    bb = Math.min(bb, bestOf(b, 1, inner));
  }
  return [ba, bb];
}

export function runSntSuite(): void {
  const ROUNDS = 9;
  const ours: Record<string, [number, number]> = {};
  manualSeed(0);
  const x1 = randn([1, 4]);
  const sntLin = new Linear(4);
  sntLin.call(x1);
  const nnLin = new nn.Linear(4, 4);
  noGrad(() => {
    ours.linear = alternate(() => void sntLin.call(x1), () => void nnLin.forward(x1), ROUNDS, 20000);
  });
  for (const [name, sizes, batch, inner] of [['small', [4, 32, 2], 32, 500], ['big', [784, 256, 256, 10], 64, 30]] as const) {
    const s = mlpSteps([...sizes], batch);
    alternate(s.snt, s.nn, 1, inner); // warm-up
    ours[name] = alternate(s.snt, s.nn, ROUNDS, inner);
  }
  const lstm = new LSTM(128);
  const xs = randn([32, 32, 32]);
  const s0 = lstm.initialState(32);
  dynamicUnroll(lstm, xs, s0);
  const lstmParams = lstm.trainableVariables;
  const unrolled = (unroll: typeof dynamicUnroll) => () => void grad(unroll(lstm, xs, s0)[0].sum(), lstmParams);
  alternate(unrolled(dynamicUnroll), unrolled(staticUnroll), 1, 5);
  ours.lstm = alternate(unrolled(dynamicUnroll), unrolled(staticUnroll), ROUNDS, 5);
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  let torch: { version: string; threads: number; results: Record<string, number> } | undefined;
  try {
    torch = JSON.parse(execFileSync(python, ['-c', TORCH, JSON.stringify(ROUNDS)], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  } catch {
    torch = undefined;
  }
  console.log(`@cinder/modules costs; ${torch ? `PyTorch ${torch.version}, ${torch.threads} intra-op thread(s)` : 'PyTorch not available'}`);
  const us = (v: number | undefined): string => (v === undefined ? '-' : (v * 1e6).toFixed(2));
  const ratio = (t: number | undefined, a: number): string => (t === undefined ? '-' : `${(t / a).toFixed(2)}x`);
  console.log(['case', 'modules us', 'nn us', 'PyTorch us', 'PyTorch / modules', 'PyTorch / nn'].map((s, i) => s.padEnd(i === 0 ? 28 : 20)).join(''));
  const labels: Record<string, string> = {
    linear: 'Linear call [1, 4]', small: '4-32-2 MLP Adam step', big: '784-256-256-10 Adam step',
  };
  for (const k of ['linear', 'small', 'big']) {
    const [a, b] = ours[k]!;
    const t = torch?.results[k];
    console.log([labels[k]!, us(a), us(b), us(t), ratio(t, a), ratio(t, b)].map((s, i) => s.padEnd(i === 0 ? 28 : 20)).join(''));
  }
  const lstmT = torch?.results.lstm;
  const [dyn, sta] = ours.lstm!;
  console.log(['LSTM 32-128, T 32, batch 32', `dynamic ${us(dyn)}`, `static ${us(sta)}`, us(lstmT), `${ratio(lstmT, dyn)} / ${ratio(lstmT, sta)}`, 'fwd + bwd'].map((s, i) => s.padEnd(i === 0 ? 28 : 20)).join(''));
}
