/** The README's example must run as written (against this package's source). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

/** Runs the first ts example after `heading` (from the start when empty) and returns what it logged. */
async function runExample(heading: string): Promise<unknown[][]> {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const at = readme.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const blocks = [...readme.slice(at).matchAll(/```ts\n([\s\S]*?)```/g)];
  const n = 0;
  expect(blocks.length, 'README ts examples').toBeGreaterThan(n);
  const src = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;
  const code = blocks[n]![1]!.replaceAll("'@cinder/nn'", `'${src}'`);
  const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-'));
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
  return logs;
}

it('runs the README example', async () => {
  expect(await runExample('')).toEqual([['3.00', '-1.00', [0]]]);
});

it("runs the README's F example", async () => {
  expect(await runExample('## The functional API `F`')).toEqual([[[16, 3, 3, 3]]]);
});

it("runs the README's Keras example", async () => {
  expect(await runExample('## The Keras workflow')).toEqual([[true, true]]);
}, 30_000);

it('the recurrent layers example runs as written', async () => {
  const logs = await runExample('## Recurrent layers');
  expect(logs[0]).toEqual(['LSTM(32, 128, num_layers=2, batch_first=True, bidirectional=True)']);
  expect(logs[1]).toEqual([[8, 20, 256], [4, 8, 128], [4, 8, 128]]);
});
