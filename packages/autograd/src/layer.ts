/**
 * The Autograd layer of @cinder/tensor's dispatcher. For an op whose tensor inputs require grad (and
 * with grad mode on), it runs the kernel below the layer, then records a node holding the op's
 * derivative formula (from derivatives.ts), the tensors it needs, and edges to its inputs' history.
 */
import { installDispatchLayer, isFloatingDType, Tensor, zerosLike, type DispatchLayer } from '@cinder/tensor';
import { derivatives, shapeOnlyInputs, type Derivative, type GradContext } from './derivatives.js';
import { backward as runBackward } from './engine.js';
import { isAnomalyEnabled, isGradEnabled, isInferenceMode } from './mode.js';
import { AccumulateGrad, ensureMeta, metaOf, mixedDevices, Node, SavedTensor, type AutogradMeta, type Edge } from './node.js';

/** Nesting depth of kernels running below the layer: ops they call are not recorded again. */
let depth = 0;

export function requiresGrad(t: Tensor): boolean {
  const m = metaOf(t);
  return m !== undefined && m.requiresGrad;
}

/** The edge through which a gradient reaches `t`'s history, or null. */
export function edgeOf(t: Tensor): Edge {
  const m = metaOf(t);
  if (m === undefined || !m.requiresGrad) return null;
  if (m.gradFn !== undefined && m.viewVersion !== undefined && m.viewVersion !== t._st.version) refreshView(t, m);
  if (m.gradFn !== undefined) return [m.gradFn, m.outputNr];
  m.accumulator ??= new AccumulateGrad(t);
  return [m.accumulator, 0];
}

/**
 * A view recorded before its storage was written in place reads the base's new history: its
 * gradient function becomes an asStrided view of the base (as PyTorch regenerates view grad_fns).
 */
function refreshView(t: Tensor, m: AutogradMeta): void {
  const base = t._base;
  m.viewVersion = t._st.version;
  if (base === undefined || !requiresGrad(base) || !base.isContiguous() || base.offset !== 0) return;
  const attrs = { size: t.shape, stride: t.strides, storageOffset: t.offset };
  m.gradFn = new OpNode('asStrided', derivatives.asStrided!, [base], [t], attrs, [edgeOf(base)]);
  m.outputNr = 0;
}

function backwardName(op: string): string {
  const base = op.endsWith('_') ? op.slice(0, -1) : op;
  return base.charAt(0).toUpperCase() + base.slice(1) + 'Backward0';
}

/** The tensors of an op's result, in order (a Tensor, an array, or an object of named outputs). */
export function flattenOutputs(result: unknown): Tensor[] {
  if (result instanceof Tensor) return [result];
  const out: Tensor[] = [];
  if (Array.isArray(result)) {
    for (const r of result) if (r instanceof Tensor) out.push(r);
  } else if (result !== null && typeof result === 'object') {
    for (const r of Object.values(result)) if (r instanceof Tensor) out.push(r);
  }
  return out;
}

/** A recorded op application: its backward is the op's derivative formula. */
/**
 * What a derivative formula sees. Saved tensors are unpacked (and their versions checked) only
 * when the formula reads them, so an op whose formula never reads its output may have that output
 * modified in place. A class with prototype getters, not an object literal with getters: V8
 * handles per-call literals with accessors badly (they survived young-generation collections and
 * doubled the cost of a small backward pass).
 */
class Context implements GradContext {
  private unpackedInputs: Tensor[] | undefined = undefined;
  private unpackedOutputs: Tensor[] | undefined = undefined;
  constructor(
    readonly grads: readonly (Tensor | null)[],
    private readonly saved: readonly (SavedTensor | null)[],
    private readonly savedOutputs: readonly (SavedTensor | null)[],
    private readonly check: boolean,
    readonly attrs: Readonly<Record<string, any>>,
    private readonly next: readonly Edge[],
  ) {}
  get inputs(): Tensor[] {
    return (this.unpackedInputs ??= this.saved.map((s) => s!.unpack(this.check)));
  }
  get outputs(): Tensor[] {
    return (this.unpackedOutputs ??= this.savedOutputs.map((s) => s!.unpack()));
  }
  needs(i: number): boolean {
    const e = this.next[i];
    return e !== null && e !== undefined;
  }
}

