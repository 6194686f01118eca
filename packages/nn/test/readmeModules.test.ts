/** The README's modules example must run as written (against this package's source). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

it('runs the README modules example', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('## Modules, init and saving'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  expect(block, 'the modules section has a ts example').not.toBeNull();
  const src = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;
  const code = block![1]!.replaceAll("'@cinder/nn'", `'${src}'`);
  const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-modules-'));
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
    rmSync(join((await import('node:os')).tmpdir(), `net-${process.pid}.safetensors`), { force: true });
  }
  expect(logs).toEqual([
    [
      'Net(\n  (body): Sequential(\n    (0): Affine(in_features=2, out_features=16)\n    (1): Tanh()\n' +
        '    (2): Affine(in_features=16, out_features=1)\n  )\n)',
    ],
    [['body.0.weight [16, 2]', 'body.0.bias [16]', 'body.2.weight [1, 16]', 'body.2.bias [1]']],
    [300, true, 0],
  ]);
});
