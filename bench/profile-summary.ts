/**
 * Self time of V8 CPU profiles (`node --cpu-prof`, or the inspector) summed by function and by module,
 * the top N of each; several files are summed (a process's main thread and its probe threads each write one):
 *
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile [--top 15] [--inclusive]
 *
 * `--inclusive` adds the inclusive time of our own functions (where a probe's time goes). Benchmarks
 * that profile in process (bench/api-list.ts) print `selfTimeTop` of their profile.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
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

const nameOf = (f: ProfileNode['callFrame']) => f.functionName || '(anonymous)';

/** Calls `visit(sampleNodeId, microseconds)` for every sample; the delta to the next sample is its time. */
function eachSample(p: CpuProfile, visit: (id: number, us: number) => void): void {
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) visit(samples[i]!, deltas[i + 1] ?? 0);
}

/** The top `n` functions (name + module:line) by self time, with their share of all samples (idle included). */
export function selfTimeTop(profile: CpuProfile, n = 15): Array<{ name: string; where: string; ms: number; pct: number }> {
  const nodes = new Map(profile.nodes.map((x) => [x.id, x.callFrame]));
  const rows = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  eachSample(profile, (id, us) => {
    const f = nodes.get(id)!;
    total += us;
    const where = f.url ? `${moduleOf(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${nameOf(f)} ${where}`;
    const row = rows.get(key) ?? { name: nameOf(f), where, us: 0 };
    row.us += us;
    rows.set(key, row);
  });
  return [...rows.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((r) => ({ name: r.name, where: r.where, ms: r.us / 1000, pct: total ? (100 * r.us) / total : 0 }));
}

function main(args: string[]): void {
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 15;
  const files = args.filter((a, i) => a !== '--top' && a !== '--inclusive' && (topAt < 0 || i !== topAt + 1));
  if (!files.length) {
    process.stderr.write('usage: profile-summary.ts FILE.cpuprofile… [--top N] [--inclusive]\n');
    process.exit(2);
  }
  const profiles = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let totalUs = 0;
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((x) => [x.id, x.callFrame]));
    eachSample(p, (id, us) => {
      const f = nodes.get(id)!;
      if (f.functionName === '(idle)') return;
      totalUs += us;
      const mod = moduleOf(f.url);
      const key = `${nameOf(f)} ${mod}${f.url ? `:${f.lineNumber + 1}` : ''}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
      byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    });
  }
  const print = (title: string, map: Map<string, number>) => {
    console.log(`${title} (self time, ${(totalUs / 1e6).toFixed(2)} s busy in ${files.length} profile(s))`);
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${(us / 1e6).toFixed(3).padStart(8)} s ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  print('by function', byFunction);
  print('by module', byModule);

  if (args.includes('--inclusive')) {
    // Each of our functions counted once per sample's stack.
    const incl = new Map<string, number>();
    for (const p of profiles) {
      const parent = new Map<number, number>();
      for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
      const nodes = new Map(p.nodes.map((x) => [x.id, x.callFrame]));
      eachSample(p, (sample, us) => {
        const seen = new Set<string>();
        for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
          const f = nodes.get(id)!;
          if (f.functionName === '(idle)') break;
          const key = `${nameOf(f)} ${moduleOf(f.url)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          incl.set(key, (incl.get(key) ?? 0) + us);
        }
      });
    }
    print('inclusive', new Map([...incl].filter(([k]) => !k.includes('node_modules') && !k.startsWith('(root)'))));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
