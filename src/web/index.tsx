import { eq } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import type { Principal } from '../auth/tokens.js';
import {
  applyDecisions,
  campaignCreateSchema,
  campaignLinks,
  campaignProgress,
  closeCampaign,
  correctionSchema,
  correctSystem,
  createCampaign,
  decideTransfer,
  DECISIONS,
  isOverdue,
  isRefusal,
  linkCsrfToken,
  linkCsrfValid,
  linkPage,
  listCampaigns,
  listMissingReports,
  listTransfers,
  markVisited,
  missingReportSchema,
  officialSchema,
  openLink,
  reportMissing,
  rotateLink,
  systemForCorrection,
  transferTargets,
  type Decision,
  type LinkContext,
  type Official,
} from '../campaigns/index.js';
import { localDay } from '../../probes/time.js';
import { campaignDepartments, departments } from '../db/schema/index.js';
import { DEPLOYMENTS, LIFECYCLES, SYSTEM_STATUSES, type Deployment, type Lifecycle, type SystemStatus } from '../db/schema/enums.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { getSystem, listSystems } from '../inventory/systems.js';
import { renderMonthlyReport } from '../verdicts/monthly.js';
import { REPORT_FORMATS } from '../../reports/monthly/index.js';
import { publicBaseUrl, requireOps } from '../routes/campaigns.js';
import { departmentOptions, endpointViews, findingViews, probeHistory, systemCampaignHistory, systemIdByCode, usageSummary } from './data.js';
import {
  correctionField,
  correctionPatch,
  formValues,
  parseEndpointLines,
  readForm,
  rememberedOfficial,
  rememberOfficial,
  str,
  strs,
  zodErrors,
  type FormBody,
} from './forms.js';
import { pickLang, translator, type Lang, type T } from './i18n.js';
import { CSP } from './layout.js';
import { CampaignPage, CampaignsPage, type CreateForm } from './pages/campaigns.js';
import { ConfirmPage, CorrectPage, RefusedPage, type FormError, type LinkHeader } from './pages/confirm.js';
import { ErrorPage, FindingsBoard, InventoryPage, LoginPage, ReportsPage, SystemPage, type InventoryFilters } from './pages/ops.js';
import { endSession, keysFor, loginCsrf, loginCsrfValid, LOGIN_COOKIE, readSession, sessionCsrf, sessionCsrfValid, startSession, type Session } from './session.js';

/**
 * Server-rendered pages: the ops pages behind a session (login with a bearer token), and the department
 * confirmation pages behind their signed link. Plain forms, no script; Chinese by default, `?lang=en`.
 */
type C = Context<AppEnv>;

const PAGE_PATHS = ['/', '/login', '/logout', '/inventory', '/systems/*', '/findings', '/campaigns', '/campaigns/*', '/transfers/*', '/reports', '/confirm/*'];
const FORM_LIMIT = 256 * 1024;

interface View {
  lang: Lang;
  t: T;
  here: string;
}

function viewOf(c: C): View {
  const lang = pickLang(c);
  const u = new URL(c.req.url);
  u.searchParams.delete('lang');
  return { lang, t: translator(lang), here: `${u.pathname}${u.search}` };
}

async function render(c: C, node: Child, status = 200): Promise<Response> {
  return c.html(`<!doctype html>${String(await node)}`, status as 200);
}

interface SignedIn extends View {
  principal: Principal;
  session: Session;
  csrf: string;
}

