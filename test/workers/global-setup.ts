import type { TestProject } from 'vitest/node';

/**
 * Runs in Node before the workerd tests: with TEST_DATABASE_URL, migrates that database (as
 * `xuncha migrate` would before a Workers deploy) and hands its URL to the tests.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  project.provide('databaseUrl', url ?? '');
  if (!url) return;
  const { connectPostgres } = await import('../../src/db/postgres.js');
  const database = connectPostgres(url);
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
