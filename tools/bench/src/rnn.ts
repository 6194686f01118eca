/**
 * `node dist/run.js --rnn`: recurrent layers against PyTorch in the same run. An LSTM and a GRU
 * with input 32, hidden 128, T = 32, batch 32 (float32, time-major): forward (no grad),
 * forward + backward of output.sum(), and a full Adam step (zeroGrad, forward, backward, step),
 * plus a 2-layer bidirectional LSTM step. The two sides alternate in rounds (Cinder, PyTorch,
 * Cinder, ...) and each keeps its best, so a burst of load on the shared machine does not land on
 * one side only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getNumThreads, manualSeed, noGrad, randn } from '@cinder/tensor';
import { nn, optim } from '@cinder/nn';
import { bestOf } from './timing.js';

const TORCH = String.raw`
import json, sys, time, torch
repeats, inner = json.loads(sys.argv[1])
def best(fn, r, n):
    b = float('inf')
    for _ in range(r):
        t0 = time.perf_counter()
        for _ in range(n): fn()
        b = min(b, (time.perf_counter() - t0) / n)
    return b
torch.manual_seed(0)
out = {}
def suite(key, m, x):
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    def fwd():
        with torch.no_grad(): m(x)
    def fb():
        y, _ = m(x); y.sum().backward()
    def step():
        opt.zero_grad(); y, _ = m(x); y.sum().backward(); opt.step()
    for _ in range(3): step()
    out[key + '_fwd'] = best(fwd, repeats, inner)
    out[key + '_fwd_bwd'] = best(fb, repeats, inner)
    out[key + '_step'] = best(step, repeats, inner)
x = torch.randn(32, 32, 32)
suite('lstm', torch.nn.LSTM(32, 128), x)
suite('gru', torch.nn.GRU(32, 128), x)
suite('lstm2bi', torch.nn.LSTM(32, 128, num_layers=2, bidirectional=True), x)
print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'results': out}))
`;

type Results = Record<string, number>;

function cinderRound(repeats: number, inner: number): Results {
  manualSeed(0);
  const out: Results = {};
  const x = randn([32, 32, 32]);
  const suite = (key: string, m: nn.LSTM | nn.GRU): void => {
    const opt = new optim.Adam(m.parameters(), { lr: 1e-3 });
    const fwd = (): void => noGrad(() => void m.forward(x));
    const fb = (): void => {
      const [y] = m.forward(x);
      y.sum().backward();
    };
    const step = (): void => {
      opt.zeroGrad();
      const [y] = m.forward(x);
      y.sum().backward();
      opt.step();
    };
    for (let i = 0; i < 3; i++) step();
    out[`${key}_fwd`] = bestOf(fwd, repeats, inner);
    out[`${key}_fwd_bwd`] = bestOf(fb, repeats, inner);
    out[`${key}_step`] = bestOf(step, repeats, inner);
  };
  suite('lstm', new nn.LSTM(32, 128));
  suite('gru', new nn.GRU(32, 128));
  suite('lstm2bi', new nn.LSTM(32, 128, { numLayers: 2, bidirectional: true }));
  return out;
}

function torchRound(repeats: number, inner: number): { version: string; threads: number; results: Results } | undefined {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  try {
    return JSON.parse(execFileSync(python, ['-c', TORCH, JSON.stringify([repeats, inner])], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  } catch {
    return undefined;
  }
}

function keepBest(into: Results, r: Results): void {
  for (const [k, v] of Object.entries(r)) into[k] = Math.min(into[k] ?? Infinity, v);
}

export function runRnnSuite(rounds = 3): { cinder: Results; torch: Results | undefined } {
  const REPEATS = 5;
  const INNER = 10;
  const ours: Results = {};
  let theirs: Results | undefined;
  let info = 'PyTorch not available';
  for (let r = 0; r < rounds; r++) {
    keepBest(ours, cinderRound(REPEATS, INNER));
    const t = torchRound(REPEATS, INNER);
    if (t) {
      theirs ??= {};
      keepBest(theirs, t.results);
      info = `PyTorch ${t.version}, ${t.threads} intra-op thread(s)`;
    }
  }
  console.log(`Recurrent layers, input 32, hidden 128, T=32, batch 32, float32; Cinder threads: ${getNumThreads()}; ${info}; best of ${rounds} alternating rounds`);
  const head = ['case', 'Cinder ms', 'PyTorch ms', 'time ratio (Cinder / PyTorch)'];
  console.log(head.map((s) => s.padEnd(30)).join(''));
  const labels: [string, string][] = [
    ['lstm_fwd', 'LSTM forward (no grad)'], ['lstm_fwd_bwd', 'LSTM forward + backward'], ['lstm_step', 'LSTM Adam step'],
    ['gru_fwd', 'GRU forward (no grad)'], ['gru_fwd_bwd', 'GRU forward + backward'], ['gru_step', 'GRU Adam step'],
    ['lstm2bi_fwd', 'LSTM 2-layer bidir forward'], ['lstm2bi_fwd_bwd', 'LSTM 2-layer bidir fwd + bwd'], ['lstm2bi_step', 'LSTM 2-layer bidir Adam step'],
  ];
  for (const [k, label] of labels) {
    const a = ours[k]!;
    const t = theirs?.[k];
    console.log([label, (a * 1e3).toFixed(3), t === undefined ? '-' : (t * 1e3).toFixed(3), t === undefined ? '-' : `${(a / t).toFixed(2)}x`].map((s) => s.padEnd(30)).join(''));
  }
  return { cinder: ours, torch: theirs };
}
