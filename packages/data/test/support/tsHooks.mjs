// Module hooks that let worker threads load this package's TypeScript sources directly (the tests
// run against src/, and workers load the package entry): `.js` specifiers that name a `.ts` file
// resolve to it, and `.ts` files are stripped of their types by esbuild. Transformed files are
// cached on disk by path and modification time, so only the first worker of a run pays for
// starting esbuild.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cacheDir = join(tmpdir(), 'cinder-data-test-ts');

export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL?.startsWith('file:') && /^\.{1,2}\/.*\.js$/.test(specifier)) {
    const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const file = fileURLToPath(url);
    const key = createHash('sha1').update(`${file}:${statSync(file).mtimeMs}`).digest('hex');
    const cached = join(cacheDir, `${key}.mjs`);
    if (existsSync(cached)) return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
    const { transformSync } = await import('esbuild');
    const { code } = transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', sourcefile: file, sourcemap: 'inline', target: 'node20' });
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(tmp, code);
    renameSync(tmp, cached);
    return { format: 'module', source: code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
