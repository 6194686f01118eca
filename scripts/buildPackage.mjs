// Builds one workspace package: esbuild bundles src/index.ts (ESM and CJS, dependencies
// external) and tsc writes the declarations. Run from the package's directory.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const cwd = process.cwd();
const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
const entry = process.argv[2] ?? 'src/index.ts';
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  'node:*',
];

rmSync(join(cwd, 'dist'), { recursive: true, force: true });
const common = {
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Class names are part of the API (printed module trees, default module names): without this,
  // esbuild renames a class that refers to itself (`class _MLP`) when it bundles.
  keepNames: true,
  external,
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', outfile: 'dist/index.js' });
await build({
  ...common,
  format: 'cjs',
  outfile: 'dist/index.cjs',
  // import.meta.url has no CJS equivalent at bundle time; give it one.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd });
