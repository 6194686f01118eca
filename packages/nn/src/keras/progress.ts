/**
 * The terminal progress bar of fit() and evaluate(), laid out as Keras lays it out:
 *
 *   Epoch 1/5
 *    120/469 [=======>......................] - ETA: 12s - loss: 0.4321 - accuracy: 0.8765
 *    469/469 [==============================] - 9s 19ms/step - loss: 0.2011 - accuracy: 0.9402
 *
 * On a terminal the line is redrawn in place (at most every `interval` ms); when the output is a
 * file or a pipe (CI logs) only the final line of each epoch is written.
 */

/** Where the progress goes: process.stdout by default, or anything with write(). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  stream?: ProgressStream;
  /** Width of the bar in characters (default 30). */
  width?: number;
  /** Minimum milliseconds between redraws on a terminal (default 50). */
  interval?: number;
  /** Override the terminal detection (default: the stream's isTTY). */
  dynamic?: boolean;
  /** The clock, in milliseconds (default performance.now); tests pass a fake one. */
  now?: () => number;
}

/** Seconds as Keras prints an ETA: 7s, 1:05, 1:02:03. */
export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

/** Time per step as Keras prints it: 19ms/step, 350us/step, 2s/step. */
export function formatPerStep(sec: number): string {
  if (sec >= 1) return `${Math.round(sec)}s/step`;
  if (sec >= 1e-3) return `${Math.round(sec * 1e3)}ms/step`;
  return `${Math.round(sec * 1e6)}us/step`;
}

/** A metric value: 4 decimals, or exponent form for tiny and huge values, as Keras prints. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(4) : v.toFixed(4);
}

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly width: number;
  private readonly interval: number;
  private readonly dynamic: boolean;
  private readonly now: () => number;
  private readonly start: number;
  private lastDraw = -Infinity;
  private lastLength = 0;

  /** `total` steps, or undefined when the number of steps is not known in advance. */
  constructor(readonly total: number | undefined, opts: ProgressBarOptions = {}) {
    this.stream = opts.stream ?? process.stdout;
    this.width = opts.width ?? 30;
    this.interval = opts.interval ?? 50;
    this.dynamic = opts.dynamic ?? this.stream.isTTY === true;
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
  }

  private counter(step: number): string {
    if (this.total === undefined) return `${step}/Unknown`;
    const digits = String(this.total).length;
    return `${String(step).padStart(digits)}/${this.total}`;
  }

  private bar(step: number): string {
    if (this.total === undefined || this.total <= 0) return '';
    const done = Math.floor((this.width * Math.min(step, this.total)) / this.total);
    let body = done > 0 ? `${'='.repeat(done - 1)}${step < this.total ? '>' : '='}` : '';
    body += '.'.repeat(this.width - done);
    return ` [${body}]`;
  }

  private static values(values: readonly (readonly [string, number])[]): string {
    return values.map(([k, v]) => ` - ${k}: ${formatValue(v)}`).join('');
  }

  /** The line after `step` steps, with the running values; redrawn on a terminal, silent otherwise. */
  update(step: number, values: readonly (readonly [string, number])[] = []): void {
    if (!this.dynamic) return;
    const t = this.now();
    if (t - this.lastDraw < this.interval && (this.total === undefined || step < this.total)) return;
    this.lastDraw = t;
    const elapsed = (t - this.start) / 1e3;
    let timing = '';
    if (this.total !== undefined && step > 0 && step < this.total) timing = ` - ETA: ${formatDuration((elapsed / step) * (this.total - step))}`;
    else if (step > 0) timing = ` - ${formatDuration(elapsed)} ${formatPerStep(elapsed / step)}`;
    this.draw(`${this.counter(step)}${this.bar(step)}${timing}${ProgressBar.values(values)}`, false);
  }

  /** The final line of the epoch: steps, total time, time per step and the final values. */
  finish(step: number, values: readonly (readonly [string, number])[] = []): void {
    const elapsed = (this.now() - this.start) / 1e3;
    const perStep = step > 0 ? ` ${formatPerStep(elapsed / step)}` : '';
    this.draw(`${this.counter(step)}${this.bar(this.total ?? step)} - ${formatDuration(elapsed)}${perStep}${ProgressBar.values(values)}`, true);
  }

  private draw(line: string, final: boolean): void {
    if (this.dynamic) {
      const pad = this.lastLength > line.length ? ' '.repeat(this.lastLength - line.length) : '';
      this.stream.write(`\r${line}${pad}${final ? '\n' : ''}`);
      this.lastLength = final ? 0 : line.length;
    } else if (final) {
      this.stream.write(`${line}\n`);
    }
  }
}
