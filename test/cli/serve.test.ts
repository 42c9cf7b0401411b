import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli, startServe } from '../support/cli.js';

// Each case waits for real child processes to exit; a loaded machine can take many seconds to start
// one, so the cap only stops a hang and never decides a result.
vi.setConfig({ testTimeout: 600_000 });

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'xuncha-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('xuncha serve on the embedded database', () => {
  it('prints a generated admin token once, serves the API, and guards DATA_DIR against a second process', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '0' };
    // Started from another directory, as `npx xuncha` may be: the pages must still compile.
    const server = await startServe(env, undefined, dataDir);
    try {
      expect((await fetch(`${server.url}/login`)).status).toBe(200);
      const m = /\n\s+(xc_[A-Za-z0-9_-]{20,})\n/.exec(server.output());
      expect(m, 'the first start prints an admin token').toBeTruthy();
      const token = m![1]!;
      const ok = await fetch(`${server.url}/api/v1/systems`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

      // A second process must not open the same PGlite folder.
      const migrate = await runCli(['migrate'], env);
      expect(migrate.code).toBe(1);
      expect(migrate.stderr.trim().split('\n')).toHaveLength(1);
      expect(migrate.stderr).toMatch(/in use by xuncha serve \(pid \d+/);
    } finally {
      expect(await server.stop()).toBe(0);
    }

    // After a clean shutdown the folder is free again, and no second token is printed.
    const again = await startServe(env);
    try {
      expect(again.output()).not.toMatch(/xc_[A-Za-z0-9_-]{20,}/);
    } finally {
      await again.stop();
    }
    const migrate = await runCli(['migrate'], env);
    expect(migrate.code).toBe(0);
  });
});

describe('xuncha command line', () => {
  it('creates a token and prints it once', async () => {
    const env = { DATA_DIR: tempDir() };
    const res = await runCli(['token', 'create', '--role', 'viewer', '--name', 'ops dashboard'], env);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^xc_[A-Za-z0-9_-]{40,}$/);
  });

  it('says what is wrong in one line and exits 2 on bad usage', async () => {
    const env = { DATA_DIR: tempDir() };
    const cases = [
      ['token', 'create', '--role', 'king'],
      ['token', 'create', '--role', 'department'],
      ['token', 'create', '--bogus'],
      ['no-such-command'],
    ];
    for (const args of cases) {
      const res = await runCli(args, env);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(res.stderr).toMatch(/^xuncha: /);
    }
  });

  it('exits 1 with one line for a token on an unknown department', async () => {
    const res = await runCli(['token', 'create', '--role', 'department', '--department', 'nope'], { DATA_DIR: tempDir() });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toMatch(/^xuncha: unknown department nope/);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a bad environment variable by name', async () => {
    const res = await runCli(['migrate'], { DATA_DIR: tempDir(), PORT: 'eighty' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/PORT/);
  });
});
