import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { Principal } from '../../auth/tokens.js';
import type { AppEnv } from '../../http/env.js';
import { readForm, type FormBody } from '../forms.js';
import { pickLang, translator, type Lang, type T } from '../i18n.js';
import { ErrorPage } from '../pages/ops.js';
import { readSession, sessionCsrf, sessionCsrfValid, type Session } from '../session.js';

/** What every page handler needs: the view (language, translator, path), sign-in and rendering. */
export type C = Context<AppEnv>;

export interface View {
  lang: Lang;
  t: T;
  here: string;
}

export function viewOf(c: C): View {
  const lang = pickLang(c);
  const u = new URL(c.req.url);
  u.searchParams.delete('lang');
  return { lang, t: translator(lang), here: `${u.pathname}${u.search}` };
}

export async function render(c: C, node: Child, status = 200): Promise<Response> {
  return c.html(`<!doctype html>${String(await node)}`, status as 200);
}

export interface SignedIn extends View {
  principal: Principal;
  session: Session;
  csrf: string;
}

/** Only local paths are followed after login. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

export async function signedIn(c: C): Promise<SignedIn | Response> {
  const v = viewOf(c);
  const s = await readSession(c);
  if (!s) {
    const next = c.req.method === 'GET' ? `&next=${encodeURIComponent(v.here)}` : '';
    return c.redirect(`/login?m=expired${next}`, 303);
  }
  c.set('principal', s.principal);
  return { ...v, principal: s.principal, session: s.session, csrf: await sessionCsrf(c, s.session) };
}

/** A signed-in POST: session and synchronizer token both required. */
export async function signedInPost(c: C): Promise<{ w: SignedIn; body: FormBody } | Response> {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const body = await readForm(c);
  if (!(await sessionCsrfValid(c, w.session, body._csrf))) {
    return render(c, <ErrorPage t={w.t} lang={w.lang} here={w.here} principal={w.principal} csrf={w.csrf} message={w.t('ui.error.csrf')} />, 403);
  }
  return { w, body };
}

export const oneOf = <T extends string>(values: readonly T[], v: string | undefined): T | undefined => (v && (values as readonly string[]).includes(v) ? (v as T) : undefined);
