#!/usr/bin/env node
// `npm run release`: the offline release of this commit, in release/:
//   xuncha-<version>-linux-x64.tar.gz  unpack anywhere, run ./install.sh (no network needed)
//   xuncha_<version>_amd64.deb         dpkg -i (skipped with a note where dpkg-deb is missing)
// Both hold the same program: one esbuild bundle with every library inlined except the two whose
// files are read at run time (PGlite's wasm/data, swagger-ui's assets), the drizzle/ migrations, the
// pre-initialised embedded database (dist/pglite-image.*, from scripts/build.mjs),
// and the Node runtime running this script (process.execPath) — no npm, no node_modules install.
//
// Reproducible: every file's mtime is SOURCE_DATE_EPOCH (default: the commit's time, `git log -1
// --format=%ct`), entries are sorted, owners are root, gzip stores no name or time. Two builds of
// one commit with the same Node and node_modules are byte-identical.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, copyFileSync, symlinkSync, lutimesSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = pkg.version;
const out = resolve(root, process.env.RELEASE_OUT ?? 'release');
/** A top-level package's folder (some packages export no ./package.json for require.resolve). */
const packageDir = (name) => join(root, 'node_modules', name);

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`release: builds linux-x64 releases with the running Node; this is ${process.platform}-${process.arch}`);
  process.exit(1);
}

function git(...args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
}
const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? git('log', '-1', '--format=%ct'));
const commit = (() => {
  try {
    return git('rev-parse', '--short=12', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : '');
  } catch {
    return 'unknown';
  }
})();
const mtime = new Date(epoch * 1000);

/** Runtime packages the bundle cannot inline, and the files of each that are used. */
const EXTERNAL = {
  // Loads pglite.wasm, pglite.data and initdb.wasm beside its own modules.
  '@electric-sql/pglite': (path) => !/\.(map|d\.ts|d\.cts|cjs|tar\.gz)$/.test(path) && !/(^|\/)(README|CHANGELOG|LICENSE)/i.test(path),
  // Read from disk and served at /docs/assets (src/entry/node.ts, src/routes/docs.ts).
  'swagger-ui-dist': (path) => ['package.json', 'swagger-ui.css', 'swagger-ui-bundle.js'].includes(path),
  // Read from disk and served at /assets/htmx.min.js (src/web/routes/assets.tsx): the pages' live progress.
  'htmx.org': (path) => ['package.json', 'dist/htmx.min.js', 'LICENSE'].includes(path),
};

/** Made by scripts/build.mjs (run below, so the image is current for this commit's drizzle/). */
const IMAGE = ['pglite-image.json', 'pglite-image.tar.gz'];

function step(msg) {
  process.stderr.write(`release: ${msg}\n`);
}

/** The program, laid out under `dir`: bin/xuncha, app/xuncha.mjs, app/drizzle, app/node_modules, node/, package.json. */
async function stageProgram(dir) {
  const lib = join(dir, 'app');
  mkdirSync(lib, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    // One file, not split as dist/ is: with the libraries inlined, esbuild's chunks evaluate shared
    // modules in another order, and schemas then call `.openapi()` before @hono/zod-openapi has
    // extended zod ("….openapi is not a function").
    // xlsx-worker: the thread that reads .xlsx imports, found beside the bundle (src/inventory/import/xlsx.ts).
    // image-thread: lays out the embedded database's image while serve loads (src/db/image-prefetch.ts).
    // Entries without splitting are self-contained files.
    entryPoints: { xuncha: 'src/cli/main.ts', 'xlsx-worker': 'src/inventory/import/xlsx-worker.ts', 'sweep-thread': 'src/sweeps/sweep-thread.ts', 'image-thread': 'src/db/image-thread.ts' },
    outdir: lib,
    outExtension: { '.js': '.mjs' },
    define: { 'process.env.XUNCHA_BUILD_VERSION': JSON.stringify(version) },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: Object.keys(EXTERNAL),
    tsconfig: 'tsconfig.json',
    // CommonJS libraries inlined into an ES module still call require() for Node's own modules.
    banner: { js: "import { createRequire as __xunchaRequire } from 'node:module';\nconst require = __xunchaRequire(import.meta.url);" },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  cpSync(join(root, 'drizzle'), join(lib, 'drizzle'), { recursive: true });
  // The pre-initialised embedded database (src/db/pglite-image.ts finds it beside the bundle): a first
  // start unpacks it instead of running initdb and every migration.
  for (const f of IMAGE) copyFileSync(join(root, 'dist', f), join(lib, f));
  // `xuncha --version` reads the version from ../package.json beside the bundle (src/cli/main.ts).
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: pkg.name, version, private: true, type: 'module', license: pkg.license }, null, 2)}\n`);
  for (const [name, keep] of Object.entries(EXTERNAL)) {
    const from = packageDir(name);
    copyTree(from, join(lib, 'node_modules', name), keep);
  }
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(root, 'packaging/xuncha.sh'), join(dir, 'bin/xuncha'));
  mkdirSync(join(dir, 'node/bin'), { recursive: true });
  copyNode(join(dir, 'node/bin/node'));
  return { bundled: bundledPackages(result.metafile) };
}

/**
 * The running Node binary, stripped of its symbol table as Debian strips binaries (dh_strip's
 * options; ~8 MB less). Where binutils is missing it is copied as it is, with a note.
 */
function copyNode(to) {
  const r = spawnSync('strip', ['--remove-section=.comment', '--remove-section=.note', '--strip-unneeded', '-o', to, process.execPath], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    step(`strip failed or is missing (${r.error?.message ?? r.stderr.trim()}): the Node runtime is copied unstripped`);
    copyFileSync(process.execPath, to);
  }
}

function copyTree(from, to, keep, rel = '') {
  for (const entry of readdirSync(join(from, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) copyTree(from, to, keep, path);
    else if (entry.isFile() && keep(path)) {
      mkdirSync(dirname(join(to, path)), { recursive: true });
      copyFileSync(join(from, path), join(to, path));
    }
  }
}

/** name@version of every npm package esbuild inlined, from its metafile. */
function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  for (const name of Object.keys(EXTERNAL)) dirs.add(relative(root, packageDir(name)));
  return [...dirs].sort().map((d) => ({ dir: join(root, d), ...JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')) }));
}

/** One text with each inlined or shipped package's name, version, license and license file. */
function thirdPartyLicenses(packages) {
  const parts = [];
  const seen = new Set();
  for (const p of packages) {
    const key = `${p.name}@${p.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const file = readdirSync(p.dir).sort().find((f) => /^(licen[cs]e|copying)/i.test(f));
    let text = file ? readFileSync(join(p.dir, file), 'utf8').trim() : `(no license file; package.json says: ${JSON.stringify(p.license ?? null)})`;
    if (existsSync(join(p.dir, 'NOTICE'))) text += `\n\nNOTICE:\n${readFileSync(join(p.dir, 'NOTICE'), 'utf8').trim()}`;
    parts.push(`${key}  (${typeof p.license === 'string' ? p.license : JSON.stringify(p.license ?? 'unknown')})\n\n${text}\n`);
  }
  return `Libraries inside Xuncha ${version}: bundled into app/xuncha.mjs or shipped in app/node_modules.\n\n${parts.join(`\n${'-'.repeat(78)}\n\n`)}`;
}

