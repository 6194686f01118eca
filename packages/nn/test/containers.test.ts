import { describe, expect, it } from 'vitest';
import { ones, tensor, zeros, type Tensor } from '@cinder/tensor';
import { nn } from '../src/index.js';
import { Linear, Scale } from './testModules.js';

const factors = (mods: Iterable<nn.Module>): number[] => [...mods].map((m) => (m as Scale).factor);

describe('Sequential', () => {
  it('chains forward through its modules', () => {
    const seq = new nn.Sequential(new Scale(2), new Scale(3));
    expect(seq.forward(tensor([1, 2])).toArray()).toEqual([6, 12]);
    expect(seq.call(tensor([1]))).toBeDefined();
    expect(new nn.Sequential().forward(tensor([5])).toArray()).toEqual([5]);
  });

  it('indexes, measures, iterates, grows and shrinks like PyTorch', () => {
    const seq = new nn.Sequential(new Scale(1), new Scale(2));
    expect(seq.length).toBe(2);
    expect((seq[0] as Scale).factor).toBe(1);
    expect((seq.get(-1) as Scale).factor).toBe(2);
    seq.append(new Scale(3)).add(new Scale(4));
    expect(factors(seq)).toEqual([1, 2, 3, 4]);
    seq.insert(0, new Scale(0));
    seq.insert(-1, new Scale(3.5));
    expect(factors(seq)).toEqual([0, 1, 2, 3, 3.5, 4]);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect((seq.pop(1) as Scale).factor).toBe(1);
    expect((seq.pop() as Scale).factor).toBe(4);
    expect(factors(seq)).toEqual([0, 2, 3, 3.5]);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2', '3']);
    seq.set(1, new Scale(20));
    expect(factors(seq.slice(1, 3))).toEqual([20, 3]);
    expect(seq.slice(1, 3).namedChildren().map(([n]) => n)).toEqual(['1', '2']);
    seq.extend([new Scale(5)]);
    expect(seq.forward(tensor([1])).toArray()).toEqual([0]);
    expect(() => seq.get(5)).toThrow(/Sequential\.get: index 5 is out of range for a container of length 5/);
    expect(() => seq.insert(7, new Scale(1))).toThrow(/Sequential\.insert: index 7 is out of range/);
    expect(() => seq.append(3 as unknown as nn.Module)).toThrow(/Sequential\.append: a number is not an nn\.Module/);
    expect(() => new nn.Sequential(new Scale(1), {} as nn.Module)).toThrow(/Sequential: an object of type Object is not an nn\.Module/);
  });

  it('takes named modules from a record, a Map or pairs', () => {
    const rec = new nn.Sequential({ twice: new Scale(2), thrice: new Scale(3) });
    expect(rec.namedChildren().map(([n]) => n)).toEqual(['twice', 'thrice']);
    expect((rec as unknown as { twice: Scale }).twice.factor).toBe(2);
    expect(rec.forward(tensor([1])).toArray()).toEqual([6]);
    expect((rec[0] as Scale | undefined)?.factor).toBe(undefined); // names, not indices
    expect((rec.get(0) as Scale).factor).toBe(2);
    const fromMap = new nn.Sequential(new Map([['b', new Scale(1)], ['a', new Scale(2)]]));
    expect(fromMap.namedChildren().map(([n]) => n)).toEqual(['b', 'a']);
    const fromPairs = new nn.Sequential([['10', new Scale(1)], ['2', new Scale(2)]] as [string, nn.Module][]);
    expect(fromPairs.namedChildren().map(([n]) => n)).toEqual(['10', '2']);
    expect(() => new nn.Sequential({ forward: new Scale(1) })).toThrow(/attribute 'forward' already exists/);
  });

  it('registers its modules\' parameters with dotted indices', () => {
    const seq = new nn.Sequential(new Linear(2, 3), new Scale(2), new Linear(3, 1));
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });
});

