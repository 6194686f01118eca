/** The printed form of constructor arguments, as the call that made the object would read. */
import { Tensor } from '@cinder/tensor';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function formatValue(v: unknown): string {
  if (typeof v === 'string') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  if (typeof v === 'function') return v.name === '' ? '<function>' : v.name;
  if (v instanceof Tensor) return `Tensor([${v.shape.join(', ')}], ${v.dtype})`;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (isPlainObject(v)) {
    const parts = Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${formatValue(x)}`);
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  }
  return String(v);
}

/** Arguments separated by commas; an empty trailing options object is left out. */
export function formatArgs(args: readonly unknown[]): string {
  const shown = [...args];
  const last = shown[shown.length - 1];
  if (isPlainObject(last) && Object.values(last).every((x) => x === undefined)) shown.pop();
  return shown.map(formatValue).join(', ');
}