function nodeLicense() {
  for (const candidate of [join(dirname(process.execPath), '../share/doc/node/LICENSE'), '/usr/share/doc/nodejs/LICENSE']) {
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
  }
  return `Node.js ${process.version}: MIT License, https://github.com/nodejs/node/blob/${process.version}/LICENSE\n`;
}

function unit({ bindir, envfile }) {
  return readFileSync(join(root, 'packaging/xuncha.service.in'), 'utf8')
    .replace(/^# systemd unit for Xuncha.*\n/, `# systemd unit for Xuncha (巡查) ${version}.\n`)
    .replaceAll('@BINDIR@', bindir)
    .replaceAll('@ENVFILE@', envfile);
}

/** Files 0644 and folders 0755, except the few executables; every mtime the same. */
function normalise(dir, executables) {
  const walk = (path) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) {
      lutimesSync(path, mtime, mtime);
      return;
    }
    if (st.isDirectory()) {
      chmodSync(path, 0o755);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else {
      chmodSync(path, executables.has(relative(dir, path)) ? 0o755 : 0o644);
    }
    utimesSync(path, mtime, mtime);
  };
  walk(dir);
}

/** DEBIAN/md5sums: every regular file outside DEBIAN/ and etc/ (conffiles are summed by dpkg itself). */
function md5sums(dir) {
  const lines = [];
  const walk = (rel) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) lines.push(`${createHash('md5').update(readFileSync(join(dir, path))).digest('hex')}  ${path}`);
    }
  };
  for (const top of readdirSync(dir).sort()) {
    if (!['DEBIAN', 'etc'].includes(top)) walk(top);
  }
  return `${lines.join('\n')}\n`;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r;
}

