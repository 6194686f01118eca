/**
 * The layer classes against PyTorch 1.13 (test/golden/layers.json, written by
 * scripts/layers_golden.py): each case builds the Cinder layer, loads PyTorch's state dict through
 * nn.fromTorchKeys, and compares outputs, input and parameter gradients, the state after each
 * step (BatchNorm's running statistics over several training steps, then eval) and the repr.
 */
import { describe, it } from 'vitest';
import { loadModuleCases, runModuleCase } from './moduleGolden.js';

const cases = loadModuleCases('layers.json');

describe('layers against PyTorch', () => {
  for (const c of cases) it(c.name, () => runModuleCase(c));
});
