import type { ChartBlock } from './document.js';

/**
 * Inline SVG charts for the printable report: no scripts, no fonts, no links, no namespace URL (inline
 * SVG in HTML needs none). Coordinates are rounded to one decimal so output is byte-stable.
 */

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const n1 = (x: number) => (Math.round(x * 10) / 10).toFixed(1).replace(/\.0$/, '');

const W = 680;
const H = 290;
const M = { left: 46, right: 14, top: 18, bottom: 64 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const FONT = 'font-family="sans-serif"';

/** Top of a count axis split in four equal whole-number steps (1, 2, 2.5, 3, 4, 5, 6, 8 × 10^k). */
export function niceMax(max: number): number {
  if (max <= 4) return 4;
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 3, 4, 5, 6, 8, 10].map((s) => s * pow).find((s) => Number.isInteger(s) && s >= raw) ?? 10 * pow;
  return step * 4;
}

function frame(chart: ChartBlock, body: string[]): string {
  const legendY = H - 16;
  const legend: string[] = [];
  let x = M.left;
  for (const s of chart.series) {
    legend.push(`<rect x="${n1(x)}" y="${legendY - 9}" width="10" height="10" fill="${escapeXml(s.color)}"/>`);
    legend.push(`<text x="${n1(x + 14)}" y="${legendY}" font-size="10" ${FONT}>${escapeXml(s.label)}</text>`);
    x += 22 + Math.max(40, s.label.length * (/[^\x00-\x7f]/.test(s.label) ? 11 : 6.2));
  }
  return [
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(chart.title)}">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`,
    ...body,
    ...legend,
    '</svg>',
  ].join('');
}

function xLabels(categories: string[]): string[] {
  const slot = PW / Math.max(1, categories.length);
  return categories.map(
    (c, i) => `<text x="${n1(M.left + slot * (i + 0.5))}" y="${M.top + PH + 14}" font-size="9" text-anchor="middle" ${FONT}>${escapeXml(c)}</text>`,
  );
}

function yAxis(ticks: { value: number; label: string }[], max: number): string[] {
  const out: string[] = [];
  for (const tk of ticks) {
    const y = M.top + PH - (tk.value / max) * PH;
    out.push(`<line x1="${M.left}" y1="${n1(y)}" x2="${M.left + PW}" y2="${n1(y)}" stroke="#ddd" stroke-width="0.8"/>`);
    out.push(`<text x="${M.left - 6}" y="${n1(y + 3)}" font-size="9" text-anchor="end" ${FONT}>${escapeXml(tk.label)}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${M.top + PH}" x2="${M.left + PW}" y2="${M.top + PH}" stroke="#333" stroke-width="1"/>`);
  return out;
}

/** Stacked bars: one bar per category, one segment per series; a missing month is left empty. */
export function stackedBarsSvg(chart: ChartBlock): string {
  const n = chart.categories.length;
  const totals = chart.categories.map((_, i) => chart.series.reduce((s, se) => s + (se.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const ticks = [0, 1, 2, 3, 4].map((k) => ({ value: (max * k) / 4, label: n1((max * k) / 4) }));
  const slot = PW / Math.max(1, n);
  const bw = slot * 0.62;
  const body: string[] = [...yAxis(ticks, max)];
  for (let i = 0; i < n; i++) {
    const has = chart.series.some((se) => se.values[i] != null);
    const x = M.left + slot * i + (slot - bw) / 2;
    if (!has) {
      body.push(`<text x="${n1(x + bw / 2)}" y="${M.top + PH - 4}" font-size="9" text-anchor="middle" fill="#999" ${FONT}>—</text>`);
      continue;
    }
    let y = M.top + PH;
    for (const se of chart.series) {
      const v = se.values[i] ?? 0;
      if (v <= 0) continue;
      const h = (v / max) * PH;
      y -= h;
      body.push(`<rect x="${n1(x)}" y="${n1(y)}" width="${n1(bw)}" height="${n1(h)}" fill="${escapeXml(se.color)}"><title>${escapeXml(`${chart.categories[i]} ${se.label}: ${v}`)}</title></rect>`);
    }
    body.push(`<text x="${n1(x + bw / 2)}" y="${n1(y - 3)}" font-size="8" text-anchor="middle" ${FONT}>${totals[i]}</text>`);
  }
  body.push(...xLabels(chart.categories));
  return frame(chart, body);
}

/** Lines on a 0–100% axis; a missing month breaks the line. */
export function linesSvg(chart: ChartBlock): string {
  const n = chart.categories.length;
  const slot = PW / Math.max(1, n);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((v) => ({ value: v, label: `${v * 100}%` }));
  const body: string[] = [...yAxis(ticks, 1)];
  for (const se of chart.series) {
    const pts = se.values.map((v, i) => (v == null ? null : { x: M.left + slot * (i + 0.5), y: M.top + PH - Math.max(0, Math.min(1, v)) * PH, v }));
    let d = '';
    let pen = false;
    for (const p of pts) {
      if (!p) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${n1(p.x)} ${n1(p.y)}`;
      pen = true;
    }
    if (d) body.push(`<path d="${d}" fill="none" stroke="${escapeXml(se.color)}" stroke-width="2"/>`);
    for (const p of pts) {
      if (!p) continue;
      body.push(`<circle cx="${n1(p.x)}" cy="${n1(p.y)}" r="2.5" fill="${escapeXml(se.color)}"><title>${escapeXml(`${chart.categories[pts.indexOf(p)]} ${se.label}: ${(p.v * 100).toFixed(1)}%`)}</title></circle>`);
    }
    const last = [...pts].reverse().find((p) => p !== null);
    if (last) body.push(`<text x="${n1(last.x)}" y="${n1(last.y - 6)}" font-size="9" text-anchor="middle" fill="${escapeXml(se.color)}" ${FONT}>${(last.v * 100).toFixed(1)}%</text>`);
  }
  body.push(...xLabels(chart.categories));
  return frame(chart, body);
}

export function chartSvg(chart: ChartBlock): string {
  return chart.type === 'stacked_bars' ? stackedBarsSvg(chart) : linesSvg(chart);
}
