// Module hooks that let worker threads load this package's TypeScript sources directly (the tests
// run against src/, and workers load the package entry): `.js` specifiers that name a `.ts` file
// resolve to it, and `.ts` files are stripped of their types by esbuild.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

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
    const { code } = transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', sourcefile: file, sourcemap: 'inline', target: 'node20' });
    return { format: 'module', source: code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
