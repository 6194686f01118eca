/** Forward hooks of a Module and the handles that remove them. */
import type { Module } from './module.js';

/** Runs before forward with the arguments; may return a replacement argument list. */
export type ForwardPreHook<M extends Module = Module> = (module: M, args: unknown[]) => unknown[] | void;
/** Runs after forward with the arguments and the output; may return a replacement output. */
export type ForwardHook<M extends Module = Module> = (module: M, args: unknown[], output: any) => unknown;

export interface HookOptions {
  /** Run this hook before those already registered (default false: after them). */
  prepend?: boolean;
}

let nextId = 0;

/** What registerForwardHook and friends return: remove() unregisters the hook (harmless twice). */
export class RemovableHandle {
  readonly id: number = nextId++;
  constructor(private readonly onRemove: (id: number) => void) {}
  remove(): void {
    this.onRemove(this.id);
  }
  [Symbol.dispose](): void {
    this.remove();
  }
}

/** An ordered set of hooks keyed by handle id. */
export class HookList<F> {
  private entries: [number, F][] = [];
  get size(): number {
    return this.entries.length;
  }
  add(fn: F, prepend: boolean, onRemove: (id: number) => void): RemovableHandle {
    const h = new RemovableHandle(onRemove);
    if (prepend) this.entries.unshift([h.id, fn]);
    else this.entries.push([h.id, fn]);
    return h;
  }
  remove(id: number): boolean {
    const i = this.entries.findIndex((e) => e[0] === id);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }
  /** A snapshot, so that a hook removing itself does not disturb the current run. */
  list(): F[] {
    return this.entries.map((e) => e[1]);
  }
}
