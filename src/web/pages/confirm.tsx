import type { FC } from 'hono/jsx';
import type { LinkItem, LinkPage } from '../../campaigns/actions.js';
import type { UiKey } from '../../../i18n/ui-zh.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtTime, Hidden, Notice, Page, SafeLink } from '../layout.js';

/** A field error on the department pages: `field` is the id of the input it belongs to. */
export interface FormError {
  field: string;
  message: string;
}

export interface LinkHeader {
  campaignName: string;
  deadline: string;
  departmentName: string;
  overdue: boolean;
}

interface Common {
  t: T;
  lang: Lang;
  here: string;
  base: string;
  csrf: string;
  head: LinkHeader;
  official: { name: string; phone: string };
  errors?: FormError[];
  values?: Record<string, string>;
}

export const REFUSAL_KEYS: Record<'invalid' | 'expired' | 'closed', UiKey> = {
  invalid: 'ui.confirm.refused.invalid',
  expired: 'ui.confirm.refused.expired',
  closed: 'ui.confirm.refused.closed',
};

/** What a refused link shows: the reason and who to ask, nothing about the campaign. */
export const RefusedPage: FC<{ t: T; lang: Lang; here: string; reason: 'invalid' | 'expired' | 'closed' }> = ({ t, lang, here, reason }) => (
  <Page t={t} lang={lang} title={t('ui.confirm.title')} here={here}>
    <Notice kind="error">{t(REFUSAL_KEYS[reason])}</Notice>
    <p>{t('ui.confirm.refused.help')}</p>
  </Page>
);

const ErrorSummary: FC<{ t: T; errors?: FormError[] }> = ({ t, errors }) =>
  errors?.length ? (
    <div class="notice error" role="alert" aria-labelledby="error-summary-title" tabindex={-1} id="error-summary">
      <p id="error-summary-title">
        <strong>{t('ui.error.summary')}</strong>
      </p>
      <ul>
        {errors.map((e) => (
          <li>{e.field ? <a href={`#${e.field}`}>{e.message}</a> : e.message}</li>
        ))}
      </ul>
    </div>
  ) : null;

function errorFor(errors: FormError[] | undefined, field: string): string | undefined {
  return errors?.find((e) => e.field === field)?.message;
}

