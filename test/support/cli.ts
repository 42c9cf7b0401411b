import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/xuncha.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child `xuncha`: the test's own, less what points at a database server. A test of
 * the embedded database must not reach the PostgreSQL server a `TEST_DATABASE_URL=… npm test` run
 * names (nor a DATABASE_URL of the shell); a test that wants PostgreSQL passes DATABASE_URL itself.
 */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, TEST_DATABASE_URL: _test, TEST_BACKENDS: _backends, ...inherited } = process.env;
  return { ...inherited, ...extra };
}

/**
 * Runs the real `xuncha` binary in a child process and waits for it to exit. `timeoutMs` only stops a
 * child that hangs: it is generous, since a loaded machine can take many seconds to start one.
 */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 300_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: childEnv({ LOG_LEVEL: 'warn', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `xuncha serve` and resolves once it listens; returns its URL and a stop function. */
export async function startServe(env: Record<string, string>, timeoutMs = 300_000, cwd?: string) {
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd, env: childEnv({ LOG_LEVEL: 'info', PUBLIC_URL: 'http://localhost', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stdout}\n${stderr}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /"url":"(http:\/\/[^"]+)".*xuncha is listening/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return {
    url,
    output: () => stdout,
    errors: () => stderr,
    stop: () =>
      new Promise<number | null>((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
