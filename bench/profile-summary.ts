/**
 * Self time by function of a V8 CPU profile (.cpuprofile, from `--cpu-prof` or the inspector).
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The top `n` functions (name + file:line) by self time, with their share of all samples (idle included). */
export function selfTimeTop(profile: CpuProfile, n = 15): Array<{ name: string; where: string; ms: number; pct: number }> {
  const frameOf = new Map<number, ProfileNode['callFrame']>();
  for (const node of profile.nodes) frameOf.set(node.id, node.callFrame);
  const selfUs = new Map<string, { name: string; where: string; us: number }>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const frame = frameOf.get(samples[i]!)!;
    const us = deltas[i + 1] ?? deltas[i] ?? 0;
    total += us;
    const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(process.cwd() + '/', '');
    const where = file ? `${file}:${frame.lineNumber + 1}` : '';
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const row = selfUs.get(key) ?? { name, where, us: 0 };
    row.us += us;
    selfUs.set(key, row);
  }
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((r) => ({ name: r.name, where: r.where, ms: r.us / 1000, pct: total ? (100 * r.us) / total : 0 }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [N]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  for (const row of selfTimeTop(profile, Number(process.argv[3] ?? 15))) console.log(`${row.pct.toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(7)} ms  ${row.name}  ${row.where}`);
}
