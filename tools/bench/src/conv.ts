/**
 * `node dist/run.js --conv`: 2-D convolution layers of LeNet-5 and ResNet, forward and backward
 * (input and weight gradients, as a training step needs them), Cinder and PyTorch in one run, as
 * GFLOP/s of the direct algorithm's multiply-adds (2 * N * Cout * Cin / groups * kH * kW * Hout * Wout
 * for the forward; twice that for the backward).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  conv2d, convolutionBackwardInput, convolutionBackwardWeight, getNumThreads, randn, type Tensor,
} from '@cinder/tensor';
import { bestOf } from './timing.js';

export interface ConvLayer {
  id: string;
  n: number;
  cin: number;
  cout: number;
  /** Input height and width. */
  h: number;
  k: number;
  stride: number;
  pad: number;
  bias: boolean;
}

/** LeNet-5 on 28x28 MNIST digits (conv1 24x24 out, pool, conv2 on 12x12) and ResNet-18/34 layers at 56x56. */
export const CONV_LAYERS: ConvLayer[] = [
  { id: 'lenet_conv1 N64 1->6 5x5 28x28', n: 64, cin: 1, cout: 6, h: 28, k: 5, stride: 1, pad: 0, bias: true },
  { id: 'lenet_conv2 N64 6->16 5x5 12x12', n: 64, cin: 6, cout: 16, h: 12, k: 5, stride: 1, pad: 0, bias: true },
  { id: 'resnet_3x3 N8 64->64 56x56', n: 8, cin: 64, cout: 64, h: 56, k: 3, stride: 1, pad: 1, bias: false },
  { id: 'resnet_3x3s2 N8 64->128 56x56', n: 8, cin: 64, cout: 128, h: 56, k: 3, stride: 2, pad: 1, bias: false },
  { id: 'resnet_1x1 N8 256->64 56x56', n: 8, cin: 256, cout: 64, h: 56, k: 1, stride: 1, pad: 0, bias: false },
];

const outSize = (l: ConvLayer): number => Math.floor((l.h + 2 * l.pad - l.k) / l.stride) + 1;
const flops = (l: ConvLayer): number => 2 * l.n * l.cout * l.cin * l.k * l.k * outSize(l) ** 2;

/** Repetitions: about 60 MFLOP per timed batch, at least one call. */
function inner(l: ConvLayer): number {
  return Math.max(1, Math.round(6e7 / flops(l)));
}

interface Timing { fwd: number; bwd: number }

function measureCinder(l: ConvLayer, repeats: number): Timing {
  const x = randn([l.n, l.cin, l.h, l.h]);
  const w = randn([l.cout, l.cin, l.k, l.k]);
  const b = l.bias ? randn([l.cout]) : null;
  const ho = outSize(l);
  const gy = randn([l.n, l.cout, ho, ho]);
  const opts = { stride: l.stride, padding: l.pad };
  const keep: Tensor[] = [x, w, gy, ...(b ? [b] : [])];
  try {
    conv2d(x, w, b, opts).dispose();
    const fwd = bestOf(() => conv2d(x, w, b, opts).dispose(), repeats, inner(l));
    const bwd = bestOf(() => {
      convolutionBackwardInput(gy, w, x.shape, opts).dispose();
      convolutionBackwardWeight(x, gy, w.shape, opts).dispose();
    }, repeats, Math.max(1, Math.round(inner(l) / 2)));
    return { fwd, bwd };
  } finally {
    for (const t of keep) t.dispose();
  }
}

/** PyTorch's figures from py/torch_bench.py ('conv2d_fwd' / 'conv2d_bwd' cases), or the reason there are none. */
function measureTorch(layers: ConvLayer[], repeats: number): { version: string; results: Record<string, number> } | { error: string } {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'py', 'torch_bench.py');
  const cases = layers.flatMap((l) => [
    { ...l, id: `${l.id}/fwd`, kind: 'conv2d_fwd', repeats, inner: inner(l) },
    { ...l, id: `${l.id}/bwd`, kind: 'conv2d_bwd', repeats, inner: Math.max(1, Math.round(inner(l) / 2)) },
  ]);
  try {
    const out = execFileSync(python, [script, JSON.stringify(cases)], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
    const parsed = JSON.parse(out) as { version: string; threads: number; results: Record<string, number> };
    return { version: `${parsed.version} (${parsed.threads} intra-op thread(s))`, results: parsed.results };
  } catch (e) {
    return { error: `PyTorch not measured: ${(e as Error).message.split('\n')[0]} (apt-get install python3-torch)` };
  }
}

export interface ConvRow { layer: string; pass: 'fwd' | 'bwd'; cinder: number; torch?: number; ratio?: number }

/**
 * Measures every layer, Cinder then PyTorch, over `rounds` alternating rounds (the machine's load
 * changes over a run: each side keeps its best time per case), prints the table and returns its rows.
 */
export function runConvSuite(opts: { repeats?: number; rounds?: number; layers?: ConvLayer[] } = {}): ConvRow[] {
  const repeats = opts.repeats ?? 7;
  const rounds = opts.rounds ?? 5;
  const layers = opts.layers ?? CONV_LAYERS;
  const ours = new Map<string, Timing>();
  let torch: ReturnType<typeof measureTorch> = { error: 'PyTorch not measured' };
  for (let r = 0; r < rounds; r++) {
    for (const l of layers) {
      const t = measureCinder(l, repeats);
      const prev = ours.get(l.id);
      ours.set(l.id, prev ? { fwd: Math.min(prev.fwd, t.fwd), bwd: Math.min(prev.bwd, t.bwd) } : t);
    }
    const p = measureTorch(layers, repeats);
    if ('results' in p) {
      if ('results' in torch) for (const [k, v] of Object.entries(p.results)) torch.results[k] = Math.min(torch.results[k] ?? Infinity, v);
      else torch = p;
    } else if (!('results' in torch)) {
      torch = p;
      break;
    }
  }
  const rows: ConvRow[] = [];
  for (const l of layers) {
    const t = ours.get(l.id)!;
    for (const pass of ['fwd', 'bwd'] as const) {
      const work = pass === 'fwd' ? flops(l) : 2 * flops(l);
      const cinder = work / t[pass] / 1e9;
      const sec = 'results' in torch ? torch.results[`${l.id}/${pass}`] : undefined;
      const theirs = sec === undefined ? undefined : work / sec / 1e9;
      rows.push({ layer: l.id, pass, cinder, torch: theirs, ratio: theirs === undefined ? undefined : cinder / theirs });
    }
  }
  console.log(`\nconvolution (GFLOP/s, best of ${rounds} rounds; ratio = Cinder / PyTorch, > 1 means Cinder is faster); Cinder threads: ${getNumThreads()}`);
  const table = [['layer', 'pass', 'Cinder', 'PyTorch', 'ratio'], ...rows.map((r) => [
    r.layer, r.pass, r.cinder.toFixed(1), r.torch === undefined ? '-' : r.torch.toFixed(1), r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
  ])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  console.log('results' in torch ? `PyTorch: ${torch.version}` : torch.error);
  return rows;
}
