/**
 * The recorded graph: a Node per differentiable op application (its backward function), edges to
 * the nodes that produced its inputs, the tensors its formula needs (with their versions), and the
 * AccumulateGrad sinks of leaf tensors.
 */
import type { Device, GradFn, Tensor } from '@cinder/tensor';

/** The devices of `inputs` when they are not all one device, else undefined. */
export function mixedDevices(inputs: readonly Tensor[]): Device[] | undefined {
  const n = inputs.length;
  if (n < 2) return undefined;
  const d0 = inputs[0]!._st.device;
  for (let i = 1; i < n; i++) if (inputs[i]!._st.device !== d0) return inputs.map((t) => t._st.device);
  return undefined;
}

/** An edge: the node that receives a gradient, and which of its outputs the gradient is for. */
export type Edge = readonly [Node, number] | null;

/** autograd's per-tensor state, stored in `tensor._ag`. */
export interface AutogradMeta {
  requiresGrad: boolean;
  grad?: Tensor;
  gradFn?: Node;
  outputNr: number;
  /** The sink of a leaf that requires grad (created on first use). */
  accumulator?: AccumulateGrad;
  /** retainGrad() was called on this non-leaf. */
  retainsGrad?: boolean;
  /** Hooks on a leaf's gradient (non-leaf hooks live on the producing node). */
  hooks?: Map<number, (g: Tensor) => Tensor | void>;
  /** Created in inference mode. */
  inference?: boolean;
  /** For a view: the storage version when its history was recorded (stale once the base is written). */
  viewVersion?: number;
}

export function metaOf(t: Tensor): AutogradMeta | undefined {
  return t._ag as AutogradMeta | undefined;
}

export function ensureMeta(t: Tensor): AutogradMeta {
  let m = t._ag as AutogradMeta | undefined;
  if (m === undefined) {
    m = { requiresGrad: false, outputNr: 0 };
    t._ag = m as unknown as Record<string, unknown>;
  }
  return m;
}

/** A tensor saved for backward, with the version it had when saved. */
export class SavedTensor {
  readonly version: number;
  constructor(
    readonly tensor: Tensor,
    private readonly owner: { readonly name: string },
  ) {
    this.version = tensor._st.version;
  }
  /** The tensor, checked to be unmodified since it was saved (unless only its shape is needed). */
  unpack(checkVersion = true): Tensor {
    const t = this.tensor;
    if (checkVersion && t._st.version !== this.version) {
      throw new Error(
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `[${t.dtype} [${t.shape.join(', ')}]] is at version ${t._st.version}; expected version ${this.version} ` +
          `instead (saved by ${this.owner.name}). Hint: clone() the tensor before modifying it in place.`,
      );
    }
    return t;
  }
}

let nextSequence = 0;

export abstract class Node implements GradFn {
  abstract readonly name: string;
  /** Creation order; later nodes run first among those ready, as in PyTorch. */
  readonly sequence = nextSequence++;
  /** Hooks on the gradient of each output (registerHook/retainGrad on non-leaf tensors). */
  outputHooks: Map<number, (g: Tensor) => Tensor | void>[] | undefined;
  /** Stack of the forward call, in anomaly mode. */
  creationStack: string | undefined;
  /** Shapes of the inputs, to validate the gradients backward returns. */
  inputShapes: readonly (readonly number[])[] | undefined;
  /**
   * The devices of the inputs, recorded only when they differ (a 0-d CPU tensor in an op on CUDA
   * tensors): each gradient is moved to its input's device, as PyTorch does.
   */
  inputDevices: readonly Device[] | undefined;
  constructor(readonly next: Edge[]) {}

  get nextFunctions(): readonly (readonly [GradFn | null, number])[] {
    return this.next.map((e) => (e === null ? ([null, 0] as const) : ([e[0], e[1]] as const)));
  }

  /** Gradients w.r.t. the inputs (one per edge), from the gradients of the outputs. */
  abstract apply(gradOutputs: (Tensor | null)[]): (Tensor | null | undefined)[];
  /** Frees what was saved for backward. */
  release(): void {}

  addOutputHook(outputNr: number, id: number, hook: (g: Tensor) => Tensor | void): void {
    this.outputHooks ??= [];
    (this.outputHooks[outputNr] ??= new Map()).set(id, hook);
  }
}

/** The sink of a leaf tensor: accumulates into `.grad`. */
export class AccumulateGrad extends Node {
  readonly name = 'AccumulateGrad';
  constructor(readonly variable: Tensor) {
    super([]);
  }
  apply(): (Tensor | null)[] {
    throw new Error('AccumulateGrad is applied by the engine');
  }
}
