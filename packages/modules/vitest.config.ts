import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One instance of each Cinder package: tests import their sources, so this package's imports
    // must resolve to the same modules (and so the same dispatcher and grad mode).
    alias: {
      '@cinder/tensor': fileURLToPath(new URL('../tensor/src/index.ts', import.meta.url)),
      '@cinder/autograd': fileURLToPath(new URL('../autograd/src/index.ts', import.meta.url)),
      '@cinder/nn': fileURLToPath(new URL('../nn/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
  },
});
