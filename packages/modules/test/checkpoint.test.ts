import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grad } from '@cinder/autograd';
import { loadFileSync, manualSeed, randn, saveFileSync, zeros, type Tensor } from '@cinder/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, BatchNorm, Checkpoint, Linear, Module, nets } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cinder-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `ckpt${n++}.safetensors`);

function trainStep(mlp: nets.MLP, opt: Adam, x: Tensor, y: Tensor): void {
  const params = mlp.trainableVariables;
  opt.apply(grad(mlp.call(x).sub(y).square().mean(), params), params);
}

describe('Checkpoint', () => {
  it('round-trips a model and its optimizer, the optimizer restored before its state exists', async () => {
    manualSeed(0);
    const x = randn([16, 3]);
    const y = randn([16, 1]);
    const mlp = new nets.MLP([8, 1]);
    const opt = new Adam(0.01);
    mlp.call(x); // variables exist from the first call
    for (let i = 0; i < 3; i++) trainStep(mlp, opt, x, y);
    const path = file();
    await new Checkpoint({ model: mlp, optimizer: opt }).save(path);
    expect(Object.keys(loadFileSync(path).tensors).sort()).toEqual([
      'model/linear_0/b', 'model/linear_0/w', 'model/linear_1/b', 'model/linear_1/w',
      'optimizer/m/mlp/linear_0/b', 'optimizer/m/mlp/linear_0/w', 'optimizer/m/mlp/linear_1/b', 'optimizer/m/mlp/linear_1/w',
      'optimizer/step',
      'optimizer/v/mlp/linear_0/b', 'optimizer/v/mlp/linear_0/w', 'optimizer/v/mlp/linear_1/b', 'optimizer/v/mlp/linear_1/w',
    ]);

    const mlp2 = new nets.MLP([8, 1]);
    mlp2.call(x); // created: restored at once
    const opt2 = new Adam(0.01); // no state yet: deferred until the first apply
    const status = await new Checkpoint({ model: mlp2, optimizer: opt2 }).restore(path);
    expect(status.restored).toEqual(['model/linear_0/b', 'model/linear_0/w', 'model/linear_1/b', 'model/linear_1/w']);
    expect(status.deferred.length).toBe(9);
    for (const [a, b] of mlp.variables.map((v, i) => [v, mlp2.variables[i]!] as const)) expect(b.toArray()).toEqual(a.toArray());

    const ckpt2 = new Checkpoint({ model: mlp2, optimizer: opt2 });
    expect(ckpt2.pending().length).toBe(9);
    trainStep(mlp, opt, x, y);
    trainStep(mlp2, opt2, x, y);
    expect(Number(opt2.step.item())).toBe(4);
    expect(ckpt2.pending()).toEqual([]);
    for (const [a, b] of mlp.variables.map((v, i) => [v, mlp2.variables[i]!] as const)) expect(b.toArray()).toEqual(a.toArray());
  });

  it('restores non-trainable variables (moving averages) too', () => {
    manualSeed(1);
    const bn = new BatchNorm(true, true, { decayRate: 0.5 });
    bn.call(randn([8, 2]).add(3), true);
    const path = file();
    new Checkpoint(bn).saveSync(path);
    const fresh = new BatchNorm(true, true, { decayRate: 0.5 });
    fresh.call(zeros([1, 2]), false);
    new Checkpoint(fresh).restoreSync(path);
    const x = randn([4, 2]);
    expect(fresh.call(x, false).toArray()).toEqual(bn.call(x, false).toArray());
    expect(fresh.movingMean.counter.item()).toEqual(bn.movingMean.counter.item());
  });

  it('reports every mismatch before copying anything', () => {
    const a = new Linear(3, { name: 'lin' });
    a.call(zeros([1, 2]));
    const path = file();
    new Checkpoint(a).saveSync(path);
    const wrong = new Linear(4, { name: 'lin' });
    wrong.call(zeros([1, 2]));
    const before = wrong.w.toArray();
    expect(() => wrong instanceof Module && new Checkpoint(wrong).restoreSync(path)).toThrow(
      `Checkpoint.restore from ${path}: 'b' is [3] (float32) in the file but variable 'lin/b' is [4] (float32); 'w' is [2, 3] (float32) in the file but variable 'lin/w' is [2, 4] (float32)`,
    );
    expect(wrong.w.toArray()).toEqual(before);

    const noBias = new Linear(3, { withBias: false });
    noBias.call(zeros([1, 2]));
    expect(() => new Checkpoint({ model: noBias }).restoreSync(path)).toThrow(/'b', 'w' belong to none of the modules \('model'\)/);
    const bias = file();
    saveFileSync(bias, { w: zeros([2, 3]) });
    expect(() => new Checkpoint(a).restoreSync(bias)).toThrow(`Checkpoint.restore from ${bias}: variable 'lin/b' (stored as 'b') is not in the file`);
    expect(new Checkpoint(a).restoreSync(bias, { strict: false }).missing).toEqual(['b']);
  });

  it('a deferred value of the wrong shape is an error when the variable is created', () => {
    const a = new Linear(3);
    a.call(zeros([1, 2]));
    const path = file();
    new Checkpoint(a).saveSync(path);
    const b = new Linear(3);
    new Checkpoint(b).restoreSync(path);
    expect(() => b.call(zeros([1, 5]))).toThrow(`restore: variable 'linear/w' was created with shape [5, 3] but ${path} holds [2, 3] for it`);
    expect(b.isCreated).toBe(false);
  });

  it('a first call that fails after taking a deferred value leaves the value for the next call', () => {
    const a = new Linear(3);
    a.call(zeros([1, 2]));
    const path = file();
    new Checkpoint(a).saveSync(path);
    // b's bias is made from a bad initializer the first time only.
    let fail = true;
    const b = new Linear(3, { bInit: (shape, dtype) => {
      if (fail) throw new Error('no bias yet');
      return zeros([...shape], { dtype });
    } });
    const ckpt = new Checkpoint(b);
    ckpt.restoreSync(path);
    expect(() => b.call(zeros([1, 2]))).toThrow('no bias yet'); // w was created (and restored) before b failed
    expect(ckpt.pending()).toEqual(['b', 'w']);
    fail = false;
    b.call(zeros([1, 2]));
    expect(ckpt.pending()).toEqual([]);
    expect(b.w.toArray()).toEqual(a.w.toArray());
    expect(b.b!.toArray()).toEqual(a.b!.toArray());
  });
});
