/**
 * The dispatcher: every op of @cinder/tensor runs through `dispatch`. A layer installed on top
 * (@cinder/autograd installs one, as PyTorch's Autograd dispatch key) sees the op's name, its tensor
 * inputs and attributes and the kernel to run, and may record what it needs for backward.
 * @cinder/tensor never imports autograd: with no layer installed, `dispatch` just runs the kernel.
 */
import { checkSameDevice } from './device.js';
import type { Tensor } from './tensor.js';

export interface DispatchLayer {
  /** Runs `kernel` for op `op` and returns its result (a Tensor, or an array/object of Tensors). */
  call<R>(op: string, inputs: readonly Tensor[], attrs: Readonly<Record<string, unknown>>, kernel: () => R): R;
  /** Called when a user sets requiresGrad on a tensor. */
  setRequiresGrad(t: Tensor, value: boolean): void;
  /** Tensor.backward(). */
  backward(t: Tensor, gradient: Tensor | undefined, options: Readonly<Record<string, unknown>>): void;
  /** Tensor.retainGrad(). */
  retainGrad(t: Tensor): void;
  /** Tensor.registerHook(). */
  registerHook(t: Tensor, hook: (grad: Tensor) => Tensor | void): { remove(): void };
}

let layer: DispatchLayer | null = null;

export function installDispatchLayer(l: DispatchLayer | null): void {
  layer = l;
}

export function dispatchLayer(): DispatchLayer | null {
  return layer;
}

const NO_ATTRS: Readonly<Record<string, unknown>> = Object.freeze({});

export function dispatch<R>(
  op: string,
  inputs: readonly Tensor[],
  attrs: Readonly<Record<string, unknown>> | undefined,
  kernel: () => R,
): R {
  // Mixing devices in one op is an error naming both (a kernel never sees another device's memory).
  if (inputs.length > 1) checkSameDevice(op, inputs);
  if (layer === null) return kernel();
  return layer.call(op, inputs, attrs ?? NO_ATTRS, kernel);
}

export function requireAutograd(what: string): DispatchLayer {
  if (layer === null) {
    throw new Error(
      `${what}: gradients need @cinder/autograd. @cinder/tensor alone is a plain array library; ` +
        "add `import '@cinder/autograd'` (or import anything from @cinder/nn, which loads it).",
    );
  }
  return layer;
}
