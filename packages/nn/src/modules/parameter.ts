/**
 * nn.Parameter: a Tensor subclass marking a module's learnable tensor. A Parameter is a leaf that
 * requires grad (unless asked otherwise) and shares its storage with the tensor it wraps, as
 * PyTorch's `Parameter(data)` does. Ops on it return plain Tensors; `p instanceof Tensor` holds.
 */
import { empty, Tensor } from '@cinder/tensor';

/**
 * A tensor that a Module registers as a parameter when it is assigned to one of its fields.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { nn } from '@cinder/nn';
 * const w = new nn.Parameter(randn([3, 4]));  // requiresGrad: true
 * const frozen = new nn.Parameter(randn([3]), false);
 * ```
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    const src = data ?? empty([0]);
    if (!(src instanceof Tensor)) {
      throw new TypeError(`Parameter: expected a Tensor, got ${src === null ? 'null' : typeof src}`);
    }
    if (typeof requiresGrad !== 'boolean') throw new TypeError(`Parameter: requiresGrad must be a boolean, got ${String(requiresGrad)}`);
    super(src._live(), src.dtype, src.shape, src.strides, src.offset);
    if (requiresGrad) this.requiresGrad = true;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
