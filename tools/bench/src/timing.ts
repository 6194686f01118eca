/** Timing helpers: best-of-N wall time per call, so scheduling noise only ever slows a sample. */
export function bestOf(fn: () => void, repeats: number, inner: number): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9 / inner;
    if (dt < best) best = dt;
  }
  return best;
}

export async function bestOfAsync(fn: () => Promise<void>, repeats: number, inner: number): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) await fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9 / inner;
    if (dt < best) best = dt;
  }
  return best;
}
