/**
 * A save that fails part-way through writing (the disk fills up) must leave the previous file
 * intact and no temporary file behind. The failure is injected into node:fs: the second write of
 * the next save throws ENOSPC after the first chunk (the header) reached the disk.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { manualSeed } from '@cinder/tensor';
import { load, loadSync, save, saveSync } from '../src/index.js';
import { MLP } from './testModules.js';

const failure = vi.hoisted(() => ({ armed: false, writes: 0 }));

function maybeFail(): void {
  if (!failure.armed) return;
  if (++failure.writes >= 2) {
    failure.armed = false;
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
}

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof actual.open = async (...args) => {
    const h = await actual.open(...args);
    const write = h.write.bind(h) as (...a: unknown[]) => Promise<unknown>;
    (h as unknown as { write: (...a: unknown[]) => Promise<unknown> }).write = async (...a: unknown[]) => {
      maybeFail();
      return write(...a);
    };
    return h;
  };
  return { ...actual, open, default: { ...actual, open } };
});

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((...a: Parameters<typeof actual.writeSync>) => {
    maybeFail();
    return (actual.writeSync as (...x: unknown[]) => number)(...a);
  }) as typeof actual.writeSync;
  return { ...actual, writeSync, default: { ...actual, writeSync } };
});

const dir = mkdtempSync(join(tmpdir(), 'cinder-nn-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a save that fails mid-write keeps the old file (async)', async () => {
  manualSeed(0);
  const path = join(dir, 'model.safetensors');
  const old = new MLP(4, 64, 4);
  await save(old, path);
  const before = readFileSync(path);

  failure.armed = true;
  failure.writes = 0;
  await expect(save(new MLP(4, 64, 4), path)).rejects.toThrow(/ENOSPC/);
  expect(failure.writes).toBe(2);
  expect(readFileSync(path).equals(before)).toBe(true);
  expect(readdirSync(dir)).toEqual(['model.safetensors']);
  const restored = new MLP(4, 64, 4);
  restored.loadStateDict(await load(path));
  expect(restored.fc1.weight.toArray()).toEqual(old.fc1.weight.toArray());
});

it('a save that fails mid-write keeps the old file (sync)', () => {
  const path = join(dir, 'sync.safetensors');
  saveSync({ step: 1, model: new MLP(4, 64, 4) }, path);
  const before = readFileSync(path);
  failure.armed = true;
  failure.writes = 0;
  expect(() => saveSync({ step: 2, model: new MLP(4, 64, 4) }, path)).toThrow(/ENOSPC/);
  expect(failure.writes).toBe(2);
  expect(readFileSync(path).equals(before)).toBe(true);
  expect(loadSync(path).step).toBe(1);
  expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'sync.safetensors']);
});
