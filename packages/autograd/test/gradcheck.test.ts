/**
 * gradcheck and gradgradcheck over every differentiable op of @cinder/tensor's op table (entries
 * marked `grad: true`), on float64 versions of their samples.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isFloatingDType, Tensor } from '@cinder/tensor';
import { derivatives, gradcheck, gradgradcheck, type Derivative } from '../src/index.js';
import { buildArgs, isTensorArg } from '../../tensor/test/optable/build.js';
import { opTable } from '../../tensor/test/optable/index.js';
import type { OpInfo, Sample } from '../../tensor/test/optable/types.js';
import { randomDerivatives } from '../src/derivatives/random.js';

/** Samples small enough for finite differences (each element costs two forward passes). */
const MAX_ELEMENTS = 64;

function usable(sample: Sample): boolean {
  return sample.args.every((a) => !isTensorArg(a) || a.shape.reduce((x, y) => x * y, 1) <= MAX_ELEMENTS);
}

/** Runs op on tensors substituted into the sample's argument list; only float64 tensors vary. */
function prepare(op: OpInfo, sample: Sample, seed: number): { fn: (...ts: Tensor[]) => unknown; inputs: Tensor[] } | undefined {
  const built = buildArgs(sample.args, 'float64', seed);
  const slots: number[] = [];
  const inputs: Tensor[] = [];
  built.tensors.forEach((t, i) => {
    if (t instanceof Tensor && isTensorArg(sample.args[i]!) && isFloatingDType(t.dtype)) {
      slots.push(i);
      inputs.push(t.to('float64').contiguous().detach().requiresGrad_(true));
    }
  });
  if (inputs.length === 0) return undefined;
  const fn = (...ts: Tensor[]): unknown => {
    const args = [...built.tensors];
    slots.forEach((slot, k) => (args[slot] = ts[k]));
    return op.run(args, sample.opts);
  };
  return { fn, inputs };
}

const differentiable = opTable.filter((op) => op.grad === true);

// Every derivative formula must be exercised by some sample: count the calls of each entry.
const calls = new Map<string, number>();
const table = derivatives as Record<string, Derivative>;
for (const name of Object.keys(table)) {
  const formula = table[name]!;
  table[name] = (c) => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return formula(c);
  };
}

/** Entries the op table cannot drive through gradcheck, each with its reason. */
const NOT_DRIVEN: Record<string, string> = {
  copy_: 'in-place copy into a tensor; covered by the engine tests',
  fill_: 'in-place fill; its input gets no gradient',
  to: 'casts between float dtypes cannot be finite-differenced in float64; covered by the engine tests',
  floorDivide: 'piecewise constant: no gradient flows (as PyTorch); the entry only lets it be recorded',
  viewAsDType: 'reinterprets bits: no gradient flows (as PyTorch); the entry only lets it be recorded',
};
// Random draws cannot be finite-differenced (each call re-samples): test/random.test.ts checks their
// entries against CDF derivatives, Monte Carlo means and re-seeded draws.
for (const name of Object.keys(randomDerivatives)) NOT_DRIVEN[name] = 'random draw: see test/random.test.ts';

describe('gradcheck over the op table', () => {
  afterAll(() => {
    // Only meaningful when the whole file ran (not under -t filtering).
    if (calls.size < differentiable.length / 2) return;
    const missed = Object.keys(table).filter((n) => !calls.has(n) && !(n in NOT_DRIVEN));
    expect(missed, 'derivative entries no gradcheck sample reached').toEqual([]);
  });

  it('marks differentiable ops', () => {
    expect(differentiable.length).toBeGreaterThan(0);
  });
  for (const op of differentiable) {
    // Samples with at least one floating tensor input, small enough for finite differences.
    const samples = op.samples.filter((s, si) => usable(s) && prepare(op, s, si + 1) !== undefined);
    describe(op.name, () => {
      it('has samples with floating inputs small enough to check', () => expect(samples.length).toBeGreaterThan(0));
      samples.forEach((sample, si) => {
        it(`gradcheck ${sample.name ?? `sample ${si}`}`, () => {
          const p = prepare(op, sample, si + 1)!;
          expect(gradcheck(p.fn, p.inputs, { atol: 1e-5, rtol: 1e-3 })).toBe(true);
        });
      });
      if (samples.length > 0) {
        it('gradgradcheck', () => {
          const p = prepare(op, samples[0]!, 1)!;
          expect(gradgradcheck(p.fn, p.inputs, { atol: 1e-4, rtol: 1e-3 })).toBe(true);
        });
      }
    });
  }
});
