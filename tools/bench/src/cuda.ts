/**
 * `node dist/run.js --cuda`: Cinder on a CUDA device, side by side with PyTorch on the same device
 * when a CUDA-enabled torch is importable by python3:
 *   - matmul 4096^2 and 8192^2: float32 at the default precision (TF32 tensor cores), float32 at
 *     'highest' (true float32), bfloat16 and float16, in TFLOPS;
 *   - the elementwise add of 2^28 float32 against a device-to-device copy of the same bytes (GB/s,
 *     and the ratio: how close add comes to the copy's bandwidth);
 *   - the training steps of --train (MLP 784-256-256-10, LeNet-5, LSTM) on the device.
 * Every sample ends with cuda.synchronize() (kernels run asynchronously); each figure is the median
 * of its samples after a warm-up. Without a usable device it prints one line and returns.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as T from '@cinder/tensor';
import { add, cuda, manualSeed, randn, type DType, type Tensor } from '@cinder/tensor';
import { F, optim } from '@cinder/nn';
import { TORCH_MODELS, TRAIN_MODELS } from './trainModels.js';

const DEVICE = 'cuda:0';

/** Median seconds per call: `inner` calls then a synchronize, per sample, after `warmup` calls. */
function medianOf(fn: () => void, samples: number, inner: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  cuda.synchronize();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) fn();
    cuda.synchronize();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9 / inner);
  }
  times.sort((a, b) => a - b);
  const m = times.length >> 1;
  return times.length % 2 === 1 ? times[m]! : (times[m - 1]! + times[m]!) / 2;
}

/** The GEMM kernel the native core runs for a dtype at the current precision setting. */
function matmulPath(dtype: DType): string {
  return T.cudaMatmulPath(dtype);
}
function setPrecision(p: T.Float32MatmulPrecision): boolean {
  T.setFloat32MatmulPrecision(p);
  return true;
}
function getPrecision(): string | undefined {
  return T.getFloat32MatmulPrecision();
}

interface MatmulCase {
  id: string;
  n: number;
  dtype: DType;
  /** float32 only: the precision setting the case runs under (undefined: the default). */
  precision?: 'highest';
}

const SIZES = [4096, 8192];
const MATMULS: MatmulCase[] = SIZES.flatMap((n) => [
  { id: `mm${n}_f32_default`, n, dtype: 'float32' },
  { id: `mm${n}_f32_highest`, n, dtype: 'float32', precision: 'highest' },
  { id: `mm${n}_bf16`, n, dtype: 'bfloat16' },
  { id: `mm${n}_f16`, n, dtype: 'float16' },
] as MatmulCase[]);

const EW_N = 1 << 28;

// The models of --train but the MLP 4-32-2 (the same shapes and batches), built on the host and
// moved.
const TRAIN = TRAIN_MODELS.filter((m) => m.id !== 'MLP 4-32-2, batch 32');

