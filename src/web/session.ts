import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { endWebSession, findWebSession, openWebSession, SESSION_HOURS, type WebSession } from '../auth/sessions.js';
import { hashToken, type Principal } from '../auth/tokens.js';
import { hmac, type InstanceKeys } from '../auth/keys.js';
import type { AppEnv } from '../http/env.js';
import { isHttps } from './i18n.js';

/**
 * Web sessions are rows in the database (src/auth/sessions.ts); the cookie holds only a random id.
 * Logout, revoking the token that signed in, or restarting with another ADMIN_TOKEN ends them at once.
 */
export const SESSION_COOKIE = 'xc_session';
export const LOGIN_COOKIE = 'xc_login';
export { SESSION_HOURS };

export type Session = WebSession;

export function keysFor(c: Context<AppEnv>): InstanceKeys {
  return c.get('deps').keys;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOptions(c: Context, path = '/') {
  return { path, httpOnly: true, sameSite: 'Strict' as const, secure: isHttps(c) };
}

export async function startSession(c: Context<AppEnv>, token: string, principal: Principal): Promise<void> {
  const deps = c.get('deps');
  const session = await openWebSession(deps.db, principal, principal.tokenId === null ? hashToken(token) : null, deps.now());
  setCookie(c, SESSION_COOKIE, session.sid, { ...cookieOptions(c), maxAge: SESSION_HOURS * 3600 });
}

/** Logout: the row is ended (so a copied cookie is worthless too) and the cookie cleared. */
export async function endSession(c: Context<AppEnv>): Promise<void> {
  const sid = getCookie(c, SESSION_COOKIE);
  if (sid) await endWebSession(c.get('deps').db, sid, c.get('deps').now());
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}

/** The signed-in principal and session, or null (no cookie, unknown, expired, ended, token revoked). */
export async function readSession(c: Context<AppEnv>): Promise<{ session: Session; principal: Principal } | null> {
  const deps = c.get('deps');
  return findWebSession(deps.db, getCookie(c, SESSION_COOKIE), deps.verifier.bootstrapHash(), deps.now());
}

/** Synchronizer token of a session: HMAC of its id, so it is valid exactly as long as the session. */
export async function sessionCsrf(c: Context<AppEnv>, session: Session): Promise<string> {
  return hmac(await keysFor(c).key('web-csrf'), session.sid).toString('base64url');
}

export async function sessionCsrfValid(c: Context<AppEnv>, session: Session, given: unknown): Promise<boolean> {
  if (typeof given !== 'string' || given.length > 100) return false;
  const expected = hmac(await keysFor(c).key('web-csrf'), session.sid);
  return sameBytes(Buffer.from(given, 'base64url'), expected);
}

/** The login form has no session yet: a random cookie and a hidden field derived from it. */
export async function loginCsrf(c: Context<AppEnv>): Promise<string> {
  let nonce = getCookie(c, LOGIN_COOKIE);
  if (!nonce || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
    nonce = randomBytes(16).toString('base64url');
    setCookie(c, LOGIN_COOKIE, nonce, { ...cookieOptions(c, '/login'), maxAge: 3600 });
  }
  return hmac(await keysFor(c).key('login-csrf'), nonce).toString('base64url');
}

export async function loginCsrfValid(c: Context<AppEnv>, given: unknown): Promise<boolean> {
  const nonce = getCookie(c, LOGIN_COOKIE);
  if (!nonce || typeof given !== 'string' || given.length > 100) return false;
  return sameBytes(Buffer.from(given, 'base64url'), hmac(await keysFor(c).key('login-csrf'), nonce));
}
