import type { FC } from 'hono/jsx';
import { DEPLOYMENTS, LIFECYCLES, SYSTEM_STATUSES } from '../../db/schema/enums.js';
import type { InventorySort, InventoryTable } from '../../inventory/inventory-table.js';
import type { UiKey } from '../../../i18n/ui-zh.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtPct, fmtTime, Notice, Page } from '../layout.js';
import { Select, type Common } from './components.js';

export interface InventoryFilters {
  department?: string;
  lifecycle?: string;
  deployment?: string;
  status?: string;
  q?: string;
  sort: InventorySort;
  dir: 'asc' | 'desc';
  page: number;
}

export function inventoryQuery(f: Partial<InventoryFilters>, extra: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  const merged: Record<string, unknown> = { ...f, ...extra };
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined || v === null || v === '') continue;
    if (k === 'page' && Number(v) === 1) continue;
    if (k === 'sort' && v === 'code' && merged.dir === 'asc') continue;
    if (k === 'dir' && v === 'asc') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Page numbers around the current one, with the first and last, and gaps as null. */
export function pageList(page: number, pages: number): Array<number | null> {
  const want = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((n) => n >= 1 && n <= pages));
  const sorted = [...want].sort((a, b) => a - b);
  const out: Array<number | null> = [];
  sorted.forEach((n, i) => {
    if (i && n - sorted[i - 1]! > 1) out.push(null);
    out.push(n);
  });
  return out;
}

const COLUMNS: Array<{ sort?: InventorySort; key: UiKey; num?: boolean }> = [
  { sort: 'code', key: 'ui.col.code' },
  { sort: 'name', key: 'ui.col.name' },
  { sort: 'department', key: 'ui.col.department' },
  { key: 'ui.col.lifecycle' },
  { sort: 'availability', key: 'ui.col.availability30', num: true },
  { sort: 'outcome', key: 'ui.col.lastOutcome' },
  { sort: 'ipv6', key: 'ui.col.ipv6' },
  { sort: 'status', key: 'ui.col.status' },
];

export const InventoryPage: FC<
  Common & { filters: InventoryFilters; departments: Array<{ code: string; name: string; path: string }>; table: InventoryTable; error?: string }
> = ({ t, lang, here, principal, csrf, filters, departments, table, error }) => {
  const base = { department: filters.department, lifecycle: filters.lifecycle, deployment: filters.deployment, status: filters.status, q: filters.q };
  return (
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
        <input type="hidden" name="sort" value={filters.sort} />
        <input type="hidden" name="dir" value={filters.dir} />
        <div class="field">
          <button type="submit">{t('ui.filter.submit')}</button>
        </div>
        <div class="field">
          <a href="/inventory">{t('ui.filter.reset')}</a>
        </div>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <p class="row">
        <span role="status" id="inventory-total">
          {t('ui.inventory.total', { total: table.total, page: table.page, pages: table.pages })}
        </span>
        <a class="button secondary" href={`/inventory/export.xlsx${inventoryQuery(base)}`} id="export-xlsx">
          {t('ui.inventory.export')}
        </a>
      </p>
      {table.items.length ? (
        <table id="inventory">
          <thead>
            <tr>
              {COLUMNS.map((col) => {
                if (!col.sort) return <th scope="col">{t(col.key)}</th>;
                const current = filters.sort === col.sort;
                const nextDir = current && filters.dir === 'asc' ? 'desc' : 'asc';
                return (
                  <th scope="col" class={col.num ? 'num' : undefined} aria-sort={current ? (filters.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                    <a href={`/inventory${inventoryQuery({ ...base, sort: col.sort, dir: nextDir })}`} aria-label={t('ui.inventory.sortBy', { col: t(col.key) })}>
                      {t(col.key)}
                      {current ? (filters.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                    </a>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {table.items.map((s) => (
              <tr data-code={s.code}>
                <td>{s.code}</td>
                <td>
                  <a href={`/systems/${encodeURIComponent(s.code)}`}>{s.name}</a>
                </td>
                <td>{s.departmentName}</td>
                <td>{label(t, 'ui.lifecycle', s.lifecycle)}</td>
                <td class={`num ${s.availability !== null && s.availability < 0.95 ? 'bad' : ''}`}>{fmtPct(s.availability)}</td>
                <td class={s.lastOutcome && s.lastOutcome !== 'ok' ? 'bad' : undefined}>
                  {s.lastOutcome ? label(t, 'ui.outcome', s.lastOutcome) : '—'}
                  {s.lastProbeAt ? <div class="muted">{fmtTime(s.lastProbeAt, lang)}</div> : null}
                </td>
                <td>{s.ipv6Grade ? label(t, 'ui.ipv6grade', s.ipv6Grade) : '—'}</td>
                <td>
                  <Badge t={t} prefix="ui.status" value={s.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t('ui.inventory.empty')}</p>
      )}
      {table.pages > 1 ? (
        <nav aria-label={t('ui.inventory.pages')}>
          <ul class="pager">
            {table.page > 1 ? (
              <li>
                <a href={`/inventory${inventoryQuery(filters, { page: table.page - 1 })}`} rel="prev">
                  {t('ui.inventory.prev')}
                </a>
              </li>
            ) : null}
            {pageList(table.page, table.pages).map((n) =>
              n === null ? (
                <li>
                  <span aria-hidden="true">…</span>
                </li>
              ) : (
                <li>
                  <a href={`/inventory${inventoryQuery(filters, { page: n })}`} aria-current={n === table.page ? 'page' : undefined}>
                    {n}
                  </a>
                </li>
              ),
            )}
            {table.page < table.pages ? (
              <li>
                <a href={`/inventory${inventoryQuery(filters, { page: table.page + 1 })}`} rel="next">
                  {t('ui.page.next')}
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </Page>
  );
};
