import type { FC } from 'hono/jsx';
import type { Principal } from '../../auth/tokens.js';
import { REPORT_FORMATS } from '../../../reports/monthly/index.js';
import type { FindingDto } from '../../verdicts/findings.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtTime, Hidden, Notice, Page } from '../layout.js';

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

// The inventory list and the system page live in ./inventory.tsx and ./system.tsx; the overview in
// ./overview.tsx and the sweeps in ./sweeps.tsx.

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
