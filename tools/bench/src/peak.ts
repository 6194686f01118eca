/**
 * The machine's ceiling for GEMM: vector FMA throughput measured by the native core (12
 * independent FMA chains per thread in the ISA its GEMM kernels use), so each matmul row can be
 * quoted as a fraction of what the cores can do at that moment (a shared machine's peak moves).
 */
import { native } from '@cinder/native';
import type { Case } from './peers.js';

const fma = native as unknown as { fmaPeak(threads?: number, float64?: boolean, seconds?: number): number };

export interface Peak {
  threads: number;
  /** GFLOP/s on 1 core and on `threads` cores, fp32 and fp64. */
  f32: [number, number];
  f64: [number, number];
}

export function measurePeak(threads: number, seconds = 0.2): Peak {
  return {
    threads,
    f32: [fma.fmaPeak(1, false, seconds), fma.fmaPeak(threads, false, seconds)],
    f64: [fma.fmaPeak(1, true, seconds), fma.fmaPeak(threads, true, seconds)],
  };
}

/** The larger of two measurements of each figure (a busy moment only ever lowers one). */
export function maxPeak(a: Peak, b: Peak): Peak {
  const m = (x: [number, number], y: [number, number]): [number, number] => [Math.max(x[0], y[0]), Math.max(x[1], y[1])];
  return { threads: a.threads, f32: m(a.f32, b.f32), f64: m(a.f64, b.f64) };
}

export function describePeak(p: Peak): string {
  const g = (v: number): string => v.toFixed(1);
  return `FMA peak, 1 core / ${p.threads} cores: fp32 ${g(p.f32[0])} / ${g(p.f32[1])} GFLOP/s, fp64 ${g(p.f64[0])} / ${g(p.f64[1])} GFLOP/s`;
}

/** A GEMM row's throughput as a percentage of the all-cores peak of its dtype, or undefined. */
export function percentOfPeak(p: Peak, c: Case, gflops: number): string | undefined {
  if (c.kind !== 'matmul' && c.kind !== 'matmul_nt' && c.kind !== 'matmul_tn' && c.kind !== 'bmm') return undefined;
  const peak = c.dtype === 'float64' ? p.f64[1] : p.f32[1];
  return `${((100 * gflops) / peak).toFixed(0)}%`;
}
