import type { FC } from 'hono/jsx';
import { ROLES } from '../../db/schema/enums.js';
import { label } from '../i18n.js';
import { Hidden, Notice, Page, fmtTime } from '../layout.js';
import { ErrorSummary, type Common, type Option } from './components.js';

export interface TokenRow {
  id: number;
  name: string;
  role: string;
  departmentCode: string | null;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface TokenForm {
  name?: string;
  role?: string;
  departmentCode?: string;
}

/** API tokens (admin): create (the secret is shown once, on the answer to the create), list, revoke. */
export const TokensPage: FC<
  Common & { items: TokenRow[]; departments: Option[]; created?: { id: number; token: string; name: string }; flash?: string; errors?: Array<{ where?: string; message: string }>; form?: TokenForm }
> = ({ t, lang, here, principal, csrf, items, departments, created, flash, errors, form }) => (
  <Page t={t} lang={lang} title={t('ui.tokens.title')} here={here} principal={principal} csrf={csrf} nav="tokens">
    <p>{t('ui.tokens.intro')}</p>
    {flash ? <Notice kind="ok">{flash}</Notice> : null}
    {created ? (
      <Notice kind="warn">
        <p>{t('ui.tokens.created', { name: created.name })}</p>
        <div class="field">
          <label for="new-token">{t('ui.tokens.secret')}</label>
          <input type="text" id="new-token" class="link-url" readonly value={created.token} />
        </div>
        <p>{t('ui.tokens.once')}</p>
      </Notice>
    ) : null}
    <section aria-labelledby="h-create">
      <h2 id="h-create">{t('ui.tokens.create')}</h2>
      <ErrorSummary t={t} errors={errors ?? []} />
      <form method="post" action="/tokens">
        <Hidden name="_csrf" value={csrf} />
        <div class="field">
          <label for="tok-name">{t('ui.tokens.name')}</label>
          <input type="text" id="tok-name" name="name" required maxlength={100} size={40} value={form?.name ?? ''} />
        </div>
        <div class="field">
          <label for="tok-role">{t('ui.tokens.role')}</label>
          <select id="tok-role" name="role" required>
            {ROLES.map((r) => (
              <option value={r} selected={(form?.role ?? 'viewer') === r}>
                {label(t, 'ui.role', r)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="tok-dept">{t('ui.tokens.department')}</label>
          <span class="hint" id="tok-dept-hint">
            {t('ui.tokens.department.hint')}
          </span>
          <select id="tok-dept" name="departmentCode" aria-describedby="tok-dept-hint">
            <option value="">{t('ui.tokens.department.none')}</option>
            {departments.map((d) => (
              <option value={d.value} selected={form?.departmentCode === d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t('ui.tokens.create.submit')}</button>
      </form>
    </section>
    <section aria-labelledby="h-list">
      <h2 id="h-list">{t('ui.tokens.list')}</h2>
      <table id="tokens">
        <thead>
          <tr>
            <th scope="col">{t('ui.tokens.name')}</th>
            <th scope="col">{t('ui.tokens.role')}</th>
            <th scope="col">{t('ui.tokens.department')}</th>
            <th scope="col">{t('ui.tokens.prefix')}</th>
            <th scope="col">{t('ui.tokens.createdAt')}</th>
            <th scope="col">{t('ui.tokens.lastUsedAt')}</th>
            <th scope="col">{t('ui.tokens.state')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((k) => (
            <tr data-token={String(k.id)}>
              <th scope="row">{k.name}</th>
              <td>{label(t, 'ui.role', k.role)}</td>
              <td>{k.departmentCode ? (departments.find((d) => d.value === k.departmentCode)?.label.trim() ?? k.departmentCode) : '—'}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{fmtTime(k.createdAt, lang)}</td>
              <td>{fmtTime(k.lastUsedAt, lang)}</td>
              <td>
                {k.revokedAt ? (
                  t('ui.tokens.revokedAt', { at: fmtTime(k.revokedAt, lang) })
                ) : (
                  <form method="post" action={`/tokens/${k.id}/revoke`}>
                    <Hidden name="_csrf" value={csrf} />
                    <button type="submit" class="danger" aria-label={t('ui.tokens.revoke.label', { name: k.name })}>
                      {t('ui.tokens.revoke')}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  </Page>
);
