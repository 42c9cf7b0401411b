import { Hono } from 'hono';
import { z } from 'zod';
import { createAuditedToken, listTokens, revokeAuditedToken } from '../../auth/tokens.js';
import { ROLES } from '../../db/schema/enums.js';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { departmentOptions } from '../../inventory/departments.js';
import { inLang, issueMessage } from '../../inventory/import/messages.js';
import { str } from '../forms.js';
import { TokensPage, type TokenForm } from '../pages/tokens.js';
import { formLimit, pageHeaders } from './headers.js';
import { render, signedIn, signedInPost, type C, type SignedIn } from './common.js';

/** API tokens for the admin, through the audited token service (which decides who may). */
export const tokenPages = new Hono<AppEnv>();

tokenPages.use('/tokens', pageHeaders);
tokenPages.use('/tokens/*', pageHeaders);
tokenPages.on('POST', ['/tokens', '/tokens/*'], formLimit(16 * 1024));

const createForm = z.object({ name: z.string().trim().min(1).max(100), role: z.enum(ROLES), departmentCode: z.string().trim().max(64).optional() });

const FIELD = { name: 'ui.tokens.name', role: 'ui.tokens.role', departmentCode: 'ui.tokens.department' } as const;

async function tokensPage(c: C, w: SignedIn, extra: Partial<Parameters<typeof TokensPage>[0]> = {}, status = 200) {
  const { db } = c.get('deps');
  const items = await listTokens(db, w.principal);
  const departments = (await departmentOptions(db, w.principal)).map((d) => ({ value: d.code, label: `${'\u3000'.repeat(Math.max(0, d.path.split('/').filter(Boolean).length - 1))}${d.name}` }));
  return render(c, <TokensPage {...w} items={items} departments={departments} {...extra} />, status);
}

tokenPages.get('/tokens', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const done = c.req.query('done');
  return tokensPage(c, w, done === 'revoked' ? { flash: w.t('ui.tokens.revoked') } : {});
});

tokenPages.post('/tokens', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const form: TokenForm = { name: str(body, 'name'), role: str(body, 'role'), departmentCode: str(body, 'departmentCode') };
  const parsed = createForm.safeParse({ ...form, departmentCode: form.departmentCode || undefined });
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ where: w.t(FIELD[String(i.path[0]) as keyof typeof FIELD] ?? 'ui.tokens.name'), message: inLang(w.lang, issueMessage(i as never)) }));
    return tokensPage(c, w, { errors, form }, 400);
  }
  try {
    const created = await createAuditedToken(c.get('deps').db, { principal: w.principal, requestId: c.get('requestId') }, parsed.data);
    // The secret is on this answer only: never cached, never in a URL.
    c.header('Cache-Control', 'no-store');
    return tokensPage(c, w, { created: { ...created, name: parsed.data.name } }, 201);
  } catch (e) {
    if (e instanceof AppError && e.code === 'validation_failed') {
      const dept = e.errors?.[0]?.path === 'departmentCode';
      return tokensPage(c, w, { errors: [{ where: w.t('ui.tokens.department'), message: w.t(dept && form.departmentCode ? 'ui.tokens.error.unknownDepartment' : 'ui.tokens.error.departmentRequired') }], form }, 400);
    }
    throw e;
  }
});

tokenPages.post('/tokens/:id/revoke', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const id = Number(c.req.param('id'));
  if (!Number.isInteger(id) || id <= 0 || id > 2_147_483_647) throw new AppError('not_found', 'no such token');
  const { db, now } = c.get('deps');
  await revokeAuditedToken(db, { principal: r.w.principal, requestId: c.get('requestId') }, id, now());
  return c.redirect('/tokens?done=revoked', 303);
});
