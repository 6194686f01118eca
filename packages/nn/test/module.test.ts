import { describe, expect, it } from 'vitest';
import { manualSeed, ones, randn, tensor, zeros, type Tensor } from '@cinder/tensor';
import { nn, optim } from '../src/index.js';
import { Linear, MLP, ReLU, RunningMean, Scale } from './testModules.js';

class Encoder extends nn.Module {
  embed = new Linear(4, 6);
  norm = new RunningMean(6);
  layers = new nn.ModuleList([new Linear(6, 6), new Linear(6, 6, false)]);
  override forward(x: Tensor): Tensor {
    let h = this.norm.forward(this.embed.forward(x));
    for (const l of this.layers) h = l.forward(h).relu();
    return h;
  }
}

class Net extends nn.Module {
  scale = new nn.Parameter(ones([1]));
  encoder = new Encoder();
  head = new nn.Sequential(new Linear(6, 3), new ReLU());
  override forward(x: Tensor): Tensor {
    return this.head.forward(this.encoder.forward(x)).mul(this.scale);
  }
}

const names = (entries: [string, unknown][]): string[] => entries.map((e) => e[0]);

describe('registration and naming', () => {
  it('discovers fields in declaration order with dotted names, nested', () => {
    manualSeed(0);
    const net = new Net();
    expect(names(net.namedParameters())).toEqual([
      'scale',
      'encoder.embed.weight', 'encoder.embed.bias',
      'encoder.layers.0.weight', 'encoder.layers.0.bias',
      'encoder.layers.1.weight',
      'head.0.weight', 'head.0.bias',
    ]);
    expect(names(net.namedModules())).toEqual([
      '', 'encoder', 'encoder.embed', 'encoder.norm', 'encoder.layers', 'encoder.layers.0', 'encoder.layers.1', 'head', 'head.0', 'head.1',
    ]);
    expect(names(net.namedChildren())).toEqual(['encoder', 'head']);
    expect(net.children()).toEqual([net.encoder, net.head]);
    expect(net.modules()).toHaveLength(10);
    expect(names(net.namedBuffers())).toEqual(['encoder.norm.runningMean', 'encoder.norm.numBatchesTracked', 'encoder.norm.scratch']);
    expect(net.buffers({ recurse: false })).toEqual([]);
    expect(net.parameters({ recurse: false })).toEqual([net.scale]);
    expect(net.namedParameters({ prefix: 'model' })[1]![0]).toBe('model.encoder.embed.weight');
    expect(net.parameters().every((p) => p instanceof nn.Parameter && p.requiresGrad)).toBe(true);
    expect(net.forward(randn([5, 4])).shape).toEqual([5, 3]);
  });

  it('follows assignments, deletions and replacements made after construction', () => {
    const m = new MLP();
    (m as unknown as { extra: Linear }).extra = new Linear(3, 2);
    expect(names(m.namedChildren())).toEqual(['fc1', 'act', 'fc2', 'extra']);
    delete (m as unknown as { extra?: Linear }).extra;
    expect(names(m.namedChildren())).toEqual(['fc1', 'act', 'fc2']);
    (m as unknown as { act: nn.Module | null }).act = null;
    expect(names(m.namedChildren())).toEqual(['fc1', 'fc2']);
    expect(m.toString()).toContain('(act): null');
    // Replacing a submodule by a Parameter re-classifies the member in place.
    (m as unknown as { act: unknown }).act = new nn.Parameter(zeros([2]));
    expect(names(m.namedParameters({ recurse: false }))).toEqual(['act']);
    m.fc2.bias = null;
    expect(names(m.namedParameters())).toEqual(['act', 'fc1.weight', 'fc1.bias', 'fc2.weight']);
  });

  it('registerModule / registerParameter / registerBuffer, and their errors', () => {
    const m = new nn.Module();
    m.registerModule('a', new Scale(2));
    m.addModule('b', new Scale(3));
    m.registerParameter('w', new nn.Parameter(zeros([2])));
    m.registerParameter('nothing', null);
    m.registerBuffer('stat', zeros([2]));
    expect(names(m.namedChildren())).toEqual(['a', 'b']);
    expect(names(m.namedParameters())).toEqual(['w']);
    expect(Object.keys(m.stateDict())).toEqual(['w', 'stat']);
    // Assigning a tensor to a buffer's name updates the buffer.
    (m as unknown as { stat: Tensor }).stat = ones([3]);
    expect(m.getBuffer('stat').shape).toEqual([3]);

    expect(() => m.registerModule('forward', new Scale(1))).toThrow(/registerModule: attribute 'forward' already exists/);
    expect(() => m.registerModule('x.y', new Scale(1))).toThrow(/can't contain "\."/);
    expect(() => m.registerModule('', new Scale(1))).toThrow(/can't be empty/);
    expect(() => m.registerBuffer('w', zeros([1]))).toThrow(/registerBuffer: attribute 'w' already exists/);
    expect(() => m.registerParameter('p', zeros([2]) as nn.Parameter)).toThrow(/cannot use a Tensor as parameter 'p' \(an nn\.Parameter or null is required\)/);
    expect(() => m.registerModule('c', {} as nn.Module)).toThrow(/is not an nn\.Module/);
    const nonLeaf = new nn.Parameter(zeros([2])).mul(2);
    Object.setPrototypeOf(nonLeaf, nn.Parameter.prototype);
    expect(() => m.registerParameter('q', nonLeaf as nn.Parameter)).toThrow(/non-leaf/);
  });

  it('names a wrongly typed value when the structure is read', () => {
    const m = new MLP();
    expect(m.parameters()).toHaveLength(4); // the members are known from here on
    (m.fc1 as unknown as { weight: Tensor }).weight = zeros([8, 4]);
    expect(() => m.parameters()).toThrow(/Linear: 'weight' is a parameter and holds a Tensor \(expected an nn\.Parameter or null; wrap a tensor in new nn\.Parameter\(t\)/);
    const r = new RunningMean(2);
    (r as unknown as { runningMean: unknown }).runningMean = 3;
    expect(() => r.stateDict()).toThrow(/RunningMean: 'runningMean' is a buffer and holds a number/);
    const n = new MLP();
    n.children();
    (n as unknown as { fc2: unknown }).fc2 = 'x';
    expect(() => n.children()).toThrow(/MLP: 'fc2' is a submodule and holds a string \(expected an nn\.Module or null\)/);
  });

  it('lets a declared, unassigned field be registered', () => {
    class WithDeclared extends nn.Module {
      running!: Tensor;
      constructor() {
        super();
        this.registerBuffer('running', zeros([2]));
      }
    }
    // With define semantics the field exists (undefined) before the constructor body runs.
    expect(Object.keys(new WithDeclared().stateDict())).toEqual(['running']);
  });

  it('counts tied parameters once, and lists them under each name in the state dict', () => {
    const a = new Linear(3, 3);
    const b = new Linear(3, 3);
    b.weight = a.weight;
    const m = new nn.Sequential(a, b);
    expect(names(m.namedParameters())).toEqual(['0.weight', '0.bias', '1.bias']);
    expect(names(m.namedParameters({ removeDuplicate: false }))).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    const shared = new Scale(2);
    const twice = new nn.Sequential(shared, shared);
    expect(twice.modules()).toHaveLength(2);
    expect(names(twice.namedModules({ removeDuplicate: false }))).toEqual(['', '0', '1']);
  });

  it('survives a module that refers back to its parent', () => {
    const parent = new MLP();
    (parent.fc1 as unknown as { owner: nn.Module }).owner = parent;
    expect(names(parent.namedModules())).toEqual(['', 'fc1', 'act', 'fc2']);
    expect(parent.parameters()).toHaveLength(4);
    expect(() => parent.stateDict()).toThrow(/stateDict: MLP contains itself \(a module cycle at 'fc1\.owner\.'\)/);
    expect(parent.toString()).toContain('(owner): <cycle: MLP>');
    parent.eval();
    expect(parent.fc1.training).toBe(false);
  });

  it('getSubmodule, getParameter, getBuffer', () => {
    const net = new Net();
    expect(net.getSubmodule('encoder.layers.1')).toBe(net.encoder.layers.get(1));
    expect(net.getSubmodule('')).toBe(net);
    expect(net.getParameter('encoder.embed.bias')).toBe(net.encoder.embed.bias);
    expect(net.getBuffer('encoder.norm.runningMean')).toBe(net.encoder.norm.runningMean);
    expect(() => net.getSubmodule('encoder.nope')).toThrow(/getSubmodule: encoder \(Encoder\) has no submodule 'nope'/);
    expect(() => net.getParameter('encoder.embed.nope')).toThrow(/getParameter: Linear has no parameter 'nope'/);
  });

  it('a Module without forward says so', () => {
    expect(() => new nn.Module().forward(1)).toThrow(/Module: the module has no forward\(\)/);
    expect(() => new nn.ModuleList([]).call()).toThrow(/ModuleList: the module has no forward\(\)/);
  });
});

describe('Parameter', () => {
  it('is a leaf Tensor that requires grad and shares the data storage', () => {
    const data = tensor([1, 2, 3]);
    const p = new nn.Parameter(data);
    expect(p).toBeInstanceOf(nn.Parameter);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    data.add_(1);
    expect(p.toArray()).toEqual([2, 3, 4]);
    expect(new nn.Parameter(data, false).requiresGrad).toBe(false);
    expect(new nn.Parameter().shape).toEqual([0]);
    expect(p.toString()).toMatch(/^Parameter containing:\ntensor\(\[2\., 3\., 4\.\]/);
    p.mul(2).sum().backward();
    expect(p.grad!.toArray()).toEqual([2, 2, 2]);
    expect(p.mul(2)).not.toBeInstanceOf(nn.Parameter);
  });

  it('rejects what cannot be a parameter', () => {
    expect(() => new nn.Parameter([1, 2] as unknown as Tensor)).toThrow(/Parameter: expected a Tensor, got object/);
    expect(() => new nn.Parameter(tensor([1, 2], { dtype: 'int32' }))).toThrow(/float|floating/i);
    expect(new nn.Parameter(tensor([1, 2], { dtype: 'int32' }), false).dtype).toBe('int32');
  });
});

describe('modes and bulk operations', () => {
  it('train/eval propagate through every submodule, calling overrides', () => {
    const seen: boolean[] = [];
    class Custom extends nn.Module {
      inner = new Scale(1);
      override train(mode = true): this {
        seen.push(mode);
        return super.train(mode);
      }
    }
    const net = new nn.Sequential(new Net(), new Custom());
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(seen).toEqual([false, true]);
    expect(() => net.train('no' as unknown as boolean)).toThrow(/train: mode must be a boolean/);
  });

  it('training mode changes what a module does', () => {
    const r = new RunningMean(2);
    const x = tensor([[1, 2], [3, 4]]);
    r.forward(x);
    expect(r.runningMean.toArray()).toEqual([expect.closeTo(0.2, 6), expect.closeTo(0.3, 6)]);
    r.eval();
    r.forward(x);
    expect(r.runningMean.toArray()).toEqual([expect.closeTo(0.2, 6), expect.closeTo(0.3, 6)]);
  });

  it('to(float64) converts in place, keeps identities and integer buffers, and converts gradients', () => {
    manualSeed(1);
    const net = new Net();
    const before = net.parameters();
    const values = before.map((p) => p.toArray());
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    net.forward(randn([2, 4])).sum().backward();
    expect(net.to('float64')).toBe(net);
    const after = net.parameters();
    expect(after.every((p, i) => p === before[i])).toBe(true);
    expect(after.every((p) => p.dtype === 'float64' && p.requiresGrad && p.isLeaf)).toBe(true);
    after.forEach((p, i) => expect(p.toArray()).toEqual(values[i]));
    expect(after.filter((p) => p.grad !== null).every((p) => p.grad!.dtype === 'float64')).toBe(true);
    expect(net.encoder.norm.runningMean.dtype).toBe('float64');
    expect(net.encoder.norm.numBatchesTracked.dtype).toBe('int64');
    // The optimizer built before the conversion updates the converted tensors.
    const w = net.encoder.embed.weight;
    const w0 = w.clone();
    opt.step();
    expect(w.sub(w0).abs().sum().item()).toBeGreaterThan(0);
    const y = net.forward(randn([2, 4], { dtype: 'float64' }));
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(w.grad!.dtype).toBe('float64');
    net.float();
    expect(net.parameters().every((p) => p.dtype === 'float32')).toBe(true);
    expect(() => net.to('int32')).toThrow(/Net\.to: only floating-point dtypes are accepted, got int32/);
    expect(() => net.to('cuda:99')).toThrow(/to: CUDA (is not available|device cuda:99 does not exist)/);
    expect(net.cpu()).toBe(net);
  });

  it('zeroGrad drops gradients or zeroes them', () => {
    const m = new MLP();
    m.forward(randn([3, 4])).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad({ setToNone: false });
    expect(m.parameters().every((p) => p.grad !== null && p.grad.abs().sum().item() === 0)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('apply visits children first, then the module; requiresGrad_ freezes', () => {
    const order: string[] = [];
    const net = new MLP();
    net.apply((m) => order.push(m._getName()));
    expect(order).toEqual(['Linear', 'ReLU', 'Linear', 'MLP']);
    net.apply((m) => {
      if (m instanceof Linear) nn.init.zeros_(m.weight);
    });
    expect(net.fc1.weight.abs().sum().item()).toBe(0);
    net.fc1.requiresGrad_(false);
    expect(net.parameters().map((p) => p.requiresGrad)).toEqual([false, false, true, true]);
    expect(() => net.apply(3 as unknown as () => void)).toThrow(/apply: expected a function/);
  });
});

describe('forward hooks', () => {
  it('call() runs pre-hooks, forward and hooks; a parent calling forward() runs them too', () => {
    const net = new MLP(2, 3, 1);
    const x = randn([4, 2]);
    const plain = net.forward(x).toArray();
    expect(net.call(x).toArray()).toEqual(plain);
    const log: string[] = [];
    const h1 = net.fc1.registerForwardPreHook((m, args) => {
      log.push(`pre ${m._getName()} ${(args[0] as Tensor).shape}`);
    });
    const h2 = net.fc1.registerForwardHook((_m, _args, out: Tensor) => {
      log.push('post');
      return out.mul(0);
    });
    // fc1's output is zeroed, so the net's output is fc2's bias.
    const y = net.forward(x);
    expect(log).toEqual(['pre Linear 4,2', 'post']);
    expect(y.toArray()).toEqual(net.fc2.bias!.expand([4, 1]).toArray());
    h2.remove();
    h2.remove();
    expect(net.forward(x).toArray()).toEqual(plain);
    expect(Object.hasOwn(net.fc1, 'forward')).toBe(true); // still routed: a pre-hook is left
    h1.remove();
    expect(Object.hasOwn(net.fc1, 'forward')).toBe(false);
    expect(log).toHaveLength(3);
  });

  it('pre-hooks replace the arguments; hooks run in order, prepend first', () => {
    const s = new Scale(2);
    const order: number[] = [];
    s.registerForwardPreHook((_m, [x]) => [(x as Tensor).add(1)]);
    s.registerForwardHook(() => void order.push(1));
    s.registerForwardHook(() => void order.push(0), { prepend: true });
    expect(s.forward(tensor([1])).toArray()).toEqual([4]);
    expect(order).toEqual([0, 1]);
    s.registerForwardPreHook(() => 5 as unknown as unknown[]);
    expect(() => s.call(tensor([1]))).toThrow(/Scale: a forward pre-hook must return the new argument list \(an array\) or undefined, got a number/);
  });

  it('routes an arrow-function forward and restores it', () => {
    class Arrow extends nn.Module {
      override forward = (x: Tensor): Tensor => x.add(1);
    }
    const a = new Arrow();
    const own = a.forward;
    let calls = 0;
    const h = a.registerForwardHook(() => void calls++);
    expect(a.forward(tensor([1])).toArray()).toEqual([2]);
    expect(calls).toBe(1);
    h.remove();
    expect(a.forward).toBe(own);
  });
});
