/** The README's layers example must run as written (against this package's source). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

it('runs the README layers example', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const at = readme.indexOf('## Layers');
  expect(at, 'the README has a Layers section').toBeGreaterThanOrEqual(0);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(block, 'the layers section has a ts example').not.toBeNull();
  const src = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;
  const code = block![1]!.replaceAll("'@cinder/nn'", `'${src}'`);
  const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-layers-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code);
  const logs: unknown[][] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logs.push(args);
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  expect(logs).toEqual([
    [3, 'BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)'],
    [[16, 10]],
  ]);
});
