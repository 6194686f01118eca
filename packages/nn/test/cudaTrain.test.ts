/**
 * Training on CUDA against the same training on the CPU: an MLP and a small CNN (with batch norm
 * and dropout off) trained a few steps from the same initial weights give the same losses; a
 * Module moved with to('cuda') takes its parameters, buffers, gradients and optimizer state along;
 * a checkpoint saved from a CUDA model loads on the CPU; the Keras Trainer moves batches to the
 * model's device. The device comparisons run only where a GPU is present; the device option's
 * checks run everywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cuda, manualSeed, randint, randn, type Tensor } from '@cinder/tensor';
import { clipGradNorm_, F, loadSync, nn, optim, saveSync } from '../src/index.js';

const hasGpu = cuda.isAvailable();
if (!hasGpu) console.log('cudaTrain.test: no usable CUDA device; the CUDA training comparisons are skipped');

function mlp(): nn.Module {
  return new nn.Sequential(new nn.Linear(20, 32), new nn.ReLU(), new nn.Linear(32, 32), new nn.Tanh(), new nn.Linear(32, 5));
}

function cnn(): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8 * 5 * 5, 5),
  );
}

type MakeOpt = (params: Tensor[]) => optim.Optimizer;

/** Losses of `steps` training steps of make() on `device`, from the weights manualSeed(seed) gives. */
function train(make: () => nn.Module, device: 'cpu' | 'cuda', x: Tensor, y: Tensor, makeOpt: MakeOpt, steps: number, clip = false): number[] {
  manualSeed(7);
  const model = make().to(device);
  const opt = makeOpt([...model.parameters()]);
  const xb = x.to(device);
  const yb = y.to(device);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(xb) as Tensor, yb);
    loss.backward();
    if (clip) clipGradNorm_(model.parameters(), 0.5);
    opt.step();
    losses.push(loss.item() as number);
  }
  return losses;
}

