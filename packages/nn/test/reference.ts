/**
 * Float64 JS references of the optimizers' update rules (as PyTorch documents them), over plain
 * number arrays: one instance per parameter, fed the gradient of each step.
 */
export type RefOptions = Record<string, unknown>;

export interface RefParam {
  step(p: number[], g: number[]): void;
}

const num = (o: RefOptions, k: string, d: number): number => (o[k] as number | undefined) ?? d;
const flag = (o: RefOptions, k: string): boolean => o[k] === true;

/** The per-parameter reference updater of optimizer `name` with group options `o`. */
export function referenceOptimizer(name: string, o: RefOptions, n: number): RefParam {
  const zeros = (): number[] => new Array<number>(n).fill(0);
  const sign = flag(o, 'maximize') ? -1 : 1;
  switch (name) {
    case 'SGD': {
      const lr = num(o, 'lr', NaN), mom = num(o, 'momentum', 0), damp = num(o, 'dampening', 0), wd = num(o, 'weightDecay', 0);
      let buf: number[] | undefined; // created on the first step with momentum, as the gradient itself
      return {
        step(p, g) {
          const first = buf === undefined;
          if (mom !== 0) buf ??= zeros();
          for (let i = 0; i < n; i++) {
            let d = sign * g[i]! + wd * p[i]!;
            if (mom !== 0) {
              buf![i] = first ? d : mom * buf![i]! + (1 - damp) * d;
              d = flag(o, 'nesterov') ? d + mom * buf![i]! : buf![i]!;
            }
            p[i] = p[i]! - lr * d;
          }
        },
      };
    }
    case 'Adam':
    case 'AdamW': {
      const lr = num(o, 'lr', 1e-3), eps = num(o, 'eps', 1e-8), wd = num(o, 'weightDecay', name === 'AdamW' ? 1e-2 : 0);
      const [b1, b2] = (o.betas as [number, number] | undefined) ?? [0.9, 0.999];
      const m = zeros(), v = zeros(), vmax = zeros();
      let t = 0;
      return {
        step(p, g) {
          t++;
          const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
          for (let i = 0; i < n; i++) {
            let gi = sign * g[i]!;
            if (name === 'AdamW') p[i] = p[i]! * (1 - lr * wd);
            else gi += wd * p[i]!;
            m[i] = b1 * m[i]! + (1 - b1) * gi;
            v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
            vmax[i] = Math.max(vmax[i]!, v[i]!);
            const vh = flag(o, 'amsgrad') ? vmax[i]! : v[i]!;
            p[i] = p[i]! - (lr / bc1) * (m[i]! / (Math.sqrt(vh) / Math.sqrt(bc2) + eps));
          }
        },
      };
    }
    case 'RMSprop': {
      const lr = num(o, 'lr', 1e-2), alpha = num(o, 'alpha', 0.99), eps = num(o, 'eps', 1e-8), wd = num(o, 'weightDecay', 0);
      const mom = num(o, 'momentum', 0);
      const sq = zeros(), ga = zeros(), buf = zeros();
      return {
        step(p, g) {
          for (let i = 0; i < n; i++) {
            const gi = sign * g[i]! + wd * p[i]!;
            sq[i] = alpha * sq[i]! + (1 - alpha) * gi * gi;
            let avg: number;
            if (flag(o, 'centered')) {
              ga[i] = alpha * ga[i]! + (1 - alpha) * gi;
              avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + eps;
            } else {
              avg = Math.sqrt(sq[i]!) + eps;
            }
            if (mom > 0) {
              buf[i] = mom * buf[i]! + gi / avg;
              p[i] = p[i]! - lr * buf[i]!;
            } else {
              p[i] = p[i]! - (lr * gi) / avg;
            }
          }
        },
      };
    }
    case 'Adagrad': {
      const lr = num(o, 'lr', 1e-2), lrDecay = num(o, 'lrDecay', 0), eps = num(o, 'eps', 1e-10), wd = num(o, 'weightDecay', 0);
      const sum = new Array<number>(n).fill(num(o, 'initialAccumulatorValue', 0));
      let t = 0;
      return {
        step(p, g) {
          t++;
          const clr = lr / (1 + (t - 1) * lrDecay);
          for (let i = 0; i < n; i++) {
            const gi = sign * g[i]! + wd * p[i]!;
            sum[i] = sum[i]! + gi * gi;
            p[i] = p[i]! - (clr * gi) / (Math.sqrt(sum[i]!) + eps);
          }
        },
      };
    }
  }
  throw new Error(`no reference for ${name}`);
}
