/**
 * DataLoader's worker threads. Each worker re-creates the dataset from its recipe (a module path
 * and constructor arguments, or a TensorDataset's tensors), then loads and collates the batches the
 * main thread asks for. The main thread keeps the sampler, so the order of batches never depends
 * on the number of workers, and it receives results in order through MessagePorts that it can also
 * read synchronously (receiveMessageOnPort), so `for...of` works with workers as well as `for await`.
 */
import {
  isMainThread, MessageChannel, parentPort, receiveMessageOnPort, Worker, workerData, type MessagePort, type WorkerOptions,
} from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { manualSeed } from '@cinder/tensor';
import { defaultCollate } from './collate.js';
import { ConcatDataset, isMapDataset, Subset, TensorDataset, type Dataset, type DatasetRecipe, type IterableDataset } from './dataset.js';
import { pack, unpack, unpackTensor } from './transport.js';
import { describe } from './util.js';

/** What a dataset can learn about the worker it runs in (torch.utils.data.get_worker_info). */
export interface WorkerInfo {
  /** This worker's number, 0 <= id < numWorkers. */
  readonly id: number;
  readonly numWorkers: number;
  /** The seed of this worker's default generator in the current epoch (base seed + id). */
  readonly seed: number;
  /** This worker's copy of the dataset. */
  readonly dataset: unknown;
}

let currentInfo: WorkerInfo | null = null;
/** Inside a DataLoader worker, that worker's id, count, seed and dataset; null elsewhere. */
export function getWorkerInfo(): WorkerInfo | null {
  return currentInfo;
}

// ---- where workers load the package from -------------------------------------------------------

let entry: string | null = null;
/** Records the URL of the package's entry module (index), which workers load. */
export function setPackageEntry(url: string): void {
  // The CJS bundle sits next to the ESM one; workers always load the ESM entry, so user dataset
  // modules that import '@cinder/data' get the same module instance as the worker loop.
  entry = url.endsWith('.cjs') ? `${url.slice(0, -4)}.js` : url;
}
/** The URL of the package entry (for recipes of the built-in datasets). */
export function packageEntry(): string {
  if (entry === null) throw new Error('@cinder/data: package entry is unknown (import the package through its index)');
  return entry;
}

// ---- messages ----------------------------------------------------------------------------------

/** How workers shape what they send back. */
export type WorkerMode =
  | 'collate' // map-style: the default-collated batch (dataset.getBatch when present)
  | 'samples' // map-style: the list of samples, for a collateFn run by the main thread
  | 'single' // map-style without batching: one sample
  | 'iterCollate' // iterable: batches of its own stream, default-collated
  | 'iterSamples' // iterable: batches as lists of samples
  | 'iterSingle'; // iterable: one sample at a time

interface WorkerData {
  cinderDataWorker: true;
  entry: string;
  recipe: DatasetRecipe;
  id: number;
  numWorkers: number;
  port: MessagePort;
  signal: Int32Array;
  mode: WorkerMode;
  batchSize: number;
  dropLast: boolean;
  preload: string[];
}

type ToWorker =
  | { type: 'epoch'; epoch: number; seed: number }
  | { type: 'fetch'; key: string; indices: number[] }
  | { type: 'next'; key: string; epoch: number };

interface ErrorInfo {
  name: string;
  message: string;
  stack: string | undefined;
}
type FromWorker =
  | { key: string; ok: true; value: unknown; end?: false }
  | { key: string; ok: true; end: true }
  | { key: string; ok: false; worker: number; error: ErrorInfo }
  | { fatal: true; worker: number; error: ErrorInfo };

function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e), stack: undefined };
}

