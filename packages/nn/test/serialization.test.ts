import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFileSync, manualSeed, randn, saveFileSync, saveSafetensors, tensor, type Tensor } from '@cinder/tensor';
import { load, loadSync, nn, optim, save, saveSync } from '../src/index.js';
import { MLP, RunningMean } from './testModules.js';

const dir = mkdtempSync(join(tmpdir(), 'cinder-nn-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const fresh = (): string => join(dir, `f${fileNo++}.safetensors`);

class Model extends nn.Module {
  mlp = new MLP(3, 5, 2);
  norm = new RunningMean(2);
  override forward(x: Tensor): Tensor {
    return this.norm.forward(this.mlp.forward(x));
  }
}

/** dtype, shape and the exact bytes of the values. */
const bits = (t: Tensor): string => {
  const d = t.contiguous().data();
  return `${t.dtype}${JSON.stringify(t.shape)}${Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex')}`;
};

describe('save / load', () => {
  it('round-trips a module state dict through a file, async and sync', async () => {
    manualSeed(0);
    const a = new Model();
    a.norm.forward(randn([8, 2]));
    const path = fresh();
    await save(a, path);
    manualSeed(1);
    const b = new Model();
    const sd = await load(path);
    expect(Object.keys(sd).sort()).toEqual(Object.keys(a.stateDict()).sort());
    b.loadStateDict(sd);
    for (const [k, t] of Object.entries(a.stateDict())) expect(bits(b.stateDict()[k]!), k).toBe(bits(t));
    a.eval();
    b.eval();
    const x = randn([4, 3]);
    expect(bits(b.forward(x))).toBe(bits(a.forward(x)));

    const p2 = fresh();
    saveSync(a.stateDict(), p2);
    const c = new Model();
    c.loadStateDict(loadSync(p2));
    expect(bits(c.mlp.fc2.weight.detach())).toBe(bits(a.mlp.fc2.weight.detach()));
    // A flat state dict keeps its keys as the tensors' names: any safetensors reader sees them.
    expect(Object.keys(loadFileSync(p2).tensors).sort()).toEqual(Object.keys(a.stateDict()).sort());
  });

  it('saves a training checkpoint (model, optimizer, epoch) and resumes it exactly', async () => {
    manualSeed(3);
    const x = randn([16, 3]);
    const y = randn([16, 2]);
    const step = (m: Model, opt: optim.Adam): void => {
      opt.zeroGrad();
      m.mlp.forward(x).sub(y).square().mean().backward();
      opt.step();
    };
    const net = new Model();
    const opt = new optim.Adam(net.parameters(), { lr: 0.01, betas: [0.8, 0.99], amsgrad: true });
    for (let i = 0; i < 3; i++) step(net, opt);
    opt.paramGroups[0]!.lr = 0.005;
    const path = fresh();
    await save({ model: net, optimizer: opt, epoch: 3, best: Infinity, tag: 'run-1' }, path);

    const net2 = new Model();
    const opt2 = new optim.Adam(net2.parameters(), { lr: 0.1 });
    const ckpt = await load(path);
    expect(ckpt.epoch).toBe(3);
    expect(ckpt.best).toBe(Infinity);
    expect(ckpt.tag).toBe('run-1');
    expect(ckpt.optimizer.paramGroups[0]).toMatchObject({ lr: 0.005, betas: [0.8, 0.99], amsgrad: true, params: [0, 1, 2, 3] });
    net2.loadStateDict(ckpt.model);
    opt2.loadStateDict(ckpt.optimizer);
    expect(opt2.paramGroups[0]!.lr).toBe(0.005);
    expect(opt2.state.get(net2.mlp.fc1.weight)!.step).toBe(3);
    for (let i = 0; i < 3; i++) {
      step(net, opt);
      step(net2, opt2);
    }
    net.parameters().forEach((p, i) => expect(bits(net2.parameters()[i]!.detach())).toBe(bits(p.detach())));
  });

  it('keeps values JSON cannot hold, and tensors shared within the tree', async () => {
    const t = tensor([1, 2, 3], { dtype: 'float64' });
    const obj = {
      nums: [NaN, Infinity, -Infinity, -0, 1.5],
      big: 12345678901234567890n,
      missing: undefined,
      $dollar: { $tensor: 'not a marker' },
      'a/b~c': t,
      again: t,
      nested: [{ ints: tensor([1, 2], { dtype: 'int64' }) }, null, true],
    };
    const path = fresh();
    await save(obj, path);
    const back = await load(path);
    expect(back.nums[0]).toBeNaN();
    expect(back.nums.slice(1)).toEqual([Infinity, -Infinity, -0, 1.5]);
    expect(Object.is(back.nums[3], -0)).toBe(true);
    expect(back.big).toBe(12345678901234567890n);
    expect('missing' in back && back.missing === undefined).toBe(true);
    expect(back.$dollar).toEqual({ $tensor: 'not a marker' });
    expect(back['a/b~c'].toArray()).toEqual([1, 2, 3]);
    expect(back.again).toBe(back['a/b~c']);
    expect(back.nested[0].ints.dtype).toBe('int64');
    expect(back.nested.slice(1)).toEqual([null, true]);
    expect(Object.keys(loadFileSync(path).tensors).sort()).toEqual(['a~1b~0c', 'nested/0/ints']);
  });

  it('rejects what it cannot save, naming where it is', async () => {
    await expect(save({ a: { b: () => 1 } }, fresh())).rejects.toThrow(/save: cannot save a function \(at 'a\.b'\)/);
    await expect(save({ when: new Date(0) }, fresh())).rejects.toThrow(/save: cannot save an object of type Date \(at 'when'\)/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => saveSync(loop, fresh())).toThrow(/saveSync: the object at 'self' contains itself/);
    const gone = randn([2]);
    gone.dispose();
    expect(() => saveSync({ w: gone }, fresh())).toThrow(/saveSync: the tensor at 'w' was disposed/);
    expect(() => saveSync({}, fresh(), { metadata: { 'cinder.structure': 'x' } })).toThrow(/metadata key 'cinder\.structure' is reserved/);
    await expect(save({}, '')).rejects.toThrow(/save: expected a file path/);
  });

  it('loads a plain safetensors file as its flat state dict', async () => {
    const path = fresh();
    saveFileSync(path, { 'fc.weight': tensor([[1, 2]]), 'fc.bias': tensor([3]) });
    const sd = await load(path);
    expect(Object.keys(sd).sort()).toEqual(['fc.bias', 'fc.weight']);
  });

  it('explains a truncated, corrupt or inconsistent file', async () => {
    const path = fresh();
    saveSync(new Model(), path);
    const size = readFileSync(path).byteLength;
    truncateSync(path, size - 10);
    await expect(load(path)).rejects.toThrow(new RegExp(`load: cannot read a checkpoint from '${path.replaceAll('/', '\\/')}': .*out of range.*file truncated`));
    writeFileSync(path, Buffer.from('not a safetensors file at all'));
    expect(() => loadSync(path)).toThrow(/loadSync: cannot read a checkpoint from .*header length .* (exceeds|is larger)/);
    await expect(load(join(dir, 'nope.safetensors'))).rejects.toThrow(/load: cannot read a checkpoint from .*nope\.safetensors': ENOENT/);

    // A structure naming tensors the file lacks, and a tensor nothing names: all reported.
    const structure = JSON.stringify({ a: { $tensor: 'a' }, b: { $tensor: 'b' }, c: { $number: 'bogus' } });
    writeFileSync(path, saveSafetensors({ z: tensor([1]) }, { metadata: { 'cinder.structure': structure, 'cinder.version': '1' } }));
    expect(() => loadSync(path)).toThrow(
      'the checkpoint is inconsistent:\n\tmissing tensor "a" (for \'a\')\n\tmissing tensor "b" (for \'b\')\n' +
        '\tmalformed entry {"$number":"bogus"} (at \'c\')\n\ttensor(s) that no entry uses: "z"',
    );
    writeFileSync(path, saveSafetensors({}, { metadata: { 'cinder.structure': '{', 'cinder.version': '1' } }));
    expect(() => loadSync(path)).toThrow(/the structure in the header is not valid JSON/);
    writeFileSync(path, saveSafetensors({}, { metadata: { 'cinder.structure': '{}', 'cinder.version': '9' } }));
    expect(() => loadSync(path)).toThrow(/unsupported checkpoint version "9"/);
  });

  it('leaves no temporary files behind', () => {
    const sub = mkdtempSync(join(dir, 'clean-'));
    saveSync(new Model(), join(sub, 'a.safetensors'));
    saveSync(new Model(), join(sub, 'a.safetensors'));
    expect(readdirSync(sub)).toEqual(['a.safetensors']);
  });
});
