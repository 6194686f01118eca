import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One instance of @cinder/tensor: the op table under test imports its source, so autograd's
    // import must resolve to the same module (and so the same dispatcher).
    alias: { '@cinder/tensor': fileURLToPath(new URL('../tensor/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
  },
});
