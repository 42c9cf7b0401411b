import type { FC } from 'hono/jsx';
import { diffDays } from '../../reports/dates.js';
import type { ProbeDayPoint } from '../sweeps/results.js';
import { fmtPct } from './layout.js';
import type { T } from './i18n.js';

const W = 720;
const H = 220;
const M = { l: 48, r: 60, t: 26, b: 30 };

/** Colour of a day's availability bar; the table under the chart carries the same figures as text. */
function barFill(av: number): string {
  if (av >= 0.95) return '#1b6e20';
  if (av >= 0.8) return '#8a4b00';
  return '#b3261e';
}

/**
 * Daily availability (bars, left axis 0–100%) and mean response time (line, right axis, ms) as an
 * inline SVG: no script, no external file. Screen readers get the title and a summary; the data
 * table follows the chart.
 */
export const ProbeChart: FC<{ t: T; points: ProbeDayPoint[]; id: string }> = ({ t, points, id }) => {
  const first = points[0]!.day;
  const last = points[points.length - 1]!.day;
  const span = Math.max(1, diffDays(last, first));
  const innerW = W - M.l - M.r;
  const innerH = H - M.t - M.b;
  const slot = innerW / (span + 1);
  const barW = Math.max(2, Math.min(18, slot * 0.7));
  const x = (day: string) => M.l + slot * diffDays(day, first) + slot / 2;
  const yAv = (av: number) => M.t + innerH * (1 - av);
  const maxMs = Math.max(1, ...points.map((p) => p.meanMs ?? 0));
  const msTop = Math.ceil((maxMs * 1.1) / 100) * 100;
  const yMs = (ms: number) => M.t + innerH * (1 - ms / msTop);
  const probed = points.filter((p) => p.probes > 0);
  const totalProbes = probed.reduce((s, p) => s + p.probes, 0);
  const meanAv = totalProbes ? probed.reduce((s, p) => s + p.ok, 0) / totalProbes : NaN;
  const withMs = probed.filter((p) => p.meanMs !== null);
  const meanMs = withMs.length ? Math.round(withMs.reduce((s, p) => s + p.meanMs! * p.probes, 0) / withMs.reduce((s, p) => s + p.probes, 0)) : NaN;
  const line = withMs.map((p) => `${x(p.day).toFixed(1)},${yMs(p.meanMs!).toFixed(1)}`).join(' ');
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-labelledby={`${titleId} ${descId}`} xmlns="http://www.w3.org/2000/svg">
      <title id={titleId}>{t('ui.system.probes.chart')}</title>
      <desc id={descId}>
        {t('ui.system.probes.chartDesc', { from: first, to: last, days: probed.length, availability: fmtPct(meanAv), ms: Number.isFinite(meanMs) ? meanMs : '—' })}
      </desc>
      {[0, 0.5, 1].map((v) => (
        <g>
          <line x1={M.l} x2={W - M.r} y1={yAv(v)} y2={yAv(v)} stroke="#c4c7c5" stroke-width="1" />
          <text x={M.l - 6} y={yAv(v) + 4} text-anchor="end" font-size="12" fill="#333">{`${v * 100}%`}</text>
          <text x={W - M.r + 6} y={yAv(v) + 4} font-size="12" fill="#333">{`${Math.round(msTop * v)}`}</text>
        </g>
      ))}
      <text x={W - M.r + 6} y={12} font-size="11" fill="#333">{t('ui.system.probes.axisMs')}</text>
      <text x={M.l - 6} y={12} font-size="11" fill="#333" text-anchor="end">{t('ui.system.probes.availability')}</text>
      {probed.map((p) => {
        const av = p.ok / p.probes;
        const top = yAv(av);
        return <rect x={(x(p.day) - barW / 2).toFixed(1)} y={top.toFixed(1)} width={barW.toFixed(1)} height={Math.max(1, M.t + innerH - top).toFixed(1)} fill={barFill(av)} />;
      })}
      {withMs.length > 1 ? <polyline points={line} fill="none" stroke="#0b3d91" stroke-width="2" /> : null}
      {withMs.map((p) => (
        <circle cx={x(p.day).toFixed(1)} cy={yMs(p.meanMs!).toFixed(1)} r="2.5" fill="#0b3d91" />
      ))}
      <text x={M.l} y={H - 8} font-size="12" fill="#333">{first}</text>
      <text x={W - M.r} y={H - 8} font-size="12" fill="#333" text-anchor="end">{last}</text>
    </svg>
  );
};

/**
 * A 12-month sparkline of a rate (0–1) as inline SVG; months without a figure leave a gap in the line.
 * The accessible name lists every month's value, and the page repeats them in a table.
 */
export const Sparkline: FC<{ label: string; points: Array<{ month: string; rate: number | null }>; width?: number; height?: number }> = ({ label, points, width = 160, height = 40 }) => {
  const pad = 4;
  const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
  const y = (r: number) => pad + (height - 2 * pad) * (1 - Math.max(0, Math.min(1, r)));
  const runs: string[][] = [];
  let run: string[] = [];
  points.forEach((p, i) => {
    if (p.rate === null) {
      if (run.length) runs.push(run);
      run = [];
      return;
    }
    run.push(`${(pad + i * step).toFixed(1)},${y(p.rate).toFixed(1)}`);
  });
  if (run.length) runs.push(run);
  const last = [...points].reverse().find((p) => p.rate !== null);
  const lastIndex = last ? points.lastIndexOf(last) : -1;
  return (
    <svg class="spark" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label} xmlns="http://www.w3.org/2000/svg">
      <line x1={pad} x2={width - pad} y1={height - pad} y2={height - pad} stroke="#c4c7c5" stroke-width="1" />
      {runs.map((r) => (r.length > 1 ? <polyline points={r.join(' ')} fill="none" stroke="#0b3d91" stroke-width="2" /> : null))}
      {runs.filter((r) => r.length === 1).map((r) => {
        const [cx, cy] = r[0]!.split(',');
        return <circle cx={cx} cy={cy} r="2" fill="#0b3d91" />;
      })}
      {last && lastIndex >= 0 ? <circle cx={(pad + lastIndex * step).toFixed(1)} cy={y(last.rate!).toFixed(1)} r="3" fill="#0b3d91" /> : null}
    </svg>
  );
};
