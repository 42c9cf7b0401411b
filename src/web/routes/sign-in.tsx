import { deleteCookie } from 'hono/cookie';
import { readForm, str } from '../forms.js';
import { LoginPage } from '../pages/ops.js';
import { endSession, loginCsrf, loginCsrfValid, LOGIN_COOKIE, readSession, startSession } from '../session.js';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { viewOf, render, signedInPost, safeNext } from './common.js';

/** Sign-in: the login form (a bearer token starts a session) and logout. */
export const signInPages = new Hono<AppEnv>();

signInPages.get('/', async (c) => c.redirect((await readSession(c)) ? '/inventory' : '/login', 303));

signInPages.get('/login', async (c) => {
  const v = viewOf(c);
  if (await readSession(c)) return c.redirect(safeNext(c.req.query('next')), 303);
  const m = c.req.query('m');
  const message = m === 'out' ? { kind: 'ok' as const, text: v.t('ui.login.loggedOut') } : m === 'expired' ? { kind: 'warn' as const, text: v.t('ui.login.expired') } : undefined;
  return render(c, <LoginPage t={v.t} lang={v.lang} here={v.here} csrf={await loginCsrf(c)} next={safeNext(c.req.query('next'))} message={message} />);
});

signInPages.post('/login', async (c) => {
  const v = viewOf(c);
  const body = await readForm(c);
  if (!(await loginCsrfValid(c, body._csrf))) {
    return render(c, <LoginPage t={v.t} lang={v.lang} here={v.here} csrf={await loginCsrf(c)} next={safeNext(str(body, 'next'))} message={{ kind: 'error', text: v.t('ui.error.csrf') }} />, 403);
  }
  const token = str(body, 'token').trim();
  const principal = token.length >= 8 && token.length <= 512 ? await c.get('deps').verifier.verify(token) : null;
  if (!principal) {
    return render(c, <LoginPage t={v.t} lang={v.lang} here={v.here} csrf={await loginCsrf(c)} next={safeNext(str(body, 'next'))} message={{ kind: 'error', text: v.t('ui.login.failed') }} />, 401);
  }
  await startSession(c, token, principal);
  deleteCookie(c, LOGIN_COOKIE, { path: '/login' });
  return c.redirect(safeNext(str(body, 'next')), 303);
});

signInPages.post('/logout', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  await endSession(c);
  return c.redirect('/login?m=out', 303);
});
