// Grad mode lives in the array library, so code using noGrad runs with or without autograd.
import { expect, test } from 'vitest';
import { enableGrad, inferenceMode, isGradEnabled, isInferenceMode, noGrad, setGradEnabled, tensor } from '../src/index.js';

test('noGrad / enableGrad / inferenceMode switch the flags and restore them', async () => {
  expect(isGradEnabled()).toBe(true);
  const r = noGrad(() => {
    expect(isGradEnabled()).toBe(false);
    enableGrad(() => expect(isGradEnabled()).toBe(true));
    expect(isGradEnabled()).toBe(false);
    return tensor([1, 2]).add(1);
  });
  expect(r.toArray()).toEqual([2, 3]);
  expect(isGradEnabled()).toBe(true);
  inferenceMode(() => {
    expect(isInferenceMode()).toBe(true);
    expect(isGradEnabled()).toBe(false);
  });
  expect(isInferenceMode()).toBe(false);
  // Async functions keep the mode across awaits and restore it when they settle.
  const p = noGrad(async () => {
    await new Promise((res) => setTimeout(res, 1));
    return isGradEnabled();
  });
  expect(await p).toBe(false);
  expect(isGradEnabled()).toBe(true);
  // A throwing function restores the flag too.
  expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
  expect(isGradEnabled()).toBe(true);
  setGradEnabled(false);
  expect(isGradEnabled()).toBe(false);
  setGradEnabled(true);
});
