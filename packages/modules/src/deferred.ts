/** Deferred: a module built by a function on its first use (Sonnet's snt.Deferred). */
import { Module } from './module.js';

/**
 * Wraps a module that a function builds when it is first called (or `target` is first read), so a
 * module can be made inside another's scope, or from a configuration, only when needed.
 * @example
 * ```ts
 * import { randn } from '@cinder/tensor';
 * import { Deferred, Linear } from '@cinder/modules';
 * let built = 0;
 * const d = new Deferred(() => { built++; return new Linear(2); });
 * console.log(built, d.call(randn([1, 3])).shape, built, d.target.w.shape); // 0 [ 1, 2 ] 1 [ 3, 2 ]
 * ```
 */
export class Deferred<M extends Module> extends Module {
  declare module: M | undefined;
  #build: () => M;

  constructor(build: () => M, opts: { name?: string } = {}) {
    super({ name: opts.name });
    this.recordArgs(build, opts);
    if (typeof build !== 'function') throw new TypeError(`Deferred: expected a function building the module, got ${typeof build}`);
    this.#build = build;
  }

  /** The wrapped module, built on first access. */
  get target(): M {
    if (this.module === undefined) {
      const m = this.#build();
      if (!(m instanceof Module)) throw new TypeError(`Deferred '${this.scopeName}': the build function returned ${m === null ? 'null' : typeof m}, not a Module`);
      this.module = m;
    }
    return this.module;
  }

  forward(...args: Parameters<M['forward']>): ReturnType<M['forward']> {
    return (this.target.call as (...a: unknown[]) => ReturnType<M['forward']>)(...args);
  }
}
