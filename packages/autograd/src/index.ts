/**
 * @cinder/autograd: reverse-mode automatic differentiation for @cinder/tensor. Importing it installs
 * the Autograd layer of the tensor dispatcher; from then on ops on tensors that require grad are
 * recorded, and `backward()` / `grad()` compute gradients.
 *
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import '@cinder/autograd';
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad!.toArray(); // [2, 4, 6]
 * ```
 */
import './layer.js';

export { backward, grad, type BackwardOptions, type GradOptions } from './engine.js';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceMode, detectAnomaly, isAnomalyEnabled } from './mode.js';
export { defineFunction, FunctionCtx, type FunctionDefinition } from './function.js';
export { vjp, jvp, jacobian, hessian } from './functional.js';
export { checkpoint } from './checkpoint.js';
export { gradcheck, gradgradcheck, type GradcheckOptions } from './gradcheck.js';
export { derivatives, sumToShape, type Derivative, type GradContext } from './derivatives.js';