/** Only local paths are followed after login. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/inventory';
}

async function signedIn(c: C): Promise<SignedIn | Response> {
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
async function signedInPost(c: C): Promise<{ w: SignedIn; body: FormBody } | Response> {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const body = await readForm(c);
  if (!(await sessionCsrfValid(c, w.session, body._csrf))) {
    return render(c, <ErrorPage t={w.t} lang={w.lang} here={w.here} principal={w.principal} csrf={w.csrf} message={w.t('ui.error.csrf')} />, 403);
  }
  return { w, body };
}

const oneOf = <T extends string>(values: readonly T[], v: string | undefined): T | undefined => (v && (values as readonly string[]).includes(v) ? (v as T) : undefined);

export const webRoutes = new Hono<AppEnv>();

for (const path of PAGE_PATHS) {
  webRoutes.use(path, async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
  });
  webRoutes.on('POST', path, bodyLimit({ maxSize: FORM_LIMIT, onError: (c) => c.text('the form is too large', 413) }));
}

webRoutes.onError(async (err, c) => {
  const v = viewOf(c as C);
  const s = await readSession(c as C).catch(() => null);
  const csrf = s ? await sessionCsrf(c as C, s.session) : undefined;
  const frame = { t: v.t, lang: v.lang, here: v.here, principal: s?.principal ?? null, csrf };
  if (err instanceof AppError) {
    const message =
      err.code === 'forbidden'
        ? v.t('ui.error.forbidden')
        : err.code === 'not_found'
          ? v.t('ui.error.notFound')
          : v.t('ui.error.badRequest', { detail: err.message });
    return render(c as C, <ErrorPage {...frame} message={message} />, err.status);
  }
  const deps = (c as C).get('deps');
  deps?.logger.error({ err, requestId: (c as C).get('requestId'), path: c.req.path }, 'unhandled error in a page');
  return render(c as C, <ErrorPage {...frame} message={v.t('ui.error.internal', { requestId: (c as C).get('requestId') ?? '' })} />, 500);
});

// ---------------------------------------------------------------------------------------------------
// Sign-in

webRoutes.get('/', async (c) => c.redirect((await readSession(c)) ? '/inventory' : '/login', 303));

webRoutes.get('/login', async (c) => {
  const v = viewOf(c);
  if (await readSession(c)) return c.redirect(safeNext(c.req.query('next')), 303);
  const m = c.req.query('m');
  const message = m === 'out' ? { kind: 'ok' as const, text: v.t('ui.login.loggedOut') } : m === 'expired' ? { kind: 'warn' as const, text: v.t('ui.login.expired') } : undefined;
  return render(c, <LoginPage t={v.t} lang={v.lang} here={v.here} csrf={await loginCsrf(c)} next={safeNext(c.req.query('next'))} message={message} />);
});

webRoutes.post('/login', async (c) => {
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

webRoutes.post('/logout', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  endSession(c);
  return c.redirect('/login?m=out', 303);
});

// ---------------------------------------------------------------------------------------------------
// Ops pages

webRoutes.get('/inventory', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db } = c.get('deps');
  const q = c.req.query();
  const filters: InventoryFilters = {
    department: q.department?.slice(0, 64) || undefined,
    lifecycle: oneOf(LIFECYCLES, q.lifecycle),
    deployment: oneOf(DEPLOYMENTS, q.deployment),
    status: oneOf(SYSTEM_STATUSES, q.status),
    q: q.q?.slice(0, 100) || undefined,
    cursor: q.cursor?.slice(0, 200) || undefined,
  };
  const depts = await departmentOptions(db, w.principal);
  let items: Awaited<ReturnType<typeof listSystems>>['items'] = [];
  let nextCursor: string | null = null;
  let error: string | undefined;
  try {
    ({ items, nextCursor } = await listSystems(db, w.principal, {
      department: filters.department,
      lifecycle: filters.lifecycle as Lifecycle | undefined,
      deployment: filters.deployment as Deployment | undefined,
      status: filters.status as SystemStatus | undefined,
      q: filters.q,
      cursor: filters.cursor,
      limit: 50,
    }));
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    error = w.t('ui.error.badRequest', { detail: e.message });
  }
  return render(c, <InventoryPage {...w} filters={filters} departments={depts} items={items} nextCursor={nextCursor} error={error} />, error ? 400 : 200);
});

webRoutes.get('/systems/:code', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now } = c.get('deps');
  const code = c.req.param('code').slice(0, 64);
  const system = await getSystem(db, w.principal, code);
  const id = (await systemIdByCode(db, code))!;
  const [eps, probes, usage, findings, campaigns] = await Promise.all([
    endpointViews(db, id),
    probeHistory(db, id, now()),
    usageSummary(db, id, now()),
    findingViews(db, w.principal, id),
    systemCampaignHistory(db, id),
  ]);
  return render(c, <SystemPage {...w} system={system} endpoints={eps} probes={probes} usage={usage} findings={findings} campaigns={campaigns} />);
});

webRoutes.get('/findings', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  return render(c, <FindingsBoard {...w} items={await findingViews(c.get('deps').db, w.principal)} />);
});

webRoutes.get('/reports', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const today = localDay(c.get('deps').now());
  const months: string[] = [];
  let y = Number(today.slice(0, 4));
  let m = Number(today.slice(5, 7));
  for (let i = 0; i < 6; i++) {
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
    months.push(`${y}-${String(m).padStart(2, '0')}`);
  }
  return render(c, <ReportsPage {...w} months={months} />);
});

/**
 * The report downloads of the reports page, behind the session (the API route needs a bearer header a
 * browser link cannot send). Same service and rules as GET /api/v1/reports/monthly.
 */
