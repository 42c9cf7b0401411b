import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { overview } from '../../verdicts/overview.js';
import { OverviewPage } from '../pages/overview.js';
import { readSession } from '../session.js';
import { render, signedIn } from './common.js';

/** 总览: the landing page after sign-in. */
export const overviewPages = new Hono<AppEnv>();

overviewPages.get('/', async (c) => {
  // A first visit goes to the login form without an "expired" notice.
  if (!(await readSession(c))) return c.redirect('/login', 303);
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now, timeZone, sweeps } = c.get('deps');
  const data = await overview(db, w.principal, { now: now(), timeZone, nextSweepAt: sweeps?.nextScheduled() ?? null });
  return render(c, <OverviewPage {...w} data={data} />);
});
