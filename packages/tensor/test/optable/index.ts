/** Every family's entries. */
import type { OpInfo } from './types.js';
import { creationOps } from './creation.js';
import { elementwiseOps } from './elementwise.js';
import { reductionOps } from './reduction.js';
import { shapeOps } from './shape.js';
import { linalgOps } from './linalg.js';
import { indexingOps } from './indexing.js';
import { randomOps } from './random.js';
import { convOps } from './conv.js';
import { nnOps } from './nn.js';
import { rnnOps } from './rnn.js';

export const opTable: OpInfo[] = [
  ...creationOps,
  ...elementwiseOps,
  ...reductionOps,
  ...shapeOps,
  ...linalgOps,
  ...indexingOps,
  ...randomOps,
  ...convOps,
  ...nnOps,
  ...rnnOps,
];
