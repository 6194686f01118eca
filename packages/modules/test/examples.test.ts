/**
 * Every TSDoc @example in src, and every ts block of the README, runs as written (against this package's source), and each line
 * `console.log(...); // expected` prints what its comment says (line breaks read as spaces). Every public class has one.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
const indexUrl = pathToFileURL(join(srcDir, 'index.ts')).href;
const nnUrl = pathToFileURL(fileURLToPath(new URL('../../nn/src/index.ts', import.meta.url))).href;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Example {
  where: string;
  code: string;
  expected: (string | null)[];
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    for (const doc of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
      const body = doc[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n');
      for (const m of body.matchAll(/@example\s*\n```ts\n([\s\S]*?)```/g)) {
        const code = m[1]!;
        const line = text.slice(0, doc.index).split('\n').length;
        const expected = code.split('\n').filter((l) => l.includes('console.log(')).map((l) => /\);\s*\/\/ (.*)$/.exec(l)?.[1] ?? null);
        out.push({ where: `${relative(srcDir, file)}:${line}`, code, expected });
      }
    }
  }
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  for (const m of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const code = m[1]!;
    const expected = code.split('\n').filter((l) => l.includes('console.log(')).map((l) => /\);\s*\/\/ (.*)$/.exec(l)?.[1] ?? null);
    out.push({ where: `README.md:${readme.slice(0, m.index).split('\n').length}`, code, expected });
  }
  return out;
}

const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TSDoc examples', () => {
  const all = examples();
  it('finds the examples', () => {
    expect(all.length).toBeGreaterThan(10);
  });
  all.forEach((ex, i) => {
    it(`runs ${ex.where}`, async () => {
      const file = join(dir, `example${i}.ts`);
      writeFileSync(file, ex.code.replaceAll("'@cinder/modules'", `'${indexUrl}'`).replaceAll("'@cinder/nn'", `'${nnUrl}'`));
      const logs: string[] = [];
      const log = console.log;
      console.log = (...args: unknown[]) => void logs.push(format(...args));
      try {
        await import(/* @vite-ignore */ pathToFileURL(file).href);
      } finally {
        console.log = log;
      }
      expect(logs.length, 'console.log calls').toBe(ex.expected.length);
      ex.expected.forEach((want, j) => {
        if (want !== null) expect(logs[j]!.replace(/\s+/g, ' '), `log ${j} of ${ex.where}`).toBe(want);
      });
    });
  });
});

describe('documentation', () => {
  it('every public class has an @example', () => {
    const text = sourceFiles(srcDir).map((f) => readFileSync(f, 'utf8')).join('\n');
    const missing: string[] = [];
    const visit = (ns: Record<string, unknown>, prefix: string): void => {
      for (const [name, v] of Object.entries(ns)) {
        if (typeof v === 'function' && /^class\s/.test(Function.prototype.toString.call(v))) {
          const at = new RegExp(`\\/\\*\\*((?:(?!\\*\\/)[\\s\\S])*)\\*\\/\\s*export (?:abstract )?class ${v.name}\\b`).exec(text);
          if (at === null || !at[1]!.includes('@example')) missing.push(prefix + name);
        } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === null) {
          visit(v as Record<string, unknown>, `${prefix}${name}.`);
        }
      }
    };
    visit(api as unknown as Record<string, unknown>, '');
    expect(missing).toEqual([]);
  });
});
