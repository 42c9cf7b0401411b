import { DEPLOYMENTS, LIFECYCLES, SYSTEM_STATUSES, type Deployment, type Lifecycle, type SystemStatus } from '../../db/schema/enums.js';
import { AppError } from '../../errors.js';
import { departmentOptions } from '../../inventory/departments.js';
import { systemView } from '../../inventory/system-view.js';
import { listSystems } from '../../inventory/systems.js';
import { getInspection } from '../../verdicts/inspection.js';
import { InventoryPage, SystemPage, type InventoryFilters } from '../pages/ops.js';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { render, signedIn, oneOf } from './common.js';

/** The inventory list and a system's page. */
export const inventoryPages = new Hono<AppEnv>();

inventoryPages.get('/inventory', async (c) => {
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

inventoryPages.get('/systems/:code', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now, timeZone } = c.get('deps');
  const view = await systemView(db, w.principal, c.req.param('code').slice(0, 64), { now: now(), timeZone });
  // Site inspection (issue 11): the scorecard of a portal.
  const inspection = view.endpoints.some((e) => e.role === 'portal') ? await getInspection(db, w.principal, view.system.code, { now: now(), timeZone }) : null;
  return render(c, <SystemPage {...w} {...view} inspection={inspection} />);
});
