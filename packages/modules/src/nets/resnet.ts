/**
 * nets.ResNet: Sonnet's bottleneck ResNet (v1, or v2 with pre-activation), configurable down to
 * a small network: an initial 7x7 stride-2 convolution, a 3x3 stride-2 max pool, groups of
 * bottleneck blocks (the first group at stride 1, the others at stride 2), a global mean and a
 * zero-initialized linear layer for the logits. Images are NHWC.
 */
import { F } from '@cinder/nn';
import type { Tensor } from '@cinder/tensor';
import { BatchNorm, type BatchNormOptions } from '../batchNorm.js';
import { Conv2D } from '../conv.js';
import { Zeros } from '../initializers.js';
import { describe, Linear, positiveInt } from '../linear.js';
import { Module, moduleFloatArg } from '../module.js';

/** BatchNorm's settings inside the ResNet (Sonnet's defaults there: decay 0.9, eps 1e-5). */
export type ResNetBatchNormConfig = Omit<BatchNormOptions, 'name' | 'dataFormat' | 'scaleInit' | 'offsetInit'>;

function batchNorm(cfg: ResNetBatchNormConfig, name: string, zeroScale = false): BatchNorm {
  return new BatchNorm(true, true, { decayRate: 0.9, eps: 1e-5, ...cfg, name, ...(zeroScale ? { scaleInit: new Zeros() } : {}) });
}

/**
 * A bottleneck block: 1x1 (channels / 4), 3x3 at `stride` (channels / 4), 1x1 (channels)
 * convolutions with batch norms, added to the input or to its 1x1 projection.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { nets } from '@cinder/modules';
 * const block = new nets.BottleneckBlock(16, 2, { useProjection: true });
 * console.log(block.call(randn([2, 8, 8, 4]), true).shape); // [ 2, 4, 4, 16 ]
 * ```
 */
export class BottleneckBlock extends Module {
  readonly resnetV2: boolean;
  readonly projConv: Conv2D | undefined;
  readonly projBatchNorm: BatchNorm | undefined;
  readonly convs: readonly Conv2D[];
  readonly batchNorms: readonly BatchNorm[];

  constructor(channels: number, stride: number, opts: { useProjection?: boolean; resnetV2?: boolean; bnConfig?: ResNetBatchNormConfig; name?: string } = {}) {
    super({ name: opts.name });
    this.recordArgs(channels, stride, opts);
    positiveInt('BottleneckBlock', 'channels', channels);
    if (channels % 4 !== 0) throw new RangeError(`BottleneckBlock: channels must be a multiple of 4, got ${channels}`);
    positiveInt('BottleneckBlock', 'stride', stride);
    const bn = opts.bnConfig ?? {};
    this.resnetV2 = opts.resnetV2 ?? false;
    if (opts.useProjection ?? false) {
      this.projConv = new Conv2D(channels, 1, { stride, withBias: false, name: 'shortcut_conv' });
      if (!this.resnetV2) this.projBatchNorm = batchNorm(bn, 'shortcut_batchnorm');
    }
    this.convs = [
      new Conv2D(channels / 4, 1, { withBias: false, name: 'conv_0' }),
      new Conv2D(channels / 4, 3, { stride, withBias: false, name: 'conv_1' }),
      new Conv2D(channels, 1, { withBias: false, name: 'conv_2' }),
    ];
    // v1 normalizes after each convolution (the last one starting at zero scale); v2 before.
    this.batchNorms = [0, 1, 2].map((i) => batchNorm(bn, `batchnorm_${i}`, !this.resnetV2 && i === 2));
  }

  forward(x: Tensor, isTraining: boolean): Tensor {
    moduleFloatArg(this, 'call', x);
    const [c0, c1, c2] = this.convs as [Conv2D, Conv2D, Conv2D];
    const [b0, b1, b2] = this.batchNorms as [BatchNorm, BatchNorm, BatchNorm];
    if (this.resnetV2) {
      const pre = F.relu(b0.call(x, isTraining));
      const shortcut = this.projConv === undefined ? x : this.projConv.call(pre);
      let h = c0.call(pre);
      h = c1.call(F.relu(b1.call(h, isTraining)));
      h = c2.call(F.relu(b2.call(h, isTraining)));
      return h.add(shortcut);
    }
    const shortcut = this.projConv === undefined ? x : this.projBatchNorm!.call(this.projConv.call(x), isTraining);
    let h = F.relu(b0.call(c0.call(x), isTraining));
    h = F.relu(b1.call(c1.call(h), isTraining));
    h = b2.call(c2.call(h), isTraining);
    return F.relu(h.add(shortcut));
  }
}

