import type { FC } from 'hono/jsx';
import { isMessageKey, t as translate, type MessageKey } from '../../../i18n/index.js';
import type { FindingDetail, FindingDto } from '../../verdicts/findings.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtTime, Hidden, Notice, Page } from '../layout.js';
import { Fact, Pager, Select, type Common, type Option } from './components.js';

export const FINDING_STATES = ['open', 'notified', 'answered', 'reopened', 'closed'] as const;
export const ANSWER_KINDS = ['keep', 'merge', 'migrate', 'decommission'] as const;

/** A reason code by its catalogue name (`reasonName.*`), never the raw code alone. */
export function reasonName(lang: Lang, code: string): string {
  const key = `reasonName.${code}`;
  return isMessageKey(key) ? translate(lang, key as MessageKey) : code;
}

export interface FindingFilters {
  department?: string;
  county?: string;
  status?: string;
  overdue?: string;
}

const StateBadge: FC<{ t: T; f: FindingDto }> = ({ t, f }) => (
  <span class="row">
    <Badge t={t} prefix="ui.findings.status" value={f.status} cls={f.status === 'closed' ? 'closed' : 'open'} />
    {f.overdue ? <span class="badge overdue">{t('ui.findings.overdue')}</span> : null}
  </span>
);

export const FindingsPage: FC<
  Common & {
    filters: FindingFilters;
    departments: Option[];
    counties: Option[];
    items: FindingDto[];
    total: number;
    page: number;
    pageSize: number;
    nextCursor: string | null;
    flash?: string;
    error?: string;
  }
