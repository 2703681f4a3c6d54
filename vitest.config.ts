import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Most tests wait on fakes and timers, not on the CPU: three files at once on two cores
    // (vitest's default would be one, cores - 1).
    maxWorkers: 3,
  },
});
