import { applyDecisions, correctionSchema, correctSystem, decideTransfer, DECISIONS, isOverdue, isRefusal, linkCsrfToken, linkCsrfValid, linkCompleted, linkPage, markVisited, missingReportSchema, officialSchema, openLink, reportMissing, systemForCorrection, transferTargets, type Decision, type LinkContext, type Official } from '../../campaigns/index.js';
import { AppError } from '../../errors.js';
import { correctionField, correctionPatch, formValues, parseEndpointLines, readForm, rememberedOfficial, rememberOfficial, str, type FormBody } from '../forms.js';
import { formatPath } from '../../errors.js';
import { inLang, issueMessage } from '../../inventory/import/messages.js';
import type { UiKey } from '../../../i18n/index.js';
import type { Lang, T } from '../i18n.js';
import { ConfirmPage, CorrectPage, RefusedPage, type FormError, type LinkHeader } from '../pages/confirm.js';
import { ErrorPage } from '../pages/ops.js';
import { keysFor } from '../session.js';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { type C, type View, viewOf, render, oneOf } from './common.js';

/** Department pages behind a signed link: the link is the credential. */
export const confirmPages = new Hono<AppEnv>();

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

function officialErrors(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix: string, t: T, lang: Lang): FormError[] {
  // One message per field: a blank phone is "required", not also "too few digits".
  const first = issues.filter((i, n) => issues.findIndex((j) => String(j.path[0]) === String(i.path[0])) === n);
  return first.map((i) => {
    const field = String(i.path[0] ?? 'name');
    const labelText = field === 'phone' ? t('ui.confirm.official.phone') : t('ui.confirm.official.name');
    return { field: `${prefix}official_${field}`, message: `${labelText}：${inLang(lang, issueMessage(i as never))}` };
  });
}

/** Zod problems of a form in the reader's language, each under its field's label. */
function formErrors(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, field: (path: string) => string, t: T, lang: Lang): FormError[] {
  return issues.map((i) => {
    const path = formatPath(i.path);
    const key = FIELD_LABELS[path.split('.')[0]!.split('[')[0]!];
    return { field: field(path), message: `${key ? t(key) : path}：${inLang(lang, issueMessage(i as never))}` };
  });
}

const FIELD_LABELS: Record<string, UiKey> = {
  name: 'ui.confirm.missing.name',
  operatorUnit: 'ui.system.operatorUnit',
  contractor: 'ui.system.contractor',
  description: 'ui.system.description',
  contact: 'ui.system.contact',
  endpoints: 'ui.system.endpoints',
  url: 'ui.confirm.missing.url',
  note: 'ui.confirm.note',
};

/** The link service's refusals, in the reader's language: each carries a stable reason and what it names. */
const SERVICE_MESSAGES: Record<string, UiKey> = {
  choose_target: 'ui.confirm.error.chooseTarget',
  unknown_target: 'ui.confirm.error.unknownTarget',
  same_target: 'ui.confirm.error.sameTarget',
  dissolved_target: 'ui.confirm.error.dissolved',
  retire_why: 'ui.confirm.error.retireWhy',
  disown_why: 'ui.confirm.error.disownWhy',
  transfer_done: 'ui.confirm.error.transferDone',
  endpoint_line: 'ui.confirm.error.endpointLine',
  endpoint_role: 'ui.confirm.error.endpointRole',
};

function serviceMessage(t: T, e: { message: string; reason?: string; params?: Record<string, string> }): string {
  const key = e.reason ? SERVICE_MESSAGES[e.reason] : undefined;
  return key ? t(key, e.params ?? {}) : t('ui.confirm.error.other', { detail: e.message });
}

async function confirmPage(c: C, l: LinkView, extra: { errors?: FormError[]; values?: Record<string, string>; flash?: string } = {}, status = 200) {
  const { db, now } = c.get('deps');
  const [page, targets] = await Promise.all([linkPage(db, l.ctx), transferTargets(db)]);
  const completed = await linkCompleted(db, l.ctx.link.id);
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
      completed={completed}
      {...extra}
    />,
    status,
  );
}

