import type { FC } from 'hono/jsx';
import type { Principal } from '../../auth/tokens.js';
import { REPORT_FORMATS } from '../../../reports/monthly/index.js';
import type { FindingDto } from '../../verdicts/findings.js';
import { label, type Lang, type T } from '../i18n.js';
import { Badge, fmtTime, Hidden, Notice, Page } from '../layout.js';
import type { Common } from './components.js';

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

// Every other page has its own file: overview, inventory, system, sweeps, findings, reports, import,
// tokens, campaigns, confirm.
