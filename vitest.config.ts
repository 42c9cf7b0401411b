import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Those run inside workerd: `npm run test:workers` (vitest.workers.config.ts).
    exclude: [...configDefaults.exclude, 'test/workers/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // PGlite instances are memory-heavy; two cores on this machine.
    maxWorkers: 2,
  },
});
