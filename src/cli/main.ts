/**
 * The `xuncha` entry. Kept tiny on purpose: `xuncha --version` answers from package.json without loading
 * the command registry (zod, drizzle, the database drivers…), and everything else is loaded on demand.
 */
import { readFileSync } from 'node:fs';

/**
 * The version: set at build time (esbuild `define` of process.env.XUNCHA_BUILD_VERSION, as
 * scripts/build.mjs does), else package.json beside the bundle (dist/ → ../) or the sources (src/cli/ → ../../).
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

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { runCli } = await import('./program.js');
  const code = await runCli(argv, packageVersion());
  if (code >= 0) process.exit(code);
}
