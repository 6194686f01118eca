/**
 * The op table (in the spirit of PyTorch's OpInfo): every op declared once with sample inputs, a
 * float64 reference and its error inputs. test/opTable.test.ts walks every entry.
 */
import type { DType, Tensor } from '../../src/index.js';
import type { Nd } from './ref.js';

/** A tensor argument, generated deterministically from the sample's seed. */
export interface TensorArg {
  shape: number[];
  /** Fixed dtype; otherwise the dtype under test. */
  dtype?: DType;
  /** Value range [low, high) (integers: inclusive); default [-2, 2]. */
  low?: number;
  high?: number;
  /** Explicit values (row-major), instead of random ones. */
  values?: number[];
  /** Build as a strided (every other element) view instead of a contiguous tensor. */
  noncontig?: boolean;
}

export type SampleArg = TensorArg | number | boolean | string | number[] | null | undefined | { literal: unknown };

export interface Sample {
  /** Printed in the test's name. */
  name?: string;
  args: SampleArg[];
  /** The options object passed last to the op (and to the reference). */
  opts?: Record<string, unknown>;
}

export type Result<T> = T | T[] | { [k: string]: T };

export interface ErrorCase {
  name?: string;
  args: SampleArg[];
  opts?: Record<string, unknown>;
  /** The error must match, and must name the op. */
  throws: RegExp;
}

export interface OpInfo {
  name: string;
  /** Runs the op under test. Tensor args arrive as Tensors, others unchanged. */
  run(args: any[], opts?: Record<string, unknown>): Result<Tensor>;
  /** Float64 reference. Tensor args arrive as Nd (with their dtype in `dtypes`), others unchanged. */
  ref(args: any[], opts: Record<string, unknown> | undefined, dtypes: DType[]): Result<Nd>;
  samples: Sample[];
  /** The dtypes each sample runs with (default: float32 and float64). */
  dtypes?: DType[];
  /** Expected output dtype(s), from the dtype under test (checked when given). */
  outDtype?: (dtype: DType) => DType;
  /** Tolerances per dtype (default: float32 1e-5/1e-4, float64 1e-10/1e-9, integers exact). */
  tol?: Partial<Record<DType, { atol: number; rtol: number }>>;
  errors?: ErrorCase[];
  /** Differentiable: autograd's gradcheck walks these. */
  grad?: boolean;
  /** Skip the reference comparison for outputs that are not unique (sort of ties...): checker instead. */
  check?: (out: Result<Tensor>, args: any[], opts: Record<string, unknown> | undefined) => void;
}
