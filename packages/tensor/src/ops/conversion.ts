/** Conversion ops: clone, to(dtype | device), type shorthands, detach, copy_, fill_, zero_. */
import { kernels, native } from '@cinder/native';
import { dispatch } from '../dispatch.js';
import { checkDType, DTYPES, type DType } from '../dtype.js';
import { canonicalDevice, deviceIndex, type Device } from '../device.js';
import { contiguousStrides, frame, putTensor } from '../frame.js';
import { ITEM_SIZE } from '../dtype.js';
import { Storage } from '../storage.js';

const cudaKernels = kernels as unknown as Record<'cudaCopyInto' | 'cudaFill', (device: number) => void>;
import { Tensor } from '../tensor.js';

declare module '../tensor.js' {
  interface Tensor {
    clone(): Tensor;
    /** to('float64'), to('cpu'), to({ dtype, device }), to(otherTensor). */
    to(target: DType | Device | Tensor | { dtype?: DType; device?: Device }): Tensor;
    float(): Tensor;
    double(): Tensor;
    half(): Tensor;
    bfloat16(): Tensor;
    int(): Tensor;
    long(): Tensor;
    bool(): Tensor;
    byte(): Tensor;
    cpu(): Tensor;
    /** to('cuda:N'): cuda() is device 0, cuda(1) or cuda('cuda:1') another. */
    cuda(device?: number | Device): Tensor;
    /** A tensor sharing storage that autograd does not track. */
    detach(): Tensor;
    /** Copies src (broadcast) into this tensor, converting dtype. */
    copy_(src: Tensor): Tensor;
    fill_(value: number | boolean): Tensor;
    zero_(): Tensor;
  }
}

/** A copy with its own memory. */
export function clone(x: Tensor): Tensor {
  return dispatch('clone', [x], undefined, () => x._copyAs(x.dtype));
}

/** Converts dtype (and device). Returns `x` itself when nothing changes, as PyTorch does. */
export function to(x: Tensor, target: DType | Device | Tensor | { dtype?: DType; device?: Device }): Tensor {
  let dtype: DType = x.dtype;
  let device: Device = x.device;
  if (target instanceof Tensor) {
    dtype = target.dtype;
    device = target.device;
  } else if (typeof target === 'string') {
    if ((DTYPES as readonly string[]).includes(target)) dtype = target as DType;
    else device = canonicalDevice(target, 'to');
  } else if (target && typeof target === 'object') {
    if (target.dtype !== undefined) dtype = checkDType(target.dtype, 'to');
    if (target.device !== undefined) device = canonicalDevice(target.device, 'to');
  } else {
    throw new TypeError(`to: expected a dtype, a device, a tensor or { dtype, device }, got ${String(target)}`);
  }
  if (device !== x.device) return dispatch('to', [x], { dtype, device }, () => moveTo(x, dtype, device));
  if (dtype === x.dtype) return x;
  return dispatch('to', [x], { dtype }, () => x._copyAs(dtype));
}

/**
 * A copy of x on `device`, converted to dtype. The bytes move contiguous; a dtype conversion runs
 * on the CPU side of the transfer (before a CPU -> CUDA move, after a CUDA -> CPU one) and on the
 * device for CUDA -> CUDA.
 */
function moveTo(x: Tensor, dtype: DType, device: Device): Tensor {
  let src = x;
  if (x.device === 'cpu' && dtype !== x.dtype) src = x._copyAs(dtype);
  else if (!x.isContiguous()) src = x._copyAs(x.dtype);
  const nbytes = src.numel() * ITEM_SIZE[src.dtype];
  const handle = native.cudaCopyStorage(src._live().handle, src.offset * ITEM_SIZE[src.dtype], nbytes, deviceIndex(device));
  const shape = x.shape;
  const moved = new Tensor(new Storage(handle, nbytes, device), src.dtype, shape, contiguousStrides(shape), 0);
  if (src !== x) src.dispose();
  if (moved.dtype === dtype) return moved;
  const converted = moved._copyAs(dtype);
  moved.dispose();
  return converted;
}

export function detach(x: Tensor): Tensor {
  return x._view(x.shape, x.strides, x.offset);
}

/**
 * In-place copy of src into dst (src broadcast to dst's shape), converting dtype. As in PyTorch,
 * src may be on another device: it moves to dst's first (a differentiable `to`).
 */
export function copy_(dst: Tensor, src: Tensor): Tensor {
  if (src instanceof Tensor && dst instanceof Tensor && src.device !== dst.device) src = to(src, dst.device);
  return dispatch('copy_', [dst, src], undefined, () => {
    let p = putTensor(0, src);
    putTensor(p, dst);
    if (dst.device === 'cpu') kernels.copyInto();
    else cudaKernels.cudaCopyInto(deviceIndex(dst.device));
    dst._st.version++;
    return dst;
  });
}

export function fill_(dst: Tensor, value: number | boolean): Tensor {
  return dispatch('fill_', [dst], { value }, () => {
    const p = putTensor(0, dst);
    frame[p] = Number(value);
    if (dst.device === 'cpu') kernels.fill();
    else cudaKernels.cudaFill(deviceIndex(dst.device));
    dst._st.version++;
    return dst;
  });
}

const proto = Tensor.prototype;
proto.clone = function (this: Tensor) { return clone(this); };
proto.to = function (this: Tensor, t) { return to(this, t); };
proto.float = function (this: Tensor) { return to(this, 'float32'); };
proto.double = function (this: Tensor) { return to(this, 'float64'); };
proto.half = function (this: Tensor) { return to(this, 'float16'); };
proto.bfloat16 = function (this: Tensor) { return to(this, 'bfloat16'); };
proto.int = function (this: Tensor) { return to(this, 'int32'); };
proto.long = function (this: Tensor) { return to(this, 'int64'); };
proto.bool = function (this: Tensor) { return to(this, 'bool'); };
proto.byte = function (this: Tensor) { return to(this, 'uint8'); };
proto.cpu = function (this: Tensor) { return to(this, 'cpu'); };
proto.cuda = function (this: Tensor, d?: number | Device) {
  if (d === undefined) return to(this, 'cuda:0');
  if (typeof d === 'number') {
    if (!Number.isInteger(d) || d < 0) throw new TypeError(`cuda: invalid device index ${d}`);
    return to(this, `cuda:${d}`);
  }
  if (canonicalDevice(d, 'cuda') === 'cpu') throw new TypeError(`cuda: expected a CUDA device, got 'cpu'`);
  return to(this, d);
};
proto.detach = function (this: Tensor) { return detach(this); };
proto.copy_ = function (this: Tensor, src: Tensor) { return copy_(this, src); };
proto.fill_ = function (this: Tensor, v: number | boolean) { return fill_(this, v); };
proto.zero_ = function (this: Tensor) { return fill_(this, 0); };
