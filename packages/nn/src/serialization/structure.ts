/**
 * A checkpoint (any tree of plain objects, arrays, numbers, strings, booleans, null and tensors) as
 * a set of named tensors plus a JSON description of the tree. Each tensor is named by its path in
 * the tree, keys joined by '/' (JSON Pointer's escaping: '~' as '~0', '/' as '~1'), so a flat state
 * dict keeps its own keys as tensor names and stays readable by any safetensors reader. In the
 * JSON, a tensor is `{"$tensor": name}`; numbers JSON cannot hold (NaN, +-Infinity, -0) are
 * `{"$number": "NaN"}`; bigints `{"$bigint": "123"}`; undefined `{"$undefined": 1}`; and a plain
 * object with a key starting with '$' is wrapped as `{"$object": {...}}`, so markers are never
 * ambiguous. An object with a stateDict() method (a Module, an optimizer, a scheduler) is saved as
 * its state dict.
 */
import { Tensor } from '@cinder/tensor';

export interface Encoded {
  structure: unknown;
  tensors: Record<string, Tensor>;
}

const escapeKey = (k: string): string => k.replaceAll('~', '~0').replaceAll('/', '~1');

function where(path: readonly string[]): string {
  return path.length === 0 ? 'the top level' : `'${path.join('.')}'`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object' || typeof v === 'function') return (v as object).constructor?.name ?? 'Object';
  return typeof v;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Splits a checkpoint into its JSON structure and its tensors (each tensor object stored once). */
export function encode(value: unknown, op: string): Encoded {
  const tensors: Record<string, Tensor> = {};
  const names = new Map<Tensor, string>();
  const stack = new Set<object>();

  const walk = (v: unknown, path: string[]): unknown => {
    if (v instanceof Tensor) {
      if (v.isDisposed) throw new Error(`${op}: the tensor at ${where(path)} was disposed`);
      let name = names.get(v);
      if (name === undefined) {
        name = path.length === 0 ? '$' : path.map(escapeKey).join('/');
        names.set(v, name);
        Object.defineProperty(tensors, name, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return { $tensor: name };
    }
    switch (typeof v) {
      case 'number':
        if (Number.isNaN(v)) return { $number: 'NaN' };
        if (v === Infinity) return { $number: 'Infinity' };
        if (v === -Infinity) return { $number: '-Infinity' };
        if (Object.is(v, -0)) return { $number: '-0' };
        return v;
      case 'string':
      case 'boolean':
        return v;
      case 'bigint':
        return { $bigint: v.toString() };
      case 'undefined':
        return { $undefined: 1 };
      case 'object':
        break;
      default:
        throw new TypeError(`${op}: cannot save a ${typeof v} (at ${where(path)})`);
    }
    if (v === null) return null;
    if (stack.has(v)) throw new TypeError(`${op}: the object at ${where(path)} contains itself`);
    stack.add(v);
    try {
      if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
      if (!isPlainObject(v)) {
        const sd = (v as { stateDict?: unknown }).stateDict;
        if (typeof sd === 'function') return walk(sd.call(v), path);
        throw new TypeError(
          `${op}: cannot save an object of type ${typeName(v)} (at ${where(path)}); supported: tensors, numbers, strings, booleans, ` +
            'null, bigints, arrays, plain objects, and objects with a stateDict() method',
        );
      }
      const out: Record<string, unknown> = {};
      let marked = false;
      for (const [k, x] of Object.entries(v)) {
        if (k.startsWith('$')) marked = true;
        Object.defineProperty(out, k, { value: walk(x, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return marked ? { $object: out } : out;
    } finally {
      stack.delete(v);
    }
  };

  const structure = walk(value, []);
  return { structure, tensors };
}

const NUMBERS: Readonly<Record<string, number>> = { NaN, Infinity, '-Infinity': -Infinity, '-0': -0 };

/**
 * Rebuilds a checkpoint from its structure and tensors. Every problem (a tensor the structure names
 * but the file lacks, a tensor no entry uses, a malformed marker) is collected and reported together.
 */
export function decode(structure: unknown, tensors: Record<string, Tensor>, op: string): unknown {
  const problems: string[] = [];
  const used = new Set<string>();

  const walk = (v: unknown, path: string[]): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0]!.startsWith('$')) {
      const [k] = keys as [string];
      const x = o[k];
      switch (k) {
        case '$tensor':
          if (typeof x === 'string' && Object.hasOwn(tensors, x)) {
            used.add(x);
            return tensors[x];
          }
          problems.push(`missing tensor ${JSON.stringify(x)} (for ${where(path)})`);
          return undefined;
        case '$number':
          if (typeof x === 'string' && Object.hasOwn(NUMBERS, x)) return NUMBERS[x];
          break;
        case '$bigint':
          if (typeof x === 'string' && /^-?\d+$/.test(x)) return BigInt(x);
          break;
        case '$undefined':
          return undefined;
        case '$object':
          if (x !== null && typeof x === 'object' && !Array.isArray(x)) return object(x as Record<string, unknown>, path);
          break;
      }
      problems.push(`malformed entry ${JSON.stringify(o)} (at ${where(path)})`);
      return undefined;
    }
    return object(o, path);
  };
  const object = (o: Record<string, unknown>, path: string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      Object.defineProperty(out, k, { value: walk(x, [...path, k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };

  const value = walk(structure, []);
  const unused = Object.keys(tensors).filter((n) => !used.has(n));
  if (unused.length > 0) problems.push(`tensor(s) that no entry uses: ${unused.map((n) => JSON.stringify(n)).join(', ')}`);
  if (problems.length > 0) throw new Error(`${op}: the checkpoint is inconsistent:\n\t${problems.join('\n\t')}`);
  return value;
}
