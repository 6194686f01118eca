import { describe, expect, it } from 'vitest';
import { randn, zeros, type Tensor } from '@cinder/tensor';
import { nn } from '../src/index.js';
import { Linear, MLP, ReLU, Scale } from './testModules.js';

class Block extends nn.Module {
  lin = new Linear(128, 128, false);
  act = new ReLU();
  override forward(x: Tensor): Tensor {
    return this.act.forward(this.lin.forward(x));
  }
}
class Multi extends nn.Module {
  override extraRepr(): string {
    return 'a=1\nb=2';
  }
}
class Mixed extends nn.Module {
  inner = new Scale(0.5);
  override extraRepr(): string {
    return 'mode=fast';
  }
}
class Identity extends nn.Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}
class Net extends nn.Module {
  fc1 = new Linear(784, 128);
  blocks = new nn.ModuleList([new Block(), new Block()]);
  head = new nn.Sequential(new Linear(128, 10), new Scale(2));
  heads = new nn.ModuleDict({ policy: new Identity(), value: new Mixed() });
  multi = new Multi();
  empty = new nn.Sequential();
  override forward(x: Tensor): Tensor {
    let h = this.fc1.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return this.head.forward(h);
  }
}

describe('printing', () => {
  it("matches PyTorch 1.13's repr of the same nested model", () => {
    // Printed by PyTorch 1.13 for the same structure (torch.nn.Linear, ReLU, ModuleList,
    // Sequential, ModuleDict, and Python modules with the same extra_repr).
    const golden =
      'Net(\n  (fc1): Linear(in_features=784, out_features=128, bias=True)\n  (blocks): ModuleList(\n    (0): Block(\n      (lin): Linear(in_features=128, out_features=128, bias=False)\n      (act): ReLU()\n    )\n    (1): Block(\n      (lin): Linear(in_features=128, out_features=128, bias=False)\n      (act): ReLU()\n    )\n  )\n  (head): Sequential(\n    (0): Linear(in_features=128, out_features=10, bias=True)\n    (1): Scale(factor=2)\n  )\n  (heads): ModuleDict(\n    (policy): Identity()\n    (value): Mixed(\n      mode=fast\n      (inner): Scale(factor=0.5)\n    )\n  )\n  (multi): Multi(\n    a=1\n    b=2\n  )\n  (empty): Sequential()\n)';
    const net = new Net();
    expect(net.toString()).toBe(golden);
    expect(String(net)).toBe(golden);
  });

  it('prints parameter containers one entry per line', () => {
    const pl = new nn.ParameterList([zeros([3, 4]), zeros([2], { dtype: 'float64' })]);
    expect(pl.toString()).toBe('ParameterList(\n  (0): Parameter containing: [float32 of size 3x4]\n  (1): Parameter containing: [float64 of size 2]\n)');
    expect(new nn.ParameterDict({ x: zeros([3]) }).toString()).toBe('ParameterDict((x): Parameter containing: [float32 of size 3])');
  });
});

describe('summary', () => {
  it('counts total, trainable and non-trainable parameters', () => {
    const net = new Net();
    net.blocks.requiresGrad_(false);
    const s = net.summary();
    expect(s).toContain('Total params: 134,538 (525.54 KB)');
    expect(s).toContain('Trainable params: 101,770 (397.54 KB)');
    expect(s).toContain('Non-trainable params: 32,768 (128.00 KB)');
    expect(s).toMatch(/^ fc1 \(Linear\) +100,480$/m);
    expect(s).toMatch(/^ blocks \(ModuleList\) +32,768$/m);
    expect(s).toMatch(/^ {3}0 \(Block\) +16,384$/m);
    expect(s).toMatch(/^ {5}lin \(Linear\) +16,384$/m);
    expect(net.summary({ depth: 1 }).split('\n').filter((l) => /^ \S/.test(l))).toHaveLength(7); // header + 6 children
  });

  it('records output shapes from an example input, and removes its hooks', () => {
    const m = new MLP(4, 8, 3);
    expect(m.summary({ input: randn([2, 4]) })).toBe(
      [
        'Model: "MLP"',
        '_______________________________________',
        ' Layer (type)   Output Shape   Param #',
        '=======================================',
        ' fc1 (Linear)   [2, 8]              40',
        ' act (ReLU)     [2, 8]               0',
        ' fc2 (Linear)   [2, 3]              27',
        '=======================================',
        'Total params: 67 (268.00 B)',
        'Trainable params: 67 (268.00 B)',
        'Non-trainable params: 0 (0.00 B)',
        '_______________________________________',
      ].join('\n'),
    );
    expect(m.modules().some((x) => Object.hasOwn(x, 'forward'))).toBe(false);
    const net = new Net();
    const s = net.summary({ input: [randn([1, 784])] });
    expect(s).toMatch(/^ {3}1 \(Scale\) +\[1, 10\] +0$/m);
    expect(s).toMatch(/^ heads \(ModuleDict\) +- +0$/m); // never called
    expect(() => net.summary({ depth: 0 })).toThrow(/summary: depth must be at least 1/);
  });
});
