/**
 * Derivatives of the random ops, after PyTorch:
 *  - samplers whose draws PyTorch does not reparameterise (normal, uniform and exponential with
 *    tensor parameters, bernoulli, poisson, binomial) and the in-place fills (uniform_, normal_,
 *    exponential_, bernoulli_, random_) give zero gradients to their tensor inputs, as
 *    derivatives.yaml does (`zeros_like`);
 *  - standardGamma (torch._standard_gamma) is reparameterised implicitly: grad_alpha =
 *    g * standardGammaGrad(sample, alpha) (torch._standard_gamma_grad);
 *  - beta and dirichlet follow torch.distributions' _Dirichlet backward (Jankowiak & Obermeyer 2018):
 *    with D_i = dx_i/dalpha_i of the Beta(alpha_i, total - alpha_i) marginal, CDF held fixed,
 *    divided by 1 - x_i, grad_alpha = D * (g - sum_j x_j g_j). For beta (the first component of a
 *    2-dim Dirichlet) that is g * dx/da and -g * d(1-x)/db exactly.
 * The kernels behind the implicit gradients (standardGammaGrad, betaGrad) are once-differentiable,
 * as in PyTorch: their own entries throw when a second-order gradient reaches them.
 */
import { betaGrad, full, isFloatingDType, standardGammaGrad, where, zerosLike, type Tensor } from '@cinder/tensor';
import type { Derivative, GradContext } from '../derivatives.js';
import { gradAt, reduceTo } from '../derivatives.js';

/** Zero gradients for every floating input that needs one (derivatives.yaml's zeros_like). */
const zeroGrads: Derivative = (c: GradContext) =>
  c.inputs.map((t, i) => (c.needs(i) && isFloatingDType(t.dtype) ? zerosLike(t) : null));

const notTwice = (op: string): Derivative => () => {
  throw new Error(`${op}: the derivative of this reparameterisation gradient is not supported (it is once-differentiable, as in PyTorch)`);
};

/** The a and b parameters of a two-parameter sampler: tensors from inputs, numbers from attrs. */
function params(c: GradContext, like: Tensor): { a: Tensor; b: Tensor; ia: number; ib: number } {
  let k = 0;
  const take = (key: 'a' | 'b'): [Tensor, number] => {
    const v = c.attrs[key];
    if (typeof v === 'number') return [full([], v, { dtype: like.dtype, device: like.device }), -1];
    const t = c.inputs[k]!;
    return [t.dtype === like.dtype ? t : t.to(like.dtype), k++];
  };
  const [a, ia] = take('a');
  const [b, ib] = take('b');
  return { a, b, ia, ib };
}

export const randomDerivatives: Record<string, Derivative> = {
  normal: zeroGrads,
  uniform: zeroGrads,
  exponential: zeroGrads,
  bernoulli: zeroGrads,
  poisson: zeroGrads,
  binomial: zeroGrads,
  uniform_: zeroGrads,
  normal_: zeroGrads,
  exponential_: zeroGrads,
  bernoulli_: zeroGrads,
  random_: zeroGrads,

  standardGamma: (c) => {
    const alpha = c.inputs[0]!;
    if (!c.needs(0)) return [null];
    const x = c.outputs[0]!;
    return [reduceTo(gradAt(c).mul(standardGammaGrad(x, alpha)), alpha)];
  },

  beta: (c) => {
    const x = c.outputs[0]!;
    const g = gradAt(c);
    const { a, b, ia, ib } = params(c, x);
    const out: (Tensor | null)[] = c.inputs.map(() => null);
    if (ia >= 0 && c.needs(ia)) out[ia] = reduceTo(g.mul(betaGrad(x, a, b)), c.inputs[ia]!);
    if (ib >= 0 && c.needs(ib)) out[ib] = reduceTo(g.mul(betaGrad(x.neg().add(1), b, a)).neg(), c.inputs[ib]!);
    return out;
  },

  dirichlet: (c) => {
    if (!c.needs(0)) return [null];
    const alpha = c.inputs[0]!;
    const x = c.outputs[0]!;
    const g = gradAt(c);
    const total = alpha.sum(-1, { keepdim: true });
    const rest = x.neg().add(1);
    // dx_i/dalpha_i / (1 - x_i); a component that rounded to 1 has no mass left to trade.
    const d = where(rest.gt(0), betaGrad(x, alpha, total.sub(alpha)).div(rest), 0);
    return [d.mul(g.sub(x.mul(g).sum(-1, { keepdim: true })))];
  },

  standardGammaGrad: notTwice('standardGammaGrad'),
  betaGrad: notTwice('betaGrad'),
};
