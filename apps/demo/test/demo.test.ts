import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('demo', () => {
  it('runs the tour end to end', () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const out = execFileSync(process.execPath, [main], { encoding: 'utf8', timeout: 120_000 });
    expect(out).toContain('tensor([[1., 2.],');
    expect(out).toMatch(/matmul 256x256: [\d.]+ ms per call, [\d.]+ GFLOP\/s/);
    expect(out).toContain("cholesky(a) =");
    expect(out).toContain('second derivative = tensor([ 6., 12., 18.], dtype=float64)');
  });
});
