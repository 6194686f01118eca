/** ProceduralDigits: balance, determinism, pixel range, separability, speed; toAscii. */
import { describe, expect, it } from 'vitest';
import { Digits, ProceduralDigits, renderDigit, toAscii } from '../src/index.js';
import { tensor } from '@cinder/tensor';

const pixels = (ds: ProceduralDigits) => ds.data.data() as Uint8Array;
const labelsOf = (ds: ProceduralDigits) => Array.from(ds.targets.data() as BigInt64Array, Number);

describe('ProceduralDigits', () => {
  const train = new ProceduralDigits({ length: 3000, seed: 7 });
  const test = new ProceduralDigits({ length: 1000, seed: 7, train: false });

  it('has MNIST\'s shapes and dtypes', () => {
    expect(train.length).toBe(3000);
    expect(train.data.shape).toEqual([3000, 28, 28]);
    const [img, label] = train.getItem(5);
    expect(img.shape).toEqual([1, 28, 28]);
    expect(img.dtype).toBe('float32');
    expect(label.dtype).toBe('int64');
    expect(Digits).toBe(ProceduralDigits);
    expect(new ProceduralDigits({ length: 0 }).length).toBe(0);
  });

  it('balances the classes: every block of 10 holds each digit once', () => {
    const labels = labelsOf(train);
    for (let b = 0; b < 300; b++) expect([...labels.slice(b * 10, b * 10 + 10)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(labels.slice(0, 10)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const short = labelsOf(new ProceduralDigits({ length: 25, seed: 1 }));
    const counts = new Array(10).fill(0);
    for (const l of short) counts[l]++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('is a function of the seed: same seed same data, other seeds and the test split differ', () => {
    const again = new ProceduralDigits({ length: 200, seed: 7 });
    expect(pixels(again)).toEqual(pixels(train).subarray(0, 200 * 784));
    expect(labelsOf(again)).toEqual(labelsOf(train).slice(0, 200));
    const other = new ProceduralDigits({ length: 200, seed: 8 });
    expect(pixels(other)).not.toEqual(pixels(again));
    // No test image equals a training image.
    const seen = new Set<string>();
    const tp = pixels(train);
    for (let i = 0; i < 3000; i++) seen.add(Buffer.from(tp.subarray(i * 784, (i + 1) * 784)).toString('base64'));
    const ep = pixels(test);
    for (let i = 0; i < 1000; i++) expect(seen.has(Buffer.from(ep.subarray(i * 784, (i + 1) * 784)).toString('base64'))).toBe(false);
    expect(renderDigit(3, 5).toArray()).toEqual(renderDigit(3, 5).toArray());
    expect(renderDigit(3, 5).toArray()).not.toEqual(renderDigit(3, 6).toArray());
  });

  it('draws digits with ink, background and anti-aliased edges, scaled to [0, 1] as floats', () => {
    const p = pixels(train);
    let ink = 0, mid = 0;
    for (let i = 0; i < 784 * 100; i++) {
      if (p[i]! > 200) ink++;
      else if (p[i]! > 40) mid++;
    }
    // About 10-25% of an MNIST image is stroke; edges give intermediate values.
    expect(ink / (784 * 100)).toBeGreaterThan(0.05);
    expect(ink / (784 * 100)).toBeLessThan(0.3);
    expect(mid).toBeGreaterThan(ink / 4);
    // Borders are background.
    for (let i = 0; i < 100; i++) expect(p[i * 784]!).toBeLessThan(30);
    const f = train.getBatch([0, 1, 2])[0];
    const vals = f.data() as Float32Array;
    expect(Math.min(...vals)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...vals)).toBeLessThanOrEqual(1);
    expect(Math.max(...vals)).toBeGreaterThan(0.8);
  });

  it('makes digits different enough that a nearest-centroid classifier on raw pixels beats 80%', () => {
    const tp = pixels(train), tl = labelsOf(train);
    const centroids = Array.from({ length: 10 }, () => new Float64Array(784));
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 3000; i++) {
      const c = centroids[tl[i]!]!;
      for (let j = 0; j < 784; j++) c[j]! += tp[i * 784 + j]!;
      counts[tl[i]!]++;
    }
    centroids.forEach((c, k) => c.forEach((v, j) => (c[j] = v / counts[k])));
    const ep = pixels(test), el = labelsOf(test);
    let correct = 0;
    for (let i = 0; i < 1000; i++) {
      let best = -1, bestD = Infinity;
      for (let k = 0; k < 10; k++) {
        let d = 0;
        for (let j = 0; j < 784; j++) {
          const e = ep[i * 784 + j]! - centroids[k]![j]!;
          d += e * e;
        }
        if (d < bestD) [bestD, best] = [d, k];
      }
      if (best === el[i]) correct++;
    }
    expect(correct / 1000).toBeGreaterThanOrEqual(0.8);
  });

  it('generates 60,000 images in a few seconds', () => {
    const t0 = performance.now();
    const big = new ProceduralDigits({ length: 60_000 });
    const ms = performance.now() - t0;
    expect(big.length).toBe(60_000);
    // About 1.5 s on the project's reference machine; generous for shared, noisy machines.
    expect(ms).toBeLessThan(10_000);
  });

  it('checks its options', () => {
    expect(() => new ProceduralDigits({ length: -1 })).toThrow(/ProceduralDigits: length must be a non-negative integer, got number -1/);
    expect(() => new ProceduralDigits({ seed: 1.5 })).toThrow(/seed must be a non-negative safe integer/);
    expect(() => new ProceduralDigits({ train: 'yes' as never })).toThrow(/train must be a boolean/);
    expect(() => renderDigit(10)).toThrow(/renderDigit: digit must be an integer 0-9, got number 10/);
    expect(new ProceduralDigits({ length: 3, seed: 2 }).workerRecipe()).toMatchObject({ exportName: 'ProceduralDigits', args: [{ length: 3, seed: 2 }] });
  });
});

describe('toAscii', () => {
  it('draws one line per row, brighter pixels with denser characters', () => {
    const img = tensor([[0, 255], [128, 64]], { dtype: 'uint8' });
    expect(toAscii(img)).toBe('  @@\n++::');
    expect(toAscii(img, { charsPerPixel: 1, ramp: ' #' })).toBe(' #\n# ');
    expect(toAscii(tensor([[[0, 1]]]))).toBe('  @@');
    const digit = toAscii(new ProceduralDigits({ length: 1 }).getItem(0)[0]);
    const lines = digit.split('\n');
    expect(lines).toHaveLength(28);
    expect(lines.every((l) => l.length === 56)).toBe(true);
    expect(digit).toMatch(/@/);
    expect(toAscii(new Float32Array(784)).split('\n')).toHaveLength(28);
  });

  it('refuses what is not an image', () => {
    expect(() => toAscii(tensor([1, 2, 3]))).toThrow(/toAscii: expected an image of shape \[H, W\] or \[1, H, W\], got \[3\]/);
    expect(() => toAscii(new Float32Array(10))).toThrow(/a flat image must be square, got 10 values/);
    expect(() => toAscii(tensor([[1n]]))).toThrow(/expected a uint8 or floating-point image, got int64/);
    expect(() => toAscii(3 as never)).toThrow(/expected an image tensor or an array of pixel values/);
    expect(() => toAscii(tensor([[1]]), { ramp: 'x' })).toThrow(/ramp must be a string of at least 2 characters/);
  });
});
