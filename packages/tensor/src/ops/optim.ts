/**
 * Fused optimizer updates: each call updates one parameter and its state buffers in place with a
 * single native pass, following PyTorch's update rule for that optimizer (and its order of
 * floating-point operations). They are the kernels behind @cinder/nn's optimizers; like PyTorch's
 * fused updates they are not differentiable, so call them under `noGrad()` (or on tensors that do
 * not require grad). Every tensor has the parameter's shape and dtype (float32 or float64); the
 * parameter and the state buffers are written (their version counters move), the gradient is read.
 */
import { dispatch } from '../dispatch.js';
import { frame, putTensor, runOn } from '../frame.js';
import { Tensor } from '../tensor.js';

export interface AdamStepOptions {
  /** The step count after this update: 1 on the first update. */
  step: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay?: number;
  /** AdamW's decoupled weight decay (param *= 1 - lr * weightDecay) instead of an L2 term in the gradient. */
  decoupled?: boolean;
  amsgrad?: boolean;
  maximize?: boolean;
}

export interface SgdStepOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** The first step with momentum: the buffer is set to the gradient (with weight decay) instead of decayed. */
  initBuffer?: boolean;
}

export interface RmspropStepOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export interface AdagradStepOptions {
  /** The step count after this update: 1 on the first update. */
  step: number;
  lr: number;
  lrDecay?: number;
  eps: number;
  weightDecay?: number;
  maximize?: boolean;
}

function checkTensors(op: string, names: readonly string[], ts: readonly (Tensor | null)[]): void {
  let device: string | undefined;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t === null) continue;
    if (!(t instanceof Tensor)) {
      throw new TypeError(`${op}: expected ${names[i]} to be a Tensor, got ${t === undefined ? 'undefined' : typeof t}`);
    }
    if (device === undefined) device = t.device;
    else if (t.device !== device) throw new Error(`${op}: ${names[i]} is on ${t.device} but param is on ${device}`);
  }
}

function num(op: string, name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${op}: ${name} must be a number, got ${String(v)}`);
  return v;
}

function required(op: string, name: string, v: number | undefined): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${op}: ${name} must be a number, got ${String(v)}`);
  return v;
}

function missing(op: string, name: string, why: string): Error {
  return new Error(`${op}: ${why} needs the ${name} tensor, got null`);
}

/**
 * One Adam / AdamW update (PyTorch's rule): with g the gradient (negated when maximizing, plus
 * weightDecay * param unless decoupled), m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
 * param -= lr / (1 - beta1^step) * m / (sqrt(v') / sqrt(1 - beta2^step) + eps), where v' is v or,
 * with amsgrad, the running maximum kept in maxExpAvgSq. Returns param.
 */
export function adamStep_(
  param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, opts: AdamStepOptions,
): Tensor {
  const op = 'adamStep_';
  checkTensors(op, ['param', 'grad', 'expAvg', 'expAvgSq', 'maxExpAvgSq'], [param, grad, expAvg, expAvgSq, maxExpAvgSq]);
  const amsgrad = opts.amsgrad === true;
  if (amsgrad && maxExpAvgSq === null) throw missing(op, 'maxExpAvgSq', 'amsgrad');
  const step = required(op, 'step', opts.step);
  const lr = required(op, 'lr', opts.lr);
  const beta1 = required(op, 'beta1', opts.beta1);
  const beta2 = required(op, 'beta2', opts.beta2);
  const eps = required(op, 'eps', opts.eps);
  const weightDecay = num(op, 'weightDecay', opts.weightDecay, 0);
  const inputs = amsgrad ? [param, grad, expAvg, expAvgSq, maxExpAvgSq!] : [param, grad, expAvg, expAvgSq];
  return dispatch(op, inputs, opts as unknown as Record<string, unknown>, () => {
    frame[0] = amsgrad ? 1 : 0;
    frame[1] = opts.decoupled === true ? 1 : 0;
    frame[2] = opts.maximize === true ? 1 : 0;
    frame[3] = step;
    frame[4] = lr;
    frame[5] = beta1;
    frame[6] = beta2;
    frame[7] = eps;
    frame[8] = weightDecay;
    let p = putTensor(9, param);
    p = putTensor(p, grad);
    p = putTensor(p, expAvg);
    p = putTensor(p, expAvgSq);
    if (amsgrad) putTensor(p, maxExpAvgSq!);
    runOn('adamStep', param.device, op);
    param._st.version++;
    expAvg._st.version++;
    expAvgSq._st.version++;
    if (amsgrad) maxExpAvgSq!._st.version++;
    return param;
  });
}

/**
 * One SGD update (PyTorch's rule): d = g (negated when maximizing) + weightDecay * param; with
 * momentum, buf = momentum * buf + (1 - dampening) * d (buf = d on the first step, `initBuffer`),
 * then d = d + momentum * buf (nesterov) or d = buf; param -= lr * d. Returns param.
 */
