#!/usr/bin/env node
// Bundles the CLI and server (src/cli/main.ts and everything it imports from src/, probes/, reports/, i18n/)
// into dist/xuncha.mjs, packages left in node_modules. Run by `npm ci` (the prepare script) and by
// `npm run build`. bin/xuncha.mjs runs the bundle while it is newer than every source file and the
// sources through tsx otherwise, so an edit never runs stale code. Why bother: tsx transpiles in a
// loader thread of its own, which costs each process ~55 MB of memory and ~0.6 s of start-up — a lot
// for probe workers and CLI runs (see bench/sweep-fleet.ts).
//
// Split into chunks (dist/chunks/) so what a command imports lazily is still loaded lazily from the bundle:
// `xuncha --version` loads only the entry, and a probe worker on PostgreSQL never loads PGlite.
//
// Then the pre-initialised embedded database (src/db/pglite-image.ts): dist/pglite-image.tar.gz and
// its manifest, initdb and every migration done once here so a first `xuncha serve` on an empty
// DATA_DIR unpacks it instead (~0.8 s of CPU instead of initdb's 5-9 s). Made again only when drizzle/ or
// PGlite changed.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // xlsx-worker: the thread that reads .xlsx imports (src/inventory/import/xlsx.ts finds it in dist/).
  // pglite-image: makes the pre-initialised embedded database below; image-thread lays it out at serve's start.
  entryPoints: { xuncha: 'src/cli/main.ts', 'xlsx-worker': 'src/inventory/import/xlsx-worker.ts', 'sweep-thread': 'src/sweeps/sweep-thread.ts', 'pglite-image': 'src/db/pglite-image.ts', 'image-thread': 'src/db/image-thread.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  // `xuncha --version` without reading package.json at run time.
  define: { 'process.env.XUNCHA_BUILD_VERSION': JSON.stringify(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version) },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: 'tsconfig.json',
  sourcemap: 'linked',
  logLevel: 'warning',
});

const image = await import(new URL('../dist/pglite-image.mjs', import.meta.url).href);
const files = image.imageFiles(fileURLToPath(new URL('../dist/pglite-image.json', import.meta.url)));
const migrations = fileURLToPath(new URL('../drizzle', import.meta.url));
if (!image.imageIsCurrent(files, migrations)) {
  const t0 = performance.now();
  const manifest = await image.buildImage(files, migrations);
  process.stderr.write(`build: dist/pglite-image.tar.gz holds ${manifest.migrations.length} migrations (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
