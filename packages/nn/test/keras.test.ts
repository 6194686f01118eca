/**
 * The Keras workflow: compile / fit / evaluate / predict on nn.Sequential, callbacks, the progress bar.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manualSeed, randn, Tensor, tensor } from '@cinder/tensor';
import { DataLoader, TensorDataset } from '@cinder/data';
import { callbacks, keras, load, nn, optim } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cinder-keras-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Collects what fit() writes. */
function sink(isTTY = false): keras.ProgressStream & { text: string } {
  const s = { text: '', isTTY, write(x: string) { s.text += x; return true; } };
  return s;
}

/** Two Gaussian blobs per class in 4-d: separable, but not by a constant guess. */
function blobs(n: number, seed: number): [Tensor, Tensor] {
  manualSeed(seed);
  const y = tensor(Array.from({ length: n }, (_, i) => i % 3), { dtype: 'int64' });
  const centers = tensor([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, -2]]);
  const x = centers.indexSelect(0, y).add(randn([n, 4]).mul(0.5));
  return [x, y];
}

function classifier(): nn.Sequential {
  manualSeed(7);
  const m = new nn.Sequential();
  m.add(new nn.Linear(4, 16));
  m.add(new nn.Linear(16, 3));
  return m;
}

describe('compile / fit / evaluate / predict', () => {
  it('fits tensors to high accuracy, logs per-epoch history with validation figures', async () => {
    const [x, y] = blobs(600, 1);
    const m = classifier();
    m.compile({ optimizer: 'adam', loss: 'crossEntropy', metrics: ['accuracy'] });
    const out = sink();
    const h = await m.fit(x, y, { epochs: 8, batchSize: 32, validationSplit: 0.25, stream: out });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Object.keys(h.history)).toEqual(['loss', 'accuracy', 'valLoss', 'valAccuracy']);
    expect(h.history.loss![7]!).toBeLessThan(h.history.loss![0]!);
    expect(h.history.valAccuracy![7]!).toBeGreaterThan(0.95);
    // Non-terminal output: the epoch header and one final line per epoch.
    expect(out.text.split('\n').filter((l) => l.startsWith('Epoch '))).toHaveLength(8);
    expect(out.text).toMatch(/15\/15 \[=+\] - \d+s \d+(ms|us)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - valLoss: \d\.\d{4} - valAccuracy: \d\.\d{4}\n/);
    const ev = await m.evaluate(x, y, { batchSize: 100 });
    expect(Object.keys(ev)).toEqual(['loss', 'accuracy']);
    expect(ev.accuracy).toBeGreaterThan(0.95);
    // evaluate is the mean over samples: the loss of one big batch equals it.
    const whole = await m.evaluate(x, y, { batchSize: 600 });
    expect(whole.loss).toBeCloseTo(ev.loss!, 5);
    const p = await m.predict(x, { batchSize: 64 });
    expect(p.shape).toEqual([600, 3]);
    expect(p.requiresGrad).toBe(false);
    expect(p.argmax(1).eq(y).to('float32').mean().item()).toBeCloseTo(ev.accuracy!, 6);
    expect(m.training).toBe(true);
  });

  it('trains from a DataLoader (async iteration) and validates on another', async () => {
    const [x, y] = blobs(300, 2);
    const [xv, yv] = blobs(90, 3);
    const m = classifier();
    m.compile({ optimizer: (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }), loss: 'crossEntropy', metrics: ['accuracy'] });
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 30, shuffle: true });
    const h = await m.fit(loader, { epochs: 5, validationData: [xv, yv], verbose: 0 });
    expect(h.history.valAccuracy![4]!).toBeGreaterThan(0.9);
    const ev = await m.evaluate(new DataLoader(new TensorDataset(xv, yv), { batchSize: 45 }));
    expect(ev.accuracy).toBeCloseTo(h.history.valAccuracy![4]!, 6);
  });

  it('with the same seed, two fits give the same history', async () => {
    const [x, y] = blobs(200, 4);
    const run = async () => {
      const m = classifier();
      m.compile({ optimizer: 'adam', loss: 'crossEntropy' });
      manualSeed(11);
      return (await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 })).history.loss;
    };
    expect(await run()).toEqual(await run());
  });

  it('regression with mse and the mae metric; binary classification with logits', async () => {
    manualSeed(5);
    const x = randn([256, 3]);
    const w = tensor([[1.5], [-2], [0.5]]);
    const y = x.matmul(w).add(0.3);
    const m = new nn.Sequential(new nn.Linear(3, 1));
    m.compile({ optimizer: (ps) => new optim.Adam(ps, { lr: 0.05 }), loss: 'mse', metrics: ['mae'] });
    const h = await m.fit(x, y, { epochs: 30, batchSize: 32, verbose: 0 });
    expect(h.history.mae![29]!).toBeLessThan(0.05);
    const yb = y.gt(0.3).to('float32');
    const b = new nn.Sequential(new nn.Linear(3, 1));
    b.compile({ optimizer: (ps) => new optim.Adam(ps, { lr: 0.05 }), loss: 'binaryCrossEntropyWithLogits', metrics: ['accuracy'] });
    const hb = await b.fit(x, yb, { epochs: 20, batchSize: 32, verbose: 0 });
    expect(hb.history.accuracy![19]!).toBeGreaterThan(0.95);
  });

  it('reports misuse clearly', async () => {
    const m = classifier();
    const [x, y] = blobs(30, 1);
    await expect(m.fit(x, y)).rejects.toThrow(/fit: the model is not compiled/);
    expect(() => m.compile({ optimizer: 'adamax' as never, loss: 'crossEntropy' })).toThrow(/compile: unknown optimizer "adamax"/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'hinge' as never })).toThrow(/compile: unknown loss "hinge"/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['f1' as never] })).toThrow(/compile: unknown metric "f1"/);
    m.compile({ optimizer: 'adam', loss: 'crossEntropy' });
    await expect(m.fit(x, y.narrow(0, 0, 20), { verbose: 0 })).rejects.toThrow(/fit: x and y hold different numbers of samples: x \[30, 4\], y \[20\]/);
    await expect(m.fit(x, y, { epochs: 0 })).rejects.toThrow(/fit: epochs must be a positive integer/);
    await expect(m.fit(x, y, { validationSplit: 1.5 })).rejects.toThrow(/validationSplit must be in \(0, 1\)/);
    await expect(m.fit([1, 2, 3] as never, { verbose: 0 })).rejects.toThrow(/fit: each batch must be \[input, target\]/);
  });
});

