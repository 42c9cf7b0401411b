import type { FC } from 'hono/jsx';
import { REPORT_FORMATS } from '../../../reports/monthly/index.js';
import { Notice, Page } from '../layout.js';
import type { Common } from './components.js';

/** The monthly report page: only months with data are offered, the latest first and chosen by default. */
export const ReportsPage: FC<Common & { months: string[]; selected?: string; error?: string }> = ({ t, lang, here, principal, csrf, months, selected, error }) => (
  <Page t={t} lang={lang} title={t('ui.reports.title')} here={here} principal={principal} csrf={csrf} nav="reports">
    <p>{t('ui.reports.intro')}</p>
    {error ? <Notice kind="error">{error}</Notice> : null}
    {months.length ? (
      <>
        <form method="get" action="/reports/monthly" class="filters">
          <div class="field">
            <label for="r-month">{t('ui.reports.month')}</label>
            <select id="r-month" name="month" required>
              {months.map((m, i) => (
                <option value={m} selected={selected ? m === selected : i === 0}>
                  {t('ui.reports.monthLabel', { year: m.slice(0, 4), month: String(Number(m.slice(5, 7))) })}
                </option>
              ))}
            </select>
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
                <option value={f}>{f.toUpperCase()}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <button type="submit">{t('ui.reports.download')}</button>
          </div>
        </form>
        <h2>{t('ui.reports.available')}</h2>
        <table id="report-months">
          <thead>
            <tr>
              <th scope="col">{t('ui.reports.month')}</th>
              <th scope="col">{t('ui.reports.download')}</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr>
                <th scope="row">{t('ui.reports.monthLabel', { year: m.slice(0, 4), month: String(Number(m.slice(5, 7))) })}</th>
                <td class="row">
                  {REPORT_FORMATS.map((f) => (
                    <a href={`/reports/monthly?month=${m}&lang=${lang}&format=${f}`} aria-label={`${m} ${f.toUpperCase()}`}>
                      {f.toUpperCase()}
                    </a>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    ) : (
      <p id="no-months">{t('ui.reports.noData')}</p>
    )}
    <p class="muted">{t('ui.reports.note')}</p>
  </Page>
);