function duKiB(dir) {
  let bytes = 0;
  const walk = (path) => {
    const st = lstatSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else bytes += st.size;
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}

const PROGRAM_EXECUTABLES = ['bin/xuncha', 'node/bin/node'];

async function tarball(work) {
  const name = `xuncha-${version}-linux-x64`;
  const top = join(work, name);
  const { bundled } = await stageProgram(top);
  writeFileSync(join(top, 'xuncha.service'), unit({ bindir: '/opt/xuncha/bin', envfile: '/etc/xuncha/xuncha.env' }));
  copyFileSync(join(root, 'packaging/xuncha.env'), join(top, 'xuncha.env'));
  copyFileSync(join(root, 'packaging/install.sh'), join(top, 'install.sh'));
  writeFileSync(join(top, 'THIRD-PARTY-LICENSES'), thirdPartyLicenses(bundled));
  writeFileSync(join(top, 'node/LICENSE'), nodeLicense());
  writeFileSync(join(top, 'VERSION'), `xuncha ${version}\ncommit ${commit}\nnode ${process.version}\n`);
  copyFileSync(join(root, 'README.md'), join(top, 'README.md'));
  normalise(top, new Set([...PROGRAM_EXECUTABLES, 'install.sh']));
  const file = join(out, `${name}.tar.gz`);
  const tar = spawnSync(
    'tar',
    ['--sort=name', `--mtime=@${epoch}`, '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-C', work, '-cf', '-', name],
    { maxBuffer: 1 << 30 },
  );
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  // gzip -n: no file name, no time stamp in the header.
  writeFileSync(file, gzipSync(tar.stdout, { level: 9 }));
  return { file, bundled };
}

async function deb(work, bundled) {
  if (spawnSync('dpkg-deb', ['--version']).status !== 0) {
    step('dpkg-deb is not installed: skipped the .deb (apt-get install dpkg-dev)');
    return undefined;
  }
  const r = join(work, 'deb');
  await stageProgram(join(r, 'usr/lib/xuncha'));
  mkdirSync(join(r, 'usr/bin'), { recursive: true });
  symlinkSync('../lib/xuncha/bin/xuncha', join(r, 'usr/bin/xuncha'));
  mkdirSync(join(r, 'lib/systemd/system'), { recursive: true });
  writeFileSync(join(r, 'lib/systemd/system/xuncha.service'), unit({ bindir: '/usr/bin', envfile: '/etc/xuncha/xuncha.env' }));
  mkdirSync(join(r, 'etc/xuncha'), { recursive: true });
  copyFileSync(join(root, 'packaging/xuncha.env'), join(r, 'etc/xuncha/xuncha.env'));
  const doc = join(r, 'usr/share/doc/xuncha');
  mkdirSync(doc, { recursive: true });
  copyFileSync(join(root, 'packaging/debian/copyright'), join(doc, 'copyright'));
  writeFileSync(join(doc, 'THIRD-PARTY-LICENSES.gz'), gzipSync(thirdPartyLicenses(bundled), { level: 9 }));
  writeFileSync(join(doc, 'node-LICENSE.gz'), gzipSync(nodeLicense(), { level: 9 }));
  writeFileSync(join(doc, 'README.md.gz'), gzipSync(readFileSync(join(root, 'README.md')), { level: 9 }));
  const maintainer = process.env.DEB_MAINTAINER ?? 'Xuncha maintainers <xuncha@example.org>';
  const date = mtime.toUTCString().replace('GMT', '+0000');
  const changelog = readFileSync(join(root, 'packaging/debian/changelog'), 'utf8')
    .replaceAll('@VERSION@', version)
    .replaceAll('@COMMIT@', commit)
    .replaceAll('@MAINTAINER@', maintainer)
    .replaceAll('@DATE@', date);
  // A native package (no Debian revision): changelog.gz, not changelog.Debian.gz.
  writeFileSync(join(doc, 'changelog.gz'), gzipSync(changelog, { level: 9 }));
  const overrides = join(r, 'usr/share/lintian/overrides');
  mkdirSync(overrides, { recursive: true });
  copyFileSync(join(root, 'packaging/debian/lintian-overrides'), join(overrides, 'xuncha'));
  const man = join(r, 'usr/share/man/man1');
  mkdirSync(man, { recursive: true });
  writeFileSync(join(man, 'xuncha.1.gz'), gzipSync(readFileSync(join(root, 'packaging/debian/xuncha.1')), { level: 9 }));
  const control = join(r, 'DEBIAN');
  mkdirSync(control);
  const installedKiB = duKiB(r) - duKiB(control);
  writeFileSync(
    join(control, 'control'),
    readFileSync(join(root, 'packaging/debian/control.in'), 'utf8')
      .replaceAll('@VERSION@', version)
      .replaceAll('@MAINTAINER@', maintainer)
      .replaceAll('@SIZE@', String(installedKiB)),
  );
  for (const f of ['conffiles', 'postinst', 'prerm', 'postrm']) copyFileSync(join(root, 'packaging/debian', f), join(control, f));
  writeFileSync(join(control, 'md5sums'), md5sums(r));
  normalise(r, new Set([...PROGRAM_EXECUTABLES.map((p) => `usr/lib/xuncha/${p}`), 'DEBIAN/postinst', 'DEBIAN/prerm', 'DEBIAN/postrm']));
  const file = join(out, `xuncha_${version}_amd64.deb`);
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z9', '--build', r, file], { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) }, stdio: ['ignore', 'ignore', 'inherit'] });
  return file;
}

// The image is remade only when drizzle/ or PGlite changed, so two releases of one commit ship the
// same bytes (the image itself holds a random system identifier, like any initdb).
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });

const work = join(out, '.work');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
try {
  const { file: tgz, bundled } = await tarball(work);
  step(`${relative(root, tgz)} ${(statSync(tgz).size / 2 ** 20).toFixed(1)} MiB`);
  const debFile = await deb(work, bundled);
  if (debFile) step(`${relative(root, debFile)} ${(statSync(debFile).size / 2 ** 20).toFixed(1)} MiB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
