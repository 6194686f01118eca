/**
 * Where the time of a tiny op goes: the pieces of `add(a, b)` on two 4-element float32 tensors
 * timed one by one (best-of-N, ns per call), so a change to one of them can be seen on its own.
 * The pieces overlap the whole only roughly (JIT inlining and GC shift cost between them).
 */
import { frame, kernels, native } from '@cinder/native';
import {
  add, broadcastShapes, dispatchLayer, installDispatchLayer, promoteTypes, randn, Tensor, type DispatchLayer,
} from '@cinder/tensor';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { bestOf } from './timing.js';

// gc() without a command-line flag: the flag applies to contexts created after it is set.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Collects garbage and lets FinalizationRegistry callbacks run, so one row's garbage (and its
 * pending finalizers) is not charged to the next row.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 2));
  }
}

export interface OverheadRow {
  id: string;
  what: string;
  ns: number;
}

const REPEATS = 9;
const INNER = 200_000;

const time = (fn: () => void, inner = INNER): number => bestOf(fn, REPEATS, inner) * 1e9;

// Operand layout of the elementwise binding: [handle, dtype, ndim, offset, ...shape, ...strides].
function putOperand(p: number, t: Tensor): number {
  frame[p] = 0; // a tensor, not a number
  frame[p + 1] = (t as unknown as { _st: { handle: number } })._st.handle;
  frame[p + 2] = 0; // float32
  frame[p + 3] = t.shape.length;
  frame[p + 4] = t.offset;
  let q = p + 5;
  for (const s of t.shape) frame[q++] = s;
  for (const s of t.strides) frame[q++] = s;
  return q;
}

/** Writes `add(a, b)` into the frame; `out` set: in place into out, else a fresh [4] output. */
function writeAdd(a: Tensor, b: Tensor, out: Tensor | undefined): void {
  const codes = (native as unknown as { binaryOps: Record<string, number> }).binaryOps;
  frame[0] = codes.add!;
  frame[1] = 1; // alpha
  frame[2] = 0; // compute dtype float32
  let p = putOperand(3, a);
  p = putOperand(p, b);
  if (out !== undefined) {
    putOperand(p, out); // the tensor lands after the slot, which then becomes the in-place flag
    frame[p] = 1;
    return;
  }
  frame[p] = 0;
  frame[p + 1] = 0; // float32
  frame[p + 2] = 1;
  frame[p + 3] = 4;
}

export async function runOverhead(): Promise<OverheadRow[]> {
  const a = randn([4]);
  const b = randn([4]);
  const c = randn([4]);
  const ewBinary = kernels.ewBinary!;
  const nop = kernels.nop;
  const addCode = (native as unknown as { binaryOps: Record<string, number> }).binaryOps.add!;
  const agLayer: DispatchLayer | null = dispatchLayer();
  // A handle that never names a storage: release() of it is a no-op, so these Storages and
  // Tensors can be dropped to the GC without touching real memory.
  const StorageCtor = (a as unknown as { _st: { constructor: new (h: number, n: number, d: string) => object } })._st
    .constructor;
  const T = Tensor as unknown as new (s: object, d: string, sh: number[], st: number[], o: number) => Tensor;
  const shape = [4];
  const strides = [1];
  const reg = new FinalizationRegistry<number>(() => {});
  let sink = 0;
  const trivial = (): number => 1;

  interface Row { id: string; what: string; fn: () => void; setup?: () => void; autograd?: boolean }
  const plan: Row[] = [
    ...(nop === undefined ? [] : [{ id: 'napi_empty', what: 'an N-API call that does nothing', fn: () => nop() }]),
    { id: 'napi_getNumThreads', what: 'an N-API call returning a number', fn: () => void native.getNumThreads() },
    {
      id: 'kernel_inplace', what: 'ewBinary on a pre-written frame, into an existing tensor (no allocation)',
      // In place, the binding publishes no handles, so the frame stays valid across calls.
      setup: () => writeAdd(a, b, c), fn: () => ewBinary(),
    },
    {
      id: 'kernel_alloc_release', what: 'ewBinary allocating its output, then native.release of it',
      setup: () => writeAdd(a, b, undefined),
      fn: () => {
        frame[0] = addCode; // the previous call left its output handle there
        ewBinary();
        native.release(frame[0]!);
      },
    },
    { id: 'storage_new', what: 'new Storage (incl. its FinalizationRegistry registration)', fn: () => void new StorageCtor(-1, 16, 'cpu') },
    {
      id: 'storage_tensor_new', what: 'new Storage + new Tensor (what takeOutput builds)',
      fn: () => void new T(new StorageCtor(-1, 16, 'cpu'), 'float32', shape, strides, 0),
    },
    { id: 'finreg_register', what: 'FinalizationRegistry.register of a fresh object, no token', fn: () => reg.register({}, 1) },
    { id: 'object_alloc', what: 'allocating a fresh small object (baseline for the line above)', fn: () => void { x: 1 } },
    {
      id: 'checks_general', what: 'promoteTypes + broadcastShapes (the general dtype/shape path)',
      fn: () => {
        const d = promoteTypes(a.dtype, b.dtype);
        const s = broadcastShapes('add', a.shape, b.shape);
        sink += s.length + d.length;
      },
    },
    { id: 'dispatch_check_none', what: 'dispatchLayer() with no layer installed', fn: () => void (dispatchLayer() === null && sink++) },
    { id: 'add_dispose', what: 'add(a, b).dispose(), no dispatch layer', fn: () => add(a, b).dispose() },
    { id: 'add_gc', what: 'add(a, b), dropped to the GC, no dispatch layer', fn: () => void add(a, b) },
  ];
  if (agLayer !== null) {
    plan.push(
      {
        id: 'dispatch_layer_call', what: 'autograd layer.call with a trivial kernel, no input requiring grad', autograd: true,
        fn: () => void (sink += agLayer.call('add', [a, b], {}, trivial)),
      },
      { id: 'add_dispose_autograd', what: 'add(a, b).dispose(), autograd loaded, no input requiring grad', autograd: true, fn: () => add(a, b).dispose() },
      { id: 'add_gc_autograd', what: 'add(a, b) dropped to the GC, autograd loaded', autograd: true, fn: () => void add(a, b) },
    );
  }
  const rows: OverheadRow[] = [];
  try {
    for (const r of plan) {
      installDispatchLayer(r.autograd === true ? agLayer : null);
      await settle();
      r.setup?.();
      rows.push({ id: r.id, what: r.what, ns: time(r.fn) });
    }
  } finally {
    installDispatchLayer(agLayer);
    a.dispose();
    b.dispose();
    c.dispose();
  }
  if (sink === -1) console.log(sink);
  return rows;
}

export function printOverhead(rows: readonly OverheadRow[]): void {
  console.log('\noverhead breakdown (tiny add of two [4] float32 tensors; ns per call, best of 9 x 200k)');
  const w = Math.max(...rows.map((r) => r.id.length));
  for (const r of rows) console.log(`${r.id.padEnd(w)}  ${r.ns.toFixed(1).padStart(7)}  ${r.what}`);
}
