import type { FC } from 'hono/jsx';
import { InspectionSection } from './inspection.js';
import type { InspectionDto } from '../../verdicts/inspection.js';
import type { Principal } from '../../auth/tokens.js';
import { DEPLOYMENTS, LIFECYCLES, SYSTEM_STATUSES } from '../../db/schema/enums.js';
import type { SystemDto } from '../../inventory/schemas.js';
import { REPORT_FORMATS } from '../../../reports/monthly/index.js';
import { ProbeChart } from '../chart.js';
import type { SystemView } from '../../inventory/system-view.js';
import { HISTORY_DAYS } from '../../sweeps/results.js';
import type { FindingDto } from '../../verdicts/findings.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtPct, fmtTime, Hidden, Notice, Page, SafeLink } from '../layout.js';

interface Common {
  t: T;
  lang: Lang;
  here: string;
  principal: Principal;
  csrf: string;
}

export const LoginPage: FC<{ t: T; lang: Lang; here: string; csrf: string; next: string; message?: { kind: 'ok' | 'error' | 'warn'; text: string } }> = ({ t, lang, here, csrf, next, message }) => (
  <Page t={t} lang={lang} title={t('ui.login.title')} here={here}>
    {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    <p>{t('ui.login.intro')}</p>
    <form method="post" action="/login">
      <Hidden name="_csrf" value={csrf} />
      <Hidden name="next" value={next} />
      <div class="field">
        <label for="token">{t('ui.login.token')}</label>
        <input type="password" id="token" name="token" required autocomplete="off" spellcheck={false} maxlength={512} size={48} />
      </div>
      <button type="submit">{t('ui.login.submit')}</button>
    </form>
  </Page>
);

export const ErrorPage: FC<{ t: T; lang: Lang; here: string; principal?: Principal | null; csrf?: string; title?: string; message: string; back?: string }> = ({
  t,
  lang,
  here,
  principal,
  csrf,
  title,
  message,
  back,
}) => (
  <Page t={t} lang={lang} title={title ?? t('ui.error.title')} here={here} principal={principal} csrf={csrf}>
    <Notice kind="error">{message}</Notice>
    {back ? (
      <p>
        <a href={back}>{t('ui.error.back')}</a>
      </p>
    ) : null}
  </Page>
);

export interface InventoryFilters {
  department?: string;
  lifecycle?: string;
  deployment?: string;
  status?: string;
  q?: string;
  cursor?: string;
}

function query(f: InventoryFilters, extra: Record<string, string | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

const Select: FC<{ t: T; id: string; name: string; label: string; value?: string; options: Array<{ value: string; label: string }> }> = (p) => (
  <div class="field">
    <label for={p.id}>{p.label}</label>
    <select id={p.id} name={p.name}>
      <option value="">{p.t('ui.filter.any')}</option>
      {p.options.map((o) => (
        <option value={o.value} selected={o.value === p.value}>
          {o.label}
        </option>
      ))}
    </select>
  </div>
);

export const InventoryPage: FC<
  Common & { filters: InventoryFilters; departments: Array<{ code: string; name: string; path: string }>; items: SystemDto[]; nextCursor: string | null; error?: string }
> = ({ t, lang, here, principal, csrf, filters, departments, items, nextCursor, error }) => (
  <Page t={t} lang={lang} title={t('ui.inventory.title')} here={here} principal={principal} csrf={csrf} nav="inventory">
    <form class="filters" method="get" action="/inventory" role="search">
      <Select
        t={t}
        id="f-department"
        name="department"
        label={t('ui.filter.department')}
        value={filters.department}
        options={departments.map((d) => ({ value: d.code, label: `${'\u3000'.repeat(Math.max(0, d.path.split('/').filter(Boolean).length - 1))}${d.name}` }))}
      />
      <Select t={t} id="f-lifecycle" name="lifecycle" label={t('ui.filter.lifecycle')} value={filters.lifecycle} options={LIFECYCLES.map((v) => ({ value: v, label: label(t, 'ui.lifecycle', v) }))} />
      <Select t={t} id="f-deployment" name="deployment" label={t('ui.filter.deployment')} value={filters.deployment} options={DEPLOYMENTS.map((v) => ({ value: v, label: label(t, 'ui.deployment', v) }))} />
      <Select t={t} id="f-status" name="status" label={t('ui.filter.status')} value={filters.status} options={SYSTEM_STATUSES.map((v) => ({ value: v, label: label(t, 'ui.status', v) }))} />
      <div class="field">
        <label for="f-q">
          {t('ui.filter.q')} <span class="hint">（{t('ui.filter.q.hint')}）</span>
        </label>
        <input type="text" id="f-q" name="q" value={filters.q ?? ''} maxlength={100} />
      </div>
      <div class="field">
        <button type="submit">{t('ui.filter.submit')}</button>
      </div>
      <div class="field">
        <a href="/inventory">{t('ui.filter.reset')}</a>
      </div>
    </form>
    {error ? <Notice kind="error">{error}</Notice> : null}
    <p class="muted" role="status">
      {t('ui.inventory.count', { n: items.length })}
    </p>
    {items.length ? (
      <table>
        <thead>
          <tr>
            <th scope="col">{t('ui.col.code')}</th>
            <th scope="col">{t('ui.col.name')}</th>
            <th scope="col">{t('ui.col.department')}</th>
            <th scope="col">{t('ui.col.lifecycle')}</th>
            <th scope="col">{t('ui.col.deployment')}</th>
            <th scope="col">{t('ui.col.status')}</th>
            <th scope="col" class="num">{t('ui.col.endpoints')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr>
              <td>{s.code}</td>
              <td>
                <a href={`/systems/${encodeURIComponent(s.code)}`}>{s.name}</a>
              </td>
              <td>{s.departmentName}</td>
              <td>{label(t, 'ui.lifecycle', s.lifecycle)}</td>
              <td>{label(t, 'ui.deployment', s.deployment)}</td>
              <td>
                <Badge t={t} prefix="ui.status" value={s.status} />
              </td>
              <td class="num">{s.endpoints.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p>{t('ui.inventory.empty')}</p>
    )}
    <p class="row">
      {filters.cursor ? <a href={`/inventory${query({ ...filters, cursor: undefined })}`}>{t('ui.page.first')}</a> : null}
      {nextCursor ? (
        <a href={`/inventory${query(filters, { cursor: nextCursor })}`} rel="next">
          {t('ui.page.next')}
        </a>
      ) : null}
    </p>
  </Page>
);

const Fact: FC<{ name: string; value: string | number | null | undefined }> = ({ name, value }) => (
  <>
    <dt>{name}</dt>
    <dd>{value === null || value === undefined || value === '' ? '—' : String(value)}</dd>
  </>
);

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function yesNo(t: T, v: unknown): string {
  return v === true ? t('ui.yes') : v === false ? t('ui.no') : t('ui.unknown');
}

export type SystemPageData = SystemView;

export const SystemPage: FC<Common & SystemPageData & { inspection?: InspectionDto | null }> = ({ t, lang, here, principal, csrf, system: s, endpoints, probes, usage, findings, campaigns, inspection }) => {
  const ipv6 = endpoints.filter((e) => e.ipv6);
  const reasons = s.statusReasons as Array<{ code: string; detail?: string; since?: string | null }>;
  return (
    <Page t={t} lang={lang} title={`${s.name}（${s.code}）`} here={here} principal={principal} csrf={csrf} nav="inventory">
      <section aria-labelledby="h-verdict">
        <h2 id="h-verdict">{t('ui.system.verdict')}</h2>
        <p class="row">
          <Badge t={t} prefix="ui.status" value={s.status} />
          <span class="muted">{s.statusAt ? t('ui.system.verdictAt', { at: fmtTime(s.statusAt, lang) }) : null}</span>
        </p>
        {reasons.length ? (
          <ul>
            {reasons.map((r) => (
              <li>
                <strong>{r.code}</strong>
                {r.detail ? `：${r.detail}` : ''}
                {r.since ? <span class="muted">（{t('ui.system.reason.since', { since: r.since })}）</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('ui.system.noReasons')}</p>
        )}
      </section>
      {inspection ? <InspectionSection lang={lang} card={inspection} /> : null}

      <section aria-labelledby="h-details">
        <h2 id="h-details">{t('ui.system.details')}</h2>
        <dl class="facts">
          <Fact name={t('ui.col.code')} value={s.code} />
          <Fact name={t('ui.col.department')} value={s.departmentName} />
          <Fact name={t('ui.system.operatorUnit')} value={s.operatorUnit} />
          <Fact name={t('ui.system.contractor')} value={s.contractor} />
          <Fact name={t('ui.system.contact')} value={[s.contact.name, s.contact.phone, s.contact.email].filter(Boolean).join(' · ')} />
          <Fact name={t('ui.system.description')} value={s.description} />
          <Fact name={t('ui.col.lifecycle')} value={label(t, 'ui.lifecycle', s.lifecycle)} />
          <Fact name={t('ui.system.launchedOn')} value={s.launchedOn} />
          <Fact name={t('ui.col.deployment')} value={label(t, 'ui.deployment', s.deployment)} />
          <Fact name={t('ui.system.cloudRequired')} value={yesNo(t, s.cloudRequired)} />
          <Fact name={t('ui.system.network')} value={label(t, 'ui.network', s.network)} />
          <Fact name={t('ui.system.builtBy')} value={label(t, 'ui.builtBy', s.builtBy)} />
          <Fact name={t('ui.system.mlpsLevel')} value={s.mlpsLevel} />
          <Fact name={t('ui.system.userScope')} value={label(t, 'ui.userScope', s.userScope)} />
          <Fact name={t('ui.system.registeredUsers')} value={s.registeredUsers} />
          <Fact name={t('ui.system.tags')} value={s.tags.join('、')} />
          <Fact name={t('ui.system.version')} value={s.version} />
          <Fact name={t('ui.system.updatedAt')} value={fmtTime(s.updatedAt, lang)} />
        </dl>
        <h3>{t('ui.system.endpoints')}</h3>
        {endpoints.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">{t('ui.system.endpoint.role')}</th>
                <th scope="col">{t('ui.system.endpoint.lastOutcome')}</th>
                <th scope="col">{t('ui.system.endpoint.lastOk')}</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.map((e) => (
                <tr>
                  <td>
                    <SafeLink href={e.url} />
                  </td>
                  <td>{label(t, 'ui.endpointRole', e.role)}</td>
                  <td>{e.lastOutcome ? `${e.lastOutcome}（${fmtTime(e.lastProbeAt, lang)}）` : '—'}</td>
                  <td>{fmtTime(e.lastOkAt, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">{t('ui.system.none')}</p>
        )}
      </section>

      <section aria-labelledby="h-probes">
        <h2 id="h-probes">{t('ui.system.probes', { days: HISTORY_DAYS })}</h2>
        {probes.length ? (
          <>
            <ProbeChart t={t} points={probes} id="probe-chart" />
            <details>
              <summary>{t('ui.system.probes.table')}</summary>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('ui.system.probes.day')}</th>
                    <th scope="col" class="num">{t('ui.system.probes.count')}</th>
                    <th scope="col" class="num">{t('ui.system.probes.availability')}</th>
                    <th scope="col" class="num">{t('ui.system.probes.meanMs')}</th>
                  </tr>
                </thead>
                <tbody>
                  {probes.map((p) => (
                    <tr>
                      <td>{p.day}</td>
                      <td class="num">{p.probes}</td>
                      <td class="num">{fmtPct(p.probes ? p.ok / p.probes : null)}</td>
                      <td class="num">{p.meanMs ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </>
        ) : (
          <p class="muted">{t('ui.system.probes.empty')}</p>
        )}
      </section>

      <section aria-labelledby="h-ipv6">
        <h2 id="h-ipv6">{t('ui.system.ipv6')}</h2>
        {ipv6.length ? (
          ipv6.map((e) => {
            const v = e.ipv6!;
            const reasons6 = Array.isArray(v.reasons) ? (v.reasons as unknown[]) : [];
            return (
              <div class="card">
                <h3>
                  <SafeLink href={e.url} />
                </h3>
                <dl class="facts">
                  <Fact name={t('ui.system.ipv6.grade')} value={typeof v.grade === 'string' ? v.grade : null} />
                  <Fact name={t('ui.system.ipv6.measuredAt')} value={fmtTime(e.ipv6At, lang)} />
                  <Fact name={t('ui.system.ipv6.aaaa')} value={yesNo(t, v.aaaa)} />
                  <Fact name={t('ui.system.ipv6.v6Ok')} value={yesNo(t, v.v6Ok)} />
                  <Fact name={t('ui.system.ipv6.parity')} value={fmtPct(num(v.parity))} />
                  <Fact name={t('ui.system.ipv6.second')} value={fmtPct(num(v.secondLevelRate))} />
                  <Fact name={t('ui.system.ipv6.third')} value={fmtPct(num(v.thirdLevelRate))} />
                  <Fact name={t('ui.system.ipv6.latency')} value={num(v.latencyRatio)?.toFixed(2)} />
                  <Fact
                    name={t('ui.system.ipv6.reasons')}
                    value={reasons6.map((r) => (typeof r === 'string' ? r : typeof r === 'object' && r && 'code' in r ? String((r as { code: unknown }).code) : '')).filter(Boolean).join('、')}
                  />
                </dl>
              </div>
            );
          })
        ) : (
          <p class="muted">{t('ui.system.ipv6.empty')}</p>
        )}
      </section>

      <section aria-labelledby="h-usage">
        <h2 id="h-usage">{t('ui.system.usage', { days: HISTORY_DAYS })}</h2>
        {usage.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('ui.system.usage.metric')}</th>
                <th scope="col" class="num">{t('ui.system.usage.total')}</th>
                <th scope="col" class="num">{t('ui.system.usage.days')}</th>
                <th scope="col">{t('ui.system.usage.last')}</th>
              </tr>
            </thead>
            <tbody>
              {usage.map((u) => (
                <tr>
                  <td>{label(t, 'ui.metric', u.metric)}</td>
                  <td class="num">{Math.round(u.total).toLocaleString('en-US')}</td>
                  <td class="num">{u.days}</td>
                  <td>{`${u.lastDay}：${Math.round(u.lastValue).toLocaleString('en-US')}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">{t('ui.system.usage.empty')}</p>
        )}
      </section>

      <section aria-labelledby="h-findings">
        <h2 id="h-findings">{t('ui.system.findings')}</h2>
        {findings.length ? <FindingList t={t} lang={lang} items={findings} showSystem={false} /> : <p class="muted">{t('ui.system.findings.empty')}</p>}
      </section>

      <section aria-labelledby="h-campaigns">
        <h2 id="h-campaigns">{t('ui.system.campaigns')}</h2>
        {campaigns.length ? (
          <ul>
            {campaigns.map((c) => (
              <li>
                <a href={`/campaigns/${c.campaignId}`}>{c.campaignName}</a>（{c.deadline}）：<Badge t={t} prefix="ui.itemState" value={c.state} />
                {c.confirmedByName ? ` ${c.confirmedByName}` : ''}
                {c.confirmedAt ? ` ${fmtTime(c.confirmedAt, lang)}` : ''}
                {c.note ? <span class="muted"> — {c.note}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('ui.system.campaigns.empty')}</p>
        )}
      </section>
    </Page>
  );
};

export const FINDING_STATES = ['open', 'notified', 'answered', 'reopened', 'closed'] as const;

const FindingList: FC<{ t: T; lang: Lang; items: FindingDto[]; showSystem: boolean }> = ({ t, lang, items, showSystem }) => (
  <ul>
    {items.map((f) => (
      <li>
        {showSystem ? (
          <div>
            <a href={`/systems/${encodeURIComponent(f.systemCode)}`}>{f.systemName}</a>
            <div class="muted">{f.departmentName}</div>
          </div>
        ) : (
          <div>
            <Badge t={t} prefix="ui.findings.status" value={f.status} cls={f.status} />
          </div>
        )}
        <div>
          {t('ui.findings.verdict')}：<Badge t={t} prefix="ui.status" value={f.verdict} />
        </div>
        {f.reasons.length ? <div class="muted">{f.reasons.map((r) => r.code).filter(Boolean).join('、')}</div> : null}
        <div>
          {t('ui.findings.openedAt')}：{fmtTime(f.openedAt, lang)}；{t('ui.findings.deadline')}：{f.deadline}
        </div>
        {f.answer ? (
          <div>
            {t('ui.findings.answer')}：{f.answer.action ? label(t, 'ui.findings.action', f.answer.action) : ''}
            {f.answer.justification ? ` — ${f.answer.justification}` : ''}
            {f.answer.by ? <span class="muted">（{f.answer.by}）</span> : null}
          </div>
        ) : null}
        {f.closeNote ? (
          <div>
            {t('ui.findings.closeNote')}：{f.closeNote}
          </div>
        ) : null}
      </li>
    ))}
  </ul>
);

export const FindingsBoard: FC<Common & { items: FindingDto[]; cursor?: string; nextCursor: string | null }> = ({ t, lang, here, principal, csrf, items, cursor, nextCursor }) => (
  <Page t={t} lang={lang} title={t('ui.findings.title')} here={here} principal={principal} csrf={csrf} nav="findings">
    <p>{t('ui.findings.intro')}</p>
    <div class="board">
      {FINDING_STATES.map((state) => {
        const list = items.filter((f) => f.status === state);
        return (
          <section aria-labelledby={`col-${state}`}>
            <h2 id={`col-${state}`}>
              {label(t, 'ui.findings.status', state)}（{list.length}）
            </h2>
            {list.length ? <FindingList t={t} lang={lang} items={list} showSystem={true} /> : <p class="muted">{t('ui.findings.empty')}</p>}
          </section>
        );
      })}
    </div>
    <p class="row">
      {cursor ? <a href="/findings">{t('ui.page.first')}</a> : null}
      {nextCursor ? (
        <a href={`/findings?cursor=${encodeURIComponent(nextCursor)}`} rel="next">
          {t('ui.page.next')}
        </a>
      ) : null}
    </p>
  </Page>
);

export const ReportsPage: FC<Common & { months: string[] }> = ({ t, lang, here, principal, csrf, months }) => (
  <Page t={t} lang={lang} title={t('ui.reports.title')} here={here} principal={principal} csrf={csrf} nav="reports">
    <p>{t('ui.reports.intro')}</p>
    <form method="get" action="/reports/monthly" class="filters">
      <div class="field">
        <label for="r-month">{t('ui.reports.month')}</label>
        <input type="month" id="r-month" name="month" value={months[0]} required />
      </div>
      <div class="field">
        <label for="r-lang">{t('ui.reports.lang')}</label>
        <select id="r-lang" name="lang">
          <option value="zh" selected={lang === 'zh'}>
            {t('ui.reports.lang.zh')}
          </option>
          <option value="en" selected={lang === 'en'}>
            {t('ui.reports.lang.en')}
          </option>
        </select>
      </div>
      <div class="field">
        <label for="r-format">{t('ui.reports.format')}</label>
        <select id="r-format" name="format">
          {REPORT_FORMATS.map((f) => (
            <option value={f}>{f}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <button type="submit">{t('ui.reports.download')}</button>
      </div>
    </form>
    <h2>{t('ui.reports.recent')}</h2>
    <table>
      <thead>
        <tr>
          <th scope="col">{t('ui.reports.month')}</th>
          <th scope="col">{t('ui.reports.download')}</th>
        </tr>
      </thead>
      <tbody>
        {months.map((m) => (
          <tr>
            <td>{m}</td>
            <td class="row">
              {REPORT_FORMATS.map((f) => (
                <a href={`/reports/monthly?month=${m}&lang=${lang}&format=${f}`}>{f.toUpperCase()}</a>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    <p class="muted">{t('ui.reports.note')}</p>
  </Page>
);
