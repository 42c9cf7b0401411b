import type { Child, FC } from 'hono/jsx';
import type { Principal } from '../../auth/tokens.js';
import { label, type Lang, type T } from '../i18n.js';
import { Notice } from '../layout.js';

/** Pieces the pages share: the props every signed-in page gets, filters, error summaries, facts, outcome tables. */

/** What every signed-in page gets from its route. */
export interface Common {
  t: T;
  lang: Lang;
  here: string;
  principal: Principal;
  csrf: string;
}

export interface Option {
  value: string;
  label: string;
}

/** A labelled select with an "any" first option (filters). */
export const Select: FC<{ t: T; id: string; name: string; label: string; value?: string; options: Option[]; any?: boolean; required?: boolean }> = (p) => (
  <div class="field">
    <label for={p.id}>{p.label}</label>
    <select id={p.id} name={p.name} required={p.required}>
      {p.any === false ? null : <option value="">{p.t('ui.filter.any')}</option>}
      {p.options.map((o) => (
        <option value={o.value} selected={o.value === p.value}>
          {o.label}
        </option>
      ))}
    </select>
  </div>
);

/** "Please correct:" with one line per problem; `where` is shown before the message when given. */
export const ErrorSummary: FC<{ t: T; errors: Array<{ where?: string; message: string }>; id?: string }> = ({ t, errors, id }) =>
  errors.length ? (
    <Notice kind="error">
      <p id={id}>{t('ui.error.summary')}</p>
      <ul>
        {errors.map((e) => (
          <li>{e.where ? `${e.where}：${e.message}` : e.message}</li>
        ))}
      </ul>
    </Notice>
  ) : null;

/** One fact of a definition list; blank values as a dash. */
export const Fact: FC<{ name: string; value?: string | number | null; children?: Child }> = ({ name, value, children }) => (
  <>
    <dt>{name}</dt>
    <dd>{children ?? (value === null || value === undefined || value === '' ? '—' : String(value))}</dd>
  </>
);

/** Query string of the non-empty values. */
export function queryOf(values: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Cursor paging: first page, page n of m, next. */
export const Pager: FC<{ t: T; base: string; filters: Record<string, string | undefined>; page: number; pages: number; nextCursor: string | null }> = ({ t, base, filters, page, pages, nextCursor }) => (
  <nav class="row" aria-label={t('ui.page.label')}>
    {page > 1 ? <a href={`${base}${queryOf(filters)}`}>{t('ui.page.first')}</a> : null}
    <span>{t('ui.page.of', { page, pages: Math.max(1, pages) })}</span>
    {nextCursor ? (
      <a href={`${base}${queryOf({ ...filters, cursor: nextCursor, page: String(page + 1) })}`} rel="next">
        {t('ui.page.next')}
      </a>
    ) : null}
  </nav>
);

/** Probe results counted by outcome, each outcome by its label; anything but `ok` is marked bad. */
export const OutcomeTable: FC<{ t: T; id: string; caption?: string; counts: Array<[string, number]> }> = ({ t, id, caption, counts }) => (
  <table id={id}>
    {caption ? <caption>{caption}</caption> : null}
    <thead>
      <tr>
        <th scope="col">{t('ui.overview.sweep.outcome')}</th>
        <th scope="col" class="num">
          {t('ui.overview.sweep.count')}
        </th>
      </tr>
    </thead>
    <tbody>
      {counts.map(([o, n]) => (
        <tr data-outcome={o}>
          <td class={o === 'ok' ? '' : 'bad'}>{label(t, 'ui.outcome', o)}</td>
          <td class="num">{n}</td>
        </tr>
      ))}
    </tbody>
  </table>
);
