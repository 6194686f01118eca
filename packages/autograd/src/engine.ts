/**
 * The backward engine. It discovers the graph from the roots, counts for every node how many edges
 * lead into it, and runs a node only once all the gradients flowing into it have been summed; among
 * ready nodes the most recently created runs first. Iterative throughout, so a chain of any length
 * cannot overflow the stack. Saved tensors are freed as nodes run unless retainGraph is set.
 */
import { isFloatingDType, onesLike, type Tensor } from '@cinder/tensor';
import { isAnomalyEnabled, isGradEnabled, setGradEnabled } from './mode.js';
import { AccumulateGrad, ensureMeta, metaOf, Node, type Edge } from './node.js';
import { edgeOf } from './layer.js';

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Accumulate gradients only into these tensors. */
  inputs?: readonly Tensor[];
}

/** A max-heap of nodes by creation order. */
class ReadyQueue {
  private heap: Node[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(n: Node): void {
    const h = this.heap;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.sequence >= h[i]!.sequence) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): Node {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.sequence > h[m]!.sequence) m = l;
        if (r < h.length && h[r]!.sequence > h[m]!.sequence) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

function hasNonFinite(t: Tensor): boolean {
  if (!isFloatingDType(t.dtype)) return false;
  return !(t.isfinite() as Tensor).all().item();
}

function runHooks(hooks: Map<number, (g: Tensor) => Tensor | void> | undefined, g: Tensor): Tensor {
  if (hooks === undefined) return g;
  for (const hook of hooks.values()) {
    const r = hook(g);
    if (r !== undefined && r !== null) g = r;
  }
  return g;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A backward that returns a gradient of the wrong shape is a bug in its formula: say which. */
function validateShapes(node: Node, grads: readonly (Tensor | null | undefined)[]): void {
  const shapes = node.inputShapes;
  if (shapes === undefined) return;
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    const want = shapes[i];
    if (g === null || g === undefined || want === undefined || sameShape(g.shape, want)) continue;
    throw new Error(
      `Function ${node.name} returned an invalid gradient at index ${i} - got [${g.shape.join(', ')}] ` +
        `but expected shape compatible with [${want.join(', ')}]`,
    );
  }
}

interface Execution {
  createGraph: boolean;
  retainGraph: boolean;
  /** Edges whose gradient is captured (grad() and backward's inputs), keyed by node then output. */
  capture?: Map<Node, Map<number, Tensor | null>>;
  /** Whether AccumulateGrad sinks write `.grad` (backward) or only report (grad()). */
  accumulate: boolean;
  /** With `inputs`, only these leaves accumulate. */
  accumulateOnly?: Set<Tensor>;
}

/**
 * The gradient as `.grad` stores it. As in PyTorch, a contiguous leaf gets a contiguous gradient:
 * backward formulas may return transposed or broadcast (stride-0) views, which would make every
 * later use of `.grad` (the optimizer's fused update above all) take a strided path, and an
 * in-place update of a broadcast view would write one element many times.
 */
function gradLayout(leaf: Tensor, g: Tensor): Tensor {
  return !g.isContiguous() && leaf.isContiguous() ? g.contiguous() : g;
}

function accumulateInto(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  const m = ensureMeta(leaf);
  const old = m.grad;
  if (old === undefined) {
    m.grad = createGraph ? gradLayout(leaf, g) : gradLayout(leaf, g.detach());
  } else {
    m.grad = createGraph ? old.add(g) : old.detach().add(g.detach());
  }
}

function execute(roots: Edge[], rootGrads: Tensor[], ex: Execution): void {
  // 1. Discover the graph and count incoming edges (iteratively).
  const deps = new Map<Node, number>();
  const seen = new Set<Node>();
  const stack: Node[] = [];
  for (const e of roots) {
    if (e !== null && !seen.has(e[0])) {
      seen.add(e[0]);
      stack.push(e[0]);
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const e of n.next) {
      if (e === null) continue;
      const child = e[0];
      deps.set(child, (deps.get(child) ?? 0) + 1);
      if (!seen.has(child)) {
        seen.add(child);
        stack.push(child);
      }
    }
  }
  // 2. With captures, only nodes that lead to a captured edge need to run.
  let needed: Set<Node> | undefined;
  if (ex.capture !== undefined) {
    needed = new Set();
    // Reverse topological order: children before parents, from an iterative post-order.
    const order: Node[] = [];
    const visited = new Set<Node>();
    for (const root of seen) {
      if (visited.has(root)) continue;
      const st: [Node, number][] = [[root, 0]];
      visited.add(root);
      while (st.length > 0) {
        const top = st[st.length - 1]!;
        const [n, i] = top;
        if (i < n.next.length) {
          top[1]++;
          const e = n.next[i];
          if (e !== null && e !== undefined && !visited.has(e[0])) {
            visited.add(e[0]);
            st.push([e[0], 0]);
          }
        } else {
          st.pop();
          order.push(n);
        }
      }
    }
    for (const n of order) {
      if (ex.capture.has(n) || n.next.some((e) => e !== null && needed!.has(e[0]))) needed.add(n);
    }
  }
  // 3. Run.
  const buffers = new Map<Node, (Tensor | null)[]>();
  const addGrad = (node: Node, nr: number, g: Tensor): void => {
    let buf = buffers.get(node);
    if (buf === undefined) {
      buf = [];
      buffers.set(node, buf);
    }
    const cur = buf[nr];
    buf[nr] = cur === undefined || cur === null ? g : cur.add(g);
  };
  const ready = new ReadyQueue();
  const prevGrad = isGradEnabled();
  setGradEnabled(ex.createGraph);
  try {
    roots.forEach((e, i) => {
      if (e !== null) addGrad(e[0], e[1], rootGrads[i]!);
    });
    for (const n of seen) if (!deps.has(n)) ready.push(n);
    while (ready.size > 0) {
      const node = ready.pop();
      const grads = buffers.get(node) ?? [];
      buffers.delete(node);
      const nOut = Math.max(grads.length, node.outputHooks?.length ?? 0);
      for (let i = 0; i < nOut; i++) {
        const g = grads[i];
        if (g !== undefined && g !== null) grads[i] = runHooks(node.outputHooks?.[i], g);
      }
      const cap = ex.capture?.get(node);
      if (cap !== undefined) for (const nr of cap.keys()) cap.set(nr, grads[nr] ?? null);
      let inputGrads: (Tensor | null | undefined)[] = [];
      if (node instanceof AccumulateGrad) {
        const g = grads[0];
        const leaf = node.variable;
        if (g !== undefined && g !== null && ex.accumulate && (ex.accumulateOnly === undefined || ex.accumulateOnly.has(leaf))) {
          const hooked = runHooks(metaOf(leaf)?.hooks, g);
          accumulateInto(leaf, hooked, ex.createGraph);
        }
      } else if ((needed === undefined || needed.has(node)) && grads.some((g) => g !== undefined && g !== null)) {
        inputGrads = node.apply(grads.map((g) => g ?? null));
        if (inputGrads.length !== node.next.length) {
          throw new Error(`${node.name}: returned ${inputGrads.length} gradients, expected ${node.next.length}`);
        }
        validateShapes(node, inputGrads);
        const devices = node.inputDevices;
        if (devices !== undefined) {
          for (let i = 0; i < inputGrads.length; i++) {
            const g = inputGrads[i];
            if (g && devices[i] !== undefined && g.device !== devices[i]) inputGrads[i] = g.to(devices[i]!);
          }
        }
        if (isAnomalyEnabled()) {
          inputGrads.forEach((g, i) => {
            if (g && hasNonFinite(g)) {
              throw new Error(
                `Function '${node.name}' returned nan or inf values in its ${i}th output.` +
                  (node.creationStack ? `\nThe forward op was created at:\n${node.creationStack}` : ''),
              );
            }
          });
        }
        if (!ex.retainGraph) node.release();
      }
      node.next.forEach((e, i) => {
        if (e === null) return;
        const g = inputGrads[i];
        if (g !== undefined && g !== null) addGrad(e[0], e[1], g);
        const left = deps.get(e[0])! - 1;
        deps.set(e[0], left);
        if (left === 0) ready.push(e[0]);
      });
    }
  } finally {
    setGradEnabled(prevGrad);
  }
}

function rootGradients(outputs: readonly Tensor[], gradOutputs: readonly (Tensor | null | undefined)[] | undefined, what: string): Tensor[] {
  return outputs.map((t, i) => {
    const m = metaOf(t);
    if (m === undefined || !m.requiresGrad) {
      throw new Error(`${what}: element ${i} of tensors does not require grad and does not have a gradFn`);
    }
    const g = gradOutputs?.[i];
    if (g === undefined || g === null) {
      if (t.numel() !== 1) {
        throw new Error(`${what}: grad can be implicitly created only for scalar outputs (output ${i} has shape [${t.shape.join(', ')}])`);
      }
      return onesLike(t);
    }
    if (g.shape.length !== t.shape.length || g.shape.some((s, k) => s !== t.shape[k])) {
      throw new Error(`${what}: mismatch in shape: grad_output[${i}] has a shape of [${g.shape.join(', ')}] and output[${i}] has a shape of [${t.shape.join(', ')}]`);
    }
    return g;
  });
}

/** Tensor.backward / backward(tensors, grads): accumulates into the leaves' `.grad`. */
export function backward(
  tensors: readonly Tensor[],
  gradTensors?: readonly (Tensor | null | undefined)[],
  options: Readonly<BackwardOptions> = {},
): void {
  const rootGrads = rootGradients(tensors, gradTensors, 'backward');
  const createGraph = options.createGraph ?? false;
  const ex: Execution = { createGraph, retainGraph: options.retainGraph ?? createGraph, accumulate: true };
  const inputs = options.inputs;
  if (inputs !== undefined) {
    if (inputs.length === 0) throw new Error("backward: 'inputs' argument to backward() cannot be empty");
    ex.accumulateOnly = new Set(inputs.filter((t) => metaOf(t)?.gradFn === undefined));
    ex.capture = new Map();
    for (const t of inputs) {
      const e = edgeOf(t);
      if (e === null) throw new Error('backward: one of the differentiated Tensors does not require grad');
      let m = ex.capture.get(e[0]);
      if (m === undefined) ex.capture.set(e[0], (m = new Map()));
      m.set(e[1], null);
    }
    execute(tensors.map(edgeOf), rootGrads, ex);
    for (const t of inputs) {
      const meta = metaOf(t)!;
      if (meta.gradFn === undefined) continue;
      const g = ex.capture.get(meta.gradFn)?.get(meta.outputNr);
      if (g) accumulateInto(t, g, createGraph);
    }
    return;
  }
  execute(tensors.map(edgeOf), rootGrads, ex);
}

export interface GradOptions {
  gradOutputs?: readonly (Tensor | null | undefined)[];
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/**
 * torch.autograd.grad: the gradients of `outputs` w.r.t. `inputs`, returned rather than accumulated.
 * @example
 * ```ts
 * const x = tensor([3], { requiresGrad: true });
 * const [dx] = grad(x.pow(2).sum(), x, { createGraph: true }); // 2x = 6, itself differentiable
 * ```
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: Readonly<GradOptions> = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? inputs : [inputs as Tensor];
  const rootGrads = rootGradients(outs, options.gradOutputs, 'grad');
  const createGraph = options.createGraph ?? false;
  const capture = new Map<Node, Map<number, Tensor | null>>();
  const edges = ins.map((t, i) => {
    const e = edgeOf(t);
    if (e === null) throw new Error(`grad: one of the differentiated Tensors (input ${i}) does not require grad`);
    let m = capture.get(e[0]);
    if (m === undefined) capture.set(e[0], (m = new Map()));
    m.set(e[1], null);
    return e;
  });
  execute(outs.map(edgeOf), rootGrads, {
    createGraph,
    retainGraph: options.retainGraph ?? createGraph,
    capture,
    accumulate: false,
  });
  return edges.map((e, i) => {
    const g = capture.get(e![0])!.get(e![1]) ?? null;
    if (g === null && !options.allowUnused) {
      throw new Error(
        `grad: one of the differentiated Tensors (input ${i}) appears to not have been used in the graph. ` +
          'Set allowUnused: true if this is the desired behavior.',
      );
    }
    return g === null ? null : createGraph ? g : g.detach();
  });
}
