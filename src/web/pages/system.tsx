import type { FC } from 'hono/jsx';
import { BUILT_BY, DEPLOYMENTS, LIFECYCLES, NETWORKS, USER_SCOPES } from '../../db/schema/enums.js';
import type { EvidenceGap } from '../../../reports/classify.js';
import { reasonText } from '../../../reports/monthly/index.js';
import type { SnapshotReason } from '../../../reports/monthly/input.js';
import { t as translate, type MessageKey } from '../../../i18n/index.js';
import type { UiKey } from '../../../i18n/ui-zh.js';
import type { SystemChanges } from '../../inventory/system-edit.js';
import type { SystemView } from '../../inventory/system-view.js';
import { HISTORY_DAYS } from '../../sweeps/results.js';
import { USAGE_METRICS } from '../../sweeps/usage.js';
import { ProbeChart } from '../chart.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtPct, fmtTime, Hidden, Notice, Page, SafeLink } from '../layout.js';
import type { InspectionDto } from '../../verdicts/inspection.js';
import { InspectionSection } from './inspection.js';
import { Fact, type Common } from './components.js';

export type SystemFormValues = Record<string, string>;

/** The edit form's values from the system as stored. */
export function formValuesOf(s: SystemView['system']): SystemFormValues {
  return {
    version: String(s.version),
    name: s.name,
    departmentCode: s.departmentCode,
    operatorUnit: s.operatorUnit ?? '',
    contractor: s.contractor ?? '',
    contactName: s.contact.name ?? '',
    contactPhone: s.contact.phone ?? '',
    contactEmail: s.contact.email ?? '',
    description: s.description ?? '',
    lifecycle: s.lifecycle,
    launchedOn: s.launchedOn ?? '',
    deployment: s.deployment,
    cloudRequired: s.cloudRequired ? 'true' : 'false',
    network: s.network,
    builtBy: s.builtBy,
    mlpsLevel: s.mlpsLevel === null ? '' : String(s.mlpsLevel),
    userScope: s.userScope,
    registeredUsers: s.registeredUsers === null ? '' : String(s.registeredUsers),
    endpoints: s.endpoints.map((e) => `${e.url} ${e.role}`).join('\n'),
    tags: s.tags.join('，'),
  };
}

export interface SystemPageProps extends Common {
  view: SystemView;
  gaps: EvidenceGap[];
  sources: Array<{ id: number; kind: string; url: string; metric: string; lastPulledAt: Date | null; lastOutcome: string | null }>;
  form?: SystemFormValues;
  errors?: Array<{ field: string; message: string }>;
  conflict?: SystemChanges & { yours: number };
  message?: { kind: 'ok' | 'warn' | 'error'; text: string };
  /** The website inspection scorecard of a portal (none for other systems). */
  inspection?: InspectionDto | null;
}

