/**
 * `node dist/run.js --modules`: what nn.Module costs. (1) The per-forward overhead of the module
 * machinery on a 4-32-2 MLP, batch 32 (forward(), call(), Sequential, with hooks) against the same
 * ops written as a plain function, and PyTorch's `net(x)` against its plain function, in the same
 * run. (2) parameters(), stateDict(), save and load of a 784-256-256-10 MLP's state against
 * PyTorch's state_dict(), torch.save and torch.load (+ load_state_dict).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, randn, zeros, type Tensor } from '@cinder/tensor';
import { loadSync, nn, saveSync } from '@cinder/nn';
import { bestOf } from './timing.js';

class Linear extends nn.Module {
  weight: nn.Parameter;
  bias: nn.Parameter;
  constructor(inF: number, outF: number) {
    super();
    this.weight = new nn.Parameter(randn([outF, inF]).mul(1 / Math.sqrt(inF)));
    this.bias = new nn.Parameter(zeros([outF]));
  }
  override forward(x: Tensor): Tensor {
    return x.matmul(this.weight.t()).add(this.bias);
  }
}
class ReLU extends nn.Module {
  override forward(x: Tensor): Tensor {
    return x.relu();
  }
}
class MLP extends nn.Module {
  fc1: Linear;
  act = new ReLU();
  fc2: Linear;
  constructor(sizes: number[]) {
    super();
    this.fc1 = new Linear(sizes[0]!, sizes[1]!);
    this.fc2 = new Linear(sizes[1]!, sizes[2]!);
  }
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}
/** Returns its input: a forward with no tensor work, so only the module machinery is timed. */
class Identity extends nn.Module {
  override forward(x: unknown): unknown {
    return x;
  }
}
class Three extends nn.Module {
  a = new Identity();
  b = new Identity();
  c = new Identity();
  override forward(x: unknown): unknown {
    return this.c.forward(this.b.forward(this.a.forward(x)));
  }
}
class BigMLP extends nn.Module {
  fc1 = new Linear(784, 256);
  fc2 = new Linear(256, 256);
  fc3 = new Linear(256, 10);
}

const TORCH = String.raw`
import io, json, os, sys, tempfile, time, torch, torch.nn as nn
repeats, inner, io_repeats, io_inner = json.loads(sys.argv[1])
def best(fn, r, n):
    b = float('inf')
    for _ in range(r):
        t0 = time.perf_counter()
        for _ in range(n): fn()
        b = min(b, (time.perf_counter() - t0) / n)
    return b
torch.manual_seed(0)
class MLP(nn.Module):
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(4, 32); s.act = nn.ReLU(); s.fc2 = nn.Linear(32, 2)
    def forward(s, x): return s.fc2(s.act(s.fc1(x)))
net = MLP()
x = torch.randn(32, 4)
w1, b1, w2, b2 = net.fc1.weight, net.fc1.bias, net.fc2.weight, net.fc2.bias
out = {}
class Identity(nn.Module):
    def forward(s, x): return x
class Three(nn.Module):
    def __init__(s):
        super().__init__(); s.a = Identity(); s.b = Identity(); s.c = Identity()
    def forward(s, x): return s.c(s.b(s.a(x)))
ident = lambda x: x
three = Three()
out['id_plain'] = best(lambda: ident(ident(ident(x))), repeats, inner * 10)
out['id_call'] = best(lambda: three(x), repeats, inner * 10)
seq3 = nn.Sequential(Identity(), Identity(), Identity())
out['id_sequential'] = best(lambda: seq3(x), repeats, inner * 10)
hs3 = [m.register_forward_hook(lambda m, a, o: None) for m in (three.a, three.b, three.c)]
out['id_hooks'] = best(lambda: three(x), repeats, inner * 10)
for h in hs3: h.remove()
out['plain'] = best(lambda: x.matmul(w1.t()).add(b1).relu().matmul(w2.t()).add(b2), repeats, inner)
out['call'] = best(lambda: net(x), repeats, inner)
seq = nn.Sequential(net.fc1, net.act, net.fc2)
out['sequential'] = best(lambda: seq(x), repeats, inner)
hs = [m.register_forward_hook(lambda m, a, o: None) for m in (net.fc1, net.act, net.fc2)]
out['hooks'] = best(lambda: net(x), repeats, inner)
for h in hs: h.remove()
big = nn.Sequential(nn.Linear(784, 256), nn.Linear(256, 256), nn.Linear(256, 10))
out['parameters'] = best(lambda: list(big.parameters()), repeats, inner)
out['state_dict'] = best(lambda: big.state_dict(), repeats, inner)
d = tempfile.mkdtemp()
path = os.path.join(d, 'm.pt')
def save():
    with open(path, 'wb') as f:
        torch.save(big.state_dict(), f)
def save_fsync():
    with open(path, 'wb') as f:
        torch.save(big.state_dict(), f); f.flush(); os.fsync(f.fileno())
out['save'] = best(save, io_repeats, io_inner)
out['save_fsync'] = best(save_fsync, io_repeats, io_inner)
out['load'] = best(lambda: big.load_state_dict(torch.load(path)), io_repeats, io_inner)
print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'results': out}))
`;

