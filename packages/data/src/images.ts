/**
 * The shared base of the image classification datasets (MNIST, FashionMNIST, ProceduralDigits):
 * uint8 images in one tensor, int64 labels in another, and the conversion applied to each image.
 */
import { Tensor } from '@cinder/tensor';
import { defaultCollate } from './collate.js';
import { Dataset } from './dataset.js';
import { describe, indexTensor, normIndex } from './util.js';

/**
 * What an image becomes: `'float32'` (the default) a float32 tensor [1, H, W] scaled to [0, 1]
 * (torchvision's ToTensor), `'uint8'` the raw uint8 tensor [1, H, W], or a function given the
 * uint8 image [1, H, W] that returns the tensor to use.
 */
export type ImageTransform = 'float32' | 'uint8' | ((image: Tensor) => Tensor);

export interface ImageDatasetOptions {
  transform?: ImageTransform;
  /** Applied to each label (an int64 0-d tensor). */
  targetTransform?: (target: Tensor) => Tensor;
}

export function checkImageOptions(op: string, o: ImageDatasetOptions): void {
  const t = o.transform;
  if (t !== undefined && t !== 'float32' && t !== 'uint8' && typeof t !== 'function') {
    throw new TypeError(`${op}: transform must be 'float32', 'uint8' or a function, got ${describe(t)}`);
  }
  if (o.targetTransform !== undefined && typeof o.targetTransform !== 'function') {
    throw new TypeError(`${op}: targetTransform must be a function, got ${describe(o.targetTransform)}`);
  }
}

/** True when options hold functions (which worker threads cannot receive). */
export function hasFunctionOptions(o: ImageDatasetOptions): boolean {
  return typeof o.transform === 'function' || typeof o.targetTransform === 'function';
}

/**
 * Images with class labels: item i is `[image, label]`, the image as `transform` says (by default
 * float32 [1, H, W] in [0, 1]) and the label an int64 0-d tensor.
 */
export class ImageClassificationDataset extends Dataset<[Tensor, Tensor]> {
  /** All images, uint8 [N, H, W]. */
  readonly data: Tensor;
  /** All labels, int64 [N]. */
  readonly targets: Tensor;
  readonly transform: ImageTransform;
  readonly targetTransform: ((target: Tensor) => Tensor) | undefined;

  constructor(data: Tensor, targets: Tensor, opts: ImageDatasetOptions = {}, op = 'ImageClassificationDataset') {
    super();
    if (!(data instanceof Tensor) || data.dtype !== 'uint8' || data.ndim !== 3) {
      throw new TypeError(`${op}: images must be a uint8 tensor [N, H, W], got ${describe(data)}`);
    }
    if (!(targets instanceof Tensor) || targets.ndim !== 1 || targets.shape[0] !== data.shape[0]) {
      throw new TypeError(`${op}: labels must be a 1-d tensor with one label per image (${data.shape[0]}), got ${describe(targets)}`);
    }
    checkImageOptions(op, opts);
    this.data = data;
    this.targets = targets.dtype === 'int64' ? targets : targets.to('int64');
    this.transform = opts.transform ?? 'float32';
    this.targetTransform = opts.targetTransform;
  }

  get length(): number {
    return this.data.shape[0]!;
  }

  private convert(images: Tensor): Tensor {
    const t = this.transform;
    if (t === 'uint8') return images;
    if (t === 'float32') return images.to('float32').div_(255);
    return t(images);
  }

  getItem(index: number): [Tensor, Tensor] {
    const i = normIndex(`${this.constructor.name}.getItem`, index, this.length);
    const image = this.convert(this.data.select(0, i).unsqueeze(0));
    const target = this.targets.select(0, i);
    return [image, this.targetTransform ? this.targetTransform(target) : target];
  }

  /** The batch `[images [B, 1, H, W], labels [B]]` in one gather (when no function transforms are set). */
  override getBatch(indices: readonly number[]): [Tensor, Tensor] {
    if (typeof this.transform === 'function' || this.targetTransform !== undefined) {
      return defaultCollate(indices.map((i) => this.getItem(i)));
    }
    const n = this.length;
    const idx = indexTensor(indices.map((i) => normIndex(`${this.constructor.name}.getBatch`, i, n)));
    const gathered = this.data.indexSelect(0, idx);
    const view = gathered.unsqueeze(1);
    const images = this.convert(view);
    const targets = this.targets.indexSelect(0, idx);
    idx.dispose();
    if (images !== view) {
      // The uint8 gather is garbage once converted; freeing it now lets the allocator reuse it.
      view.dispose();
      gathered.dispose();
    }
    return [images, targets];
  }
}
