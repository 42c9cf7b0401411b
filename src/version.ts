import { readFileSync } from 'node:fs';

/**
 * Xuncha's version: set at build time (esbuild `define` of process.env.XUNCHA_BUILD_VERSION, as
 * scripts/build.mjs and scripts/release.mjs do), else package.json found from this module — the sources
 * (src/ → ../), the bundle (dist/ → ../) or one of its chunks (dist/chunks/ → ../../). Reads only one
 * small file, so `xuncha --version` stays fast.
 */
export function packageVersion(): string {
  const built = process.env.XUNCHA_BUILD_VERSION;
  if (built) return built;
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'xuncha' && pkg.version) return pkg.version;
    } catch {
      /* try the next place */
    }
  }
  return 'unknown';
}