confirmPages.get('/confirm/:token', async (c) => {
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
    const errors: FormError[] = e.errors?.length ? e.errors.map((x) => ({ field: field(x.path), message: serviceMessage(l.t, x) })) : [{ field: '', message: serviceMessage(l.t, e) }];
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

confirmPages.post('/confirm/:token', async (c) => {
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
      errors.push({ field: `action_${systemId}_none`, message: l.t('ui.confirm.error.action') });
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
  if (!official.success) errors.unshift(...officialErrors(official.error.issues, '', l.t, l.lang));
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

confirmPages.get('/confirm/:token/systems/:id', async (c) => {
  const l = await linkView(c);
  if (l instanceof Response) return l;
  return correctPage(c, l, systemIdParam(c));
});

confirmPages.post('/confirm/:token/systems/:id', async (c) => {
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
  if (!official.success) errors.push(...officialErrors(official.error.issues, '', l.t, l.lang));
  const eps = parseEndpointLines(str(body, 'endpoints'), item.endpoints);
  for (const m of eps.errors) errors.push({ field: 'endpoints', message: serviceMessage(l.t, m) });
  const patch = correctionSchema.safeParse(correctionPatch(body, item, eps.endpoints));
  if (!patch.success) errors.push(...formErrors(patch.error.issues, correctionField, l.t, l.lang));
  if (errors.length) return correctPage(c, l, systemId, { errors, values }, 400);
  try {
    await correctSystem(db, l.ctx, official.data!, systemId, patch.data!, values.alsoConfirm === '1', now());
  } catch (e) {
    if (e instanceof AppError && (e.code === 'validation_failed' || e.code === 'conflict' || e.code === 'bad_request')) {
      const errs = e.errors?.length ? e.errors.map((x) => ({ field: correctionField(x.path), message: serviceMessage(l.t, x) })) : [{ field: '', message: serviceMessage(l.t, e) }];
      return correctPage(c, l, systemId, { errors: errs, values }, e.code === 'conflict' ? 409 : 400);
    }
    return answerError(c, l, e, values, () => '');
  }
  rememberOfficial(c, l.base, official.data!);
  return c.redirect(`${l.base}?done=corrected#sys-${systemId}`, 303);
});

confirmPages.post('/confirm/:token/transfers/:id', async (c) => {
  const r = await linkPost(c);
  if (r instanceof Response) return r;
  const { l, body } = r;
  const { db, now } = c.get('deps');
  const transferId = systemIdParam(c);
  const decision = str(body, 'decision');
  const prefix = `in${transferId}_`;
  const official = officialSchema.safeParse({ name: str(body, 'official_name'), phone: str(body, 'official_phone') });
  if (!official.success) return confirmPage(c, l, { errors: officialErrors(official.error.issues, prefix, l.t, l.lang) }, 400);
  if (decision !== 'accept' && decision !== 'reject') return confirmPage(c, l, { errors: [{ field: '', message: l.t('ui.confirm.error.decision') }] }, 400);
  try {
    await decideTransfer(db, { link: l.ctx, official: official.data as Official }, transferId, decision, str(body, 'note').trim().slice(0, 2000) || undefined, now());
  } catch (e) {
    return answerError(c, l, e, {}, () => '');
  }
  rememberOfficial(c, l.base, official.data);
  return c.redirect(`${l.base}?done=${decision === 'accept' ? 'accepted' : 'rejected'}`, 303);
});

confirmPages.post('/confirm/:token/missing', async (c) => {
  const r = await linkPost(c);
  if (r instanceof Response) return r;
  const { l, body } = r;
  const { db, now } = c.get('deps');
  const values: Record<string, string> = { m_name: str(body, 'name'), m_url: str(body, 'url'), m_note: str(body, 'note') };
  const errors: FormError[] = [];
  const official = officialSchema.safeParse({ name: str(body, 'official_name'), phone: str(body, 'official_phone') });
  if (!official.success) errors.push(...officialErrors(official.error.issues, 'm_', l.t, l.lang));
  const report = missingReportSchema.safeParse({ name: values.m_name, url: values.m_url, note: values.m_note });
  if (!report.success) errors.push(...formErrors(report.error.issues, (p) => `m_${p}`, l.t, l.lang));
  if (errors.length) return confirmPage(c, l, { errors, values }, 400);
  await reportMissing(db, l.ctx, official.data!, report.data!, now());
  rememberOfficial(c, l.base, official.data!);
  return c.redirect(`${l.base}?done=reported`, 303);
});