webRoutes.get('/reports/monthly', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  if (w.principal.role === 'department') throw new AppError('forbidden', 'department tokens may not read the city-wide monthly report');
  const month = c.req.query('month') ?? '';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new AppError('validation_failed', 'month must be YYYY-MM');
  const lang = c.req.query('lang') === 'en' ? 'en' : 'zh';
  const format = oneOf(REPORT_FORMATS, c.req.query('format') ?? 'html') ?? 'html';
  const deps = c.get('deps');
  const r = await renderMonthlyReport(deps.db, { month, lang, format }, { now: deps.now(), timeZone: deps.timeZone });
  const filename = `xuncha-monthly-${r.month}.${lang}.${r.extension}`;
  return new Response(new Uint8Array(r.body), {
    status: 200,
    headers: {
      'content-type': r.contentType,
      'content-disposition': `${r.inline ? 'inline' : 'attachment'}; filename="${filename}"`,
      // The report may style itself inline; it may never run a script.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-inputs-hash': r.inputsHash,
    },
  });
});

// ---------------------------------------------------------------------------------------------------
// Campaign pages (ops)

async function countyOptions(c: C) {
  return c.get('deps').db.select({ code: departments.code, name: departments.name }).from(departments).where(eq(departments.level, 'county')).orderBy(departments.path);
}

async function campaignsPage(c: C, w: SignedIn, extra: { form?: CreateForm; errors?: Array<{ path: string; message: string }> } = {}, status = 200) {
  const { db, now } = c.get('deps');
  const isOps = w.principal.role === 'admin' || w.principal.role === 'auditor';
  return render(
    c,
    <CampaignsPage {...w} items={await listCampaigns(db, w.principal, now())} counties={isOps ? await countyOptions(c) : []} minDeadline={localDay(now())} {...extra} />,
    status,
  );
}

webRoutes.get('/campaigns', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  return campaignsPage(c, w);
});

webRoutes.post('/campaigns', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  requireOps(w.principal);
  const form: CreateForm = { name: str(body, 'name'), deadline: str(body, 'deadline'), departments: str(body, 'departments'), counties: strs(body, 'counties') };
  const departmentsList = form.departments!.split(/[,，、\s]+/).map((s) => s.trim()).filter(Boolean);
  const parsed = campaignCreateSchema.safeParse({
    name: form.name,
    deadline: form.deadline,
    scope: { ...(departmentsList.length ? { departments: departmentsList } : {}), ...(form.counties!.length ? { counties: form.counties } : {}) },
  });
  if (!parsed.success) return campaignsPage(c, w, { form, errors: zodErrors(parsed.error.issues, (p) => p).map((e) => ({ path: e.field, message: e.message })) }, 400);
  try {
    const { db, now } = c.get('deps');
    const id = await createCampaign(db, { principal: w.principal, requestId: c.get('requestId') }, parsed.data, now());
    return c.redirect(`/campaigns/${id}?done=created`, 303);
  } catch (e) {
    if (e instanceof AppError && (e.code === 'validation_failed' || e.code === 'unprocessable')) {
      return campaignsPage(c, w, { form, errors: e.errors?.length ? e.errors : [{ path: '', message: e.message }] }, 400);
    }
    throw e;
  }
});