function expectLossesClose(got: number[], want: number[], what: string): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `${what}: step ${i}: cuda ${g}, cpu ${want[i]}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i]!))));
  // The steps changed something (a test that trains nothing would pass too easily).
  expect(want[want.length - 1]).not.toBe(want[0]);
}

const OPTIMIZERS: [string, MakeOpt][] = [
  ['SGD momentum', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9 })],
  ['Adam', (p) => new optim.Adam(p, { lr: 1e-2 })],
  ['AdamW', (p) => new optim.AdamW(p, { lr: 1e-2 })],
  ['RMSprop', (p) => new optim.RMSprop(p, { lr: 1e-3 })],
  ['Adagrad', (p) => new optim.Adagrad(p, { lr: 1e-2 })],
];

describe('the Trainer device option (any machine)', () => {
  it('trains on the device compile() names and checks the name', async () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    model.compile({ optimizer: 'adam', loss: 'crossEntropy', device: 'cpu' });
    const h = await model.fit(randn([16, 3]), randint(0, 2, [16]), { epochs: 2, batchSize: 8, verbose: 0, device: 'cpu' });
    expect(h.history.loss!.length).toBe(2);
    expect(() => model.compile({ optimizer: 'adam', loss: 'crossEntropy', device: 'gpu' as never })).toThrow(/unknown device "gpu"/);
  });
});

describe.skipIf(!hasGpu)('training on CUDA vs CPU', () => {
  // Host data only (a skipped suite's body still runs at collection).
  const x = (manualSeed(1), randn([32, 20]));
  const y = randint(0, 5, [32]);
  const xi = randn([16, 1, 12, 12]);
  const yi = randint(0, 5, [16]);

  for (const [name, makeOpt] of OPTIMIZERS) {
    it(`an MLP, ${name}: the same losses`, () => {
      expectLossesClose(train(mlp, 'cuda', x, y, makeOpt, 6), train(mlp, 'cpu', x, y, makeOpt, 6), `MLP ${name}`);
    });
  }

  it('an MLP with clipGradNorm_: the same losses', () => {
    const mk: MakeOpt = (p) => new optim.SGD(p, { lr: 0.1 });
    expectLossesClose(train(mlp, 'cuda', x, y, mk, 5, true), train(mlp, 'cpu', x, y, mk, 5, true), 'MLP clipped');
  });

  it('a small CNN with batch norm, Adam: the same losses and running statistics', () => {
    const mk: MakeOpt = (p) => new optim.Adam(p, { lr: 1e-2 });
    expectLossesClose(train(cnn, 'cuda', xi, yi, mk, 4), train(cnn, 'cpu', xi, yi, mk, 4), 'CNN');
  });
});

describe.skipIf(!hasGpu)('Module.to and checkpoints across devices', () => {
  it('moves parameters, buffers and gradients in place, and the optimizer state follows', () => {
    manualSeed(3);
    const x = randn([8, 1, 12, 12]);
    const y = randint(0, 5, [8]);
    const run = (moveAfter: number | null): number[] => {
      manualSeed(11);
      const model = cnn();
      const params = [...model.parameters()];
      const opt = new optim.Adam(params, { lr: 1e-2 });
      const losses: number[] = [];
      let xb = x;
      let yb = y;
      for (let s = 0; s < 5; s++) {
        if (s === moveAfter) {
          model.to('cuda');
          xb = x.cuda();
          yb = y.cuda();
          // Identity kept: the optimizer still holds the same tensors, now on the device.
          params.forEach((p, i) => expect([...model.parameters()][i]).toBe(p));
          for (const p of model.parameters()) expect(p.device).toBe('cuda:0');
          for (const b of model.buffers()) expect(b.device).toBe('cuda:0');
        }
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(xb) as Tensor, yb);
        loss.backward();
        opt.step();
        losses.push(loss.item() as number);
      }
      if (moveAfter !== null) {
        for (const st of opt.state.values()) {
          for (const v of Object.values(st as unknown as Record<string, unknown>)) if (typeof v === 'object' && v !== null && 'device' in v) expect((v as Tensor).device).toBe('cuda:0');
        }
      }
      return losses;
    };
    const cpuOnly = run(null);
    const moved = run(2);
    moved.forEach((l, i) => expect(Math.abs(l - cpuOnly[i]!), `step ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(cpuOnly[i]!))));
  });

  it('a checkpoint saved from a CUDA model (and its optimizer) loads on the CPU', () => {
    manualSeed(5);
    const model = mlp().to('cuda');
    const opt = new optim.Adam([...model.parameters()], { lr: 1e-2 });
    const x = randn([4, 20]).cuda();
    F.crossEntropy(model.forward(x) as Tensor, randint(0, 5, [4]).cuda()).backward();
    opt.step();
    const dir = mkdtempSync(join(tmpdir(), 'cinder-cuda-ckpt-'));
    try {
      const file = join(dir, 'model.safetensors');
      saveSync({ model: model.stateDict(), optimizer: opt.stateDict() }, file);
      const ck = loadSync<{ model: Record<string, Tensor>; optimizer: optim.OptimizerStateDict }>(file);
      const cpuModel = mlp();
      cpuModel.loadStateDict(ck.model);
      for (const [k, v] of Object.entries(model.stateDict())) {
        const t = (cpuModel.stateDict() as Record<string, Tensor>)[k]!;
        expect(t.device, k).toBe('cpu');
        expect(t.toArray(), k).toEqual(v.cpu().toArray());
      }
      const cpuOpt = new optim.Adam([...cpuModel.parameters()], { lr: 1e-2 });
      cpuOpt.loadStateDict(ck.optimizer);
      for (const st of cpuOpt.state.values()) {
        for (const v of Object.values(st as unknown as Record<string, unknown>)) if (typeof v === 'object' && v !== null && 'device' in v) expect((v as Tensor).device).toBe('cpu');
      }
      // And back onto the device: the state follows its parameters there.
      const gpuModel = mlp().to('cuda');
      const gpuOpt = new optim.Adam([...gpuModel.parameters()], { lr: 1e-2 });
      gpuOpt.loadStateDict(ck.optimizer);
      for (const st of gpuOpt.state.values()) {
        for (const v of Object.values(st as unknown as Record<string, unknown>)) if (typeof v === 'object' && v !== null && 'device' in v) expect((v as Tensor).device).toBe('cuda:0');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Keras Trainer trains on the device compile() names, batches moved from the host', async () => {
    const data = (manualSeed(9), randn([64, 20]));
    const labels = randint(0, 5, [64]);
    const fit = async (device: 'cpu' | 'cuda'): Promise<number[]> => {
      manualSeed(13);
      const model = new nn.Sequential(new nn.Linear(20, 16), new nn.ReLU(), new nn.Linear(16, 5));
      model.compile({ optimizer: 'sgd', loss: 'crossEntropy', metrics: ['accuracy'], device });
      if (device === 'cuda') for (const p of model.parameters()) expect(p.device).toBe('cuda:0');
      const h = await model.fit(data, labels, { epochs: 3, batchSize: 16, verbose: 0, shuffle: false });
      const pred = await model.predict(data);
      expect(pred.device).toBe(device === 'cuda' ? 'cuda:0' : 'cpu');
      return h.history.loss!;
    };
    const onGpu = await fit('cuda');
    const onCpu = await fit('cpu');
    onGpu.forEach((l, i) => expect(Math.abs(l - onCpu[i]!), `epoch ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(onCpu[i]!))));
  });
});