const TORCH = String.raw`
import json, sys, time
try:
    import torch
except Exception as e:
    print(json.dumps({'error': 'torch is not importable: %s' % e})); sys.exit(0)
if not torch.cuda.is_available():
    print(json.dumps({'error': 'torch %s has no usable CUDA device' % torch.__version__})); sys.exit(0)
import torch.nn as nn
import torch.nn.functional as F
spec = json.loads(sys.argv[1])
dev = torch.device('cuda:0')
def median(fn, samples, inner, warmup=2):
    for _ in range(warmup): fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(inner): fn()
        torch.cuda.synchronize()
        ts.append((time.perf_counter() - t0) / inner)
    ts.sort()
    m = len(ts) // 2
    return ts[m] if len(ts) % 2 else (ts[m - 1] + ts[m]) / 2
out = {}
dt = {'float32': torch.float32, 'bfloat16': torch.bfloat16, 'float16': torch.float16}
for c in spec['matmuls']:
    # PyTorch's own default for float32 is 'highest'; the default row here is TF32 ('high'), as Cinder's.
    torch.set_float32_matmul_precision('highest' if c.get('precision') == 'highest' else 'high')
    a = torch.randn(c['n'], c['n'], device=dev).to(dt[c['dtype']])
    b = torch.randn(c['n'], c['n'], device=dev).to(dt[c['dtype']])
    out[c['id']] = median(lambda: torch.mm(a, b), spec['samples'], 3 if c['n'] <= 4096 else 1)
    del a, b
torch.set_float32_matmul_precision('highest')
n = spec['ewN']
a = torch.randn(n, device=dev); b = torch.randn(n, device=dev); o = torch.empty(n, device=dev)
out['add'] = median(lambda: torch.add(a, b), spec['samples'], 5)
out['copy'] = median(lambda: o.copy_(a), spec['samples'], 5)
del a, b, o
torch.cuda.empty_cache()
${TORCH_MODELS}models = {name: m for name, m in models.items() if name in spec['inner']}
for name, (make, xshape, classes, bn) in models.items():
    torch.manual_seed(0)
    model = make().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(xshape, device=dev)
    y = torch.randint(0, classes, (bn,), device=dev)
    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    out[name] = median(step, spec['samples'], spec['inner'][name], 3)
print(json.dumps({'version': torch.__version__, 'device': torch.cuda.get_device_name(0), 'results': out}))
`;

type TorchResult = { version: string; device: string; results: Record<string, number> } | { error: string };

