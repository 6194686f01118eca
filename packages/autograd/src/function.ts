/**
 * Custom differentiable functions (torch.autograd.Function): a forward computed below the autograd
 * layer and a user-written backward.
 */
import { isFloatingDType, Tensor } from '@cinder/tensor';
import { belowLayer, edgeOf, requiresGrad } from './layer.js';
import { isGradEnabled } from './mode.js';
import { ensureMeta, mixedDevices, Node, SavedTensor } from './node.js';

/** What forward may keep for backward. */
export class FunctionCtx {
  private saved: SavedTensor[] | null = [];
  /** Anything else forward wants to pass to backward. */
  [key: string]: unknown;
  /** Which inputs need a gradient (tensor inputs that require grad). */
  needsInputGrad: boolean[] = [];

  constructor(private readonly fnName: string) {}

  /** Saves tensors for backward; modifying them in place afterwards is detected. */
  saveForBackward(...tensors: Tensor[]): void {
    this.saved = tensors.map((t) => new SavedTensor(t, { name: `${this.fnName}Backward` }));
  }
  get savedTensors(): Tensor[] {
    if (this.saved === null) {
      throw new Error(`${this.fnName}Backward: trying to backward through the graph a second time; use retainGraph: true`);
    }
    return this.saved.map((s) => s.unpack());
  }
  /** @internal */
  _release(): void {
    this.saved = null;
  }
}

export interface FunctionDefinition<Args extends unknown[]> {
  /** Shown in gradFn.name as `${name}Backward`. */
  name: string;
  forward(ctx: FunctionCtx, ...args: Args): Tensor | Tensor[];
  /** One gradient per forward argument (null for non-tensor or non-differentiable arguments). */
  backward(ctx: FunctionCtx, ...gradOutputs: (Tensor | null)[]): (Tensor | null | undefined)[] | Tensor | null;
}

class CustomNode extends Node {
  readonly name: string;
  constructor(
    private readonly def: FunctionDefinition<any>,
    private readonly ctx: FunctionCtx,
    next: ReturnType<typeof edgeOf>[],
    private readonly argTensorIndex: number[],
    private readonly nargs: number,
  ) {
    super(next);
    this.name = `${def.name}Backward`;
  }
  apply(gradOutputs: (Tensor | null)[]): (Tensor | null | undefined)[] {
    let r = this.def.backward(this.ctx, ...gradOutputs);
    if (!Array.isArray(r)) r = [r];
    if (r.length !== this.nargs) {
      throw new Error(`${this.name}: backward returned ${r.length} gradients, but forward took ${this.nargs} arguments`);
    }
    return this.argTensorIndex.map((argIdx) => (r as (Tensor | null | undefined)[])[argIdx]);
  }
  override release(): void {
    this.ctx._release();
  }
}

/**
 * Defines a differentiable function from a forward and a backward.
 * @example
 * ```ts
 * const cube = defineFunction({
 *   name: 'Cube',
 *   forward(ctx, x: Tensor) { ctx.saveForBackward(x); return x.pow(3); },
 *   backward(ctx, g) { const [x] = ctx.savedTensors; return [g!.mul(x!.square()).mul(3)]; },
 * });
 * cube(tensor([2], { requiresGrad: true })).backward(); // grad 12
 * ```
 */
export function defineFunction<Args extends unknown[]>(def: FunctionDefinition<Args>): (...args: Args) => Tensor | Tensor[] {
  return (...args: Args) => {
    const ctx = new FunctionCtx(def.name);
    const argTensorIndex: number[] = [];
    const tensorArgs: Tensor[] = [];
    args.forEach((a, i) => {
      if (a instanceof Tensor) {
        argTensorIndex.push(i);
        tensorArgs.push(a);
      }
    });
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && requiresGrad(a));
    const out = belowLayer(() => def.forward(ctx, ...args));
    if (!isGradEnabled() || !tensorArgs.some(requiresGrad)) return out;
    // An output that is one of the inputs becomes a fresh view, so the input keeps its own history.
    const outs = (Array.isArray(out) ? out : [out]).map((t) => (tensorArgs.includes(t) ? belowLayer(() => t.detach()) : t));
    const node = new CustomNode(def, ctx, tensorArgs.map(edgeOf), argTensorIndex, args.length);
    node.inputShapes = tensorArgs.map((t) => t.shape);
    node.inputDevices = mixedDevices(tensorArgs);
    outs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`${def.name}: forward must return tensors`);
      if (!isFloatingDType(t.dtype)) return;
      const m = ensureMeta(t);
      m.requiresGrad = true;
      m.gradFn = node;
      m.outputNr = i;
    });
    return Array.isArray(out) ? outs : outs[0]!;
  };
}
