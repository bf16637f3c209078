import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Training tests are CPU-bound; two workers match the 2-core machines we run on.
    pool: 'forks',
    maxWorkers: 2,
  },
});
