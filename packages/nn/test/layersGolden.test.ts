/**
 * The layer classes against PyTorch 1.13 (test/golden/layers.json, written by
 * scripts/layers_golden.py): each case builds the Cinder layer, loads PyTorch's state dict through
 * nn.fromTorchKeys, and compares outputs, input and parameter gradients, the state after each
 * step (BatchNorm's running statistics over several training steps, then eval) and the repr.
 */
import { describe, expect, it } from 'vitest';
import { Module } from '../src/modules/module.js';
import * as activation from '../src/modules/layers/activation.js';
import * as conv from '../src/modules/layers/conv.js';
import * as distance from '../src/modules/layers/distance.js';
import * as dropout from '../src/modules/layers/dropout.js';
import * as flatten from '../src/modules/layers/flatten.js';
import * as linear from '../src/modules/layers/linear.js';
import * as loss from '../src/modules/layers/loss.js';
import * as normalization from '../src/modules/layers/normalization.js';
import * as padding from '../src/modules/layers/padding.js';
import * as pooling from '../src/modules/layers/pooling.js';
import * as sparse from '../src/modules/layers/sparse.js';
import * as upsampling from '../src/modules/layers/upsampling.js';
import { loadModuleCases, runModuleCase } from './moduleGolden.js';

const cases = loadModuleCases('layers.json');

describe('layers against PyTorch', () => {
  for (const c of cases) it(c.name, () => runModuleCase(c));

  it('every layer class of these files has a golden case', () => {
    const files = [activation, conv, distance, dropout, flatten, linear, loss, normalization, padding, pooling, sparse, upsampling];
    const classes = files.flatMap((f) => Object.entries(f))
      .filter(([, v]) => typeof v === 'function' && (v as { prototype: unknown }).prototype instanceof Module)
      .map(([k]) => k);
    expect(classes.length).toBeGreaterThan(80);
    const covered = new Set(cases.map((c) => c.ctor.cls));
    expect(classes.filter((k) => !covered.has(k))).toEqual([]);
  });
});
