import { listFindings } from '../../verdicts/findings.js';
import { FindingsBoard } from '../pages/ops.js';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { render, signedIn } from './common.js';

/** The findings board. */
export const findingPages = new Hono<AppEnv>();

/** Findings board: a page of findings, newest first, grouped by state. */
export const FINDINGS_PAGE = 200;

findingPages.get('/findings', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now, timeZone } = c.get('deps');
  const cursor = c.req.query('cursor')?.slice(0, 200) || undefined;
  const page = await listFindings(db, w.principal, { cursor, limit: FINDINGS_PAGE }, { now: now(), timeZone });
  return render(c, <FindingsBoard {...w} items={page.items} cursor={cursor} nextCursor={page.nextCursor} />);
});
