/** The README's attention example must run as written (against this package's source). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

it('runs the README attention example', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('## Attention and Transformer layers'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  expect(block, 'the attention section has a ts example').not.toBeNull();
  const src = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;
  const code = block![1]!.replaceAll("'@cinder/nn'", `'${src}'`);
  const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-attn-'));
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
    [[2, 5, 16], [2, 5, 5]],
    [[2, 5, 16]],
    [[2, 3, 16]],
    [['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']],
  ]);
});