function runTorchCuda(samples: number): TorchResult {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const spec = JSON.stringify({
    samples, ewN: EW_N, inner: Object.fromEntries(TRAIN.map((c) => [c.id, c.inner])),
    matmuls: MATMULS.map((c) => ({ id: c.id, n: c.n, dtype: c.dtype, precision: c.precision })),
  });
  try {
    const out = execFileSync(python, ['-c', TORCH, spec], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop()!) as TorchResult;
  } catch (e) {
    return { error: `python3 failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

/** Runs the section; returns the raw timings (seconds) for the JSON record, or undefined without a device. */
export function runCudaSuite(samples = 7): Record<string, unknown> | undefined {
  if (!cuda.isAvailable()) {
    console.log(`CUDA: no usable CUDA device (compiled with CUDA: ${cuda.isCompiled()}); the CUDA section is skipped`);
    return undefined;
  }
  const props = cuda.getDeviceProperties(0);
  console.log(`CUDA section on ${props.name ?? 'device 0'} (CUDA runtime ${cuda.runtimeVersion()}); medians of ${samples} synchronized samples`);
  const ours: Record<string, number> = {};
  const failed: Record<string, string> = {};
  const paths: Record<string, string> = {};
  const prevPrecision = getPrecision();

  // ---- matmul ----
  for (const c of MATMULS) {
    try {
      if (c.precision === 'highest' && !setPrecision('highest')) {
        failed[c.id] = 'setFloat32MatmulPrecision is not in this build';
        continue;
      }
      manualSeed(0);
      const a = randn([c.n, c.n]).to({ dtype: c.dtype, device: DEVICE });
      const b = randn([c.n, c.n]).to({ dtype: c.dtype, device: DEVICE });
      paths[c.id] = matmulPath(c.dtype);
      ours[c.id] = medianOf(() => a.matmul(b).dispose(), samples, c.n <= 4096 ? 3 : 1);
      a.dispose();
      b.dispose();
    } catch (e) {
      failed[c.id] = (e as Error).message.split('\n')[0]!;
    } finally {
      if (c.precision === 'highest') setPrecision((prevPrecision as T.Float32MatmulPrecision | undefined) ?? 'high');
    }
  }

  // ---- elementwise bandwidth ----
  try {
    // Filled on the device (values do not matter to bandwidth; 2^28 host draws would take seconds).
    const a = T.full([EW_N], 1.5, { device: DEVICE });
    const b = T.full([EW_N], -0.25, { device: DEVICE });
    const o = T.empty([EW_N], { device: DEVICE });
    ours.add = medianOf(() => add(a, b).dispose(), samples, 5);
    ours.copy = medianOf(() => void o.copy_(a), samples, 5);
    for (const t of [a, b, o]) t.dispose();
    cuda.emptyCache();
  } catch (e) {
    failed.add = failed.copy = (e as Error).message.split('\n')[0]!;
  }

  // ---- training steps ----
  for (const c of TRAIN) {
    try {
      manualSeed(0);
      const { model, x: xh, y: yh } = c.make();
      model.to(DEVICE);
      const x = xh.to(DEVICE);
      const y = yh.to(DEVICE);
      const opt = new optim.Adam([...model.parameters()], { lr: 1e-3 });
      const step = (): void => {
        opt.zeroGrad();
        F.crossEntropy(model.forward(x) as Tensor, y).backward();
        opt.step();
      };
      ours[c.id] = medianOf(step, samples, c.inner, 3);
    } catch (e) {
      failed[c.id] = (e as Error).message.split('\n')[0]!;
    }
  }

  const torch = runTorchCuda(samples);
  const peer = 'error' in torch ? undefined : torch;
  console.log(peer ? `PyTorch ${peer.version} on ${peer.device}` : `PyTorch (CUDA) peer not found: ${(torch as { error: string }).error}`);
  const theirs = (id: string): number | undefined => peer?.results[id];

  const mm: string[][] = [['matmul', 'Cinder TFLOPS', 'PyTorch TFLOPS', 'ratio (Cinder/PyTorch)', 'Cinder path']];
  for (const c of MATMULS) {
    const flops = 2 * c.n ** 3;
    const t = theirs(c.id);
    if (failed[c.id] !== undefined) {
      mm.push([c.id, `failed: ${failed[c.id]}`, t === undefined ? '-' : (flops / t / 1e12).toFixed(1), '-', '-']);
      continue;
    }
    const ourT = flops / ours[c.id]! / 1e12;
    const theirT = t === undefined ? undefined : flops / t / 1e12;
    mm.push([c.id, ourT.toFixed(1), theirT === undefined ? '-' : theirT.toFixed(1), theirT === undefined ? '-' : `${(ourT / theirT).toFixed(2)}x`, paths[c.id]!]);
  }
  table(mm);
  console.log('');

  const bytesAdd = 3 * 4 * EW_N;
  const bytesCopy = 2 * 4 * EW_N;
  const gb = (bytes: number, s: number | undefined): string => (s === undefined ? '-' : (bytes / s / 1e9).toFixed(0));
  const ew: string[][] = [['2^28 float32', 'Cinder GB/s', 'PyTorch GB/s']];
  if (failed.add !== undefined) {
    ew.push(['add / copy', `failed: ${failed.add}`, '-']);
  } else {
    ew.push(['add (a + b, new output)', gb(bytesAdd, ours.add), gb(bytesAdd, theirs('add'))]);
    ew.push(['device-to-device copy', gb(bytesCopy, ours.copy), gb(bytesCopy, theirs('copy'))]);
    const ratio = (bytesAdd / ours.add!) / (bytesCopy / ours.copy!);
    ew.push(['add bandwidth / copy bandwidth', ratio.toFixed(2), theirs('add') !== undefined && theirs('copy') !== undefined
      ? ((bytesAdd / theirs('add')!) / (bytesCopy / theirs('copy')!)).toFixed(2) : '-']);
  }
  table(ew);
  console.log('');

  const tr: string[][] = [['training step (Adam) on cuda', 'Cinder us', 'PyTorch us', 'time ratio (Cinder/PyTorch)']];
  for (const c of TRAIN) {
    const t = theirs(c.id);
    if (failed[c.id] !== undefined) {
      tr.push([c.id, `failed: ${failed[c.id]}`, t === undefined ? '-' : (t * 1e6).toFixed(1), '-']);
      continue;
    }
    const a = ours[c.id]! * 1e6;
    tr.push([c.id, a.toFixed(1), t === undefined ? '-' : (t * 1e6).toFixed(1), t === undefined ? '-' : `${(a / (t * 1e6)).toFixed(2)}x`]);
  }
  table(tr);
  return { cinderSeconds: ours, failed, paths, torch };
}