function yesNo(t: T, v: unknown): string {
  return v === true ? t('ui.yes') : v === false ? t('ui.no') : t('ui.unknown');
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A reason's evidence as short "key: value" pairs (numbers and dates only; nested objects summarised). */
function evidenceText(e: unknown): string {
  if (!e || typeof e !== 'object') return '';
  return Object.entries(e as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v)))
    .slice(0, 8)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.slice(0, 5).join(', ') : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v)}`)
    .join('; ');
}

/** The labels of the edit form's fields; also name the fields in conflict and error messages. */
export const FIELD_LABELS: Record<string, UiKey> = {
  name: 'ui.col.name',
  departmentCode: 'ui.col.department',
  operatorUnit: 'ui.system.operatorUnit',
  contractor: 'ui.system.contractor',
  contact: 'ui.system.contact',
  contactName: 'ui.system.edit.contactName',
  contactPhone: 'ui.system.edit.contactPhone',
  contactEmail: 'ui.system.edit.contactEmail',
  description: 'ui.system.description',
  lifecycle: 'ui.col.lifecycle',
  launchedOn: 'ui.system.launchedOn',
  deployment: 'ui.col.deployment',
  cloudRequired: 'ui.system.cloudRequired',
  network: 'ui.system.network',
  builtBy: 'ui.system.builtBy',
  mlpsLevel: 'ui.system.mlpsLevel',
  userScope: 'ui.system.userScope',
  registeredUsers: 'ui.system.registeredUsers',
  endpoints: 'ui.system.endpoints',
  tags: 'ui.system.tags',
  usage: 'ui.system.usage.push',
  sourceUrl: 'ui.system.source.url',
  selector: 'ui.system.source.selector',
  kind: 'ui.system.source.kind',
  metric: 'ui.system.usage.metric',
};

function showValue(t: T, field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (field === 'contact' && typeof v === 'object') {
    const c = v as { name?: string | null; phone?: string | null; email?: string | null };
    return [c.name, c.phone, c.email].filter(Boolean).join(' · ') || '—';
  }
  if (field === 'endpoints' && Array.isArray(v)) return v.map((e: { url: string; role: string }) => `${e.url}（${label(t, 'ui.endpointRole', e.role)}）`).join('；');
  if (field === 'tags' && Array.isArray(v)) return v.join('、');
  if (typeof v === 'boolean') return yesNo(t, v);
  const enumPrefix: Record<string, string> = { lifecycle: 'ui.lifecycle', deployment: 'ui.deployment', network: 'ui.network', builtBy: 'ui.builtBy', userScope: 'ui.userScope' };
  if (enumPrefix[field]) return label(t, enumPrefix[field]!, String(v));
  return String(v);
}

const TextField: FC<{ id: string; name: string; label: string; value: string; type?: string; error?: string; maxlength?: number }> = (p) => (
  <div class="field">
    <label for={p.id}>{p.label}</label>
    <input type={p.type ?? 'text'} id={p.id} name={p.name} value={p.value} maxlength={p.maxlength ?? 200} aria-invalid={p.error ? 'true' : undefined} aria-describedby={p.error ? `${p.id}-err` : undefined} />
    {p.error ? (
      <span class="error-text" id={`${p.id}-err`}>
        {p.error}
      </span>
    ) : null}
  </div>
);

const EnumField: FC<{ t: T; id: string; name: string; label: string; value: string; values: readonly string[]; prefix: string }> = (p) => (
  <div class="field">
    <label for={p.id}>{p.label}</label>
    <select id={p.id} name={p.name}>
      {p.values.map((v) => (
        <option value={v} selected={v === p.value}>
          {label(p.t, p.prefix, v)}
        </option>
      ))}
    </select>
  </div>
);

export const SystemPage: FC<SystemPageProps> = (props) => {
  const { t, lang, here, principal, csrf, view, gaps, sources, errors, conflict, message, inspection } = props;
  const { system: s, endpoints, probes, usage, findings, campaigns } = view;
  const form = props.form ?? formValuesOf(s);
  const err = (f: string) => errors?.find((e) => e.field === f)?.message;
  const reasons = s.statusReasons as Array<SnapshotReason & { detail?: string; evidence?: unknown }>;
  const ipv6 = endpoints.filter((e) => e.ipv6);
  return (
    <Page t={t} lang={lang} title={`${s.name}（${s.code}）`} here={here} principal={principal} csrf={csrf} nav="inventory">
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      {s.retiredAt ? <Notice kind="warn">{t('ui.system.retired', { at: fmtTime(s.retiredAt, lang) })}</Notice> : null}

      <section aria-labelledby="h-verdict">
        <h2 id="h-verdict">{t('ui.system.verdict')}</h2>
        <p class="row">
          <Badge t={t} prefix="ui.status" value={s.status} />
          <span class="muted">{s.statusAt ? t('ui.system.verdictAt', { at: fmtTime(s.statusAt, lang) }) : null}</span>
        </p>
        {reasons.length ? (
          <ul id="reasons">
            {reasons.map((r) => (
              <li data-code={r.code}>
                <strong>{translate(lang, `reasonName.${r.code}` as MessageKey)}</strong>：{reasonText(r, lang)}
                {r.since ? <span class="muted">（{t('ui.system.reason.since', { since: r.since })}）</span> : null}
                {evidenceText(r.evidence) ? (
                  <div class="muted">
                    {t('ui.system.reasons.evidence')}：{evidenceText(r.evidence)}
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('ui.system.noReasons')}</p>
        )}
        {s.status === 'insufficient_evidence' && gaps.length ? (
          <div id="gaps">
            <h3>{t('ui.system.gaps')}</h3>
            <ul>
              {gaps.map((g) => (
                <li data-gap={g.code}>
                  <strong>{translate(lang, g.message.key as MessageKey, g.message.params)}</strong>
                  <div>{t(`ui.system.gap.howto.${g.code}` as UiKey, { code: s.code })}</div>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
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
          <table id="endpoints">
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
                  <td class={e.lastOutcome && e.lastOutcome !== 'ok' ? 'bad' : undefined}>{e.lastOutcome ? `${label(t, 'ui.outcome', e.lastOutcome)}（${fmtTime(e.lastProbeAt, lang)}）` : '—'}</td>
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
                    <th scope="col" class="num">
                      {t('ui.system.probes.count')}
                    </th>
                    <th scope="col" class="num">
                      {t('ui.system.probes.availability')}
                    </th>
                    <th scope="col" class="num">
                      {t('ui.system.probes.meanMs')}
                    </th>
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
            return (
              <div class="card">
                <h3>
                  <SafeLink href={e.url} />
                </h3>
                <dl class="facts">
                  <Fact name={t('ui.system.ipv6.grade')} value={typeof v.grade === 'string' ? label(t, 'ui.ipv6grade', v.grade) : null} />
                  <Fact name={t('ui.system.ipv6.measuredAt')} value={fmtTime(e.ipv6At, lang)} />
                  <Fact name={t('ui.system.ipv6.aaaa')} value={yesNo(t, v.aaaa)} />
                  <Fact name={t('ui.system.ipv6.v6Ok')} value={yesNo(t, v.v6Ok)} />
                  <Fact name={t('ui.system.ipv6.parity')} value={fmtPct(num(v.parity))} />
                  <Fact name={t('ui.system.ipv6.second')} value={fmtPct(num(v.secondLevelRate))} />
                  <Fact name={t('ui.system.ipv6.third')} value={fmtPct(num(v.thirdLevelRate))} />
                  <Fact name={t('ui.system.ipv6.latency')} value={num(v.latencyRatio)?.toFixed(2)} />
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
                <th scope="col" class="num">
                  {t('ui.system.usage.total')}
                </th>
                <th scope="col" class="num">
                  {t('ui.system.usage.days')}
                </th>
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
        {sources.length ? (
          <>
            <h3>{t('ui.system.source.list')}</h3>
            <ul id="usage-sources">
              {sources.map((u) => (
                <li>
                  {label(t, 'ui.system.source.kind', u.kind)} · {u.url} · {label(t, 'ui.metric', u.metric)}
                  {u.lastPulledAt ? <span class="muted"> — {t('ui.system.source.last', { at: fmtTime(u.lastPulledAt, lang), outcome: label(t, 'ui.outcome', u.lastOutcome ?? 'unknown') })}</span> : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <details open={s.status === 'insufficient_evidence' && gaps.some((g) => g.code === 'usage_source')}>
          <summary>{t('ui.system.usage.push')}</summary>
          <form method="post" action={`/systems/${encodeURIComponent(s.code)}/usage`} class="filters">
            <Hidden name="_csrf" value={csrf} />
            <div class="field">
              <label for="u-date">{t('ui.system.usage.date')}</label>
              <input type="date" id="u-date" name="date" required />
            </div>
            <EnumField t={t} id="u-metric" name="metric" label={t('ui.system.usage.metric')} value="visits" values={USAGE_METRICS} prefix="ui.metric" />
            <div class="field">
              <label for="u-value">{t('ui.system.usage.value')}</label>
              <input type="number" id="u-value" name="value" min={0} step={1} required />
            </div>
            <div class="field">
              <button type="submit">{t('ui.system.usage.pushSubmit')}</button>
            </div>
          </form>
        </details>
        <details open={s.status === 'insufficient_evidence' && gaps.some((g) => g.code === 'usage_source')}>
          <summary>{t('ui.system.source')}</summary>
          <form method="post" action={`/systems/${encodeURIComponent(s.code)}/usage-sources`} id="source-form">
            <Hidden name="_csrf" value={csrf} />
            <EnumField t={t} id="src-kind" name="kind" label={t('ui.system.source.kind')} value="json" values={['json', 'prometheus']} prefix="ui.system.source.kind" />
            <TextField id="src-url" name="url" label={t('ui.system.source.url')} value="" type="url" maxlength={2048} />
            <TextField id="src-selector" name="selector" label={t('ui.system.source.selector')} value="" maxlength={500} />
            <EnumField t={t} id="src-metric" name="metric" label={t('ui.system.usage.metric')} value="visits" values={USAGE_METRICS} prefix="ui.metric" />
            <button type="submit">{t('ui.system.source.submit')}</button>
          </form>
        </details>
      </section>

      <section aria-labelledby="h-findings">
        <h2 id="h-findings">{t('ui.system.findings')}</h2>
        {findings.length ? (
          <ul>
            {findings.map((f) => (
              <li>
                <Badge t={t} prefix="ui.findings.status" value={f.status} /> <Badge t={t} prefix="ui.status" value={f.verdict} /> {f.reasons.map((r) => translate(lang, `reasonName.${r.code}` as MessageKey)).join('、')}
                <span class="muted">
                  {' '}
                  {t('ui.findings.openedAt')}：{fmtTime(f.openedAt, lang)}；{t('ui.findings.deadline')}：{f.deadline}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('ui.system.findings.empty')}</p>
        )}
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
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('ui.system.campaigns.empty')}</p>
        )}
      </section>

      <section aria-labelledby="h-edit">
        <h2 id="h-edit">{t('ui.system.edit')}</h2>
        {conflict ? (
          <div class="conflict" role="alert" id="conflict">
            <p>
              {t('ui.system.conflict', {
                by: conflict.by ?? t('ui.system.conflict.someone'),
                at: fmtTime(conflict.at, lang),
                theirs: conflict.current.version,
                yours: conflict.yours,
              })}
            </p>
            {conflict.changed.length ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('ui.system.conflict.field')}</th>
                    <th scope="col">{t('ui.system.conflict.theirs')}</th>
                  </tr>
                </thead>
                <tbody>
                  {conflict.changed.map((c) => (
                    <tr data-field={c.field}>
                      <td>{t(FIELD_LABELS[c.field] ?? 'ui.unknown')}</td>
                      <td>{showValue(t, c.field, c.theirs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </div>
        ) : null}
        {errors?.length ? (
          <Notice kind="error">
            {t('ui.system.edit.invalid')}
            <ul>
              {errors.map((e) => (
                <li>
                  <a href={`#e-${e.field}`}>{e.message}</a>
                </li>
              ))}
            </ul>
          </Notice>
        ) : null}
        <p class="muted">{t('ui.system.edit.intro')}</p>
        <form method="post" action={`/systems/${encodeURIComponent(s.code)}`} id="edit-form">
          <Hidden name="_csrf" value={csrf} />
          <Hidden name="version" value={conflict ? String(conflict.current.version) : form.version ?? String(s.version)} />
          <div class="grid2">
            <TextField id="e-name" name="name" label={t('ui.col.name')} value={form.name ?? ''} error={err('name')} />
            <TextField id="e-departmentCode" name="departmentCode" label={t('ui.col.department')} value={form.departmentCode ?? ''} error={err('departmentCode')} maxlength={64} />
            <TextField id="e-operatorUnit" name="operatorUnit" label={t('ui.system.operatorUnit')} value={form.operatorUnit ?? ''} error={err('operatorUnit')} />
            <TextField id="e-contractor" name="contractor" label={t('ui.system.contractor')} value={form.contractor ?? ''} error={err('contractor')} />
            <TextField id="e-contactName" name="contactName" label={t('ui.system.edit.contactName')} value={form.contactName ?? ''} error={err('contactName')} maxlength={100} />
            <TextField id="e-contactPhone" name="contactPhone" label={t('ui.system.edit.contactPhone')} value={form.contactPhone ?? ''} type="tel" error={err('contactPhone')} maxlength={40} />
            <TextField id="e-contactEmail" name="contactEmail" label={t('ui.system.edit.contactEmail')} value={form.contactEmail ?? ''} type="email" error={err('contactEmail')} maxlength={254} />
            <EnumField t={t} id="e-lifecycle" name="lifecycle" label={t('ui.col.lifecycle')} value={form.lifecycle ?? s.lifecycle} values={LIFECYCLES} prefix="ui.lifecycle" />
            <TextField id="e-launchedOn" name="launchedOn" label={t('ui.system.launchedOn')} value={form.launchedOn ?? ''} type="date" error={err('launchedOn')} />
            <EnumField t={t} id="e-deployment" name="deployment" label={t('ui.col.deployment')} value={form.deployment ?? s.deployment} values={DEPLOYMENTS} prefix="ui.deployment" />
            <EnumField t={t} id="e-cloudRequired" name="cloudRequired" label={t('ui.system.cloudRequired')} value={form.cloudRequired ?? 'false'} values={['true', 'false']} prefix="ui.bool" />
            <EnumField t={t} id="e-network" name="network" label={t('ui.system.network')} value={form.network ?? s.network} values={NETWORKS} prefix="ui.network" />
            <EnumField t={t} id="e-builtBy" name="builtBy" label={t('ui.system.builtBy')} value={form.builtBy ?? s.builtBy} values={BUILT_BY} prefix="ui.builtBy" />
            <div class="field">
              <label for="e-mlpsLevel">{t('ui.system.mlpsLevel')}</label>
              <select id="e-mlpsLevel" name="mlpsLevel">
                <option value="" selected={!form.mlpsLevel}>
                  {t('ui.system.edit.mlpsNone')}
                </option>
                {['1', '2', '3', '4', '5'].map((l) => (
                  <option value={l} selected={form.mlpsLevel === l}>
                    {l}
                  </option>
                ))}
              </select>
            </div>
            <EnumField t={t} id="e-userScope" name="userScope" label={t('ui.system.userScope')} value={form.userScope ?? s.userScope} values={USER_SCOPES} prefix="ui.userScope" />
            <TextField id="e-registeredUsers" name="registeredUsers" label={t('ui.system.registeredUsers')} value={form.registeredUsers ?? ''} error={err('registeredUsers')} maxlength={12} />
          </div>
          <div class="field">
            <label for="e-description">{t('ui.system.description')}</label>
            <textarea id="e-description" name="description" maxlength={5000}>
              {form.description ?? ''}
            </textarea>
          </div>
          <div class="field">
            <label for="e-endpoints">{t('ui.system.edit.endpoints')}</label>
            <textarea id="e-endpoints" name="endpoints" rows={4} aria-invalid={err('endpoints') ? 'true' : undefined}>
              {form.endpoints ?? ''}
            </textarea>
            {err('endpoints') ? <span class="error-text">{err('endpoints')}</span> : null}
          </div>
          <TextField id="e-tags" name="tags" label={t('ui.system.edit.tags')} value={form.tags ?? ''} error={err('tags')} maxlength={2000} />
          <button type="submit">{t('ui.system.edit.submit')}</button>
        </form>
      </section>

      {s.lifecycle !== 'retired' ? (
        <section aria-labelledby="h-retire">
          <h2 id="h-retire">{t('ui.system.retire')}</h2>
          <p>{t('ui.system.retire.intro')}</p>
          <form method="post" action={`/systems/${encodeURIComponent(s.code)}/retire`} id="retire-form">
            <Hidden name="_csrf" value={csrf} />
            <Hidden name="version" value={String(s.version)} />
            <div class="field inline">
              <input type="checkbox" id="r-confirm" name="confirm" value="yes" required />
              <label for="r-confirm">{t('ui.system.retire.confirm')}</label>
            </div>
            <button type="submit" class="danger">
              {t('ui.system.retire.submit')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
};
