import type { FC } from 'hono/jsx';
import type { Overview, RateSeries } from '../../verdicts/overview.js';
import type { UiKey } from '../../../i18n/ui-zh.js';
import { Sparkline } from '../chart.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtPct, fmtTime, Page } from '../layout.js';
import { OutcomeTable, type Common } from './components.js';

export function countChange(t: T, now: number, previous: number | null): string {
  if (previous === null) return t('ui.change.none');
  const d = now - previous;
  return d === 0 ? t('ui.change.flat') : t(d > 0 ? 'ui.change.up' : 'ui.change.down', { n: Math.abs(d) });
}

function rateChange(t: T, s: RateSeries): string {
  const prev = s.months[s.months.length - 2]?.rate ?? null;
  const now = s.months[s.months.length - 1]?.rate ?? null;
  if (prev === null || now === null) return t('ui.change.none');
  const pp = Math.round(Math.abs(now - prev) * 1000) / 10;
  if (pp === 0) return t('ui.change.flat');
  return t(now > prev ? 'ui.change.ppUp' : 'ui.change.ppDown', { n: pp.toFixed(1) });
}

const FINDING_ORDER = ['open', 'notified', 'answered', 'reopened', 'closed'] as const;

export const OverviewPage: FC<Common & { data: Overview }> = ({ t, lang, here, principal, csrf, data }) => {
  const rates: Array<{ key: UiKey; series: RateSeries; id: string }> = [
    { key: 'ui.overview.rate.availability', series: data.rates.availability, id: 'availability' },
    { key: 'ui.overview.rate.ipv6', series: data.rates.ipv6, id: 'ipv6' },
    { key: 'ui.overview.rate.cloud', series: data.rates.cloud, id: 'cloud' },
  ];
  const s = data.lastSweep;
  const failures = s ? Object.entries(s.outcomes).filter(([o]) => o !== 'ok').sort((a, b) => b[1] - a[1]) : [];
  return (
    <Page t={t} lang={lang} title={t('ui.overview.title')} here={here} principal={principal} csrf={csrf} nav="overview">
      <p class="muted">{t('ui.overview.asOf', { asOf: data.asOf, total: data.total })}</p>

      <section aria-labelledby="h-next">
        <h2 id="h-next">{t('ui.overview.next')}</h2>
        {data.next.length ? (
          <ol class="next" id="next-steps">
            {data.next.map((n) => {
              const text =
                n.kind === 'evidence_gap'
                  ? t(`ui.overview.next.evidence_gap.${n.gap}` as UiKey, { n: n.count })
                  : n.kind === 'campaign_pending'
                    ? t('ui.overview.next.campaign_pending', { n: n.count, name: n.name, deadline: n.deadline })
                    : t(`ui.overview.next.${n.kind}` as UiKey, { n: n.count });
              return (
                <li data-kind={n.kind}>
                  <a href={n.href}>{text}</a>
                </li>
              );
            })}
          </ol>
        ) : (
          <p>{t('ui.overview.next.none')}</p>
        )}
      </section>

      <section aria-labelledby="h-verdicts">
        <h2 id="h-verdicts">{t('ui.overview.verdicts')}</h2>
        <div class="tiles" id="verdicts">
          {data.verdicts.map((v) => (
            <a class={`tile ${v.status}`} href={`/inventory?status=${v.status}`} data-status={v.status}>
              <div class="l">{label(t, 'ui.status', v.status)}</div>
              <div class="n">{v.now}</div>
              <div class="muted">{countChange(t, v.now, v.previous)}</div>
            </a>
          ))}
        </div>
      </section>

      <section aria-labelledby="h-rates">
        <h2 id="h-rates">{t('ui.overview.rates')}</h2>
        <div class="tiles">
          {rates.map((r) => (
            <div class="tile" id={`rate-${r.id}`}>
              <div class="l">{t(r.key)}</div>
              <div class="n">{fmtPct(r.series.now)}</div>
              <Sparkline
                label={t('ui.overview.rate.spark', { label: t(r.key), points: r.series.months.map((m) => `${m.month} ${fmtPct(m.rate)}`).join(lang === 'zh' ? '，' : ', ') })}
                points={r.series.months}
              />
              <div class="muted">{rateChange(t, r.series)}</div>
            </div>
          ))}
        </div>
        <details>
          <summary>{t('ui.overview.rate.table')}</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('ui.overview.rate.month')}</th>
                {rates.map((r) => (
                  <th scope="col" class="num">
                    {t(r.key)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.rates.availability.months.map((m, i) => (
                <tr>
                  <td>{m.month}</td>
                  {rates.map((r) => (
                    <td class="num">{fmtPct(r.series.months[i]?.rate)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </section>

      <section aria-labelledby="h-cases">
        <h2 id="h-cases">{t('ui.overview.cases')}</h2>
        {data.cases.overdueItems.length ? (
          <table id="overdue">
            <caption>{t('ui.overview.cases.overdueList')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ui.col.name')}</th>
                <th scope="col">{t('ui.col.department')}</th>
                <th scope="col">{t('ui.col.status')}</th>
                <th scope="col">{t('ui.findings.deadline')}</th>
              </tr>
            </thead>
            <tbody>
              {data.cases.overdueItems.map((f) => (
                <tr>
                  <td>
                    <a href={`/systems/${encodeURIComponent(f.systemCode)}`}>{f.systemName}</a>
                  </td>
                  <td>{f.departmentName}</td>
                  <td>
                    <Badge t={t} prefix="ui.findings.status" value={f.status} /> <Badge t={t} prefix="ui.status" value={f.verdict} />
                  </td>
                  <td class="bad">{f.deadline}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {Object.keys(data.cases.byState).length ? (
          <table id="cases">
            <thead>
              <tr>
                <th scope="col">{t('ui.overview.cases.state')}</th>
                <th scope="col" class="num">
                  {t('ui.overview.cases.count')}
                </th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>
                  <a href="/findings?overdue=1" class="bad">
                    {t('ui.overview.cases.overdue')}
                  </a>
                </td>
                <td class="num">{data.cases.overdue}</td>
              </tr>
              {FINDING_ORDER.map((st) => (
                <tr>
                  <td>
                    <a href={`/findings?status=${st}`}>{label(t, 'ui.findings.status', st)}</a>
                  </td>
                  <td class="num">{data.cases.byState[st] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">{t('ui.overview.cases.none')}</p>
        )}
      </section>

      <section aria-labelledby="h-sweep">
        <h2 id="h-sweep">{t('ui.overview.sweep')}</h2>
        {s ? (
          <>
            <p id="last-sweep">
              {t('ui.overview.sweep.last', { at: fmtTime(s.createdAt, lang), done: s.done, targets: s.targets, failed: s.failed })}
              {s.status === 'running' ? t('ui.overview.sweep.running') : ''} <a href={`/sweeps/${s.id}`}>{t('ui.overview.sweep.open')}</a>
            </p>
            {failures.length ? (
              <OutcomeTable t={t} id="sweep-failures" counts={failures} />
            ) : null}
          </>
        ) : (
          <p>{t('ui.overview.sweep.none')}</p>
        )}
        <p>{data.nextSweepAt ? t('ui.overview.sweep.next', { at: fmtTime(data.nextSweepAt, lang) }) : t('ui.overview.sweep.noSchedule')}</p>
      </section>

      <section aria-labelledby="h-campaigns">
        <h2 id="h-campaigns">{t('ui.overview.campaigns')}</h2>
        {data.campaigns.length ? (
          <ul>
            {data.campaigns.map((c) => (
              <li>
                <a href={`/campaigns/${c.id}`}>{c.name}</a>：{c.deadline}（{t('ui.overview.campaigns.left', { days: c.daysLeft })}，{t('ui.overview.campaigns.pending', { pending: c.pending, items: c.items })}）
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('ui.overview.campaigns.none', { days: 14 })}</p>
        )}
      </section>
    </Page>
  );
};
