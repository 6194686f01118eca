/**
 * The models of the training-step benchmarks (--train on the host, --cuda on the device): each
 * with its input and class targets, built on the host, and the same models in PyTorch (a Python
 * snippet that defines `models`: id -> (make, input shape, classes, batch)).
 */
import { randint, randn, type Tensor } from '@cinder/tensor';
import { nn } from '@cinder/nn';

export interface TrainModel {
  id: string;
  /** The model, its input and its class targets. */
  make: () => { model: nn.Module; x: Tensor; y: Tensor };
  /** Steps per timed sample. */
  inner: number;
}

/** An RNN whose last time step goes through a linear head. */
class LastStep extends nn.Module {
  constructor(readonly rnn: nn.Module, readonly head: nn.Linear) {
    super();
  }
  override forward(x: Tensor): Tensor {
    const [out] = this.rnn.forward(x) as [Tensor, unknown];
    return this.head.forward(out.select(0, out.shape[0]! - 1));
  }
}

export const TRAIN_MODELS: TrainModel[] = [
  {
    id: 'MLP 784-256-256-10, batch 64', inner: 50,
    make: () => ({
      model: new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10)),
      x: randn([64, 784]), y: randint(0, 10, [64]),
    }),
  },
  {
    id: 'MLP 4-32-2, batch 32', inner: 500,
    make: () => ({ model: new nn.Sequential(new nn.Linear(4, 32), new nn.ReLU(), new nn.Linear(32, 2)), x: randn([32, 4]), y: randint(0, 2, [32]) }),
  },
  {
    id: 'LeNet-5 28x28, batch 64', inner: 20,
    make: () => ({
      model: new nn.Sequential(
        new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
        new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
        new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10)),
      x: randn([64, 1, 28, 28]), y: randint(0, 10, [64]),
    }),
  },
  {
    id: 'LSTM 32->128, T=32, batch 32', inner: 10,
    make: () => ({ model: new LastStep(new nn.LSTM(32, 128), new nn.Linear(128, 10)), x: randn([32, 32, 32]), y: randint(0, 10, [32]) }),
  },
];

/** Python (needs `nn` as torch.nn): defines LastStep and `models` for every id of TRAIN_MODELS. */
export const TORCH_MODELS = String.raw`
class LastStep(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(32, 128)
        self.head = nn.Linear(128, 10)
    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[-1])
models = {
  'MLP 784-256-256-10, batch 64': (lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)), (64, 784), 10, 64),
  'MLP 4-32-2, batch 32': (lambda: nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2)), (32, 4), 2, 32),
  'LeNet-5 28x28, batch 64': (lambda: nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)), (64, 1, 28, 28), 10, 64),
  'LSTM 32->128, T=32, batch 32': (LastStep, (32, 32, 32), 10, 32),
}
`;
