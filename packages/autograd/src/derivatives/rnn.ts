/**
 * Derivative of the fused recurrent layer (rnnLayer of @cinder/tensor: one direction of one
 * RNN/LSTM/GRU layer over a sequence). Its backward is one native call that walks the steps in
 * reverse from the gates the forward saved, giving the gradients of the input projection, the
 * initial states, W_hh and b_hh. The gradient does not build a graph: higher-order gradients
 * through the fused kernel are not supported (an error says so when a backward pass asks for one).
 */
import { rnnLayerBackward, type RnnMode, type Tensor } from '@cinder/tensor';
import type { Derivative } from '../derivatives.js';
import { isGradEnabled } from '../mode.js';

// Inputs [xProj, hx, cx (LSTM), weightHh, bias?]; outputs [output, hN, cN (LSTM), workspace].
const rnnLayerGrad: Derivative = (c) => {
  const mode = c.attrs.mode as RnnMode;
  const lstm = mode === 'lstm';
  if (isGradEnabled()) {
    throw new Error(`rnnLayer: higher-order gradients through the fused ${mode} kernel are not supported (createGraph: true)`);
  }
  const hx = c.inputs[1]!;
  const cx = lstm ? c.inputs[2]! : null;
  const wIdx = lstm ? 3 : 2;
  const w = c.inputs[wIdx]!;
  const hasBias = c.attrs.hasBias as boolean;
  const bias = hasBias ? c.inputs[wIdx + 1]! : null;
  const out = c.outputs[0]!;
  const ws = c.outputs[lstm ? 3 : 2]!;
  const [gx, gh0, gc0, gw, gb] = rnnLayerBackward(
    mode, c.grads[0] ?? null, c.grads[1] ?? null, lstm ? (c.grads[2] ?? null) : null, hx, w, out!, ws,
    { cx, bias, reverse: c.attrs.reverse as boolean, outputMask: [c.needs(wIdx), hasBias && c.needs(wIdx + 1)] },
  );
  const r: (Tensor | null)[] = [c.needs(0) ? gx! : null, c.needs(1) ? gh0! : null];
  if (lstm) r.push(c.needs(2) ? gc0! : null);
  r.push(gw ?? null);
  if (hasBias) r.push(gb ?? null);
  return r;
};

export const rnnDerivatives: Readonly<Record<string, Derivative>> = {
  rnnLayer: rnnLayerGrad,
};
