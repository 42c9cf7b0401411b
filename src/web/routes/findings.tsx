import { Hono } from 'hono';
import { describeDecommission } from '../../../reports/findings.js';
import { can } from '../../auth/access.js';
import { AppError } from '../../errors.js';
import { publicBaseUrl, type AppEnv } from '../../http/env.js';
import { countyOptions, departmentOptions } from '../../inventory/departments.js';
import { createNotifier } from '../../notify/index.js';
import { explainDecommission, getFinding, listFindings, notifyFindings, patchFinding, type FindingPatch } from '../../verdicts/findings.js';
import { str, strs } from '../forms.js';
import { FINDING_STATES, FindingPage, FindingsPage, ANSWER_KINDS, type FindingFilters } from '../pages/findings.js';
import { oneOf, render, signedIn, signedInPost, type C, type SignedIn } from './common.js';

/** The findings ledger (问题台账): filters, paging, bulk notify, and one page per case to act on it. */
export const findingPages = new Hono<AppEnv>();

export const FINDINGS_PAGE = 50;

function findingId(c: C): number {
  const id = Number(c.req.param('id'));
  if (!Number.isInteger(id) || id <= 0 || id > 2_147_483_647) throw new AppError('not_found', 'no such finding');
  return id;
}

const ctxOf = (c: C) => {
  const { now, timeZone } = c.get('deps');
  return { now: now(), timeZone };
};

findingPages.get('/findings', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db } = c.get('deps');
  const q = (k: string) => c.req.query(k)?.slice(0, 64) || undefined;
  const filters: FindingFilters = { department: q('department'), county: q('county'), status: oneOf(FINDING_STATES, q('status')), overdue: q('overdue') === '1' ? '1' : undefined };
  const cursor = c.req.query('cursor')?.slice(0, 200) || undefined;
  const pageNo = Math.max(1, Math.min(100_000, Number(c.req.query('page')) || 1));
  const depts = await departmentOptions(db, w.principal);
  const counties = (await countyOptions(db, w.principal)).map((d) => ({ value: d.code, label: d.name }));
  const departments = depts.map((d) => ({ value: d.code, label: `${'\u3000'.repeat(Math.max(0, d.path.split('/').filter(Boolean).length - 1))}${d.name}` }));
  let error: string | undefined;
  let result: { items: Awaited<ReturnType<typeof listFindings>>['items']; nextCursor: string | null; total?: number } = { items: [], nextCursor: null, total: 0 };
  try {
    result = await listFindings(
      db,
      w.principal,
      { department: filters.department, county: filters.county, status: filters.status as (typeof FINDING_STATES)[number] | undefined, overdue: filters.overdue ? true : undefined, cursor, limit: FINDINGS_PAGE, withTotal: true },
      ctxOf(c),
    );
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'validation_failed') throw e;
    error = w.t('ui.findings.badFilter');
  }
  const done = c.req.query('done');
  const flash = done === 'notified' ? w.t('ui.findings.bulkDone', { n: Number(c.req.query('n')) || 0, refused: Number(c.req.query('refused')) || 0 }) : undefined;
  return render(
    c,
    <FindingsPage {...w} filters={filters} departments={departments} counties={counties} items={result.items} total={result.total ?? 0} page={pageNo} pageSize={FINDINGS_PAGE} nextCursor={result.nextCursor} flash={flash} error={error} />,
    error ? 400 : 200,
  );
});

findingPages.post('/findings/notify', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const ids = strs(r.body, 'ids').map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 2_147_483_647);
  const deps = c.get('deps');
  const back = str(r.body, 'back');
  const to = new URL(back.startsWith('/findings') ? back : '/findings', 'http://x');
  if (!ids.length) {
    to.searchParams.set('done', 'notified');
    to.searchParams.set('n', '0');
    return c.redirect(`${to.pathname}${to.search}`, 303);
  }
  const res = await notifyFindings(deps.db, { principal: r.w.principal, requestId: c.get('requestId') }, ids, {
    ...ctxOf(c),
    notifier: createNotifier(deps.db, { now: deps.now }),
    baseUrl: publicBaseUrl(c),
  });
  to.searchParams.set('done', 'notified');
  to.searchParams.set('n', String(res.notified.length));
  to.searchParams.set('refused', String(res.refused.length));
  return c.redirect(`${to.pathname}${to.search}`, 303);
});

async function findingPage(c: C, w: SignedIn, id: number, extra: { flash?: string; error?: string; errorLines?: string[] } = {}, status = 200) {
  const f = await getFinding(c.get('deps').db, w.principal, id, ctxOf(c));
  return render(c, <FindingPage {...w} f={f} {...extra} />, status);
}

