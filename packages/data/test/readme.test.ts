/** The README's example must run as written (against this package's source). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  expect(block, 'README has a ts example').not.toBeNull();
  expect(block![1]!.split('\n').filter((l) => l.trim() !== '')).toHaveLength(10);
  const src = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;
  const code = block![1]!.replaceAll("'@cinder/data'", `'${src}'`);
  const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code);
  const logs: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  expect(logs).toEqual(['13 200 64x1x28x28 int64', '28']);
});