function campaignId(c: C): number {
  const id = Number(c.req.param('id'));
  if (!Number.isInteger(id) || id <= 0 || id > 2_147_483_647) throw new AppError('not_found', 'no such campaign');
  return id;
}

webRoutes.get('/campaigns/:id', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now } = c.get('deps');
  const id = campaignId(c);
  const progress = await campaignProgress(db, w.principal, id, now());
  const isOps = w.principal.role === 'admin' || w.principal.role === 'auditor';
  const links = isOps ? await campaignLinks(db, keysFor(c), id, publicBaseUrl(c)) : null;
  const transfers = await listTransfers(db, w.principal, { campaignId: id });
  const missing = await listMissingReports(db, w.principal, id);
  const done = c.req.query('done');
  const dept = progress.byDepartment.find((d) => d.departmentCode === c.req.query('department'));
  const flash =
    done === 'created'
      ? w.t('ui.campaign.created')
      : done === 'rotated' && dept
        ? w.t('ui.campaign.rotated', { department: dept.departmentName })
        : done === 'closed'
          ? w.t('ui.campaign.closed')
          : done === 'transfer'
            ? w.t('ui.campaign.transferDone')
            : undefined;
  return render(c, <CampaignPage {...w} progress={progress} links={links} transfers={transfers} missing={missing} flash={flash} />);
});

webRoutes.post('/campaigns/:id/links/:department/rotate', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  requireOps(r.w.principal);
  const id = campaignId(c);
  const code = c.req.param('department').slice(0, 64);
  await rotateLink(c.get('deps').db, { principal: r.w.principal, requestId: c.get('requestId') }, keysFor(c), id, code, publicBaseUrl(c));
  return c.redirect(`/campaigns/${id}?done=rotated&department=${encodeURIComponent(code)}`, 303);
});

webRoutes.post('/campaigns/:id/close', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  requireOps(r.w.principal);
  const id = campaignId(c);
  await closeCampaign(c.get('deps').db, { principal: r.w.principal, requestId: c.get('requestId') }, id);
  return c.redirect(`/campaigns/${id}?done=closed`, 303);
});

webRoutes.post('/transfers/:id/decide', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  requireOps(r.w.principal);
  const id = campaignId(c);
  const decision = str(r.body, 'decision');
  if (decision !== 'accept' && decision !== 'reject') throw new AppError('bad_request', 'decision must be accept or reject');
  const { db, now } = c.get('deps');
  await decideTransfer(db, { actor: { principal: r.w.principal, requestId: c.get('requestId') } }, id, decision, undefined, now());
  const back = Number(str(r.body, 'campaign'));
  return c.redirect(Number.isInteger(back) && back > 0 ? `/campaigns/${back}?done=transfer` : '/campaigns', 303);
});

// ---------------------------------------------------------------------------------------------------
// Department pages: the link is the credential.

interface LinkView extends View {
  ctx: LinkContext;
  base: string;
  key: Buffer;
}

async function linkView(c: C): Promise<LinkView | Response> {
  const v = viewOf(c);
  const token = c.req.param('token') ?? '';
  const { db, now } = c.get('deps');
  const keys = keysFor(c);
  const opened = await openLink(db, keys, token.slice(0, 200), now());
  c.header('X-Robots-Tag', 'noindex, nofollow');
  if (isRefusal(opened)) return render(c, <RefusedPage t={v.t} lang={v.lang} here={v.here} reason={opened.reason} />, opened.status);
  return { ...v, ctx: opened, base: `/confirm/${token}`, key: await keys.key('link-csrf') };
}

