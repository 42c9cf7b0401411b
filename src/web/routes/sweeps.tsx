import { Hono } from 'hono';
import { DEPLOYMENTS, LIFECYCLES, SYSTEM_STATUSES, type Deployment, type Lifecycle, type SystemStatus } from '../../db/schema/enums.js';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { departmentOptions } from '../../inventory/departments.js';
import { listSweeps, systemCodesMatching } from '../../sweeps/history.js';
import { DEFAULT_SWEEP_KINDS, SWEEP_KINDS, type SweepKind } from '../../sweeps/kinds/index.js';
import { readSweepProgress } from '../../sweeps/queue.js';
import { startSweep } from '../../sweeps/service.js';
import { str, strs } from '../forms.js';
import { CSP_WITH_SCRIPT } from '../layout.js';
import { SweepPage, SweepProgressPanel, SweepsPage, type SweepForm } from '../pages/sweeps.js';
import { oneOf, render, signedIn, signedInPost, type C, type SignedIn } from './common.js';

/** 巡查: start a sweep, watch it run (htmx polls a fragment; a plain refresh does without script), past sweeps. */
export const sweepPages = new Hono<AppEnv>();

async function sweepsPage(c: C, w: SignedIn, form: SweepForm, message?: { kind: 'ok' | 'warn' | 'error'; text: string }, status = 200) {
  const { db } = c.get('deps');
  const [departments, history] = await Promise.all([departmentOptions(db, w.principal), listSweeps(db, w.principal, { limit: 30 })]);
  return render(c, <SweepsPage {...w} kinds={SWEEP_KINDS} form={form} departments={departments} history={history} message={message} />, status);
}

sweepPages.get('/sweeps', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  return sweepsPage(c, w, { scope: 'all', systems: '', kinds: [...DEFAULT_SWEEP_KINDS] });
});

sweepPages.post('/sweeps', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const { db, sweeps } = c.get('deps');
  const kinds = strs(body, 'kinds').filter((k): k is SweepKind => (SWEEP_KINDS as readonly string[]).includes(k));
  const form: SweepForm = {
    scope: oneOf(['all', 'filter', 'selected'] as const, str(body, 'scope')) ?? 'all',
    systems: str(body, 'systems').slice(0, 100_000),
    kinds,
    department: str(body, 'department').slice(0, 64) || undefined,
    lifecycle: oneOf(LIFECYCLES, str(body, 'lifecycle')),
    deployment: oneOf(DEPLOYMENTS, str(body, 'deployment')),
    status: oneOf(SYSTEM_STATUSES, str(body, 'status')),
  };
  if (!kinds.length) return sweepsPage(c, w, form, { kind: 'error', text: w.t('ui.sweeps.kinds.none') }, 400);
  try {
    let systems: string[] | undefined;
    if (form.scope === 'selected') {
      systems = [...new Set(form.systems.split(/[\s,，、;；]+/).map((s) => s.trim()).filter(Boolean))];
    } else if (form.scope === 'filter') {
      systems = await systemCodesMatching(db, w.principal, {
        department: form.department,
        lifecycle: form.lifecycle as Lifecycle | undefined,
        deployment: form.deployment as Deployment | undefined,
        status: form.status as SystemStatus | undefined,
      });
      if (!systems.length) return sweepsPage(c, w, form, { kind: 'warn', text: w.t('ui.sweeps.noneMatched') }, 400);
    }
    if (systems && !systems.length) return sweepsPage(c, w, form, { kind: 'error', text: w.t('ui.sweeps.systems') }, 400);
    const started = await startSweep(sweeps, w.principal, { trigger: 'api', systems, kinds });
    return c.redirect(`/sweeps/${started.id}?started=${started.targets}`, 303);
  } catch (e) {
    if (!(e instanceof AppError) || (e.status >= 500 && e.code !== 'unavailable')) throw e;
    const text = e.code === 'unavailable' ? w.t('ui.sweeps.unavailable') : e.code === 'forbidden' ? w.t('ui.error.forbidden') : w.t('ui.error.badRequest', { detail: e.message });
    return sweepsPage(c, w, form, { kind: 'error', text }, e.status);
  }
});

function sweepId(c: C): number {
  const id = Number(c.req.param('id'));
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) throw new AppError('not_found', 'no such sweep');
  return id;
}

sweepPages.get('/sweeps/:id{[0-9]+}', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now } = c.get('deps');
  const p = await readSweepProgress(db, w.principal, sweepId(c), now());
  const started = c.req.query('started');
  c.header('Content-Security-Policy', CSP_WITH_SCRIPT);
  return render(c, <SweepPage {...w} p={p} message={started && /^\d+$/.test(started) ? w.t('ui.sweeps.started', { id: p.id, targets: started }) : undefined} />);
});

/** The fragment htmx swaps in; a full page for anyone who opens it directly. */
sweepPages.get('/sweeps/:id{[0-9]+}/progress', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now } = c.get('deps');
  const p = await readSweepProgress(db, w.principal, sweepId(c), now());
  if (c.req.header('hx-request') !== 'true') return c.redirect(`/sweeps/${p.id}`, 303);
  return c.html(String(await (<SweepProgressPanel t={w.t} lang={w.lang} p={p} />)));
});
