/**
 * torch.save / torch.load for Cinder, on safetensors files: a module's state dict, an optimizer's,
 * or a whole checkpoint (`{ model, optimizer, epoch }`). The tensors are the file's tensors; the
 * rest of the tree (numbers, options, parameter groups) is JSON in the header's metadata, so the
 * file never holds executable content. Writes are atomic (temporary file, fsync, rename): a crash
 * mid-save leaves the previous file intact.
 *
 * @example
 * ```ts
 * import { save, load } from '@cinder/nn';
 * await save({ model: net, optimizer: opt, epoch: 3 }, 'ckpt.safetensors');
 * const ckpt = await load('ckpt.safetensors');
 * net.loadStateDict(ckpt.model);
 * opt.loadStateDict(ckpt.optimizer);
 * ```
 */
import { loadFile, loadFileSync, saveFile, saveFileSync, type SafetensorsContents, type Tensor } from '@cinder/tensor';
import { decode, encode } from './structure.js';

const STRUCTURE_KEY = 'cinder.structure';
const VERSION_KEY = 'cinder.version';
const VERSION = '1';

export interface SaveOptions {
  /** Extra string metadata for the file's header (keys starting with 'cinder.' are reserved). */
  metadata?: Record<string, string>;
}

function prepare(obj: unknown, path: unknown, opts: SaveOptions, op: string): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${op}: expected a file path, got ${String(path)}`);
  const user = opts.metadata ?? {};
  if (user === null || typeof user !== 'object') throw new TypeError(`${op}: metadata must be an object of strings`);
  for (const [k, v] of Object.entries(user)) {
    if (k.startsWith('cinder.')) throw new Error(`${op}: metadata key '${k}' is reserved`);
    if (typeof v !== 'string') throw new TypeError(`${op}: metadata value for '${k}' must be a string, got ${typeof v}`);
  }
  const { structure, tensors } = encode(obj, op);
  return { tensors, metadata: { ...user, [STRUCTURE_KEY]: JSON.stringify(structure), [VERSION_KEY]: VERSION } };
}

function fail(op: string, path: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`${op}: cannot read a checkpoint from '${path}': ${msg}`, { cause: e });
}

function finish(contents: SafetensorsContents, path: string, op: string): any {
  const { tensors, metadata } = contents;
  const text = metadata[STRUCTURE_KEY];
  if (text === undefined) return tensors; // a plain safetensors file: its tensors are the state dict
  try {
    const version = metadata[VERSION_KEY];
    if (version !== VERSION) throw new Error(`unsupported checkpoint version ${JSON.stringify(version)} (this release reads version ${VERSION})`);
    let structure: unknown;
    try {
      structure = JSON.parse(text);
    } catch (e) {
      throw new Error(`the structure in the header is not valid JSON (${(e as Error).message})`);
    }
    return decode(structure, tensors, op);
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw fail(op, path, e);
  }
}

/**
 * Saves a Module (its state dict), a state dict, or any checkpoint tree to a safetensors file,
 * atomically. Objects with a stateDict() method are saved as their state dicts.
 */
export async function save(obj: unknown, path: string, opts: SaveOptions = {}): Promise<void> {
  const { tensors, metadata } = prepare(obj, path, opts, 'save');
  await saveFile(path, tensors, { metadata });
}

/** save, blocking. */
export function saveSync(obj: unknown, path: string, opts: SaveOptions = {}): void {
  const { tensors, metadata } = prepare(obj, path, opts, 'saveSync');
  saveFileSync(path, tensors, { metadata });
}

/**
 * Loads what save() wrote (a safetensors file from elsewhere loads as its flat state dict). A
 * truncated or corrupt file is an error that says what is wrong with it.
 */
export async function load<T = any>(path: string): Promise<T> {
  if (typeof path !== 'string' || path === '') throw new TypeError(`load: expected a file path, got ${String(path)}`);
  let contents: SafetensorsContents;
  try {
    contents = await loadFile(path);
  } catch (e) {
    throw fail('load', path, e);
  }
  return finish(contents, path, 'load') as T;
}

/** load, blocking. */
export function loadSync<T = any>(path: string): T {
  if (typeof path !== 'string' || path === '') throw new TypeError(`loadSync: expected a file path, got ${String(path)}`);
  let contents: SafetensorsContents;
  try {
    contents = loadFileSync(path);
  } catch (e) {
    throw fail('loadSync', path, e);
  }
  return finish(contents, path, 'loadSync') as T;
}