export interface ResNetOptions {
  /** Blocks in each group, e.g. [3, 4, 6, 3] for ResNet-50. */
  blocksPerGroup: readonly number[];
  /** The logits' size. */
  numClasses: number;
  /** Output channels of each group's blocks (default 256, 512, 1024, 2048 for the first four). */
  channelsPerGroup?: readonly number[];
  /** Whether each group's first block projects its shortcut (default true for every group). */
  useProjection?: readonly boolean[];
  /** The initial convolution's channels (default 64). */
  initialChannels?: number;
  /** Pre-activation blocks (default false). */
  resnetV2?: boolean;
  bnConfig?: ResNetBatchNormConfig;
  name?: string;
}

/**
 * A ResNet on NHWC images; `call(images, isTraining)` returns [batch, numClasses] logits.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { nets } from '@cinder/modules';
 * const net = new nets.ResNet({ blocksPerGroup: [1, 1], channelsPerGroup: [16, 32], numClasses: 10, initialChannels: 8 });
 * const logits = net.call(randn([2, 32, 32, 3]), true);
 * console.log(logits.shape, net.trainableVariables.length); // [ 2, 10 ] 29
 * ```
 */
export class ResNet extends Module {
  readonly resnetV2: boolean;
  readonly initialConv: Conv2D;
  readonly initialBatchNorm: BatchNorm | undefined;
  readonly blockGroups: readonly (readonly BottleneckBlock[])[];
  readonly finalBatchNorm: BatchNorm | undefined;
  readonly logits: Linear;

  constructor(opts: ResNetOptions) {
    super({ name: opts?.name });
    this.recordArgs(opts);
    const groups = opts.blocksPerGroup;
    if (!Array.isArray(groups) || groups.length === 0) throw new TypeError('ResNet: blocksPerGroup must be a non-empty array of block counts');
    groups.forEach((n) => positiveInt('ResNet', 'each blocksPerGroup entry', n));
    const channels = opts.channelsPerGroup ?? [256, 512, 1024, 2048].slice(0, groups.length);
    const projection = opts.useProjection ?? groups.map(() => true);
    if (channels.length !== groups.length || projection.length !== groups.length) {
      throw new RangeError(`ResNet: blocksPerGroup, channelsPerGroup and useProjection must have the same length, got ${groups.length}, ${channels.length} and ${projection.length}`);
    }
    this.resnetV2 = opts.resnetV2 ?? false;
    const bn = opts.bnConfig ?? {};
    this.initialConv = new Conv2D(positiveInt('ResNet', 'initialChannels', opts.initialChannels ?? 64), 7, { stride: 2, withBias: false, name: 'initial_conv' });
    if (!this.resnetV2) this.initialBatchNorm = batchNorm(bn, 'initial_batchnorm');
    this.blockGroups = groups.map((n, g) =>
      Array.from({ length: n }, (_, i) => new BottleneckBlock(channels[g]!, i === 0 && g > 0 ? 2 : 1, {
        useProjection: i === 0 && projection[g], resnetV2: this.resnetV2, bnConfig: bn, name: `block_group_${g}_block_${i}`,
      })),
    );
    if (this.resnetV2) this.finalBatchNorm = batchNorm(bn, 'final_batchnorm');
    this.logits = new Linear(positiveInt('ResNet', 'numClasses', opts.numClasses), { wInit: new Zeros(), name: 'logits' });
  }

  forward(images: Tensor, isTraining: boolean): Tensor {
    const x0 = moduleFloatArg(this, 'call', images, 'images');
    if (x0.ndim !== 4) throw new RangeError(`ResNet '${this.scopeName}': expected NHWC images [batch, height, width, channels], got ${describe(x0)}`);
    if (typeof isTraining !== 'boolean') throw new TypeError(`ResNet '${this.scopeName}': isTraining must be a boolean, got ${String(isTraining)}`);
    let x = this.initialConv.call(x0);
    if (this.initialBatchNorm !== undefined) x = F.relu(this.initialBatchNorm.call(x, isTraining));
    x = maxPoolSame(x);
    for (const group of this.blockGroups) for (const block of group) x = block.call(x, isTraining);
    if (this.finalBatchNorm !== undefined) x = F.relu(this.finalBatchNorm.call(x, isTraining));
    return this.logits.call(x.mean([1, 2]));
  }
}

/** TensorFlow's 3x3, stride 2, 'SAME' max pool of NHWC: -inf padding, the odd element at the end. */
function maxPoolSame(x: Tensor): Tensor {
  const xc = x.movedim(-1, 1);
  const pads = xc.shape.slice(2).map((s) => {
    const total = Math.max((Math.ceil(s / 2) - 1) * 2 + 3 - s, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
  const padded = F.pad(xc, [...pads[1]!, ...pads[0]!], { value: -Infinity });
  return F.maxPool2d(padded, 3, { stride: 2 }).movedim(1, -1);
}
