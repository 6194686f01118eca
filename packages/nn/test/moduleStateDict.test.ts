import { describe, expect, it } from 'vitest';
import { manualSeed, randn, tensor, zeros, type Tensor } from '@cinder/tensor';
import { nn } from '../src/index.js';
import { Linear, MLP, RunningMean } from './testModules.js';

class WithBuffers extends nn.Module {
  mlp = new MLP(2, 3, 2);
  norm = new RunningMean(2);
}

const same = (a: Tensor, b: Tensor): boolean => a.dtype === b.dtype && JSON.stringify(a.toArray()) === JSON.stringify(b.toArray());

describe('stateDict', () => {
  it('lists parameters, then persistent buffers, then submodules, as detached views', () => {
    const m = new WithBuffers();
    const sd = m.stateDict();
    expect(Object.keys(sd)).toEqual([
      'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias', 'norm.runningMean', 'norm.numBatchesTracked',
    ]);
    const w = sd['mlp.fc1.weight']!;
    expect(w).not.toBe(m.mlp.fc1.weight);
    expect(w.requiresGrad).toBe(false);
    // A view: it sees later changes to the parameter.
    m.mlp.fc1.weight.detach().fill_(7);
    expect(w.toArray()).toEqual(m.mlp.fc1.weight.toArray());
    const kept = m.stateDict({ keepVars: true, prefix: 'model.' });
    expect(kept['model.mlp.fc1.weight']).toBe(m.mlp.fc1.weight);
    expect(Object.keys(kept)[0]).toBe('model.mlp.fc1.weight');
  });

  it('loadStateDict copies values (converting dtype) into the same tensors', () => {
    manualSeed(0);
    const a = new WithBuffers();
    manualSeed(1);
    const b = new WithBuffers();
    a.norm.forward(randn([4, 2]));
    const w = b.mlp.fc1.weight;
    const sd = Object.fromEntries(Object.entries(a.stateDict()).map(([k, t]) => [k, t.dtype === 'float32' ? t.double() : t]));
    const r = b.loadStateDict(sd);
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.mlp.fc1.weight).toBe(w);
    expect(w.dtype).toBe('float32');
    for (const [k, t] of Object.entries(a.stateDict())) expect(same(t, b.stateDict()[k]!), k).toBe(true);
    // A Map works too.
    expect(b.loadStateDict(new Map(Object.entries(a.stateDict())))).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it('strict loading lists every problem at once and changes nothing', () => {
    const m = new MLP(2, 3, 2);
    const before = m.stateDict();
    const snapshot = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, t.clone()]));
    const sd: Record<string, Tensor> = { ...new MLP(2, 3, 2).stateDict() };
    delete sd['fc1.bias'];
    delete sd['fc2.bias'];
    sd['fc3.weight'] = zeros([1]);
    sd['fc1.weight'] = zeros([4, 2]);
    sd['fc2.weight'] = zeros([2, 4]);
    let msg = '';
    try {
      m.loadStateDict(sd);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe(
      'Error(s) in loading state_dict for MLP:\n' +
        '\tMissing key(s) in state_dict: "fc1.bias", "fc2.bias".\n' +
        '\tUnexpected key(s) in state_dict: "fc3.weight".\n' +
        '\tsize mismatch for fc1.weight: copying a param with shape [4, 2] from checkpoint, the shape in current model is [3, 2].\n' +
        '\tsize mismatch for fc2.weight: copying a param with shape [2, 4] from checkpoint, the shape in current model is [2, 3].',
    );
    for (const [k, t] of Object.entries(m.stateDict())) expect(same(t, snapshot[k]!), k).toBe(true);
  });

  it('non-strict loading reports missing and unexpected keys but still rejects wrong shapes', () => {
    manualSeed(2);
    const src = new MLP(2, 3, 2);
    const m = new MLP(2, 3, 2);
    const sd: Record<string, Tensor> = { ...src.stateDict(), extra: zeros([1]) };
    delete sd['fc2.bias'];
    const r = m.loadStateDict(sd, { strict: false });
    expect(r).toEqual({ missingKeys: ['fc2.bias'], unexpectedKeys: ['extra'] });
    expect(same(m.fc1.weight.detach(), src.fc1.weight.detach())).toBe(true);
    expect(() => m.loadStateDict({ 'fc1.weight': zeros([1, 1]) }, { strict: false })).toThrow(
      /size mismatch for fc1\.weight: copying a param with shape \[1, 1\] from checkpoint, the shape in current model is \[3, 2\]/,
    );
    expect(() => m.loadStateDict({ ...src.stateDict(), 'fc1.bias': 3 as unknown as Tensor })).toThrow(/value for fc1\.bias is a number, expected a Tensor/);
    expect(() => m.loadStateDict(null as unknown as Record<string, Tensor>)).toThrow(/MLP\.loadStateDict: expected a state dict/);
  });

  it('non-persistent buffers and null parameters are not part of the state', () => {
    const r = new RunningMean(3);
    expect(Object.keys(r.stateDict())).toEqual(['runningMean', 'numBatchesTracked']);
    const l = new Linear(2, 2, false);
    expect(Object.keys(l.stateDict())).toEqual(['weight']);
    expect(l.loadStateDict({ weight: tensor([[1, 2], [3, 4]]), bias: zeros([2]) }, { strict: false }).unexpectedKeys).toEqual(['bias']);
  });
});