export class OpNode extends Node {
  private saved: (SavedTensor | null)[] | null;
  private savedOutputs: (SavedTensor | null)[] | null;

  constructor(
    readonly op: string,
    readonly derivative: Derivative,
    inputs: readonly Tensor[],
    outputs: readonly Tensor[],
    readonly attrs: Readonly<Record<string, unknown>>,
    next: Edge[],
  ) {
    super(next);
    this.inputShapes = inputs.map((t) => t.shape);
    this.inputDevices = mixedDevices(inputs);
    this.saved = inputs.map((t) => new SavedTensor(t, this));
    this.savedOutputs = outputs.map((t) => new SavedTensor(t, this));
  }

  /** PyTorch's naming: `MulBackward0` for mul. */
  get name(): string {
    return backwardName(this.op);
  }

  apply(gradOutputs: (Tensor | null)[]): (Tensor | null | undefined)[] {
    if (this.saved === null || this.savedOutputs === null) {
      throw new Error(
        `${this.name}: trying to backward through the graph a second time (or directly access saved tensors ` +
          'after they have already been freed). Saved intermediate values of the graph are freed when you call ' +
          '.backward() or grad(). Specify retainGraph: true if you need to backward through the graph a second time.',
      );
    }
    const check = !shapeOnlyInputs.has(this.op.endsWith('_') ? this.op.slice(0, -1) : this.op);
    return this.derivative(new Context(gradOutputs, this.saved, this.savedOutputs, check, this.attrs, this.next));
  }

  override release(): void {
    this.saved = null;
    this.savedOutputs = null;
  }
}

function checkInference(op: string, inputs: readonly Tensor[]): void {
  for (const t of inputs) {
    if (metaOf(t)?.inference) {
      throw new Error(
        `${op}: inference tensors cannot be saved for backward. To work around it, make a clone of the tensor ` +
          'created in inferenceMode() to get a normal tensor, and use it in autograd.',
      );
    }
  }
}

function noFormula(op: string): Error {
  return new Error(
    `${op}: this op has no derivative formula in @cinder/autograd's table, so gradients cannot flow through it ` +
      '(call it under noGrad() or on detached inputs)',
  );
}

/**
 * An in-place op on a view of a tensor that requires grad rewrites the base's history (PyTorch's
 * CopySlices): the base's new value is its old value with the view's region replaced by the op's
 * result, so its gradient is the incoming gradient with that region replaced by the gradient the op
 * sends to the view's old values; the view itself becomes an asStrided view of the new base.
 */
class CopySlicesNode extends Node {
  readonly name: string;
  private saved: SavedTensor[] | null;
  private savedOutput: SavedTensor | null;
  constructor(
    private readonly op: string,
    private readonly derivative: Derivative,
    inputs: readonly Tensor[],
    output: Tensor,
    private readonly attrs: Readonly<Record<string, unknown>>,
    private readonly geometry: { size: readonly number[]; stride: readonly number[]; storageOffset: number },
    next: Edge[],
  ) {
    super(next);
    this.name = 'CopySlices';
    this.inputDevices = mixedDevices(inputs);
    this.saved = inputs.map((t) => new SavedTensor(t, this));
    this.savedOutput = new SavedTensor(output, this);
  }

