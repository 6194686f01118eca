import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const run = (file: string, env: Record<string, string> = {}, timeout = 120_000): string =>
  execFileSync(process.execPath, [fileURLToPath(new URL(`../dist/${file}`, import.meta.url))], {
    encoding: 'utf8', timeout, env: { ...process.env, ...env },
  });

describe('demo', () => {
  it('trains the CNN to at least 97% test accuracy, saves, reloads and draws predictions', () => {
    const out = mkdtempSync(join(tmpdir(), 'cinder-demo-test-'));
    try {
      const text = run('main.js', { CINDER_DEMO_OUT: out }, 600_000);
      const acc = /test accuracy: ([\d.]+)% on 5000 held-out images/.exec(text);
      expect(acc).not.toBeNull();
      expect(Number(acc![1])).toBeGreaterThanOrEqual(97);
      expect(text).toMatch(/Epoch 1\/3\n/);
      expect(text).toMatch(/ - valLoss: \d\.\d{4} - valAccuracy: \d\.\d{4}/);
      expect(text).toContain('reloaded model agrees on 5000/5000 test predictions (max |difference| 0)');
      expect(existsSync(join(out, 'digits-cnn.safetensors'))).toBe(true);
      expect(text).toMatch(/(right|WRONG): \d \(\d+\.\d%\), is \d/);
      expect(text).toContain('Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))');
      // ASCII art: rows drawn with the ramp's brighter characters.
      expect(text).toMatch(/[%@#]{3,}/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 620_000);

  it('runs the tensor tour end to end', () => {
    const out = run('tour.js');
    expect(out).toContain('tensor([[1., 2.],');
    expect(out).toMatch(/matmul 256x256: [\d.]+ ms per call, [\d.]+ GFLOP\/s/);
    expect(out).toContain('cholesky(a) =');
    expect(out).toContain('second derivative = tensor([ 6., 12., 18.], dtype=float64)');
  }, 130_000);
});