async function linkPost(c: C): Promise<{ l: LinkView; body: FormBody } | Response> {
  const l = await linkView(c);
  if (l instanceof Response) return l;
  const body = await readForm(c);
  if (!linkCsrfValid(l.key, l.ctx.token, str(body, '_csrf'), c.get('deps').now())) {
    return render(c, <ErrorPage t={l.t} lang={l.lang} here={l.base} message={l.t('ui.error.csrf')} back={l.base} />, 403);
  }
  return { l, body };
}

function headOf(l: LinkView, now: Date): LinkHeader {
  return { campaignName: l.ctx.campaign.name, deadline: l.ctx.campaign.deadline, departmentName: l.ctx.department.name, overdue: isOverdue(l.ctx.campaign.deadline, now) };
}

function officialErrors(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix: string, t: T): FormError[] {
  return issues.map((i) => {
    const field = String(i.path[0] ?? 'name');
    const labelText = field === 'phone' ? t('ui.confirm.official.phone') : t('ui.confirm.official.name');
    return { field: `${prefix}official_${field}`, message: `${labelText}: ${i.message}` };
  });
}

async function confirmPage(c: C, l: LinkView, extra: { errors?: FormError[]; values?: Record<string, string>; flash?: string } = {}, status = 200) {
  const { db, now } = c.get('deps');
  const [page, targets] = await Promise.all([linkPage(db, l.ctx), transferTargets(db)]);
  const [fresh] = await db.select({ completedAt: campaignDepartments.completedAt }).from(campaignDepartments).where(eq(campaignDepartments.id, l.ctx.link.id));
  return render(
    c,
    <ConfirmPage
      t={l.t}
      lang={l.lang}
      here={l.here}
      base={l.base}
      csrf={linkCsrfToken(l.key, l.ctx.token, now())}
      head={headOf(l, now())}
      official={rememberedOfficial(c)}
      page={page}
      targets={targets}
      completed={Boolean(fresh?.completedAt)}
      {...extra}
    />,
    status,
  );
}

webRoutes.get('/confirm/:token', async (c) => {
  const l = await linkView(c);
  if (l instanceof Response) return l;
  await markVisited(c.get('deps').db, l.ctx, c.get('deps').now());
  const done = c.req.query('done');
  const n = Number(c.req.query('n') ?? 0);
  const flash =
    done === 'saved'
      ? l.t('ui.confirm.done.saved', { n: Number.isFinite(n) ? n : 0 })
      : done === 'corrected'
        ? l.t('ui.confirm.done.corrected')
        : done === 'accepted'
          ? l.t('ui.confirm.done.accepted')
          : done === 'rejected'
            ? l.t('ui.confirm.done.rejected')
            : done === 'reported'
              ? l.t('ui.confirm.done.reported')
              : done === 'nothing'
                ? l.t('ui.confirm.done.nothing')
                : undefined;
  return confirmPage(c, l, { flash });
});

/** A department's answer to a domain error: 403 for another department's system, the form again for input errors. */
async function answerError(c: C, l: LinkView, e: unknown, values: Record<string, string>, field: (path: string) => string): Promise<Response> {
  if (e instanceof AppError && e.code === 'forbidden') {
    return render(c, <ErrorPage t={l.t} lang={l.lang} here={l.base} message={l.t('ui.confirm.forbidden')} back={l.base} />, 403);
  }
  if (e instanceof AppError && (e.code === 'validation_failed' || e.code === 'bad_request' || e.code === 'conflict' || e.code === 'not_found')) {
    const errors: FormError[] = e.errors?.length ? e.errors.map((x) => ({ field: field(x.path), message: x.message })) : [{ field: '', message: e.message }];
    return confirmPage(c, l, { errors, values }, e.code === 'conflict' ? 409 : e.code === 'not_found' ? 404 : 400);
  }
  throw e;
}

