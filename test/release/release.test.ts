// The offline release (`npm run release`): the tarball and the .deb are unpacked into temporary roots
// and started from there as their systemd unit would start them — its ExecStart, its EnvironmentFile,
// its WorkingDirectory — with no node or npm on PATH, an empty HOME and npm's registry pointed at a
// closed loopback port. lintian and `systemd-analyze verify` check the .deb.
//
// The release is built once here (about a minute), or taken from XUNCHA_RELEASE_DIR (.ci/run builds it
// first). Tests that need dpkg-deb, lintian or systemd-analyze are skipped where those are missing,
// except in CI (CI=true), where a missing tool fails. XUNCHA_RELEASE_REPRO=1 (set in CI) also builds
// the release a second time and compares the bytes.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodRow, HEADER, xlsxOf } from '../inventory/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const TARBALL = `xuncha-${VERSION}-linux-x64.tar.gz`;
const DEB = `xuncha_${VERSION}_amd64.deb`;
const CI = process.env.CI === 'true';
const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64';

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
/** Present, or CI (where the test then fails on the missing tool rather than skip). */
const usable = (cmd: string) => LINUX_X64 && (CI || has(cmd));

const temps: string[] = [];
const temp = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `xuncha-release-${name}-`));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function buildRelease(out: string): void {
  const r = spawnSync(process.execPath, ['scripts/release.mjs'], { cwd: ROOT, env: { ...process.env, RELEASE_OUT: out }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run release failed (${r.status}):\n${r.stderr}`);
}

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A PATH with only what the launcher script needs: no node, no npm. */
function barePath(): string {
  const bin = temp('path');
  for (const tool of ['sh', 'readlink', 'dirname']) {
    const real = ['/bin', '/usr/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
    if (!real) throw new Error(`no ${tool} on this machine`);
    symlinkSync(real, join(bin, tool));
  }
  return bin;
}

interface Unit {
  execStart: string[];
  environmentFile: string;
  workingDirectory: string;
  text: string;
}

function readUnit(path: string): Unit {
  const text = readFileSync(path, 'utf8');
  const value = (key: string) => {
    const m = new RegExp(`^${key}=(.*)$`, 'm').exec(text);
    if (!m) throw new Error(`${path} has no ${key}=`);
    return m[1]!.trim();
  };
  return { execStart: value('ExecStart').split(/\s+/), environmentFile: value('EnvironmentFile'), workingDirectory: value('WorkingDirectory'), text };
}

/**
 * Starts the unit's ExecStart from inside `root` with the unit's EnvironmentFile, as systemd would,
 * but listening on a free loopback port. Resolves when it exits, or once it listens.
 */
function startAsUnit(root: string, unit: Unit) {
  const fileEnv = parseEnv(readFileSync(join(root, unit.environmentFile), 'utf8')) as Record<string, string>;
  const cwd = join(root, unit.workingDirectory);
  mkdirSync(cwd, { recursive: true });
  const env: Record<string, string> = {
    PATH: barePath(),
    HOME: temp('home'),
    // Nothing may reach for a registry; if anything did, it would fail here at once.
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_offline: 'true',
    LANG: 'C.UTF-8',
    ...fileEnv,
    // The unit's folders, inside the temporary root.
    ...(fileEnv.DATA_DIR ? { DATA_DIR: join(root, fileEnv.DATA_DIR) } : {}),
    PORT: '0',
    HOST: '127.0.0.1',
  };
  const [exe, ...args] = unit.execStart;
  const child = spawn(join(root, exe!), args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /"url":"(http:\/\/[^"]+)".*xuncha is listening/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`exited ${code} before listening:\n${stdout}\n${stderr}`)));
  });
  listening.catch(() => {});
  return {
    listening,
    exited,
    output: () => ({ stdout, stderr }),
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function expectServes(root: string, unit: Unit): Promise<void> {
  const service = startAsUnit(root, unit);
  try {
    const url = await service.listening;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    // swagger-ui's files, read from the release's own copy.
    const asset = await fetch(`${url}/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    // htmx for the sweep pages' live progress, likewise from the release's copy (no CDN).
    const htmx = await fetch(`${url}/assets/htmx.min.js`);
    expect(htmx.status).toBe(200);
    expect((await htmx.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    expect((await fetch(`${url}/api/v1/openapi.json`)).status).toBe(200);
    // An .xlsx is read by a worker thread whose script must ship beside the bundle: a dry run of a
    // sheet naming an unknown department answers with that row's error (the sheet was read).
    const fileEnv = parseEnv(readFileSync(join(root, unit.environmentFile), 'utf8')) as Record<string, string>;
    const token = readFileSync(join(root, fileEnv.DATA_DIR!, 'admin-token'), 'utf8').trim();
    const sheet = await xlsxOf([HEADER, goodRow(3)]);
    const imported = await fetch(`${url}/api/v1/imports?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      body: new Uint8Array(sheet),
    });
    const body = await imported.json();
    expect(imported.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ dryRun: true, format: 'xlsx', rows: 1, errors: [{ row: 2 }] });
  } finally {
    expect(await service.stop(), JSON.stringify(service.output())).toBe(0);
  }
}

/** A bad value in the unit's EnvironmentFile: exit 1 and one line on stderr naming the variable. */
async function expectRefusesBadEnv(root: string, unit: Unit): Promise<void> {
  const file = join(root, unit.environmentFile);
  const good = readFileSync(file, 'utf8');
  expect(good).toMatch(/^#PROBE_TIMEOUT_MS=15000$/m);
  writeFileSync(file, good.replace(/^#PROBE_TIMEOUT_MS=15000$/m, 'PROBE_TIMEOUT_MS=15s'));
  try {
    const service = startAsUnit(root, unit);
    expect(await service.exited).toBe(1);
    const { stdout, stderr } = service.output();
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^xuncha: invalid environment variable PROBE_TIMEOUT_MS: /)]);
    expect(stdout).not.toMatch(/listening/);
  } finally {
    writeFileSync(file, good);
  }
}

describe.skipIf(!LINUX_X64)('npm run release', () => {
  let dir: string;
  beforeAll(() => {
    dir = process.env.XUNCHA_RELEASE_DIR ? join(ROOT, process.env.XUNCHA_RELEASE_DIR) : temp('out');
    if (!process.env.XUNCHA_RELEASE_DIR) buildRelease(dir);
  }, 900_000);

  describe('the tarball', () => {
    let root: string;
    beforeAll(() => {
      const unpacked = temp('tgz');
      expect(sh('tar', ['-xzf', join(dir, TARBALL), '-C', unpacked]).code).toBe(0);
      root = temp('tgz-root');
      // install.sh stages into DESTDIR: no user, no systemctl, and no network either way.
      const installed = sh('sh', [join(unpacked, `xuncha-${VERSION}-linux-x64`, 'install.sh'), '--no-start'], { env: { PATH: '/usr/bin:/bin', DESTDIR: root } });
      expect(installed.code, installed.stderr).toBe(0);
    }, 120_000);

    it('holds the bundle, its runtime files and Node, and no build or dev tools', () => {
      const entries = sh('tar', ['-tzf', join(dir, TARBALL)]).stdout.trim().split('\n');
      const top = `xuncha-${VERSION}-linux-x64/`;
      for (const f of ['bin/xuncha', 'app/xuncha.mjs', 'app/drizzle/meta/_journal.json', 'node/bin/node', 'xuncha.service', 'xuncha.env', 'install.sh', 'THIRD-PARTY-LICENSES']) {
        expect(entries).toContain(top + f);
      }
      const packages = new Set(entries.map((e) => /app\/node_modules\/((?:@[^/]+\/)?[^@/][^/]*)\//.exec(e)?.[1]).filter(Boolean));
      expect([...packages].sort()).toEqual(['@electric-sql/pglite', 'htmx.org', 'swagger-ui-dist']);
      expect(entries.filter((e) => /wrangler|workerd|esbuild|tsx|typescript|vitest|@scarf|drizzle-kit|miniflare|\.map$/.test(e))).toEqual([]);
    });

    it('installs with install.sh and serves /readyz from the installed tree with no registry', async () => {
      for (const f of ['opt/xuncha/bin/xuncha', 'opt/xuncha/node/bin/node', 'etc/xuncha/xuncha.env', 'etc/systemd/system/xuncha.service']) {
        expect(existsSync(join(root, f)), f).toBe(true);
      }
      expect(readlinkSync(join(root, 'usr/local/bin/xuncha'))).toBe('/opt/xuncha/bin/xuncha');
      const version = sh(join(root, 'opt/xuncha/bin/xuncha'), ['--version'], { env: { PATH: barePath() } });
      expect(version.stdout).toBe(`${VERSION}\n`);
      await expectServes(root, readUnit(join(root, 'etc/systemd/system/xuncha.service')));
    }, 420_000);

    it('refuses to start on a bad xuncha.env value, naming the variable', async () => {
      await expectRefusesBadEnv(root, readUnit(join(root, 'etc/systemd/system/xuncha.service')));
    }, 120_000);
  });

  describe.skipIf(!usable('dpkg-deb'))('the .deb', () => {
    let root: string;
    let unit: Unit;
    beforeAll(() => {
      root = temp('deb-root');
      const x = sh('dpkg-deb', ['-x', join(dir, DEB), root]);
      expect(x.code, x.stderr).toBe(0);
      unit = readUnit(join(root, 'lib/systemd/system/xuncha.service'));
    }, 120_000);

    it('declares the conffile, creates the xuncha user, and hardens the unit', () => {
      const field = (f: string) => sh('dpkg-deb', ['-f', join(dir, DEB), f]).stdout.trim();
      expect(field('Package')).toBe('xuncha');
      expect(field('Version')).toBe(VERSION);
      expect(field('Architecture')).toBe('amd64');
      const control = temp('deb-control');
      expect(sh('dpkg-deb', ['-e', join(dir, DEB), control]).code).toBe(0);
      expect(readFileSync(join(control, 'conffiles'), 'utf8').trim().split('\n')).toEqual(['/etc/xuncha/xuncha.env']);
      expect(readFileSync(join(control, 'postinst'), 'utf8')).toMatch(/adduser --system --group --home \/var\/lib\/xuncha/);
      for (const line of ['User=xuncha', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/xuncha', 'PrivateTmp=yes', 'ExecStart=/usr/bin/xuncha serve']) {
        expect(unit.text.split('\n')).toContain(line);
      }
      expect(readdirSync(join(root, 'usr/bin'))).toEqual(['xuncha']);
    });

    it('unpacked into a temporary root, starts as its unit does and serves /readyz with no registry', async () => {
      mkdirSync(join(root, 'var/lib/xuncha'), { recursive: true }); // the postinst's job
      await expectServes(root, unit);
    }, 420_000);

    it('refuses to start on a bad xuncha.env value, naming the variable', async () => {
      await expectRefusesBadEnv(root, unit);
    }, 120_000);

    it.skipIf(!usable('systemd-analyze'))('passes systemd-analyze verify', () => {
      // A root with the package's files and the host's own units (targets the unit refers to).
      const verifyRoot = temp('verify');
      cpSync(root, verifyRoot, { recursive: true, verbatimSymlinks: true });
      cpSync('/lib/systemd/system', join(verifyRoot, 'usr/lib/systemd/system'), { recursive: true });
      // MANPATH: Documentation=man:xuncha(1) is checked against the package's own man page.
      const r = sh('systemd-analyze', ['verify', `--root=${verifyRoot}`, 'xuncha.service'], { env: { ...process.env, MANPATH: join(verifyRoot, 'usr/share/man') } });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.code).toBe(0);
    }, 120_000);

    it.skipIf(!usable('lintian'))('passes lintian (overrides in packaging/debian/lintian-overrides)', () => {
      const r = sh('lintian', ['--fail-on', 'error,warning', join(dir, DEB)]);
      expect(r.stdout.split('\n').filter((l) => /^[EW]:/.test(l))).toEqual([]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }, 600_000);
  });

  it.skipIf(process.env.XUNCHA_RELEASE_REPRO !== '1')('is byte-identical when built again from the same commit', () => {
    const again = temp('again');
    buildRelease(again);
    for (const f of [TARBALL, ...(existsSync(join(dir, DEB)) ? [DEB] : [])]) {
      expect(readFileSync(join(again, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
    }
  }, 900_000);
});
