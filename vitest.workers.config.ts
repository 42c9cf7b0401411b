import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/**
 * Tests that run inside workerd (the Workers runtime) with the real Worker (src/entry/worker.ts) and
 * wrangler.toml. `npm run test:workers`. With TEST_DATABASE_URL set, the Worker also reaches that
 * PostgreSQL over TCP (workerd's connect()), migrated beforehand by test/workers/global-setup.ts.
 */
export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      main: './src/entry/worker.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: { TEST_DATABASE_URL: (inject as (k: string) => string | undefined)('databaseUrl') ?? '' },
      },
    })),
  ],
  test: {
    // postgres.js's socket shim for workerd (node_modules/postgres/cf/polyfills.js) emits 'error' on an
    // EventEmitter nobody listens to any more when a closed or refused connection's read loop ends:
    // an unhandled rejection after the query has already answered. Only those two are let through.
    onUnhandledError(error) {
      const known = error.message === 'Stream was cancelled.' || error.message.startsWith('proxy request failed, cannot connect to the specified address');
      return known ? false : undefined;
    },
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['test/workers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
