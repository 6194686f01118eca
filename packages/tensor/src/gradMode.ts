/**
 * Grad mode and inference mode: global switches that @cinder/autograd reads when it records ops.
 * They live here so that code written against the array library alone can say `noGrad(...)` and
 * run unchanged with or without autograd loaded (without it, nothing is recorded anyway).
 */

let gradEnabled = true;
let inference = false;

export function isGradEnabled(): boolean {
  return gradEnabled && !inference;
}
export function isInferenceMode(): boolean {
  return inference;
}

/** torch.set_grad_enabled. */
export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}

/** Runs fn with a flag set, restoring it after (after the promise settles for async fns). */
export function withFlag<R>(set: (v: boolean) => boolean, value: boolean, fn: () => R): R {
  if (typeof fn !== 'function') throw new TypeError('expected a function to run');
  const prev = set(value);
  try {
    const r = fn();
    if (r instanceof Promise) {
      // Restore only when the promise settles; an async fn keeps the mode across its awaits.
      return r.finally(() => set(prev)) as R;
    }
    set(prev);
    return r;
  } catch (e) {
    set(prev);
    throw e;
  }
}

const setGrad = (v: boolean): boolean => {
  const prev = gradEnabled;
  gradEnabled = v;
  return prev;
};

/**
 * Runs fn with gradient recording off (torch.no_grad).
 * @example
 * ```ts
 * const y = noGrad(() => w.mul(2)); // y.requiresGrad === false
 * ```
 */
export function noGrad<R>(fn: () => R): R {
  return withFlag(setGrad, false, fn);
}

/** Runs fn with gradient recording on, even inside noGrad (torch.enable_grad). */
export function enableGrad<R>(fn: () => R): R {
  return withFlag(setGrad, true, fn);
}

/**
 * Runs fn in inference mode (torch.inference_mode): nothing is recorded, and tensors created inside
 * are inference tensors that autograd refuses to save for backward later.
 */
export function inferenceMode<R>(fn: () => R): R {
  return withFlag(
    (v) => {
      const prev = inference;
      inference = v;
      return prev;
    },
    true,
    fn,
  );
}
