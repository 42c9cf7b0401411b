import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localDay } from '../../probes/time.js';
import { commands } from '../../src/cli/registry.js';
import { BIN, childEnv, runCli } from '../support/cli.js';

// Every case waits for real child processes (several in a row); a loaded machine can take many seconds
// to start one, so the cap only stops a hang and never decides a result.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'xuncha-conv-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the CLI with its stdout a pipe the reader has already closed (`… | head` after head left). */
function runWithClosedStdout(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv({ LOG_LEVEL: 'warn', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Runs the CLI with stdout on a pseudo-terminal (util-linux `script`), as a person at a shell would. */
function runOnTerminal(args: string[], env: Record<string, string>) {
  const line = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', line, '/dev/null'], { env: childEnv({ LOG_LEVEL: 'warn', ...env }), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, output: r.stdout };
}
const hasScript = existsSync('/usr/bin/script');
const thisMonth = localDay(new Date(), 'Asia/Shanghai').slice(0, 7);

describe('xuncha command-line conventions', () => {
  it('--version prints package.json version and nothing else', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
      expect(r.stderr).toBe('');
    }
  });

  it('--help lists every command, and every command has its own --help', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const c of commands) expect(top.stdout).toContain(c.words[0]);
    const helps = await Promise.all(commands.map((c) => runCli([...c.words, '--help'], {}, 200_000)));
    for (const [i, c] of commands.entries()) {
      const r = helps[i]!;
      expect(r.code, c.words.join(' ')).toBe(0);
      expect(r.stdout, c.words.join(' ')).toContain(`Usage: xuncha ${c.words.join(' ')}`);
      expect(c.summary.length, `${c.words.join(' ')}: a summary fits one help line`).toBeLessThan(78);
      expect(r.stdout).toContain(c.summary);
      for (const name of Object.keys(c.options ?? {})) expect(r.stdout, `${c.words.join(' ')} --${name}`).toContain(`--${name}`);
    }
    const nothing = await runCli([]);
    expect(nothing.code).toBe(2);
    expect(nothing.stdout).toContain('Usage: xuncha');
  });

  it('suggests the command or option meant by a typo, in one line, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['serv'], /unknown command 'serv' \(Did you mean serve\?\)/],
      [['report', 'monthy'], /Did you mean monthly\?/],
      [['export', '--fromat', 'csv'], /unknown option '--fromat' \(Did you mean --format\?\)/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { DATA_DIR: tempDir() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^xuncha: /);
      expect(r.stderr).toMatch(message);
    }
  });

  describe('on a seeded database', () => {
    let env: Record<string, string>;
    let dir: string;
    beforeAll(async () => {
      dir = tempDir();
      env = { DATA_DIR: join(dir, 'data') };
      const seeded = await runCli(['seed', '--demo'], env);
      expect(seeded.code, seeded.stderr).toBe(0);
    });

    it('exits quietly when the reader of stdout has gone (| head)', async () => {
      for (const args of [
        ['export', '--format', 'csv', '--out', '-'],
        ['report', 'monthly', '--month', thisMonth, '--format', 'md'],
        ['--help'],
      ]) {
        const r = await runWithClosedStdout(args, env);
        expect(r.stderr, args.join(' ')).toBe('');
        expect(r.code, args.join(' ')).toBe(0);
      }
    });

    it('--out naming a FIFO writes into it and leaves it a FIFO', async () => {
      const fifo = join(dir, 'pipe');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const chunks: Buffer[] = [];
      const read = new Promise<void>((resolve, reject) => {
        createReadStream(fifo).on('data', (c) => chunks.push(c as Buffer)).on('end', resolve).on('error', reject);
      });
      const r = await runCli(['export', '--format', 'csv', '--out', fifo], env);
      await read;
      expect(r.code, r.stderr).toBe(0);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      const file = join(dir, 'inventory.csv');
      expect((await runCli(['export', '--format', 'csv', '--out', file], env)).code).toBe(0);
      expect(Buffer.concat(chunks).toString('utf8')).toBe(readFileSync(file, 'utf8'));
      expect(Buffer.concat(chunks).length).toBeGreaterThan(1000);
    });

    it.skipIf(!hasScript)('refuses to write an .xlsx to a terminal, and prints csv there', () => {
      for (const args of [
        ['export', '--format', 'xlsx', '--out', '-'],
        ['export', '--format', 'xlsx', '--out', '/dev/stdout'],
        ['report', 'monthly', '--month', thisMonth, '--format', 'xlsx'],
      ]) {
        const r = runOnTerminal(args, env);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.output.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(r.output).toMatch(/^xuncha: an \.xlsx.* is binary/);
      }
      const csv = runOnTerminal(['export', '--format', 'csv', '--out', '-'], env);
      expect(csv.code).toBe(0);
      expect(csv.output).toContain('LY-');
    });
  });
});