const FLASH = { notify: 'ui.finding.done.notify', answer: 'ui.finding.done.answer', close: 'ui.finding.done.close', reopen: 'ui.finding.done.reopen', reopened: 'ui.finding.done.reopened' } as const;

findingPages.get('/findings/:id', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const id = findingId(c);
  const done = oneOf(Object.keys(FLASH) as Array<keyof typeof FLASH>, c.req.query('done'));
  return findingPage(c, w, id, done ? { flash: w.t(FLASH[done]) } : {});
});

/** The frozen evidence pack of a case, as stored (canonical JSON) with its SHA-256. */
findingPages.get('/findings/:id/evidence.json', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const f = await getFinding(c.get('deps').db, w.principal, findingId(c), ctxOf(c));
  const body = JSON.stringify({ finding: f.id, systemCode: f.systemCode, verdict: f.verdict, policyVersion: f.policyVersion, openedAt: f.openedAt, evidenceSha256: f.evidenceSha256, evidenceVerified: f.evidenceVerified, evidence: f.evidence }, null, 2);
  return new Response(body, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="xuncha-finding-${f.id}-evidence.json"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
});

/** The page's form as the service's patch; undefined for an action the form cannot name. */
function patchOf(body: Record<string, string | string[]>): FindingPatch | undefined {
  const action = str(body, 'action');
  const note = str(body, 'note').trim() || null;
  if (action === 'notify') return { action: 'notify', note };
  if (action === 'close') return { action: 'close', note };
  if (action === 'reopen') return { action: 'reopen', reason: str(body, 'reason').trim() || null };
  if (action === 'answer') {
    const type = oneOf(ANSWER_KINDS, str(body, 'type'));
    if (!type) return undefined;
    const target = str(body, 'target').trim() || null;
    const dueBy = /^\d{4}-\d{2}-\d{2}$/.test(str(body, 'dueBy')) ? str(body, 'dueBy') : null;
    if (type === 'keep') return { action: 'answer', answer: { type, justification: note } };
    if (type === 'merge') return { action: 'answer', answer: { type, targetSystemCode: target, dueBy, note } };
    if (type === 'migrate') return { action: 'answer', answer: { type, target, dueBy, note } };
    return { action: 'answer', answer: { type, dueBy, note } };
  }
  return undefined;
}

findingPages.post('/findings/:id/act', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const id = findingId(c);
  const deps = c.get('deps');
  const patch = patchOf(body);
  if (!patch) return findingPage(c, w, id, { error: w.t('ui.finding.error.choose') }, 400);
  try {
    const res = await patchFinding(deps.db, { principal: w.principal, requestId: c.get('requestId') }, id, patch, undefined, {
      ...ctxOf(c),
      notifier: createNotifier(deps.db, { now: deps.now }),
      baseUrl: publicBaseUrl(c),
    });
    if (patch.action === 'close' && res.verification && res.verification.decision === 'reopen') {
      // The endpoint still answers: the case was reopened, not closed.
      return findingPage(c, w, id, { error: w.t('ui.finding.close.stillLive'), errorLines: describeDecommission(res.verification, w.lang) }, 409);
    }
    return c.redirect(`/findings/${id}?done=${patch.action}`, 303);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    if (e.code === 'forbidden') return findingPage(c, w, id, { error: w.t(can(w.principal, 'findings.answer') ? 'ui.finding.error.forbiddenAction' : 'ui.error.forbidden') }, 403);
    if (e.code === 'conflict' && patch.action === 'close') {
      const why = await explainDecommission(deps.db, w.principal, id, w.lang);
      if (why.stale.length) return findingPage(c, w, id, { error: w.t('ui.finding.close.stale'), errorLines: why.stale }, 409);
      if (why.summary.length) return findingPage(c, w, id, { error: w.t('ui.finding.close.unverified'), errorLines: why.summary }, 409);
    }
    if (e.code === 'conflict') return findingPage(c, w, id, { error: w.t('ui.finding.error.state') }, 409);
    if (e.code === 'validation_failed') {
      const path = e.errors?.[0]?.path ?? '';
      const key = path.endsWith('justification')
        ? 'ui.finding.error.justification'
        : path.endsWith('targetSystemCode')
          ? 'ui.finding.error.target'
          : path.endsWith('dueBy')
            ? 'ui.finding.error.dueBy'
            : 'ui.finding.error.invalid';
      return findingPage(c, w, id, { error: w.t(key), errorLines: key === 'ui.finding.error.invalid' ? [e.message] : [] }, 400);
    }
    throw e;
  }
});