> = ({ t, lang, here, principal, csrf, filters, departments, counties, items, total, page, pageSize, nextCursor, flash, error }) => (
  <Page t={t} lang={lang} title={t('ui.findings.title')} here={here} principal={principal} csrf={csrf} nav="findings">
    <p>{t('ui.findings.intro2')}</p>
    {flash ? <Notice kind="ok">{flash}</Notice> : null}
    {error ? <Notice kind="error">{error}</Notice> : null}
    <form class="filters" method="get" action="/findings" role="search">
      <Select t={t} id="f-department" name="department" label={t('ui.filter.department')} value={filters.department} options={departments} />
      <Select t={t} id="f-county" name="county" label={t('ui.findings.filter.county')} value={filters.county} options={counties} />
      <Select t={t} id="f-status" name="status" label={t('ui.findings.filter.status')} value={filters.status} options={FINDING_STATES.map((s) => ({ value: s, label: label(t, 'ui.findings.status', s) }))} />
      <div class="field inline">
        <input type="checkbox" id="f-overdue" name="overdue" value="1" checked={filters.overdue === '1'} />
        <label for="f-overdue">{t('ui.findings.filter.overdue')}</label>
      </div>
      <div class="field">
        <button type="submit">{t('ui.filter.submit')}</button>
      </div>
      <div class="field">
        <a href="/findings">{t('ui.filter.reset')}</a>
      </div>
    </form>
    <p id="findings-count" role="status">
      {t('ui.findings.count', { n: total })}
    </p>
    <form id="bulk" method="post" action="/findings/notify">
      <Hidden name="_csrf" value={csrf} />
      <Hidden name="back" value={here} />
    </form>
    {items.length ? (
      <table id="findings">
        <caption>{t('ui.findings.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('ui.findings.select')}</th>
            <th scope="col">{t('ui.findings.system')}</th>
            <th scope="col">{t('ui.col.department')}</th>
            <th scope="col">{t('ui.findings.verdict')}</th>
            <th scope="col">{t('ui.findings.reasons')}</th>
            <th scope="col">{t('ui.findings.state')}</th>
            <th scope="col">{t('ui.findings.deadline')}</th>
            <th scope="col">{t('ui.findings.answer')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((f) => (
            <tr data-finding={String(f.id)}>
              <td>
                <input type="checkbox" form="bulk" name="ids" value={String(f.id)} id={`sel-${f.id}`} aria-label={t('ui.findings.selectOne', { system: f.systemName })} />
              </td>
              <td>
                <a href={`/findings/${f.id}`}>{f.systemName}</a>
                <div class="muted">{f.systemCode}</div>
              </td>
              <td>{f.departmentName}</td>
              <td>
                <Badge t={t} prefix="ui.status" value={f.verdict} />
              </td>
              <td>{f.reasons.map((r) => reasonName(lang, r.code)).join('、')}</td>
              <td>
                <StateBadge t={t} f={f} />
              </td>
              <td>{f.deadline}</td>
              <td>{f.answer ? label(t, 'ui.findings.action', f.answer.action) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p>{t('ui.findings.none')}</p>
    )}
    {items.length ? (
      <p>
        <button type="submit" form="bulk">
          {t('ui.findings.bulkNotify')}
        </button>
      </p>
    ) : null}
    <Pager t={t} base="/findings" filters={{ ...filters }} page={page} pages={Math.ceil(total / pageSize)} nextCursor={nextCursor} />
  </Page>
);

export const FindingPage: FC<Common & { f: FindingDetail; flash?: string; error?: string; errorLines?: string[] }> = ({ t, lang, here, principal, csrf, f, flash, error, errorLines }) => {
  const canNotify = f.status === 'open' || f.status === 'reopened';
  const canAnswer = f.status === 'notified' || f.status === 'reopened' || f.status === 'answered';
  const canClose = f.status !== 'closed';
  const canReopen = f.status === 'closed' || f.status === 'answered';
  return (
    <Page t={t} lang={lang} title={t('ui.finding.title', { system: f.systemName })} here={here} principal={principal} csrf={csrf} nav="findings">
      <p>
        <a href="/findings">{t('ui.finding.back')}</a>
      </p>
      {flash ? <Notice kind="ok">{flash}</Notice> : null}
      {error ? (
        <Notice kind="error">
          <p id="finding-error">{error}</p>
          {errorLines?.length ? (
            <ul>
              {errorLines.map((l) => (
                <li>{l}</li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}
      <section aria-labelledby="h-case">
        <h2 id="h-case">{t('ui.finding.case')}</h2>
        <dl class="facts" id="finding-facts">
          <Fact name={t('ui.findings.system')}>
            <a href={`/systems/${encodeURIComponent(f.systemCode)}`}>{f.systemName}</a>（{f.systemCode}）
          </Fact>
          <Fact name={t('ui.col.department')} value={f.departmentName} />
          <Fact name={t('ui.findings.verdict')}>
            <Badge t={t} prefix="ui.status" value={f.verdict} />
          </Fact>
          <Fact name={t('ui.findings.state')}>
            <span id="finding-state">
              <StateBadge t={t} f={f} />
            </span>
          </Fact>
          <Fact name={t('ui.findings.openedAt')} value={fmtTime(f.openedAt, lang)} />
          <Fact name={t('ui.finding.notifiedAt')} value={fmtTime(f.notifiedAt, lang)} />
          <Fact name={t('ui.findings.deadline')} value={f.deadline} />
          <Fact name={t('ui.findings.answer')}>
            {f.answer ? (
              <span id="finding-answer">
                {label(t, 'ui.findings.action', f.answer.action)}
                {f.answer.justification ? ` — ${f.answer.justification}` : ''}
                {f.answer.note ? ` — ${f.answer.note}` : ''}
                {f.answer.targetSystemCode ? ` → ${f.answer.targetSystemCode}` : ''}
                {f.answer.dueBy ? `（${t('ui.finding.dueBy')} ${f.answer.dueBy}）` : ''}
                <span class="muted">（{f.answer.by}，{fmtTime(f.answer.at, lang)}）</span>
              </span>
            ) : (
              '—'
            )}
          </Fact>
          <Fact name={t('ui.findings.closeNote')} value={f.closeNote} />
          <Fact name={t('ui.finding.resolution')} value={f.resolution ? label(t, 'ui.finding.resolution', f.resolution) : null} />
          <Fact name={t('ui.finding.evidence')}>
            <a href={`/findings/${f.id}/evidence.json`} download>
              {t('ui.finding.evidence.download')}
            </a>
            <span class="muted">
              {' '}
              SHA-256 {f.evidenceSha256.slice(0, 16)}…{f.evidenceVerified ? `（${t('ui.finding.evidence.verified')}）` : `（${t('ui.finding.evidence.broken')}）`}
            </span>
          </Fact>
        </dl>
        <h3>{t('ui.findings.reasons')}</h3>
        <ul>
          {f.reasons.map((r) => (
            <li>
              <strong>{reasonName(lang, r.code)}</strong>
              {r.since ? <span class="muted">（{t('ui.system.reason.since', { since: r.since })}）</span> : null}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="h-act">
        <h2 id="h-act">{t('ui.finding.act')}</h2>
        {canNotify ? (
          <form method="post" action={`/findings/${f.id}/act`} class="card">
            <Hidden name="_csrf" value={csrf} />
            <Hidden name="action" value="notify" />
            <h3>{t('ui.finding.notify')}</h3>
            <div class="field">
              <label for="notify-note">{t('ui.finding.note')}</label>
              <textarea id="notify-note" name="note" maxlength={2000}></textarea>
            </div>
            <button type="submit">{t('ui.finding.notify.submit')}</button>
          </form>
        ) : null}
        {canAnswer ? (
          <form method="post" action={`/findings/${f.id}/act`} class="card">
            <Hidden name="_csrf" value={csrf} />
            <Hidden name="action" value="answer" />
            <h3>{t('ui.finding.answer')}</h3>
            <fieldset>
              <legend>{t('ui.finding.answer.kind')}</legend>
              <div class="radios">
                {ANSWER_KINDS.map((k) => (
                  <div class="field inline">
                    <input type="radio" id={`answer-${k}`} name="type" value={k} required checked={f.answer?.action === k} />
                    <label for={`answer-${k}`}>{label(t, 'ui.findings.action', k)}</label>
                  </div>
                ))}
              </div>
            </fieldset>
            <div class="field">
              <label for="answer-note">{t('ui.finding.answer.note')}</label>
              <span class="hint" id="answer-note-hint">
                {t('ui.finding.answer.note.hint')}
              </span>
              <textarea id="answer-note" name="note" maxlength={4000} aria-describedby="answer-note-hint"></textarea>
            </div>
            <div class="field">
              <label for="answer-target">{t('ui.finding.answer.target')}</label>
              <input type="text" id="answer-target" name="target" maxlength={500} />
            </div>
            <div class="field">
              <label for="answer-due">{t('ui.finding.answer.dueBy')}</label>
              <input type="date" id="answer-due" name="dueBy" />
            </div>
            <button type="submit">{t('ui.finding.answer.submit')}</button>
          </form>
        ) : null}
        {canClose ? (
          <form method="post" action={`/findings/${f.id}/act`} class="card">
            <Hidden name="_csrf" value={csrf} />
            <Hidden name="action" value="close" />
            <h3>{t('ui.finding.close')}</h3>
            {f.answer?.action === 'decommission' ? <p class="hint">{t('ui.finding.close.hint')}</p> : null}
            <div class="field">
              <label for="close-note">{t('ui.finding.closeNote')}</label>
              <textarea id="close-note" name="note" maxlength={2000}></textarea>
            </div>
            <button type="submit">{t('ui.finding.close.submit')}</button>
          </form>
        ) : null}
        {canReopen ? (
          <form method="post" action={`/findings/${f.id}/act`} class="card">
            <Hidden name="_csrf" value={csrf} />
            <Hidden name="action" value="reopen" />
            <h3>{t('ui.finding.reopen')}</h3>
            <div class="field">
              <label for="reopen-reason">{t('ui.finding.reopen.reason')}</label>
              <textarea id="reopen-reason" name="reason" maxlength={2000}></textarea>
            </div>
            <button type="submit" class="secondary">
              {t('ui.finding.reopen.submit')}
            </button>
          </form>
        ) : null}
      </section>

      <section aria-labelledby="h-history">
        <h2 id="h-history">{t('ui.finding.history')}</h2>
        <table id="finding-history">
          <thead>
            <tr>
              <th scope="col">{t('ui.finding.history.at')}</th>
              <th scope="col">{t('ui.finding.history.actor')}</th>
              <th scope="col">{t('ui.finding.history.action')}</th>
              <th scope="col">{t('ui.findings.state')}</th>
              <th scope="col">{t('ui.finding.note')}</th>
            </tr>
          </thead>
          <tbody>
            {f.history.map((h) => (
              <tr>
                <td>{fmtTime(h.at, lang)}</td>
                <td>{h.actor}</td>
                <td>{label(t, 'ui.finding.historyAction', h.action)}</td>
                <td>{h.status ? label(t, 'ui.findings.status', h.status) : '—'}</td>
                <td>{h.note ? (ANSWER_KINDS as readonly string[]).includes(h.note) ? label(t, 'ui.findings.action', h.note) : h.note : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Page>
  );
};