describe('callbacks', () => {
  it('earlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const [x, y] = blobs(120, 6);
    const m = classifier();
    // A learning rate that makes training diverge after the first epochs, so valLoss stops improving.
    m.compile({ optimizer: (ps) => new optim.SGD(ps, { lr: 3 }), loss: 'crossEntropy' });
    const es = callbacks.earlyStopping({ monitor: 'valLoss', patience: 2, restoreBestWeights: true });
    const losses: number[] = [];
    let best: Record<string, Tensor> | null = null;
    let bestLoss = Infinity;
    const spy = callbacks.lambdaCallback({
      onEpochEnd: (_e, logs) => {
        losses.push(logs.valLoss!);
        if (logs.valLoss! < bestLoss) {
          bestLoss = logs.valLoss!;
          best = Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.clone()]));
        }
      },
    });
    const h = await m.fit(x, y, { epochs: 40, batchSize: 8, validationSplit: 0.25, callbacks: [spy, es], verbose: 0 });
    const bestEpoch = losses.indexOf(Math.min(...losses));
    expect(es.bestEpoch).toBe(bestEpoch);
    // It stops exactly `patience` epochs after the best one (unless the run ended first).
    if (h.epoch.length < 40) expect(h.epoch.length).toBe(bestEpoch + 3);
    expect(h.epoch.length).toBeLessThan(40);
    for (const [k, v] of Object.entries(m.stateDict())) expect(v.sub(best![k]!).abs().max().item()).toBe(0);
  });

  it('earlyStopping leaves a run alone while the figure improves; warns once about a missing figure', async () => {
    const [x, y] = blobs(120, 6);
    const m = classifier();
    m.compile({ optimizer: 'adam', loss: 'crossEntropy' });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (s: string) => warnings.push(s);
    try {
      const h = await m.fit(x, y, { epochs: 4, callbacks: [callbacks.earlyStopping()], verbose: 0 });
      expect(h.epoch).toHaveLength(4);
    } finally {
      console.warn = warn;
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/earlyStopping: the monitored metric 'valLoss' is not among the logged ones \(loss\)/);
    const h2 = await m.fit(x, y, { epochs: 5, callbacks: [callbacks.earlyStopping({ monitor: 'loss', patience: 1 })], verbose: 0 });
    expect(h2.epoch).toHaveLength(5);
  });

  it('modelCheckpoint writes a loadable checkpoint per epoch, or only on improvement', async () => {
    const [x, y] = blobs(90, 8);
    const m = classifier();
    m.compile({ optimizer: 'adam', loss: 'crossEntropy', metrics: ['accuracy'] });
    const every = callbacks.modelCheckpoint(join(dir, 'every-{epoch}-{loss:.3f}.safetensors'), { includeOptimizer: true });
    const best = callbacks.modelCheckpoint(join(dir, 'best.safetensors'), { monitor: 'loss', saveBestOnly: true });
    await m.fit(x, y, { epochs: 3, callbacks: [every, best], verbose: 0 });
    expect(every.saved).toHaveLength(3);
    expect(every.saved[0]).toMatch(/every-1-\d\.\d{3}\.safetensors$/);
    for (const p of every.saved) expect(existsSync(p)).toBe(true);
    const last = await load(every.saved[2]!);
    expect(Object.keys(last)).toEqual(['model', 'optimizer']);
    // Loss falls every epoch here, so the best checkpoint is the final model.
    expect(best.saved).toHaveLength(3);
    const fresh = classifier();
    fresh.loadStateDict(await load(join(dir, 'best.safetensors')));
    const a = await m.predict(x);
    const b = await fresh.predict(x);
    expect(a.sub(b).abs().max().item()).toBe(0);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(() => callbacks.modelCheckpoint('')).toThrow(/modelCheckpoint: expected a file path/);
    const bad = callbacks.modelCheckpoint(join(dir, 'x-{valAccuracy}.safetensors'));
    await expect(m.fit(x, y, { epochs: 1, callbacks: [bad], verbose: 0 })).rejects.toThrow(/modelCheckpoint: the path names '\{valAccuracy\}'/);
  });

  it('learningRateScheduler steps a scheduler per epoch and logs the rate', async () => {
    const [x, y] = blobs(60, 9);
    const m = classifier();
    const opt = new optim.SGD([...m.parameters()], { lr: 0.1 });
    m.compile({ optimizer: opt, loss: 'crossEntropy' });
    const h = await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [callbacks.learningRateScheduler(new optim.StepLR(opt, 1, { gamma: 0.5 }))] });
    expect(h.history.lr).toEqual([0.05, 0.025, 0.0125]);
    const h2 = await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.learningRateScheduler((epoch, lr) => lr * 0 + 1 / (epoch + 1))] });
    expect(h2.history.lr).toEqual([0.5, 1 / 3]);
  });
});

