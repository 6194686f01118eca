/** Grad mode and inference mode (kept in @cinder/tensor, re-exported here) and anomaly mode. */
import { withFlag } from '@cinder/tensor';

export { enableGrad, inferenceMode, isGradEnabled, isInferenceMode, noGrad, setGradEnabled } from '@cinder/tensor';

let anomaly = false;

export function isAnomalyEnabled(): boolean {
  return anomaly;
}

/**
 * Anomaly detection (torch.autograd.detect_anomaly): records where each op was created and, when a
 * backward function produces NaN or Inf, throws naming the forward op and its creation stack.
 * Called with a function, enables it for that call; called with a boolean, sets it.
 */
export function detectAnomaly<R>(fn: () => R): R;
export function detectAnomaly(enabled?: boolean): void;
export function detectAnomaly<R>(arg?: boolean | (() => R)): R | void {
  if (typeof arg === 'function') {
    return withFlag(
      (v) => {
        const prev = anomaly;
        anomaly = v;
        return prev;
      },
      true,
      arg,
    );
  }
  anomaly = arg ?? true;
}