function rebuildError(prefix: string, info: ErrorInfo): Error {
  const Ctor = info.name === 'TypeError' ? TypeError : info.name === 'RangeError' ? RangeError : Error;
  const err = new Ctor(`${prefix}${info.message}`);
  if (info.stack) err.stack = `${err.name}: ${err.message}\n    --- in the worker ---\n${info.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

// ---- the main thread's side --------------------------------------------------------------------

export interface PoolOptions {
  numWorkers: number;
  mode: WorkerMode;
  batchSize: number;
  dropLast: boolean;
  /** Milliseconds to wait for one result before giving up (0: no limit). */
  timeout: number;
  workerOptions?: WorkerThreadOptions;
}

/** Options for DataLoader's worker threads. */
export interface WorkerThreadOptions extends Pick<WorkerOptions, 'execArgv' | 'env' | 'resourceLimits' | 'stdout' | 'stderr'> {
  /**
   * Modules (file URLs or absolute paths) each worker imports before it loads the package and the
   * dataset: module loader hooks (`module.register`), polyfills, logging set-up. Node does not
   * apply `--import` from execArgv to worker threads; this is the way to do that.
   */
  preload?: readonly (string | URL)[];
}

/** A result slot: consumers wait on a key. */
type Result = { ok: true; value: unknown; end: boolean } | { ok: false; error: Error };

export class WorkerPool {
  readonly numWorkers: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly results = new Map<string, Result>();
  private waiter: { key: string; resolve: () => void } | null = null;
  private fatal: Error | null = null;
  private closed = false;
  private epoch = 0;
  private readonly timeout: number;

  constructor(recipe: DatasetRecipe, opts: PoolOptions) {
    this.numWorkers = opts.numWorkers;
    this.timeout = opts.timeout;
    const entryUrl = packageEntry();
    const preload = (opts.workerOptions?.preload ?? []).map((m) => moduleUrl(m));
    // An eval'd bootstrap imports the entry, so the entry may be any module the loader accepts.
    const bootstrap = [
      "const { workerData } = require('node:worker_threads');",
      '(async () => {',
      '  for (const m of workerData.preload) await import(m);',
      '  await import(workerData.entry);',
      '})().catch((e) => {',
      "  const error = { name: e && e.name || 'Error', message: String(e && e.message || e), stack: e && e.stack };",
      '  workerData.port.postMessage({ fatal: true, worker: workerData.id, error });',
      '  Atomics.add(workerData.signal, 0, 1); Atomics.notify(workerData.signal, 0);',
      '});',
    ].join('\n');
    for (let id = 0; id < opts.numWorkers; id++) {
      const { port1, port2 } = new MessageChannel();
      const data: WorkerData = {
        cinderDataWorker: true, entry: entryUrl, recipe, id, numWorkers: opts.numWorkers, port: port2,
        signal: this.signal, mode: opts.mode, batchSize: opts.batchSize, dropLast: opts.dropLast, preload,
      };
      const { preload: _, ...threadOpts } = opts.workerOptions ?? {};
      const w = new Worker(bootstrap, { ...threadOpts, eval: true, workerData: data, transferList: [port2] });
      w.on('error', (e) => this.setFatal(rebuildError(`DataLoader worker ${id} failed: `, errorInfo(e))));
      w.on('exit', (code) => {
        if (!this.closed) this.setFatal(new Error(`DataLoader worker ${id} exited unexpectedly (exit code ${code})`));
      });
      w.unref();
      port1.on('message', (m: FromWorker) => this.accept(m));
      port1.unref();
      this.workers.push(w);
      this.ports.push(port1);
    }
  }

  private setFatal(e: Error): void {
    if (this.fatal === null) this.fatal = e;
    this.wake();
  }
  private wake(): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w.resolve();
    }
  }

  private accept(m: FromWorker): void {
    if ('fatal' in m) {
      this.setFatal(rebuildError(`DataLoader worker ${m.worker}: `, m.error));
      return;
    }
    // Results of an abandoned epoch are dropped.
    if (Number(m.key.slice(0, m.key.indexOf(':'))) !== this.epoch) return;
    if (m.ok) this.results.set(m.key, { ok: true, value: m.end ? undefined : m.value, end: m.end === true });
    else this.results.set(m.key, { ok: false, error: rebuildError(`DataLoader worker ${m.worker}: `, m.error) });
    if (this.waiter !== null && this.waiter.key === m.key) this.wake();
  }

  private drain(): void {
    for (const p of this.ports) {
      for (let m = receiveMessageOnPort(p); m !== undefined; m = receiveMessageOnPort(p)) this.accept(m.message as FromWorker);
    }
  }

  private take(key: string): Result | undefined {
    const r = this.results.get(key);
    if (r !== undefined) this.results.delete(key);
    return r;
  }

  private timeoutError(): Error {
    return new Error(`DataLoader: timed out after ${this.timeout} ms waiting for a batch from the workers`);
  }

  /** Starts a new epoch: results of earlier ones are dropped; workers seed with seed + id. */
  startEpoch(seed: number): number {
    this.checkOpen();
    this.epoch++;
    this.results.clear();
    for (const w of this.workers) w.postMessage({ type: 'epoch', epoch: this.epoch, seed } satisfies ToWorker);
    return this.epoch;
  }

  fetch(worker: number, key: string, indices: number[]): void {
    this.checkOpen();
    this.workers[worker]!.postMessage({ type: 'fetch', key, indices } satisfies ToWorker);
  }
  next(worker: number, key: string): void {
    this.checkOpen();
    this.workers[worker]!.postMessage({ type: 'next', key, epoch: this.epoch } satisfies ToWorker);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('DataLoader: the worker pool was closed');
  }

  /** Blocks this thread until the result for `key` arrives. */
  waitSync(key: string): Result {
    const deadline = this.timeout > 0 ? Date.now() + this.timeout : Infinity;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      this.drain();
      const r = this.take(key);
      if (r !== undefined) return r;
      if (this.fatal !== null) throw this.fatal;
      this.checkOpen();
      const left = deadline - Date.now();
      if (left <= 0) throw this.timeoutError();
      // A short cap: 'error'/'exit' events of a dead worker arrive only through the event loop.
      Atomics.wait(this.signal, 0, seen, Math.min(left, 200));
    }
  }

  /** Resolves when the result for `key` arrives, keeping the event loop alive meanwhile. */
  async waitAsync(key: string): Promise<Result> {
    const deadline = this.timeout > 0 ? Date.now() + this.timeout : Infinity;
    for (;;) {
      this.drain();
      const r = this.take(key);
      if (r !== undefined) return r;
      if (this.fatal !== null) throw this.fatal;
      this.checkOpen();
      const left = deadline - Date.now();
      if (left <= 0) throw this.timeoutError();
      for (const p of this.ports) p.ref();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await new Promise<void>((resolve) => {
          this.waiter = { key, resolve };
          if (left !== Infinity) timer = setTimeout(resolve, left);
        });
      } finally {
        this.waiter = null;
        if (timer !== undefined) clearTimeout(timer);
        for (const p of this.ports) p.unref();
      }
    }
  }

  /** Terminates the workers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    for (const p of this.ports) p.close();
    for (const w of this.workers) void w.terminate();
  }
}

/** A result's value as tensors again (main thread). */
export function receive(r: Result): unknown {
  if (!r.ok) throw r.error;
  return unpack(r.value);
}

// ---- the worker's side ----------------------------------------------------------------------

function moduleUrl(m: string | URL): string {
  if (m instanceof URL) return m.href;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(m) && !/^[a-zA-Z]:[\\/]/.test(m)) return m;
  if (isAbsolute(m)) return pathToFileURL(m).href;
  throw new TypeError(`DataLoader worker: module ${JSON.stringify(m)} must be a file URL or an absolute path`);
}

/** Re-creates a dataset from its recipe (used by workers; also public for testing recipes). */
export async function buildDataset(recipe: DatasetRecipe): Promise<Dataset<unknown> | IterableDataset<unknown>> {
  if (recipe === null || typeof recipe !== 'object') throw new TypeError(`buildDataset: expected a recipe object, got ${describe(recipe)}`);
  switch (recipe.kind) {
    case 'tensors':
      return new TensorDataset(...recipe.tensors.map(unpackTensor));
    case 'subset':
      return new Subset((await buildDataset(recipe.dataset)) as Dataset<unknown>, recipe.indices);
    case 'concat':
      return new ConcatDataset((await Promise.all(recipe.datasets.map(buildDataset))) as Dataset<unknown>[]);
    case undefined:
    case 'module': {
      const url = moduleUrl(recipe.module);
      const name = recipe.exportName ?? 'default';
      const mod = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
      const exp = mod[name];
      if (typeof exp !== 'function') throw new TypeError(`buildDataset: module ${url} has no export ${JSON.stringify(name)} that is a class or function (found ${describe(exp)})`);
      const args = recipe.args ?? [];
      const proto = (exp as { prototype?: Record<PropertyKey, unknown> }).prototype;
      const isClass = proto !== undefined && (typeof proto.getItem === 'function' || typeof proto[Symbol.iterator] === 'function'
        || typeof proto[Symbol.asyncIterator] === 'function' || /^class\b/.test(Function.prototype.toString.call(exp)));
      const ds = isClass
        ? new (exp as new (...a: unknown[]) => unknown)(...args)
        : await (exp as (...a: unknown[]) => unknown)(...args);
      const iterable = ds !== null && typeof ds === 'object' && (Symbol.iterator in ds || Symbol.asyncIterator in ds);
      if (!isMapDataset(ds) && !iterable) throw new TypeError(`buildDataset: ${name} from ${url} gave ${describe(ds)}, not a dataset`);
      return ds as Dataset<unknown>;
    }
    default:
      throw new TypeError(`buildDataset: unknown recipe kind ${JSON.stringify((recipe as { kind: unknown }).kind)}`);
  }
}

const STARTED = Symbol.for('cinder.data.workerStarted');

/** Runs the worker loop when this thread is a DataLoader worker (called by the package entry). */
export function startWorkerIfNeeded(): void {
  if (isMainThread) return;
  const data = workerData as WorkerData | undefined;
  if (data === null || typeof data !== 'object' || data.cinderDataWorker !== true) return;
  const g = globalThis as Record<symbol, unknown>;
  if (g[STARTED]) return;
  g[STARTED] = true;
  // Deferred, so the whole entry module (and every class in it) is initialised first.
  setImmediate(() => runWorker(data));
}

function runWorker(d: WorkerData): void {
  const { port, signal, id } = d;
  let closing = false;
  const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => {
    port.postMessage(m, transfer);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  const sendFatal = (e: unknown): void => send({ fatal: true, worker: id, error: errorInfo(e) });
  process.on('uncaughtException', sendFatal);
  process.on('unhandledRejection', sendFatal);
  process.on('exit', (code) => {
    if (!closing) sendFatal(new Error(`worker exited (exit code ${code})`));
  });
  if (parentPort === null) throw new Error('DataLoader worker: no parent port');

  let dataset: Dataset<unknown> | IterableDataset<unknown> | null = null;
  let seed = 0;
  const ready = buildDataset(d.recipe).then(
    (ds) => {
      dataset = ds;
      currentInfo = { id, numWorkers: d.numWorkers, seed, dataset: ds };
    },
    (e: unknown) => {
      const err = new Error(`cannot re-create the dataset: ${e instanceof Error ? e.message : String(e)}`);
      if (e instanceof Error && e.stack) err.stack = `Error: ${err.message}\n${e.stack.split('\n').slice(1).join('\n')}`;
      sendFatal(err);
      throw err;
    },
  );
  ready.catch(() => undefined); // reported above; tasks that await `ready` report it again

  // Iterable mode: this worker's iterator over its copy of the stream, per epoch.
  let iterEpoch = -1;
  let iter: AsyncIterator<unknown> | Iterator<unknown> | null = null;
  let iterDone = false;

  const pull = async (): Promise<IteratorResult<unknown>> => {
    if (iter === null) {
      const ds = dataset as unknown as Partial<Iterable<unknown> & AsyncIterable<unknown>>;
      if (typeof ds[Symbol.asyncIterator] === 'function') iter = ds[Symbol.asyncIterator]!();
      else if (typeof ds[Symbol.iterator] === 'function') iter = ds[Symbol.iterator]!();
      else throw new TypeError(`the dataset ${describe(ds)} is not iterable`);
    }
    return await iter.next();
  };

  const fetchMap = (indices: number[]): unknown => {
    const ds = dataset as Dataset<unknown>;
    if (d.mode === 'single') return ds.getItem(indices[0]!);
    if (d.mode === 'collate') {
      return typeof ds.getBatch === 'function' ? ds.getBatch(indices) : defaultCollate(indices.map((i) => ds.getItem(i)));
    }
    return indices.map((i) => ds.getItem(i));
  };

  const nextIter = async (): Promise<{ end: boolean; value?: unknown }> => {
    if (iterDone) return { end: true };
    if (d.mode === 'iterSingle') {
      const r = await pull();
      if (r.done) {
        iterDone = true;
        return { end: true };
      }
      return { end: false, value: r.value };
    }
    const items: unknown[] = [];
    while (items.length < d.batchSize) {
      const r = await pull();
      if (r.done) {
        iterDone = true;
        break;
      }
      items.push(r.value);
    }
    if (items.length === 0 || (iterDone && d.dropLast && items.length < d.batchSize)) return { end: true };
    return { end: false, value: d.mode === 'iterCollate' ? defaultCollate(items) : items };
  };

  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === 'epoch') {
      await ready.catch(() => undefined);
      seed = m.seed + id;
      manualSeed(seed);
      currentInfo = { id, numWorkers: d.numWorkers, seed, dataset };
      if (iterEpoch !== m.epoch) {
        iterEpoch = m.epoch;
        iter = null;
        iterDone = false;
      }
      return;
    }
    try {
      await ready;
      const r = m.type === 'fetch' ? { end: false, value: fetchMap(m.indices) } : await nextIter();
      if (r.end) {
        send({ key: m.key, ok: true, end: true });
        return;
      }
      const transfer: ArrayBuffer[] = [];
      const value = pack(r.value, transfer);
      send({ key: m.key, ok: true, value }, transfer);
    } catch (e) {
      send({ key: m.key, ok: false, worker: id, error: errorInfo(e) });
    }
  };

  let queue: Promise<void> = Promise.resolve();
  parentPort.on('message', (m: ToWorker) => {
    queue = queue.then(() => handle(m));
  });
  parentPort.on('close', () => {
    closing = true;
  });
}