describe('progress bar', () => {
  it('draws Keras\'s line on a terminal: bar, ETA, running values; the final line has time per step', () => {
    const out = sink(true);
    let t = 0;
    const bar = new keras.ProgressBar(10, { stream: out, width: 10, interval: 0, now: () => t });
    t = 1000;
    bar.update(3, [['loss', 0.5]]);
    expect(out.text).toBe('\r 3/10 [==>.......] - ETA: 2s - loss: 0.5000');
    t = 4000;
    bar.finish(10, [['loss', 0.25], ['accuracy', 0.875]]);
    expect(out.text.endsWith('\r10/10 [==========] - 4s 400ms/step - loss: 0.2500 - accuracy: 0.8750\n')).toBe(true);
  });
  it('formats durations and values as Keras does', () => {
    expect(keras.formatDuration(7.4)).toBe('7s');
    expect(keras.formatDuration(65)).toBe('1:05');
    expect(keras.formatDuration(3723)).toBe('1:02:03');
    expect(keras.formatPerStep(0.0194)).toBe('19ms/step');
    expect(keras.formatPerStep(0.00035)).toBe('350us/step');
    expect(keras.formatValue(0.12345)).toBe('0.1235');
    expect(keras.formatValue(0.00001234)).toBe('1.2340e-5');
  });
  it('a fit on a terminal redraws in place and ends each epoch with a newline', async () => {
    const [x, y] = blobs(64, 1);
    const m = classifier();
    m.compile({ optimizer: 'adam', loss: 'crossEntropy' });
    const out = sink(true);
    await m.fit(x, y, { epochs: 2, batchSize: 16, stream: out });
    const lines = out.text.split('\n');
    expect(lines[0]).toBe('Epoch 1/2');
    expect(lines[1]).toMatch(/^\r.*\r4\/4 \[=+\] - \d+s \d+(ms|us)\/step - loss: \d\.\d{4}$/s);
    expect(lines[2]).toBe('Epoch 2/2');
  });
});
