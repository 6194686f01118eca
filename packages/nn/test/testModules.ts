/** Small modules for the tests, written with tensor ops (the layers live elsewhere). */
import { randn, zeros, type Tensor } from '@cinder/tensor';
import { nn } from '../src/index.js';

/** y = x W^T + b, printed as PyTorch prints nn.Linear. */
export class Linear extends nn.Module {
  weight: nn.Parameter;
  bias: nn.Parameter | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias = true,
  ) {
    super();
    this.weight = new nn.Parameter(randn([outFeatures, inFeatures]).mul(1 / Math.sqrt(inFeatures)));
    this.bias = bias ? new nn.Parameter(zeros([outFeatures])) : null;
  }
  override forward(x: Tensor): Tensor {
    const y = x.matmul(this.weight.t());
    return this.bias === null ? y : y.add(this.bias);
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias === null ? 'False' : 'True'}`;
  }
}

export class ReLU extends nn.Module {
  override forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** Multiplies by a constant; no parameters. */
export class Scale extends nn.Module {
  constructor(readonly factor: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x.mul(this.factor);
  }
  override extraRepr(): string {
    return `factor=${this.factor}`;
  }
}

/** A module with a persistent and a non-persistent buffer, like a normalisation layer. */
export class RunningMean extends nn.Module {
  declare runningMean: Tensor;
  declare numBatchesTracked: Tensor;
  declare scratch: Tensor;
  constructor(readonly n: number) {
    super();
    this.registerBuffer('runningMean', zeros([n]));
    this.registerBuffer('numBatchesTracked', zeros([], { dtype: 'int64' }));
    this.registerBuffer('scratch', zeros([n]), { persistent: false });
  }
  override forward(x: Tensor): Tensor {
    if (this.training) this.runningMean = this.runningMean.mul(0.9).add(x.detach().mean(0).mul(0.1));
    return x.sub(this.runningMean);
  }
}

export class MLP extends nn.Module {
  fc1: Linear;
  act = new ReLU();
  fc2: Linear;
  constructor(inF = 4, hidden = 8, outF = 3) {
    super();
    this.fc1 = new Linear(inF, hidden);
    this.fc2 = new Linear(hidden, outF);
  }
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}