  apply(gradOutputs: (Tensor | null)[]): (Tensor | null | undefined)[] {
    const saved = this.saved;
    const savedOutput = this.savedOutput;
    if (saved === null || savedOutput === null) {
      throw new Error(`${this.name}: trying to backward through the graph a second time; use retainGraph: true`);
    }
    const g = gradOutputs[0]!;
    const { size, stride, storageOffset } = this.geometry;
    // The geometry is relative to the base's contiguous layout; g may be strided or offset.
    const gc = g.contiguous();
    const gView = gc.asStrided([...size], [...stride], gc.offset + storageOffset);
    const inner = this.derivative(new Context([gView], saved, [savedOutput], true, this.attrs, this.next));
    const gSelf = inner[0] ?? zerosLike(gView);
    const gBase = this.next[0] === null ? null : g.asStridedScatter(gSelf.to(g.dtype), [...size], [...stride], storageOffset);
    return [gBase, ...inner.slice(1)];
  }

  override release(): void {
    this.saved = null;
    this.savedOutput = null;
  }
}

function recordOnView<R>(
  op: string,
  derivative: Derivative,
  inputs: readonly Tensor[],
  attrs: Readonly<Record<string, unknown>>,
  kernel: () => R,
): R {
  const self = inputs[0]!;
  const base = self._base!;
  const bm = ensureMeta(base);
  if (bm.requiresGrad && bm.gradFn === undefined) {
    throw new Error(`${op}: a view of a leaf tensor that requires grad is being used in an in-place operation`);
  }
  if (!base.isContiguous() || base.offset !== 0) {
    throw new Error(`${op}: in-place modification of a view whose base is not contiguous is not supported by autograd; clone() the base first`);
  }
  checkInference(op, inputs);
  const geometry = { size: self.shape, stride: self.strides, storageOffset: self.offset };
  const edges: Edge[] = [edgeOf(base), ...inputs.slice(1).map(edgeOf)];
  let selfOld: Tensor;
  let result: R;
  depth++;
  try {
    selfOld = self.clone();
    result = kernel();
  } finally {
    depth--;
  }
  const node = new CopySlicesNode(op, derivative, [selfOld, ...inputs.slice(1)], self, attrs, geometry, edges);
  if (isAnomalyEnabled()) node.creationStack = new Error(`forward op ${op}`).stack;
  bm.gradFn = node;
  bm.outputNr = 0;
  bm.requiresGrad = true;
  // The view now reads the new base.
  const viewAttrs = { size: geometry.size, stride: geometry.stride, storageOffset: geometry.storageOffset };
  const viewNode = new OpNode('asStrided', derivatives.asStrided!, [base], [self], viewAttrs, [[node, 0]]);
  const vm = ensureMeta(self);
  vm.requiresGrad = true;
  vm.gradFn = viewNode;
  vm.outputNr = 0;
  vm.viewVersion = self._st.version;
  return result;
}

/** Records `op` applied to `inputs` with `result`. Returns the result. */
function record<R>(op: string, inputs: readonly Tensor[], attrs: Readonly<Record<string, unknown>>, kernel: () => R): R {
  const inplace = op.endsWith('_');
  const derivative = derivatives[op] ?? (inplace ? derivatives[op.slice(0, -1)] : undefined);
  let edges: Edge[];
  let savedInputs: readonly Tensor[] = inputs;
  if (inplace) {
    const self = inputs[0]!;
    const m = metaOf(self);
    if (m?.requiresGrad && m.gradFn === undefined) {
      throw new Error(`${op}: a leaf tensor that requires grad is being used in an in-place operation`);
    }
    if (self._base !== undefined) {
      if (derivative === undefined) throw noFormula(op);
      return recordOnView(op, derivative, inputs, attrs, kernel);
    }
    edges = inputs.map(edgeOf);
    // The formula needs self's value before the write: keep a copy (recorded below the layer).
    depth++;
    try {
      savedInputs = [self.clone(), ...inputs.slice(1)];
    } finally {
      depth--;
    }
  } else {
    edges = inputs.map(edgeOf);
  }
  checkInference(op, inputs);
  let result: R;
  depth++;
  try {
    result = kernel();
  } finally {
    depth--;
  }
  const outputs = flattenOutputs(result);
  const diffOutputs = outputs.filter((t) => isFloatingDType(t.dtype));
  if (diffOutputs.length === 0) return result;
  if (derivative === undefined) throw noFormula(op);
  const node = new OpNode(op, derivative, savedInputs, outputs, attrs, edges);
  if (isAnomalyEnabled()) node.creationStack = new Error(`forward op ${op}`).stack;
  outputs.forEach((t, i) => {
    if (!isFloatingDType(t.dtype)) return;
    const m = ensureMeta(t);
    m.requiresGrad = true;
    m.gradFn = node;
    m.outputNr = i;
    m.grad = undefined;
    if (t._base !== undefined) m.viewVersion = t._st.version;
  });
  return result;
}

