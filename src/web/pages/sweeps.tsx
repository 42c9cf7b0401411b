import type { FC } from 'hono/jsx';
import { DEPLOYMENTS, LIFECYCLES, SYSTEM_STATUSES } from '../../db/schema/enums.js';
import type { SweepSummary } from '../../sweeps/history.js';
import type { SweepProgress } from '../../sweeps/queue.js';
import type { SweepKind } from '../../sweeps/types.js';
import type { UiKey } from '../../../i18n/ui-zh.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtTime, Hidden, Notice, Page } from '../layout.js';
import { OutcomeTable, Select, type Common } from './components.js';

export interface SweepForm {
  scope: 'all' | 'filter' | 'selected';
  systems: string;
  kinds: SweepKind[];
  department?: string;
  lifecycle?: string;
  deployment?: string;
  status?: string;
}

const kindLabel = (t: T, k: string) => t(`ui.sweeps.kind.${k}` as UiKey);

export const SweepsPage: FC<
  Common & {
    kinds: readonly SweepKind[];
    form: SweepForm;
    departments: Array<{ code: string; name: string; path: string }>;
    history: SweepSummary[];
    message?: { kind: 'ok' | 'warn' | 'error'; text: string };
  }
> = ({ t, lang, here, principal, csrf, kinds, form, departments, history, message }) => (
  <Page t={t} lang={lang} title={t('ui.sweeps.title')} here={here} principal={principal} csrf={csrf} nav="sweeps">
    {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    <form method="post" action="/sweeps" id="start-sweep">
      <Hidden name="_csrf" value={csrf} />
      <fieldset>
        <legend>{t('ui.sweeps.scope')}</legend>
        <div class="radios">
          {(['all', 'filter', 'selected'] as const).map((s) => (
            <div class="field inline">
              <input type="radio" id={`scope-${s}`} name="scope" value={s} checked={form.scope === s} />
              <label for={`scope-${s}`}>{t(`ui.sweeps.scope.${s}` as UiKey)}</label>
            </div>
          ))}
        </div>
        <div class="row">
          <Select
            t={t}
            id="s-department"
            name="department"
            label={t('ui.filter.department')}
            value={form.department}
            options={departments.map((d) => ({ value: d.code, label: `${'\u3000'.repeat(Math.max(0, d.path.split('/').filter(Boolean).length - 1))}${d.name}` }))}
          />
          <Select t={t} id="s-lifecycle" name="lifecycle" label={t('ui.filter.lifecycle')} value={form.lifecycle} options={LIFECYCLES.map((v) => ({ value: v, label: label(t, 'ui.lifecycle', v) }))} />
          <Select t={t} id="s-deployment" name="deployment" label={t('ui.filter.deployment')} value={form.deployment} options={DEPLOYMENTS.map((v) => ({ value: v, label: label(t, 'ui.deployment', v) }))} />
          <Select t={t} id="s-status" name="status" label={t('ui.filter.status')} value={form.status} options={SYSTEM_STATUSES.map((v) => ({ value: v, label: label(t, 'ui.status', v) }))} />
        </div>
        <div class="field">
          <label for="s-systems">{t('ui.sweeps.systems')}</label>
          <textarea id="s-systems" name="systems" rows={3}>
            {form.systems}
          </textarea>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('ui.sweeps.kinds')}</legend>
        <div class="radios">
          {kinds.map((k) => (
            <div class="field inline">
              <input type="checkbox" id={`kind-${k}`} name="kinds" value={k} checked={form.kinds.includes(k)} />
              <label for={`kind-${k}`}>{kindLabel(t, k)}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <button type="submit">{t('ui.sweeps.submit')}</button>
    </form>

    <h2>{t('ui.sweeps.history')}</h2>
    {history.length ? (
      <table id="sweep-history">
        <thead>
          <tr>
            <th scope="col">{t('ui.sweeps.col.id')}</th>
            <th scope="col">{t('ui.sweeps.col.at')}</th>
            <th scope="col">{t('ui.sweeps.col.by')}</th>
            <th scope="col">{t('ui.sweeps.kinds')}</th>
            <th scope="col">{t('ui.sweeps.col.status')}</th>
            <th scope="col" class="num">
              {t('ui.sweeps.col.progress')}
            </th>
            <th scope="col" class="num">
              {t('ui.sweeps.col.failed')}
            </th>
          </tr>
        </thead>
        <tbody>
          {history.map((s) => (
            <tr data-sweep={s.id}>
              <td>
                <a href={`/sweeps/${s.id}`}>#{s.id}</a>
              </td>
              <td>{fmtTime(s.createdAt, lang)}</td>
              <td>
                {label(t, 'ui.sweeps.trigger', s.trigger)}
                {s.requestedBy ? <span class="muted">（{s.requestedBy}）</span> : null}
              </td>
              <td>{s.kinds.map((k) => kindLabel(t, k)).join('、')}</td>
              <td>
                <Badge t={t} prefix="ui.sweeps.status" value={s.status} cls={s.status === 'done' ? 'active' : 'open'} />
              </td>
              <td class="num">{`${s.done}/${s.targets}`}</td>
              <td class={`num ${s.done - s.ok ? 'bad' : ''}`}>{s.done - s.ok}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p class="muted">{t('ui.sweeps.history.empty')}</p>
    )}
  </Page>
);

/** The live part of a sweep's page: htmx swaps it every 2 s while the sweep runs; without script, a refresh does. */
export const SweepProgressPanel: FC<{ t: T; lang: Lang; p: SweepProgress }> = ({ t, lang, p }) => {
  const running = p.status === 'running' || p.status === 'queued';
  const outcomes = Object.entries(p.outcomes).sort((a, b) => (a[0] === 'ok' ? -1 : b[0] === 'ok' ? 1 : b[1] - a[1]));
  return (
    <section
      id="sweep-progress"
      aria-labelledby="h-progress"
      data-status={p.status}
      {...(running ? { 'hx-get': `/sweeps/${p.id}/progress`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {})}
    >
      <h2 id="h-progress">{t('ui.sweeps.progress.label')}</h2>
      <p class="row">
        <Badge t={t} prefix="ui.sweeps.status" value={p.status} cls={running ? 'open' : 'active'} />
        <span>{fmtTime(p.createdAt, lang)}</span>
        <span>{p.kinds.map((k) => kindLabel(t, k)).join('、')}</span>
      </p>
      <p>
        <progress id="sweep-bar" max={Math.max(1, p.targets)} value={p.done} aria-label={t('ui.sweeps.progress.label')}>
          {`${p.done}/${p.targets}`}
        </progress>
      </p>
      <p role="status" id="sweep-counts">
        {t('ui.sweeps.progress', { done: p.done, targets: p.targets, ok: p.ok, failed: p.failed })}
      </p>
      {running ? (
        <p class="muted">
          {t('ui.sweeps.running')} <a href={`/sweeps/${p.id}`}>{t('ui.sweeps.refresh')}</a>
        </p>
      ) : (
        <p>{t('ui.sweeps.finished', { seconds: p.seconds ?? '—' })}</p>
      )}
      {outcomes.length ? (
        <OutcomeTable t={t} id="sweep-outcomes" caption={t('ui.sweeps.outcomes')} counts={outcomes} />
      ) : null}
    </section>
  );
};

export const SweepPage: FC<Common & { p: SweepProgress; message?: string }> = ({ t, lang, here, principal, csrf, p, message }) => (
  <Page t={t} lang={lang} title={t('ui.sweeps.detail', { id: p.id })} here={here} principal={principal} csrf={csrf} nav="sweeps" htmx={true} refreshSeconds={p.status === 'running' || p.status === 'queued' ? 5 : undefined}>
    {message ? <Notice kind="ok">{message}</Notice> : null}
    <SweepProgressPanel t={t} lang={lang} p={p} />
    <p>
      <a href="/sweeps">{t('ui.sweeps.history')}</a> · <a href="/">{t('ui.nav.overview')}</a>
    </p>
  </Page>
);