/** `to_<id>` accepts a department code or its exact full or short name. */
function resolveTarget(input: string, targets: Array<{ code: string; name: string }>): string {
  const v = input.trim();
  if (!v) return v;
  if (targets.some((d) => d.code === v)) return v;
  const byName = targets.filter((d) => d.name === v);
  return byName.length === 1 ? byName[0]!.code : v;
}

webRoutes.post('/confirm/:token', async (c) => {
  const r = await linkPost(c);
  if (r instanceof Response) return r;
  const { l, body } = r;
  const { db, now } = c.get('deps');
  const values = formValues(body);
  const official = officialSchema.safeParse({ name: str(body, 'official_name'), phone: str(body, 'official_phone') });
  const decisions: Decision[] = [];
  const errors: FormError[] = [];
  const explicit = new Set<number>();
  const targets = await transferTargets(db);
  for (const [k, raw] of Object.entries(body)) {
    const m = /^action_(\d{1,10})$/.exec(k);
    if (!m) continue;
    const action = Array.isArray(raw) ? raw[0] : raw;
    if (!action) continue;
    const systemId = Number(m[1]);
    const a = oneOf(DECISIONS, action);
    if (!a) {
      errors.push({ field: `action_${systemId}_none`, message: `unknown answer ${action}` });
      continue;
    }
    explicit.add(systemId);
    const note = str(body, `note_${systemId}`).trim().slice(0, 2000) || undefined;
    decisions.push({ systemId, action: a, toDepartmentCode: a === 'transfer' ? resolveTarget(str(body, `to_${systemId}`), targets) : undefined, note });
  }
  if (str(body, 'all') === 'confirm') {
    for (const item of (await linkPage(db, l.ctx)).items) {
      if (item.state === 'pending' && !explicit.has(item.systemId)) decisions.push({ systemId: item.systemId, action: 'confirm' });
    }
  }
  if (!official.success) errors.unshift(...officialErrors(official.error.issues, '', l.t));
  if (errors.length) return confirmPage(c, l, { errors, values }, 400);
  if (!decisions.length) return c.redirect(`${l.base}?done=nothing`, 303);
  try {
    const { applied } = await applyDecisions(db, l.ctx, official.data!, decisions, now());
    rememberOfficial(c, l.base, official.data!);
    return c.redirect(`${l.base}?done=saved&n=${applied}`, 303);
  } catch (e) {
    return answerError(c, l, e, values, (path) => {
      const m = /^systems\.(\d+)\.(toDepartmentCode|note)$/.exec(path);
      return m ? `${m[2] === 'note' ? 'note' : 'to'}_${m[1]}` : '';
    });
  }
});

function systemIdParam(c: C): number {
  const id = Number(c.req.param('id'));
  if (!Number.isInteger(id) || id <= 0 || id > 2_147_483_647) throw new AppError('not_found', 'no such system');
  return id;
}

async function correctPage(c: C, l: LinkView, systemId: number, extra: { errors?: FormError[]; values?: Record<string, string> } = {}, status = 200) {
  const { db, now } = c.get('deps');
  let item;
  try {
    item = await systemForCorrection(db, l.ctx, systemId);
  } catch (e) {
    return answerError(c, l, e, {}, () => '');
  }
  return render(
    c,
    <CorrectPage t={l.t} lang={l.lang} here={l.here} base={l.base} csrf={linkCsrfToken(l.key, l.ctx.token, now())} head={headOf(l, now())} official={rememberedOfficial(c)} item={item} {...extra} />,
    status,
  );
}

webRoutes.get('/confirm/:token/systems/:id', async (c) => {
  const l = await linkView(c);
  if (l instanceof Response) return l;
  return correctPage(c, l, systemIdParam(c));
});

