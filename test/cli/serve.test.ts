import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BIN, childEnv, runCli, startServe } from '../support/cli.js';

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

/**
 * `xuncha serve` with stdout and stderr on a pseudo-terminal (util-linux `script`), as run by a person at a
 * console; stopped with Ctrl-C. `script` runs the command through $SHELL; `exec` makes xuncha the
 * terminal's foreground process itself, so a shell that does not exec its last command (dash, when CI
 * runs with SHELL=/bin/sh) cannot die of the Ctrl-C and turn xuncha's clean exit into 130.
 */
function serveOnTerminal(env: Record<string, string>): Promise<{ output: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', `exec '${process.execPath}' '${BIN}' serve`, '/dev/null'], {
      env: childEnv({ LOG_LEVEL: 'info', ...env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let interrupted = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000); // stops a hang only
    child.stdout.on('data', (d) => {
      output += d;
      if (!interrupted && /xuncha is listening/.test(output)) {
        interrupted = true;
        child.stdin.write('\x03');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
}

const TOKEN = /xc_[A-Za-z0-9_-]{20,}/g;

describe('xuncha serve on the embedded database', () => {
  it.skipIf(!existsSync('/usr/bin/script'))('shows a generated admin token once on a terminal, and keeps it in DATA_DIR/admin-token', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '0' };
    const first = await serveOnTerminal(env);
    expect(first.code).toBe(0);
    const shown = first.output.match(TOKEN) ?? [];
    expect(shown, 'the first start shows the token exactly once').toHaveLength(1);
    expect(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()).toBe(shown[0]);
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
    const again = await serveOnTerminal(env);
    expect(again.code).toBe(0);
    expect(again.output, 'a later start shows no token').not.toMatch(TOKEN);
    expect(again.output).toMatch(/xuncha is listening/);
  }, 200_000);

  it('starts an empty DATA_DIR from the image laid out while it loads, and leaves a whole data dir when stopped', async () => {
    const dataDir = tempDir();
    const server = await startServe({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '0', ADMIN_TOKEN: 'serve-test-token-0123456789abcdef' });
    try {
      expect(server.output()).toMatch(/"embeddedDatabase":"image"/);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // The template databases (laid out after the start) are in place, and nothing is left beside them.
    const pg = join(dataDir, 'pg');
    expect(readdirSync(join(pg, 'base')).sort()).toEqual(['1', '4', '5']);
    expect(readdirSync(dataDir).filter((n) => n.startsWith('pg.'))).toEqual([]);
    const again = await runCli(['migrate'], { DATA_DIR: dataDir });
    expect(again.code).toBe(0);

    // An empty DATA_DIR whose lock another live process holds: one line, and the image laid out for
    // nothing is gone when serve exits.
    const held = tempDir();
    writeFileSync(join(held, 'xuncha.lock'), JSON.stringify({ pid: process.pid, command: 'the test', startedAt: new Date().toISOString() }));
    const refused = await runCli(['serve'], { DATA_DIR: held, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '0' });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/in use by the test \(pid \d+/);
    expect(readdirSync(held)).toEqual(['xuncha.lock']);
  }, 180_000);

  it('stores a generated admin token in a file the log names, serves the API, and guards DATA_DIR against a second process', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '0' };
    // Started from another directory, as `npx xuncha` may be: the pages must still compile.
    const server = await startServe(env, undefined, dataDir);
    try {
      expect((await fetch(`${server.url}/login`)).status).toBe(200);
      const file = join(dataDir, 'admin-token');
      const token = readFileSync(file, 'utf8').trim();
      expect(token).toMatch(/^xc_[A-Za-z0-9_-]{40,}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // Not a terminal: the log stream says where the token is, never the token.
      expect(server.output()).not.toContain(token);
      expect(server.errors()).not.toContain(token);
      expect(server.output()).toContain(`"file":"${file}"`);
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

    // After a clean shutdown the folder is free again.
    const migrate = await runCli(['migrate'], env);
    expect(migrate.code).toBe(0);
  }, 180_000);
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
