import type { FC } from 'hono/jsx';
import type { ImportSummary } from '../../inventory/import/index.js';
import { inLang } from '../../inventory/import/messages.js';
import { Hidden, Notice, Page } from '../layout.js';
import { label } from '../i18n.js';
import { ErrorSummary, type Common } from './components.js';

export interface ImportUploadState {
  fileName: string;
  /** The file, base64, carried to the apply step (pages take files up to PAGE_IMPORT_MAX_BYTES). */
  data: string;
  sha256: string;
}

export const ImportPage: FC<
  Common & {
    summary?: ImportSummary;
    upload?: ImportUploadState;
    applied?: ImportSummary;
    error?: string;
    maxMb: number;
  }
> = ({ t, lang, here, principal, csrf, summary, upload, applied, error, maxMb }) => (
  <Page t={t} lang={lang} title={t('ui.import.title')} here={here} principal={principal} csrf={csrf} nav="import">
    <p>{t('ui.import.intro')}</p>
    {error ? <Notice kind="error">{error}</Notice> : null}
    {applied ? (
      <Notice kind="ok">
        <p>{t('ui.import.applied', { rows: applied.rows, created: applied.created, updated: applied.updated, unchanged: applied.unchanged })}</p>
        <p>
          <a href="/inventory">{t('ui.import.toInventory')}</a>
        </p>
      </Notice>
    ) : null}

    {summary && upload ? (
      <section aria-labelledby="h-preview">
        <h2 id="h-preview">{t('ui.import.preview', { file: upload.fileName })}</h2>
        <p id="import-counts" role="status">
          {t('ui.import.counts', { rows: summary.rows, created: summary.created, updated: summary.updated, unchanged: summary.unchanged, errors: summary.errorCount })}
        </p>
        <p class="muted">{t('ui.import.headerRow', { row: summary.headerRow })}</p>
        {summary.ignoredColumns.length ? (
          <>
            <h3>{t('ui.import.ignored')}</h3>
            <table id="ignored-columns">
              <thead>
                <tr>
                  <th scope="col">{t('ui.import.col.column')}</th>
                  <th scope="col">{t('ui.import.col.message')}</th>
                </tr>
              </thead>
              <tbody>
                {summary.ignoredColumns.map((c) => (
                  <tr>
                    <td>{c.column}</td>
                    <td>{c.key ? inLang(lang, { key: c.key, params: c.params }) : c.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
        {summary.errorCount ? (
          <>
            <h3>{t('ui.import.problems', { n: summary.errorCount })}</h3>
            <Notice kind="error">{t('ui.import.refused')}</Notice>
            <table id="import-errors">
              <thead>
                <tr>
                  <th scope="col" class="num">{t('ui.import.col.row')}</th>
                  <th scope="col">{t('ui.import.col.column')}</th>
                  <th scope="col">{t('ui.import.col.message')}</th>
                </tr>
              </thead>
              <tbody>
                {summary.errors.map((e) => (
                  <tr>
                    <td class="num">{e.row}</td>
                    <td>{e.column}</td>
                    <td>{e.key ? inLang(lang, { key: e.key, params: e.params }) : e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {summary.errorCount > summary.errors.length ? <p class="muted">{t('ui.import.moreProblems', { n: summary.errorCount - summary.errors.length })}</p> : null}
          </>
        ) : null}
        {summary.preview.length ? (
          <>
            <h3>{t('ui.import.rows')}</h3>
            <table id="import-preview">
              <thead>
                <tr>
                  <th scope="col" class="num">{t('ui.import.col.row')}</th>
                  <th scope="col">{t('ui.col.code')}</th>
                  <th scope="col">{t('ui.col.name')}</th>
                  <th scope="col">{t('ui.col.department')}</th>
                  <th scope="col">{t('ui.import.col.action')}</th>
                </tr>
              </thead>
              <tbody>
                {summary.preview.map((r) => (
                  <tr>
                    <td class="num">{r.row}</td>
                    <td>{r.code}</td>
                    <td>{r.name}</td>
                    <td>{r.departmentName}</td>
                    <td>{label(t, 'ui.import.action', r.action)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
        {summary.errorCount === 0 && summary.rows > 0 ? (
          <form method="post" action="/import/apply">
            <Hidden name="_csrf" value={csrf} />
            <Hidden name="fileName" value={upload.fileName} />
            <Hidden name="data" value={upload.data} />
            <Hidden name="sha256" value={upload.sha256} />
            <p>{t('ui.import.applyHint')}</p>
            <button type="submit">{t('ui.import.apply', { n: summary.created + summary.updated })}</button>
          </form>
        ) : null}
      </section>
    ) : null}

    <section aria-labelledby="h-upload">
      <h2 id="h-upload">{summary ? t('ui.import.again') : t('ui.import.upload')}</h2>
      <form method="post" action="/import" enctype="multipart/form-data">
        <Hidden name="_csrf" value={csrf} />
        <div class="field">
          <label for="import-file">{t('ui.import.file')}</label>
          <span class="hint" id="import-file-hint">
            {t('ui.import.file.hint', { mb: maxMb })}
          </span>
          <input type="file" id="import-file" name="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" required aria-describedby="import-file-hint" />
        </div>
        <button type="submit">{t('ui.import.check')}</button>
      </form>
      <p>
        <a href="/import/template.xlsx" download>
          {t('ui.import.template')}
        </a>
        <span class="hint">（{t('ui.import.template.hint')}）</span>
      </p>
    </section>
  </Page>
);
