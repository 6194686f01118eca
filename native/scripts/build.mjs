// Builds the addon with cmake-js (incrementally: cmake only recompiles what changed), then the
// TypeScript loader. Set CINDER_DISABLE_CUDA=1 to skip the CUDA sources even where nvcc exists.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';

const require = createRequire(import.meta.url);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'compile', '--out', 'build', '--parallel', String(cpus().length)];
if (process.env.CINDER_DISABLE_CUDA === '1') args.push('--CDCINDER_DISABLE_CUDA=ON');
if (!process.env.CUDACXX && !process.env.PATH?.split(':').some((p) => p.includes('cuda'))) {
  // CMake's check_language(CUDA) finds nvcc on PATH or via CUDACXX; the toolkit's usual home is
  // /usr/local/cuda, which is often not on PATH.
  process.env.PATH = `${process.env.PATH}:/usr/local/cuda/bin`;
}
execFileSync(process.execPath, args, { stdio: 'inherit' });
execFileSync(process.execPath, ['../scripts/buildPackage.mjs', 'lib/index.ts'], { stdio: 'inherit' });
