#!/usr/bin/env node
// Runs the bundle built by `npm ci` / `npm run build` (dist/xuncha.mjs) when it is newer than every
// source file, and the TypeScript sources through tsx otherwise (a fresh edit, no build, or
// XUNCHA_FROM_SOURCE=1). The project's tsconfig is named explicitly: tsx would otherwise look for one
// in the working directory, and the pages (hono/jsx) would compile wrongly when run from elsewhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const bundle = new URL('dist/xuncha.mjs', root);

/** Newest modification time under the source folders (a few hundred stats: about a millisecond). */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['src', 'probes', 'reports', 'i18n']) walk(fileURLToPath(new URL(dir, root)));
  return newest;
}

function bundleIsFresh() {
  if (process.env.XUNCHA_FROM_SOURCE === '1') return false;
  try {
    return statSync(bundle).mtimeMs > newestSource();
  } catch {
    return false;
  }
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Answered here, before any bundle or TypeScript loader: `xuncha --version` stays in tens of milliseconds.
  process.stdout.write(`${JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version}\n`);
} else if (bundleIsFresh()) {
  await import(bundle.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    // `npm ci --omit=dev` leaves tsx (a development tool) out; the bundle built at install runs instead.
    process.stderr.write('xuncha: dist/xuncha.mjs is missing or older than the sources, and tsx is not installed: run `npm run build`\n');
    process.exit(1);
  }
  register({ tsconfig: fileURLToPath(new URL('tsconfig.json', root)) });
  await import(new URL('src/cli/main.ts', root).href);
}
