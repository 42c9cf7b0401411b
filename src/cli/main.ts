/**
 * The `xuncha` entry. Kept tiny on purpose: `xuncha --version` answers from package.json without loading
 * the command registry (zod, drizzle, the database drivers…), and everything else is loaded on demand.
 */
import { packageVersion } from '../version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  // serve on an empty embedded database: the image is laid out on a thread while the modules below load.
  if (argv[0] === 'serve') void import('../db/image-prefetch.js').then((m) => m.startImagePrefetch(process.env)).catch(() => {});
  const { runCli } = await import('./program.js');
  const code = await runCli(argv, packageVersion());
  if (code >= 0) process.exit(code);
}
