/**
 * Self time of a CPU profile (node --cpu-prof) summed by function and by module, the top N of each:
 *
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile [--top 15]
 *
 * Several files are summed (a process's main thread and its probe threads each write one).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 15;
const files = args.filter((a, i) => a !== '--top' && a !== '--inclusive' && i !== topAt + 1);
if (!files.length) {
  process.stderr.write('usage: profile-summary.ts FILE.cpuprofile… [--top N]\n');
  process.exit(2);
}

/** Where a frame lives: the package in node_modules, node's own modules, or our file. */
function moduleOf(url: string): string {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(src|probes|reports|dist|bench)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

const byFunction = new Map<string, number>();
const byModule = new Map<string, number>();
let totalUs = 0;
for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per sample: the delta to the next sample (the last sample gets the profile's end).
  for (let i = 0; i < p.samples.length; i++) {
    const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1]! : 0;
    const n = nodes.get(p.samples[i]!)!;
    const f = n.callFrame;
    if (f.functionName === '(idle)') continue;
    totalUs += dt;
    const mod = moduleOf(f.url);
    const key = `${f.functionName || '(anonymous)'} ${mod}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
    byModule.set(mod, (byModule.get(mod) ?? 0) + dt);
  }
}

function print(title: string, map: Map<string, number>): void {
  console.log(`${title} (self time, ${(totalUs / 1e6).toFixed(2)} s busy in ${files.length} profile(s))`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${(us / 1e6).toFixed(3).padStart(8)} s ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${k}`);
  }
}
print('by function', byFunction);
print('by module', byModule);

// Inclusive time of our own functions (each counted once per sample's stack): where the probe's time goes.
if (args.includes('--inclusive')) {
  const incl = new Map<string, number>();
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Profile & { nodes: Array<ProfileNode & { children?: number[] }> };
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < p.samples.length; i++) {
      const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1]! : 0;
      const seen = new Set<string>();
      for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
        const f = nodes.get(id)!.callFrame;
        if (f.functionName === '(idle)') break;
        const key = `${f.functionName || '(anonymous)'} ${moduleOf(f.url)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        incl.set(key, (incl.get(key) ?? 0) + dt);
      }
    }
  }
  print('inclusive', new Map([...incl].filter(([k]) => !k.includes('node_modules') && !k.startsWith('(root)'))));
}
