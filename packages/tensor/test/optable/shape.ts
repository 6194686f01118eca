import type { OpInfo } from './types.js';

export const shapeOps: OpInfo[] = [];
