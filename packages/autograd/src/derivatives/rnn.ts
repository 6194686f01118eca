/**
 * Derivative of the fused recurrent layer (rnnLayer of @cinder/tensor: one direction of one
 * RNN/LSTM/GRU layer over a sequence). A first-order backward pass (grad mode off while formulas
 * run, the default) makes one native call that walks the steps in reverse from the gates the
 * forward saved, giving the gradients of the input projection, the initial states, W_hh and b_hh;
 * three GEMM-shaped ops then give those of the input, W_ih and b_ih, and the projection's
 * gradient is freed at once.
 * When a backward pass builds a graph (`createGraph: true`), the layer is recomputed step by step
 * with ordinary differentiable ops and differentiated through them, so higher-order gradients are
 * exact (and slow).
 */
import { addmm, matmul, rnnLayerBackward, stack, type RnnMode, type Tensor } from '@cinder/tensor';
import type { Derivative, GradContext } from '../derivatives.js';
import { grad } from '../engine.js';
import { isGradEnabled } from '../mode.js';

/** The recurrence written with ordinary ops: [output, hN, cN?] (the same formulas as the kernel). */
function composite(
  mode: RnnMode, input: Tensor, hx: Tensor, cx: Tensor | null, wIh: Tensor, w: Tensor, bIh: Tensor | null, b: Tensor | null, reverse: boolean,
): Tensor[] {
  const [T, N, inF] = input.shape as [number, number, number];
  const x2 = input.reshape([T * N, inF]);
  const proj = bIh ? addmm(bIh, x2, wIh.t()) : matmul(x2, wIh.t());
  const xProj = proj.reshape([T, N, wIh.shape[0]!]);
  const outs = new Array<Tensor>(T);
  let h = hx;
  let c = cx;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    let hp = h.matmul(w.t());
    if (b) hp = hp.add(b);
    const x = xProj.select(0, t);
    if (mode === 'rnnTanh') h = x.add(hp).tanh();
    else if (mode === 'rnnRelu') h = x.add(hp).relu();
    else if (mode === 'lstm') {
      const [i, f, g, o] = x.add(hp).chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
      c = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
      h = o.sigmoid().mul(c.tanh());
    } else {
      const [xr, xz, xn] = x.chunk(3, 1) as [Tensor, Tensor, Tensor];
      const [hr, hz, hn] = hp.chunk(3, 1) as [Tensor, Tensor, Tensor];
      const r = xr.add(hr).sigmoid();
      const z = xz.add(hz).sigmoid();
      const n = xn.add(r.mul(hn)).tanh();
      h = n.add(z.mul(h.sub(n)));
    }
    outs[t] = h;
  }
  return c === null ? [stack(outs, 0), h] : [stack(outs, 0), h, c];
}

/** The gradients through the composite recurrence, as a graph (for higher-order gradients). */
/** The inputs [input, hx, cx (LSTM), weightIh, weightHh, biasIh?, biasHh?] by role. */
function roles(c: GradContext, lstm: boolean, ins: readonly Tensor[] = c.inputs) {
  const k = lstm ? 3 : 2;
  const hasBias = c.attrs.hasBias as boolean;
  return {
    x: ins[0]!, hx: ins[1]!, cx: lstm ? ins[2]! : null, wIh: ins[k]!, wHh: ins[k + 1]!,
    bIh: hasBias ? ins[k + 2]! : null, bHh: hasBias ? ins[k + 3]! : null, k,
  };
}

/** The gradients through the composite recurrence, as a graph (for higher-order gradients). */
function compositeGrad(c: GradContext, mode: RnnMode, nOut: number): (Tensor | null)[] {
  // Aliases of the inputs that need a gradient: grad() then stops at them.
  const ins = c.inputs.map((t, i) => (c.needs(i) ? t.mul(1) : t));
  const r0 = roles(c, mode === 'lstm', ins);
  const outs = composite(mode, r0.x, r0.hx, r0.cx, r0.wIh, r0.wHh, r0.bIh, r0.bHh, c.attrs.reverse as boolean);
  const used = [...Array(nOut).keys()].filter((k) => c.grads[k] !== null && c.grads[k] !== undefined);
  const wanted = ins.map((_, i) => i).filter((i) => c.needs(i));
  const gs = grad(used.map((k) => outs[k]!), wanted.map((i) => ins[i]!), {
    gradOutputs: used.map((k) => c.grads[k]!), createGraph: true, allowUnused: true,
  });
  const r: (Tensor | null)[] = ins.map(() => null);
  wanted.forEach((i, k) => (r[i] = gs[k] ?? null));
  return r;
}

const rnnLayerGrad: Derivative = (c) => {
  const mode = c.attrs.mode as RnnMode;
  const lstm = mode === 'lstm';
  if (isGradEnabled()) return compositeGrad(c, mode, lstm ? 3 : 2);
  const { x, hx, cx, wIh, wHh, bIh, bHh, k } = roles(c, lstm);
  const out = c.outputs[0]!;
  const ws = c.outputs[lstm ? 3 : 2]!;
  const [gxp, gh0, gc0, gw, gb] = rnnLayerBackward(
    mode, c.grads[0] ?? null, c.grads[1] ?? null, lstm ? (c.grads[2] ?? null) : null, hx, wHh, out, ws,
    { cx, bias: bHh, reverse: c.attrs.reverse as boolean, outputMask: [c.needs(k + 1), bHh !== null && c.needs(k + 3)] },
  );
  const [T, N, inF] = x.shape as [number, number, number];
  const g2 = gxp!.reshape([T * N, gxp!.shape[2]!]);
  const gx = c.needs(0) ? g2.matmul(wIh).reshape([T, N, inF]) : null;
  const gwIh = c.needs(k) ? g2.t().matmul(x.reshape([T * N, inF])) : null;
  const gbIh = bIh !== null && c.needs(k + 2) ? g2.sum(0) : null;
  // Nothing else sees the projection's gradient: free it now rather than through the garbage
  // collector, so the next step reuses its memory.
  g2.dispose();
  gxp!.dispose();
  const r: (Tensor | null)[] = [gx, c.needs(1) ? gh0! : null];
  if (lstm) r.push(c.needs(2) ? gc0! : null);
  r.push(gwIh, gw ?? null);
  if (bIh !== null) r.push(gbIh, gb ?? null);
  return r;
};

export const rnnDerivatives: Readonly<Record<string, Derivative>> = {
  rnnLayer: rnnLayerGrad,
};
