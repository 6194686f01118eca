/** Module.summary(): a Keras-style table of submodules, output shapes and parameter counts. */
import { Tensor } from '@cinder/tensor';
import { noGrad } from '@cinder/autograd';
import type { Module } from './module.js';

export interface SummaryOptions {
  /**
   * An example input (one tensor, or forward's argument list as an array): one forward pass under
   * noGrad records each submodule's output shape.
   */
  input?: Tensor | unknown[];
  /** How many levels of submodules to list (default: all). */
  depth?: number;
}

function shapeOf(v: unknown, depth = 0): string {
  if (v instanceof Tensor) return `[${v.shape.join(', ')}]`;
  if (depth < 4 && Array.isArray(v)) return `[${v.map((x) => shapeOf(x, depth + 1)).join(', ')}]`;
  if (depth < 4 && v !== null && typeof v === 'object') {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${shapeOf(x, depth + 1)}`).join(', ')} }`;
  }
  return '?';
}

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(2)} ${units[i]}`;
}

const count = (n: number): string => n.toLocaleString('en-US');

export function summarize(module: Module, opts: SummaryOptions): string {
  const depth = opts.depth ?? Infinity;
  if (!(depth >= 1)) throw new RangeError(`summary: depth must be at least 1, got ${String(opts.depth)}`);
  const shapes = new Map<Module, string>();
  const traced = opts.input !== undefined;
  if (traced) {
    const args = Array.isArray(opts.input) ? opts.input : [opts.input];
    const handles = module.modules().map((m) =>
      m.registerForwardHook((mod, _args, out) => {
        shapes.set(mod, shapeOf(out));
      }),
    );
    try {
      noGrad(() => (module.call as (...a: unknown[]) => unknown)(...args));
    } finally {
      for (const h of handles) h.remove();
    }
  }

  let named = module.namedModules().slice(1);
  if (named.length === 0) named = [['', module]];
  const rows: string[][] = [];
  for (const [name, m] of named) {
    const level = name === '' ? 0 : name.split('.').length - 1;
    if (level >= depth) continue;
    const label = `${'  '.repeat(level)}${name === '' ? m._getName() : `${name.slice(name.lastIndexOf('.') + 1)} (${m._getName()})`}`;
    const n = m.parameters().reduce((s, p) => s + p.numel(), 0);
    rows.push(traced ? [label, shapes.get(m) ?? '-', count(n)] : [label, count(n)]);
  }
  const header = traced ? ['Layer (type)', 'Output Shape', 'Param #'] : ['Layer (type)', 'Param #'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    ` ${cells.map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('   ')}`.trimEnd();
  const width = widths.reduce((s, w) => s + w, 0) + 3 * (widths.length - 1) + 2;

  let total = 0;
  let trainable = 0;
  let totalBytes = 0;
  let trainableBytes = 0;
  for (const p of module.parameters()) {
    const n = p.numel();
    const b = n * p.elementSize();
    total += n;
    totalBytes += b;
    if (p.requiresGrad) {
      trainable += n;
      trainableBytes += b;
    }
  }
  return [
    `Model: "${module._getName()}"`,
    '_'.repeat(width),
    line(header),
    '='.repeat(width),
    ...rows.map(line),
    '='.repeat(width),
    `Total params: ${count(total)} (${bytes(totalBytes)})`,
    `Trainable params: ${count(trainable)} (${bytes(trainableBytes)})`,
    `Non-trainable params: ${count(total - trainable)} (${bytes(totalBytes - trainableBytes)})`,
    '_'.repeat(width),
  ].join('\n');
}