export function runModulesSuite(): void {
  const REPEATS = 15;
  const INNER = 5000;
  const IO_REPEATS = 9;
  const IO_INNER = 20;
  manualSeed(0);
  const net = new MLP([4, 32, 2]);
  const x = randn([32, 4]);
  const { weight: w1, bias: b1 } = net.fc1;
  const { weight: w2, bias: b2 } = net.fc2;
  const ours: Record<string, number> = {};
  const ident = (v: unknown): unknown => v;
  const three = new Three();
  const seq3 = new nn.Sequential(new Identity(), new Identity(), new Identity());
  ours.id_plain = bestOf(() => void ident(ident(ident(x))), REPEATS, INNER * 10);
  ours.id_forward = bestOf(() => void three.forward(x), REPEATS, INNER * 10);
  ours.id_call = bestOf(() => void three.call(x), REPEATS, INNER * 10);
  ours.id_sequential = bestOf(() => void seq3.forward(x), REPEATS, INNER * 10);
  const hs3 = [three.a, three.b, three.c].map((m) => m.registerForwardHook(() => undefined));
  ours.id_hooks = bestOf(() => void three.forward(x), REPEATS, INNER * 10);
  for (const h of hs3) h.remove();
  ours.plain = bestOf(() => void x.matmul(w1.t()).add(b1).relu().matmul(w2.t()).add(b2), REPEATS, INNER);
  ours.forward = bestOf(() => void net.forward(x), REPEATS, INNER);
  ours.call = bestOf(() => void net.call(x), REPEATS, INNER);
  const seq = new nn.Sequential(net.fc1, net.act, net.fc2);
  ours.sequential = bestOf(() => void seq.forward(x), REPEATS, INNER);
  const hs = [net.fc1, net.act, net.fc2].map((m) => m.registerForwardHook(() => undefined));
  ours.hooks = bestOf(() => void net.forward(x), REPEATS, INNER);
  for (const h of hs) h.remove();

  const big = new BigMLP();
  ours.parameters = bestOf(() => void big.parameters(), REPEATS, INNER);
  ours.state_dict = bestOf(() => void big.stateDict(), REPEATS, INNER);
  const dir = mkdtempSync(join(tmpdir(), 'cinder-bench-'));
  const path = join(dir, 'm.safetensors');
  try {
    ours.save = bestOf(() => saveSync(big, path), IO_REPEATS, IO_INNER);
    ours.load = bestOf(() => void big.loadStateDict(loadSync(path)), IO_REPEATS, IO_INNER);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  let torch: { version: string; threads: number; results: Record<string, number> } | undefined;
  try {
    torch = JSON.parse(execFileSync(python, ['-c', TORCH, JSON.stringify([REPEATS, INNER, IO_REPEATS, IO_INNER])], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  } catch {
    torch = undefined;
  }
  console.log(`nn.Module costs; ${torch ? `PyTorch ${torch.version}, ${torch.threads} intra-op thread(s)` : 'PyTorch not available'}`);
  const us = (v: number | undefined): string => (v === undefined ? '-' : (v * 1e6).toFixed(2));
  const ns = (v: number | undefined): string => (v === undefined ? '-' : (v * 1e9).toFixed(1));
  const row = (label: string, a: number, t: number | undefined, extra = '', unit = us): void => {
    const ratio = t === undefined ? '-' : `${(t / a).toFixed(2)}x`;
    console.log([label, unit(a), unit(t), ratio, extra].map((s) => s.padEnd(26)).join(''));
  };
  const t = torch?.results;
  console.log(['3 identity modules', 'Cinder ns', 'PyTorch ns', 'ratio (PyTorch / Cinder)'].map((s) => s.padEnd(26)).join(''));
  row('plain function calls', ours.id_plain!, t?.id_plain, '', ns);
  row('forward()', ours.id_forward!, t?.id_call, 'PyTorch: net(x)', ns);
  row('call()', ours.id_call!, t?.id_call, 'PyTorch: net(x)', ns);
  row('Sequential', ours.id_sequential!, t?.id_sequential, '', ns);
  row('a forward hook on each', ours.id_hooks!, t?.id_hooks, '', ns);
  console.log(['4-32-2 MLP, batch 32', 'Cinder us', 'PyTorch us', 'ratio (PyTorch / Cinder)', 'module overhead, Cinder / PyTorch us'].map((s) => s.padEnd(26)).join(''));
  const over = (a: number, tp: number | undefined): string => `${us(a - ours.plain!)} / ${tp === undefined || t === undefined ? '-' : us(tp - t.plain!)}`;
  row('plain ops', ours.plain!, t?.plain);
  row('forward()', ours.forward!, t?.call, over(ours.forward!, t?.call));
  row('call()', ours.call!, t?.call, over(ours.call!, t?.call));
  row('Sequential', ours.sequential!, t?.sequential, over(ours.sequential!, t?.sequential));
  row('3 forward hooks', ours.hooks!, t?.hooks, over(ours.hooks!, t?.hooks));
  console.log(['784-256-256-10 MLP state', 'Cinder us', 'PyTorch us', 'ratio'].map((s) => s.padEnd(26)).join(''));
  row('parameters()', ours.parameters!, t?.parameters);
  row('stateDict()', ours.state_dict!, t?.state_dict);
  row('save (Cinder fsyncs)', ours.save!, t?.save, `PyTorch + fsync: ${us(t?.save_fsync)} us`);
  row('load + loadStateDict', ours.load!, t?.load);
}