export function sgdStep_(param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, opts: SgdStepOptions): Tensor {
  const op = 'sgdStep_';
  checkTensors(op, ['param', 'grad', 'momentumBuffer'], [param, grad, momentumBuffer]);
  const lr = required(op, 'lr', opts.lr);
  const momentum = num(op, 'momentum', opts.momentum, 0);
  const dampening = num(op, 'dampening', opts.dampening, 0);
  const weightDecay = num(op, 'weightDecay', opts.weightDecay, 0);
  const mom = momentum !== 0;
  if (mom && momentumBuffer === null) throw missing(op, 'momentumBuffer', 'momentum');
  const inputs = mom ? [param, grad, momentumBuffer!] : [param, grad];
  return dispatch(op, inputs, opts as unknown as Record<string, unknown>, () => {
    frame[0] = lr;
    frame[1] = momentum;
    frame[2] = dampening;
    frame[3] = weightDecay;
    frame[4] = opts.nesterov === true ? 1 : 0;
    frame[5] = opts.maximize === true ? 1 : 0;
    frame[6] = opts.initBuffer === true ? 1 : 0;
    const p = putTensor(putTensor(7, param), grad);
    if (mom) putTensor(p, momentumBuffer!);
    runOn('sgdStep', param.device, op);
    param._st.version++;
    if (mom) momentumBuffer!._st.version++;
    return param;
  });
}

/**
 * One RMSprop update (PyTorch's rule): g (negated when maximizing, plus weightDecay * param),
 * squareAvg = alpha squareAvg + (1 - alpha) g^2; avg = sqrt(squareAvg - gradAvg^2) + eps when
 * centered (gradAvg = alpha gradAvg + (1 - alpha) g), else sqrt(squareAvg) + eps; with momentum
 * buf = momentum buf + g / avg and param -= lr buf, else param -= lr g / avg. Returns param.
 */
export function rmspropStep_(
  param: Tensor, grad: Tensor, squareAvg: Tensor, gradAvg: Tensor | null, momentumBuffer: Tensor | null,
  opts: RmspropStepOptions,
): Tensor {
  const op = 'rmspropStep_';
  checkTensors(op, ['param', 'grad', 'squareAvg', 'gradAvg', 'momentumBuffer'], [param, grad, squareAvg, gradAvg, momentumBuffer]);
  const lr = required(op, 'lr', opts.lr);
  const alpha = required(op, 'alpha', opts.alpha);
  const eps = required(op, 'eps', opts.eps);
  const weightDecay = num(op, 'weightDecay', opts.weightDecay, 0);
  const momentum = num(op, 'momentum', opts.momentum, 0);
  const centered = opts.centered === true;
  const mom = momentum > 0;
  if (centered && gradAvg === null) throw missing(op, 'gradAvg', 'centered');
  if (mom && momentumBuffer === null) throw missing(op, 'momentumBuffer', 'momentum');
  const inputs = [param, grad, squareAvg];
  if (centered) inputs.push(gradAvg!);
  if (mom) inputs.push(momentumBuffer!);
  return dispatch(op, inputs, opts as unknown as Record<string, unknown>, () => {
    frame[0] = lr;
    frame[1] = alpha;
    frame[2] = eps;
    frame[3] = weightDecay;
    frame[4] = momentum;
    frame[5] = centered ? 1 : 0;
    frame[6] = opts.maximize === true ? 1 : 0;
    let p = putTensor(putTensor(putTensor(7, param), grad), squareAvg);
    if (centered) p = putTensor(p, gradAvg!);
    if (mom) putTensor(p, momentumBuffer!);
    runOn('rmspropStep', param.device, op);
    param._st.version++;
    squareAvg._st.version++;
    if (centered) gradAvg!._st.version++;
    if (mom) momentumBuffer!._st.version++;
    return param;
  });
}

/**
 * One Adagrad update (PyTorch's rule): g (negated when maximizing, plus weightDecay * param),
 * stateSum += g^2, param -= lr / (1 + (step - 1) lrDecay) * g / (sqrt(stateSum) + eps). Returns param.
 */
export function adagradStep_(param: Tensor, grad: Tensor, stateSum: Tensor, opts: AdagradStepOptions): Tensor {
  const op = 'adagradStep_';
  checkTensors(op, ['param', 'grad', 'stateSum'], [param, grad, stateSum]);
  const step = required(op, 'step', opts.step);
  const lr = required(op, 'lr', opts.lr);
  const lrDecay = num(op, 'lrDecay', opts.lrDecay, 0);
  const eps = required(op, 'eps', opts.eps);
  const weightDecay = num(op, 'weightDecay', opts.weightDecay, 0);
  return dispatch(op, [param, grad, stateSum], opts as unknown as Record<string, unknown>, () => {
    frame[0] = step;
    frame[1] = lr;
    frame[2] = lrDecay;
    frame[3] = eps;
    frame[4] = weightDecay;
    frame[5] = opts.maximize === true ? 1 : 0;
    putTensor(putTensor(putTensor(6, param), grad), stateSum);
    runOn('adagradStep', param.device, op);
    param._st.version++;
    stateSum._st.version++;
    return param;
  });
}