webRoutes.post('/confirm/:token/systems/:id', async (c) => {
  const r = await linkPost(c);
  if (r instanceof Response) return r;
  const { l, body } = r;
  const { db, now } = c.get('deps');
  const systemId = systemIdParam(c);
  const values = formValues(body);
  values.alsoConfirm = str(body, 'alsoConfirm') === '1' ? '1' : '';
  let item;
  try {
    item = await systemForCorrection(db, l.ctx, systemId);
  } catch (e) {
    return answerError(c, l, e, {}, () => '');
  }
  const errors: FormError[] = [];
  const official = officialSchema.safeParse({ name: str(body, 'official_name'), phone: str(body, 'official_phone') });
  if (!official.success) errors.push(...officialErrors(official.error.issues, '', l.t));
  const eps = parseEndpointLines(str(body, 'endpoints'), item.endpoints);
  for (const m of eps.errors) errors.push({ field: 'endpoints', message: m });
  const patch = correctionSchema.safeParse(correctionPatch(body, item, eps.endpoints));
  if (!patch.success) errors.push(...zodErrors(patch.error.issues, correctionField));
  if (errors.length) return correctPage(c, l, systemId, { errors, values }, 400);
  try {
    await correctSystem(db, l.ctx, official.data!, systemId, patch.data!, values.alsoConfirm === '1', now());
  } catch (e) {
    if (e instanceof AppError && (e.code === 'validation_failed' || e.code === 'conflict' || e.code === 'bad_request')) {
      const errs = e.errors?.length ? e.errors.map((x) => ({ field: correctionField(x.path), message: `${x.path}: ${x.message}` })) : [{ field: '', message: e.message }];
      return correctPage(c, l, systemId, { errors: errs, values }, e.code === 'conflict' ? 409 : 400);
    }
    return answerError(c, l, e, values, () => '');
  }
  rememberOfficial(c, l.base, official.data!);
  return c.redirect(`${l.base}?done=corrected#sys-${systemId}`, 303);
});

webRoutes.post('/confirm/:token/transfers/:id', async (c) => {
  const r = await linkPost(c);
  if (r instanceof Response) return r;
  const { l, body } = r;
  const { db, now } = c.get('deps');
  const transferId = systemIdParam(c);
  const decision = str(body, 'decision');
  const prefix = `in${transferId}_`;
  const official = officialSchema.safeParse({ name: str(body, 'official_name'), phone: str(body, 'official_phone') });
  if (!official.success) return confirmPage(c, l, { errors: officialErrors(official.error.issues, prefix, l.t) }, 400);
  if (decision !== 'accept' && decision !== 'reject') return confirmPage(c, l, { errors: [{ field: '', message: 'accept or reject' }] }, 400);
  try {
    await decideTransfer(db, { link: l.ctx, official: official.data as Official }, transferId, decision, str(body, 'note').trim().slice(0, 2000) || undefined, now());
  } catch (e) {
    return answerError(c, l, e, {}, () => '');
  }
  rememberOfficial(c, l.base, official.data);
  return c.redirect(`${l.base}?done=${decision === 'accept' ? 'accepted' : 'rejected'}`, 303);
});

webRoutes.post('/confirm/:token/missing', async (c) => {
  const r = await linkPost(c);
  if (r instanceof Response) return r;
  const { l, body } = r;
  const { db, now } = c.get('deps');
  const values: Record<string, string> = { m_name: str(body, 'name'), m_url: str(body, 'url'), m_note: str(body, 'note') };
  const errors: FormError[] = [];
  const official = officialSchema.safeParse({ name: str(body, 'official_name'), phone: str(body, 'official_phone') });
  if (!official.success) errors.push(...officialErrors(official.error.issues, 'm_', l.t));
  const report = missingReportSchema.safeParse({ name: values.m_name, url: values.m_url, note: values.m_note });
  if (!report.success) errors.push(...zodErrors(report.error.issues, (p) => `m_${p}`));
  if (errors.length) return confirmPage(c, l, { errors, values }, 400);
  await reportMissing(db, l.ctx, official.data!, report.data!, now());
  rememberOfficial(c, l.base, official.data!);
  return c.redirect(`${l.base}?done=reported`, 303);
});