const layer: DispatchLayer = {
  call<R>(op: string, inputs: readonly Tensor[], attrs: Readonly<Record<string, unknown>>, kernel: () => R): R {
    if (depth > 0) return kernel();
    if (!isGradEnabled()) {
      if (!isInferenceMode()) return kernel();
      depth++;
      let r: R;
      try {
        r = kernel();
      } finally {
        depth--;
      }
      for (const t of flattenOutputs(r)) if (!inputs.includes(t)) ensureMeta(t).inference = true;
      return r;
    }
    let any = false;
    for (let i = 0; i < inputs.length; i++) {
      const m = inputs[i]!._ag as { requiresGrad?: boolean } | undefined;
      if (m !== undefined && m.requiresGrad === true) {
        any = true;
        break;
      }
    }
    if (!any) {
      depth++;
      try {
        return kernel();
      } finally {
        depth--;
      }
    }
    return record(op, inputs, attrs, kernel);
  },

  setRequiresGrad(t: Tensor, value: boolean): void {
    const m = metaOf(t);
    if (m?.gradFn !== undefined) {
      if (!value) {
        throw new Error(
          'requiresGrad: you can only change requiresGrad flags of leaf variables. If you want to use a computed ' +
            'variable in a subgraph that does not require differentiation use detach()',
        );
      }
      return;
    }
    if (value && !isFloatingDType(t.dtype)) {
      throw new TypeError(`requiresGrad: only tensors of floating point dtype can require gradients (got ${t.dtype})`);
    }
    ensureMeta(t).requiresGrad = value;
  },

  backward(t: Tensor, gradient: Tensor | undefined, options: Readonly<Record<string, unknown>>): void {
    runBackward([t], gradient === undefined ? undefined : [gradient], options);
  },

  retainGrad(t: Tensor): void {
    const m = metaOf(t);
    if (m === undefined || !m.requiresGrad) throw new Error("retainGrad: can't retain grad on a tensor that doesn't require grad");
    if (m.gradFn === undefined || m.retainsGrad) return;
    m.retainsGrad = true;
    const ref = new WeakRef(t);
    m.gradFn.addOutputHook(m.outputNr, nextHookId++, (g) => {
      const target = ref.deref();
      if (target === undefined) return;
      const meta = ensureMeta(target);
      meta.grad = meta.grad === undefined ? g.detach() : meta.grad.add(g.detach());
    });
  },

  registerHook(t: Tensor, hook: (grad: Tensor) => Tensor | void): { remove(): void } {
    const m = metaOf(t);
    if (m === undefined || !m.requiresGrad) throw new Error("registerHook: cannot register a hook on a tensor that doesn't require gradient");
    if (typeof hook !== 'function') throw new TypeError('registerHook: expected a function');
    const id = nextHookId++;
    if (m.gradFn === undefined) {
      (m.hooks ??= new Map()).set(id, hook);
      return { remove: () => void m.hooks?.delete(id) };
    }
    const node = m.gradFn;
    const nr = m.outputNr;
    node.addOutputHook(nr, id, hook);
    return { remove: () => void node.outputHooks?.[nr]?.delete(id) };
  },
};

let nextHookId = 0;

installDispatchLayer(layer);

/** Runs fn below the layer: ops it calls are not recorded (used by custom Functions). */
export function belowLayer<R>(fn: () => R): R {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

export { Node };
