/** The peers measured in the same run: PyTorch (python3-torch, when installed) and tfjs (cpu, wasm). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestOf } from './timing.js';

export interface Case {
  id: string;
  kind: 'matmul' | 'matmul_nt' | 'matmul_tn' | 'bmm' | 'add_new' | 'add_out' | 'sum' | 'exp' | 'tiny_add' | 'ag_small' | 'ag_record';
  m?: number; k?: number; n?: number; b?: number;
  dtype?: 'float32' | 'float64';
  repeats: number;
  inner: number;
}

export interface PeerResults {
  name: string;
  version: string;
  results: Record<string, number>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Runs py/torch_bench.py with the system Python; undefined when PyTorch is not installed. */
export function runTorch(cases: Case[]): PeerResults | { error: string } {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = join(here, '..', 'py', 'torch_bench.py');
  try {
    const out = execFileSync(python, [script, JSON.stringify(cases)], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
    const parsed = JSON.parse(out) as { version: string; threads: number; results: Record<string, number> };
    return { name: 'PyTorch', version: `${parsed.version} (${parsed.threads} intra-op thread(s))`, results: parsed.results };
  } catch (e) {
    return { error: `PyTorch not measured: ${(e as Error).message.split('\n')[0]} (apt-get install python3-torch)` };
  }
}

type Tf = typeof import('@tensorflow/tfjs');

/** tfjs with the given backend ('cpu' or 'wasm'); matmul sizes above `maxMatmul` are skipped (minutes each). */
export async function runTfjs(backend: 'cpu' | 'wasm', cases: Case[], maxMatmul: number): Promise<PeerResults | { error: string }> {
  let tf: Tf;
  try {
    tf = await import('@tensorflow/tfjs');
    if (backend === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dist = dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm')));
      wasm.setWasmPaths(dist + '/');
    }
    await tf.setBackend(backend);
    await tf.ready();
  } catch (e) {
    return { error: `tfjs-${backend} not measured: ${(e as Error).message}` };
  }
  const results: Record<string, number> = {};
  for (const c of cases) {
    const t = tf.tidy(() => {
      switch (c.kind) {
        case 'matmul': {
          if (c.dtype !== 'float32' || c.m! * c.k! * c.n! > maxMatmul ** 3) return undefined;
          const a = tf.randomNormal([c.m!, c.k!]);
          const b = tf.randomNormal([c.k!, c.n!]);
          return bestOf(() => tf.tidy(() => { tf.matMul(a, b).dataSync(); }), Math.min(c.repeats, 3), 1);
        }
        case 'bmm': {
          const a = tf.randomNormal([c.b!, c.m!, c.k!]);
          const b = tf.randomNormal([c.b!, c.k!, c.n!]);
          return bestOf(() => tf.tidy(() => { tf.matMul(a, b).dataSync(); }), Math.min(c.repeats, 3), 1);
        }
        case 'tiny_add': {
          const a = tf.randomNormal([4]);
          const b = tf.randomNormal([4]);
          return bestOf(() => { tf.add(a, b).dispose(); }, c.repeats, c.inner);
        }
        case 'add_new': {
          const a = tf.randomNormal([c.n!]);
          const b = tf.randomNormal([c.n!]);
          return bestOf(() => { const r = tf.add(a, b); r.dataSync(); r.dispose(); }, Math.min(c.repeats, 3), 1);
        }
        default:
          return undefined;
      }
    });
    if (t !== undefined) results[c.id] = t;
  }
  return { name: `tfjs-${backend}`, version: tf.version.tfjs, results };
}