describe('ModuleList', () => {
  it('holds modules without a forward of its own', () => {
    const list = new nn.ModuleList([new Scale(1), new Scale(2)]);
    list.append(new Scale(3));
    list.extend([new Scale(4)]);
    list.insert(1, new Scale(1.5));
    expect(factors(list)).toEqual([1, 1.5, 2, 3, 4]);
    expect(list.length).toBe(5);
    expect((list[2] as Scale).factor).toBe(2);
    expect((list.get(-2) as Scale).factor).toBe(3);
    expect(factors(list.slice(-2))).toEqual([3, 4]);
    expect(list.slice(-2).namedChildren().map(([n]) => n)).toEqual(['0', '1']);
    expect((list.pop(0) as Scale).factor).toBe(1);
    expect(list.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2', '3']);
    expect(() => list.forward()).toThrow(/ModuleList: the module has no forward/);
  });
});

describe('ModuleDict', () => {
  it('maps names to modules in insertion order', () => {
    const d = new nn.ModuleDict({ policy: new Scale(1), value: new Scale(2) });
    d.set('aux', new Scale(3));
    d.update([['policy', new Scale(10)]]);
    expect(d.keys()).toEqual(['policy', 'value', 'aux']);
    expect([...d]).toEqual(['policy', 'value', 'aux']);
    expect(factors(d.values())).toEqual([10, 2, 3]);
    expect(d.items().map(([k, m]) => `${k}=${(m as Scale).factor}`)).toEqual(['policy=10', 'value=2', 'aux=3']);
    expect(d.has('value') && !d.has('nope')).toBe(true);
    expect((d.get('value') as Scale).factor).toBe(2);
    expect((d.pop('value') as Scale).factor).toBe(2);
    expect(d.delete('value')).toBe(false);
    expect(d.length).toBe(2);
    expect(() => d.get('value')).toThrow(/ModuleDict\.get: no module under 'value' \(keys: policy, aux\)/);
    expect(() => d.set('train', new Scale(1))).toThrow(/attribute 'train' already exists/);
    expect(() => d.set('a.b', new Scale(1))).toThrow(/can't contain "\."/);
    d.clear();
    expect(d.length).toBe(0);
    const numeric = new nn.ModuleDict([['b', new Scale(1)], ['1', new Scale(2)]]);
    expect(numeric.keys()).toEqual(['b', '1']);
  });
});

describe('ParameterList and ParameterDict', () => {
  it('wrap tensors in Parameters and register them', () => {
    const pl = new nn.ParameterList([zeros([3]), new nn.Parameter(ones([2, 2]))]);
    pl.append(zeros([4]));
    expect(pl.length).toBe(3);
    expect([...pl].every((p) => p instanceof nn.Parameter && p.requiresGrad)).toBe(true);
    expect(pl.get(-1).shape).toEqual([4]);
    expect(pl[1]!.shape).toEqual([2, 2]);
    pl.set(0, ones([1]));
    expect(pl.get(0).toArray()).toEqual([1]);
    expect(pl.namedParameters().map(([n]) => n)).toEqual(['0', '1', '2']);
    expect(() => pl.append(3 as unknown as Tensor)).toThrow(/ParameterList\.append: expected a Tensor or an nn\.Parameter, got a number/);

    const pd = new nn.ParameterDict({ scale: ones([3]), shift: zeros([3]) });
    pd.set('extra', zeros([1]));
    expect(pd.keys()).toEqual(['scale', 'shift', 'extra']);
    expect(pd.get('scale')).toBeInstanceOf(nn.Parameter);
    expect(pd.pop('extra').shape).toEqual([1]);
    expect(Object.keys(pd.stateDict())).toEqual(['scale', 'shift']);
    expect(() => pd.get('nope')).toThrow(/ParameterDict\.get: no parameter under 'nope' \(keys: scale, shift\)/);

    class Owner extends nn.Module {
      list = pl;
      dict = pd;
    }
    expect(new Owner().namedParameters().map(([n]) => n)).toEqual(['list.0', 'list.1', 'list.2', 'dict.scale', 'dict.shift']);
  });
});