/** A labelled input with its error message wired up for screen readers. */
const Input: FC<{
  id: string;
  name?: string;
  label: string;
  value?: string;
  type?: string;
  required?: boolean;
  errors?: FormError[];
  maxlength?: number;
  list?: string;
  autocomplete?: string;
  hint?: string;
}> = (p) => {
  const err = errorFor(p.errors, p.id);
  const described = [p.hint ? `${p.id}-hint` : '', err ? `${p.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <span class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </span>
      ) : null}
      {err ? (
        <span class="error-text" id={`${p.id}-error`}>
          {err}
        </span>
      ) : null}
      <input
        type={p.type ?? 'text'}
        id={p.id}
        name={p.name ?? p.id}
        value={p.value ?? ''}
        required={p.required}
        maxlength={p.maxlength}
        list={p.list}
        autocomplete={p.autocomplete}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={described}
      />
    </div>
  );
};

const TextArea: FC<{ id: string; name?: string; label: string; value?: string; errors?: FormError[]; maxlength?: number; rows?: number }> = (p) => {
  const err = errorFor(p.errors, p.id);
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {err ? (
        <span class="error-text" id={`${p.id}-error`}>
          {err}
        </span>
      ) : null}
      <textarea id={p.id} name={p.name ?? p.id} maxlength={p.maxlength} rows={p.rows ?? 3} aria-invalid={err ? 'true' : undefined} aria-describedby={err ? `${p.id}-error` : undefined}>
        {p.value ?? ''}
      </textarea>
    </div>
  );
};

/** Who answers: name and phone, required on every form and recorded with each answer. */
const OfficialFields: FC<{ t: T; prefix: string; official: { name: string; phone: string }; errors?: FormError[]; values?: Record<string, string> }> = ({ t, prefix, official, errors, values }) => (
  <fieldset>
    <legend>{t('ui.confirm.official')}</legend>
    <div class="row">
      <Input id={`${prefix}official_name`} name="official_name" label={t('ui.confirm.official.name')} required maxlength={50} autocomplete="name" value={values?.official_name ?? official.name} errors={errors} />
      <Input id={`${prefix}official_phone`} name="official_phone" type="tel" label={t('ui.confirm.official.phone')} required maxlength={40} autocomplete="tel" value={values?.official_phone ?? official.phone} errors={errors} />
    </div>
  </fieldset>
);

const Head: FC<{ t: T; head: LinkHeader }> = ({ t, head }) => (
  <>
    <p class="row">
      <strong>{t('ui.confirm.heading', { campaign: head.campaignName })}</strong>
      <span>{t('ui.confirm.department', { department: head.departmentName })}</span>
    </p>
    {head.overdue ? <Notice kind="warn">{t('ui.confirm.deadlinePassed', { deadline: head.deadline })}</Notice> : <p>{t('ui.confirm.deadline', { deadline: head.deadline })}</p>}
  </>
);

const ACTIONS: Array<{ value: string; key: UiKey }> = [
  { value: '', key: 'ui.confirm.action.none' },
  { value: 'confirm', key: 'ui.confirm.action.confirm' },
  { value: 'transfer', key: 'ui.confirm.action.transfer' },
  { value: 'retire', key: 'ui.confirm.action.retire' },
  { value: 'disown', key: 'ui.confirm.action.disown' },
];

const SystemAnswer: FC<{ t: T; lang: Lang; base: string; item: LinkItem; errors?: FormError[]; values?: Record<string, string> }> = ({ t, lang, base, item, errors, values }) => {
  const id = item.systemId;
  const chosen = values?.[`action_${id}`] ?? '';
  const contact = [item.contactName, item.contactPhone, item.contactEmail].filter(Boolean).join(' · ');
  return (
    <fieldset class="system" id={`sys-${id}`}>
      <legend>{`${item.name}（${item.code}）`}</legend>
      <p class="row">
        <Badge t={t} prefix="ui.itemState" value={item.state} />
        {item.confirmedByName ? (
          <span class="muted">{item.confirmedAt ? t('ui.confirm.stateBy', { name: item.confirmedByName, at: fmtTime(item.confirmedAt, lang) }) : `（${item.confirmedByName}）`}</span>
        ) : null}
        {item.transferTo ? <span>{t('ui.confirm.transferTo', { department: item.transferTo.name })}</span> : null}
      </p>
      {item.note ? <p class="muted">{item.note}</p> : null}
      <dl class="facts">
        <dt>{t('ui.system.operatorUnit')}</dt>
        <dd>{item.operatorUnit ?? '—'}</dd>
        <dt>{t('ui.system.contractor')}</dt>
        <dd>{item.contractor ?? '—'}</dd>
        <dt>{t('ui.system.contact')}</dt>
        <dd>{contact || '—'}</dd>
        <dt>{t('ui.system.endpoints')}</dt>
        <dd>
          {item.endpoints.length
            ? item.endpoints.map((e) => (
                <div>
                  <SafeLink href={e.url} /> <span class="muted">{label(t, 'ui.endpointRole', e.role)}</span>
                </div>
              ))
            : '—'}
        </dd>
        <dt>{t('ui.system.description')}</dt>
        <dd>{item.description ?? '—'}</dd>
      </dl>
      <p>
        <a href={`${base}/systems/${id}`}>{t('ui.confirm.correct', { name: item.name })}</a>
      </p>
      <fieldset>
        <legend>{t('ui.confirm.action')}</legend>
        <div class="radios">
          {ACTIONS.map((a) => (
            <div class="field inline">
              <input type="radio" id={`action_${id}_${a.value || 'none'}`} name={`action_${id}`} value={a.value} checked={chosen === a.value} />
              <label for={`action_${id}_${a.value || 'none'}`}>{t(a.key)}</label>
            </div>
          ))}
        </div>
        <Input id={`to_${id}`} label={t('ui.confirm.to')} list="departments" maxlength={200} value={values?.[`to_${id}`]} errors={errors} hint={t('ui.confirm.to.hint')} autocomplete="off" />
        <TextArea id={`note_${id}`} label={t('ui.confirm.note')} maxlength={2000} rows={2} value={values?.[`note_${id}`]} errors={errors} />
      </fieldset>
    </fieldset>
  );
};

/** Forms are `novalidate`: the server checks every field and answers in the page's language (the browser's own bubbles would follow the browser's). */
export const ConfirmPage: FC<
  Common & { page: LinkPage; targets: Array<{ code: string; name: string }>; flash?: string; completed: boolean }
> = ({ t, lang, here, base, csrf, head, official, errors, values, page, targets, flash, completed }) => {
  const pending = page.items.filter((i) => i.state === 'pending').length;
  return (
    <Page t={t} lang={lang} title={t('ui.confirm.title')} here={here}>
      <Head t={t} head={head} />
      {flash ? <Notice kind="ok">{flash}</Notice> : null}
      {completed && !flash ? <Notice kind="ok">{t('ui.confirm.completed')}</Notice> : null}
      <ErrorSummary t={t} errors={errors} />
      <p>{t('ui.confirm.intro')}</p>

      {page.incoming.length ? (
        <section aria-labelledby="h-incoming">
          <h2 id="h-incoming">{t('ui.confirm.incoming')}</h2>
          {page.incoming.map((x) => (
            <form method="post" action={`${base}/transfers/${x.transferId}`} class="system" novalidate>
              <Hidden name="_csrf" value={csrf} />
              <h3>{t('ui.confirm.incoming.item', { system: `${x.systemName}（${x.systemCode}）`, from: x.fromName })}</h3>
              {x.note ? <p>{x.note}</p> : null}
              {x.requestedBy ? <p class="muted">{t('ui.confirm.incoming.requestedBy', { name: x.requestedBy })}</p> : null}
              <OfficialFields t={t} prefix={`in${x.transferId}_`} official={official} errors={errors} />
              <TextArea id={`in${x.transferId}_note`} name="note" label={t('ui.confirm.incoming.note')} maxlength={2000} rows={2} />
              <div class="row">
                <button type="submit" name="decision" value="accept">
                  {t('ui.confirm.incoming.accept')}
                </button>
                <button type="submit" name="decision" value="reject" class="secondary">
                  {t('ui.confirm.incoming.reject')}
                </button>
              </div>
            </form>
          ))}
        </section>
      ) : null}

      <section aria-labelledby="h-systems">
        <h2 id="h-systems">{t('ui.confirm.systems', { n: page.items.length })}</h2>
        {page.items.length ? (
          <form method="post" action={base} id="answers" novalidate>
            <Hidden name="_csrf" value={csrf} />
            <OfficialFields t={t} prefix="" official={official} errors={errors} values={values} />
            {/* The receiving department's picker: type part of a name or code and choose (no script needed). */}
            <datalist id="departments">
              {targets.map((d) => (
                <option value={d.name} label={d.code} />
              ))}
            </datalist>
            {page.items.map((item) => (
              <SystemAnswer t={t} lang={lang} base={base} item={item} errors={errors} values={values} />
            ))}
            <div class="row">
              <button type="submit">{t('ui.confirm.submit')}</button>
              {pending ? (
                <button type="submit" name="all" value="confirm" class="secondary">
                  {t('ui.confirm.confirmAll')}
                </button>
              ) : null}
            </div>
          </form>
        ) : (
          <p>{t('ui.confirm.noSystems')}</p>
        )}
      </section>

      <section aria-labelledby="h-missing">
        <h2 id="h-missing">{t('ui.confirm.missing')}</h2>
        <p>{t('ui.confirm.missing.intro')}</p>
        {page.missing.length ? (
          <>
            <h3>{t('ui.confirm.missing.reported')}</h3>
            <ul>
              {page.missing.map((m) => (
                <li>
                  {m.name}
                  {m.url ? <span> — <SafeLink href={m.url} /></span> : null}
                  {m.note ? <span class="muted"> — {m.note}</span> : null}
                  {m.reportedByName ? <span class="muted">（{m.reportedByName}）</span> : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <form method="post" action={`${base}/missing`} novalidate>
          <Hidden name="_csrf" value={csrf} />
          <OfficialFields t={t} prefix="m_" official={official} errors={errors} />
          <Input id="m_name" name="name" label={t('ui.confirm.missing.name')} required maxlength={200} errors={errors} value={values?.m_name} />
          <Input id="m_url" name="url" type="url" label={t('ui.confirm.missing.url')} maxlength={2048} errors={errors} value={values?.m_url} />
          <TextArea id="m_note" name="note" label={t('ui.confirm.missing.note')} maxlength={2000} rows={2} value={values?.m_note} />
          <button type="submit">{t('ui.confirm.missing.submit')}</button>
        </form>
      </section>
    </Page>
  );
};

export const CorrectPage: FC<Common & { item: LinkItem }> = ({ t, lang, here, base, csrf, head, official, errors, values, item }) => {
  const v = (k: string, fallback: string | null) => values?.[k] ?? fallback ?? '';
  const endpointsText = item.endpoints.map((e) => `${e.url} ${e.role}`).join('\n');
  return (
    <Page t={t} lang={lang} title={`${t('ui.confirm.edit.title')}：${item.name}`} here={here}>
      <Head t={t} head={head} />
      <ErrorSummary t={t} errors={errors} />
      <p>{t('ui.confirm.edit.intro')}</p>
      <form method="post" action={`${base}/systems/${item.systemId}`} novalidate>
        <Hidden name="_csrf" value={csrf} />
        <OfficialFields t={t} prefix="" official={official} errors={errors} values={values} />
        <Input id="name" label={t('ui.col.name')} required maxlength={200} value={v('name', item.name)} errors={errors} />
        <Input id="operatorUnit" label={t('ui.system.operatorUnit')} maxlength={200} value={v('operatorUnit', item.operatorUnit)} errors={errors} />
        <Input id="contractor" label={t('ui.system.contractor')} maxlength={200} value={v('contractor', item.contractor)} errors={errors} />
        <Input id="contactName" label={t('ui.confirm.edit.contactName')} maxlength={100} value={v('contactName', item.contactName)} errors={errors} />
        <Input id="contactPhone" type="tel" label={t('ui.confirm.edit.contactPhone')} maxlength={40} value={v('contactPhone', item.contactPhone)} errors={errors} />
        <Input id="contactEmail" type="email" label={t('ui.confirm.edit.contactEmail')} maxlength={254} value={v('contactEmail', item.contactEmail)} errors={errors} />
        <TextArea id="description" label={t('ui.system.description')} maxlength={5000} rows={4} value={v('description', item.description)} errors={errors} />
        <TextArea id="endpoints" label={t('ui.confirm.edit.endpoints')} maxlength={60000} rows={4} value={v('endpoints', endpointsText)} errors={errors} />
        <div class="field inline">
          <input type="checkbox" id="alsoConfirm" name="alsoConfirm" value="1" checked={values ? values.alsoConfirm === '1' : item.state === 'pending'} />
          <label for="alsoConfirm">{t('ui.confirm.edit.alsoConfirm')}</label>
        </div>
        <div class="row">
          <button type="submit">{t('ui.confirm.edit.submit')}</button>
          <a href={`${base}#sys-${item.systemId}`}>{t('ui.confirm.edit.cancel')}</a>
        </div>
      </form>
    </Page>
  );
};
