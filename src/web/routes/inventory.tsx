import { Hono } from 'hono';
import { DEPLOYMENTS, ENDPOINT_ROLES, LIFECYCLES, SYSTEM_STATUSES, type Deployment, type EndpointRole, type Lifecycle, type SystemStatus } from '../../db/schema/enums.js';
import { AppError, formatPath } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { departmentOptions } from '../../inventory/departments.js';
import { EXPORT_MEDIA_TYPES, exportInventory } from '../../inventory/export.js';
import { INVENTORY_SORTS, inventoryCodes, inventoryTable, type InventoryFilter, type InventorySort } from '../../inventory/inventory-table.js';
import { systemPatchSchema } from '../../inventory/schemas.js';
import { systemChangesSince, type SystemChanges } from '../../inventory/system-edit.js';
import { systemView } from '../../inventory/system-view.js';
import { retireSystem, updateSystem } from '../../inventory/systems.js';
import { addUsageSource, listUsageSources } from '../../sweeps/usage-sources.js';
import { pushSystemUsage, USAGE_METRICS } from '../../sweeps/usage.js';
import { getInspection } from '../../verdicts/inspection.js';
import { systemEvidenceGaps } from '../../verdicts/overview.js';
import { str, type FormBody } from '../forms.js';
import type { T } from '../i18n.js';
import { InventoryPage, type InventoryFilters } from '../pages/inventory.js';
import { FIELD_LABELS, SystemPage, type SystemFormValues } from '../pages/system.js';
import { oneOf, render, signedIn, signedInPost, type C, type SignedIn } from './common.js';

/** 系统清单 (list, sort, pages, xlsx of the selection) and a system's page (edit, retire, usage evidence). */
export const inventoryPages = new Hono<AppEnv>();

function filtersOf(q: Record<string, string>): InventoryFilters {
  const page = Number(q.page);
  return {
    department: q.department?.slice(0, 64) || undefined,
    lifecycle: oneOf(LIFECYCLES, q.lifecycle),
    deployment: oneOf(DEPLOYMENTS, q.deployment),
    status: oneOf(SYSTEM_STATUSES, q.status),
    q: q.q?.slice(0, 100) || undefined,
    sort: oneOf(INVENTORY_SORTS, q.sort) ?? 'code',
    dir: q.dir === 'desc' ? 'desc' : 'asc',
    page: Number.isSafeInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

const serviceFilter = (f: InventoryFilters): InventoryFilter => ({
  department: f.department,
  lifecycle: f.lifecycle as Lifecycle | undefined,
  deployment: f.deployment as Deployment | undefined,
  status: f.status as SystemStatus | undefined,
  q: f.q,
});

inventoryPages.get('/inventory', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now, timeZone } = c.get('deps');
  const filters = filtersOf(c.req.query());
  const depts = await departmentOptions(db, w.principal);
  let table = { total: 0, page: 1, pages: 1, items: [] as Awaited<ReturnType<typeof inventoryTable>>['items'] };
  let error: string | undefined;
  try {
    table = await inventoryTable(db, w.principal, { ...serviceFilter(filters), sort: filters.sort as InventorySort, dir: filters.dir, page: filters.page, now: now(), timeZone });
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    error = w.t('ui.error.badRequest', { detail: e.message });
  }
  return render(c, <InventoryPage {...w} filters={filters} departments={depts} table={table} error={error} />, error ? 400 : 200);
});

/** The current selection of the list as a spreadsheet (the import's columns, so it can be edited and imported back). */
inventoryPages.get('/inventory/export.xlsx', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now } = c.get('deps');
  const filters = filtersOf(c.req.query());
  const codes = await inventoryCodes(db, w.principal, serviceFilter(filters));
  const body = await exportInventory(db, 'xlsx', { principal: w.principal, lang: w.lang, now: now(), codes });
  c.header('content-type', EXPORT_MEDIA_TYPES.xlsx);
  c.header('content-disposition', `attachment; filename="xuncha-inventory-${now().toISOString().slice(0, 10)}.xlsx"`);
  return c.body(new Uint8Array(body));
});

interface SystemPageState {
  form?: SystemFormValues;
  errors?: Array<{ field: string; message: string }>;
  conflict?: SystemChanges & { yours: number };
  message?: { kind: 'ok' | 'warn' | 'error'; text: string };
}

async function systemPage(c: C, w: SignedIn, code: string, state: SystemPageState = {}, status = 200) {
  const { db, now, timeZone } = c.get('deps');
  const view = await systemView(db, w.principal, code, { now: now(), timeZone });
  const [gaps, sources, inspection] = await Promise.all([
    view.system.status === 'insufficient_evidence' ? systemEvidenceGaps(db, w.principal, code, { now: now(), timeZone }) : Promise.resolve([]),
    listUsageSources(db, w.principal, code),
    // The website inspection scorecard, for portals.
    view.endpoints.some((e) => e.role === 'portal') ? getInspection(db, w.principal, view.system.code, { now: now(), timeZone }) : Promise.resolve(null),
  ]);
  return render(c, <SystemPage {...w} view={view} gaps={gaps} sources={sources} inspection={inspection} {...state} />, status);
}

const codeOf = (c: C) => c.req.param('code')!.slice(0, 64);

inventoryPages.get('/systems/:code', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const done = c.req.query('done');
  const message =
    done === 'saved'
      ? { kind: 'ok' as const, text: w.t('ui.system.edit.saved', { version: c.req.query('v') ?? '' }) }
      : done === 'retired'
        ? { kind: 'ok' as const, text: w.t('ui.system.retire.done') }
        : done === 'usage'
          ? { kind: 'ok' as const, text: w.t('ui.system.usage.pushed', { n: 1 }) }
          : done === 'source'
            ? { kind: 'ok' as const, text: w.t('ui.system.source.added') }
            : undefined;
  return systemPage(c, w, codeOf(c), { message });
});

/** The edit form as the API's patch; the form's own field names in error paths. */
function patchFromForm(body: FormBody): Record<string, unknown> {
  const opt = (k: string) => {
    const v = str(body, k).trim();
    return v === '' ? null : v;
  };
  const intOrRaw = (k: string) => {
    const v = str(body, k).trim();
    if (v === '') return null;
    return /^\d+$/.test(v) ? Number(v) : v;
  };
  const endpoints = str(body, 'endpoints')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [url, role] = line.split(/\s+/);
      return { url, role: role && (ENDPOINT_ROLES as readonly string[]).includes(role) ? (role as EndpointRole) : role ?? 'portal' };
    });
  return {
    name: str(body, 'name'),
    departmentCode: str(body, 'departmentCode').trim(),
    operatorUnit: opt('operatorUnit'),
    contractor: opt('contractor'),
    contact: { name: opt('contactName'), phone: opt('contactPhone'), email: opt('contactEmail') },
    description: opt('description'),
    lifecycle: str(body, 'lifecycle'),
    launchedOn: opt('launchedOn'),
    deployment: str(body, 'deployment'),
    cloudRequired: str(body, 'cloudRequired') === 'true',
    network: str(body, 'network'),
    builtBy: str(body, 'builtBy'),
    mlpsLevel: intOrRaw('mlpsLevel'),
    userScope: str(body, 'userScope'),
    registeredUsers: intOrRaw('registeredUsers'),
    endpoints,
    tags: [...new Set(str(body, 'tags').split(/[,，、;；\n]+/).map((s) => s.trim()).filter(Boolean))],
  };
}

/** The field of the form an error path points at: `contact.phone` → `contactPhone`, `endpoints.0.url` → `endpoints`. */
function formField(path: string): string {
  if (path.startsWith('contact.')) return `contact${path.charAt(8).toUpperCase()}${path.slice(9)}`;
  return path.split('.')[0] ?? path;
}

function fieldMessage(t: T, field: string, detail: string): string {
  const key = FIELD_LABELS[field];
  return t('ui.system.edit.fieldInvalid', { field: key ? t(key) : field, detail });
}

function formOf(body: FormBody): SystemFormValues {
  const out: SystemFormValues = {};
  for (const [k, v] of Object.entries(body)) if (k !== '_csrf') out[k] = Array.isArray(v) ? (v[0] ?? '') : v;
  return out;
}

inventoryPages.post('/systems/:code', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const code = codeOf(c);
  const { db } = c.get('deps');
  const version = Number(str(body, 'version'));
  const parsed = systemPatchSchema.safeParse(patchFromForm(body));
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => {
      const field = formField(formatPath(i.path));
      return { field, message: fieldMessage(w.t, field, i.message) };
    });
    return systemPage(c, w, code, { form: formOf(body), errors }, 400);
  }
  try {
    const after = await updateSystem(db, { principal: w.principal, requestId: c.get('requestId') }, code, parsed.data, Number.isSafeInteger(version) ? version : undefined);
    return c.redirect(`/systems/${encodeURIComponent(code)}?done=saved&v=${after.version}`, 303);
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    if (e.code === 'precondition_failed') {
      const changes = await systemChangesSince(db, w.principal, code, version);
      return systemPage(c, w, code, { form: { ...formOf(body), version: String(changes.current.version) }, conflict: { ...changes, yours: version } }, 409);
    }
    if (e.code === 'forbidden') return systemPage(c, w, code, { form: formOf(body), message: { kind: 'error', text: w.t('ui.error.forbidden') } }, 403);
    const errors = (e.errors ?? []).map((x) => ({ field: formField(x.path), message: fieldMessage(w.t, formField(x.path), x.message) }));
    return systemPage(c, w, code, { form: formOf(body), errors: errors.length ? errors : [{ field: 'name', message: w.t('ui.error.badRequest', { detail: e.message }) }] }, e.status);
  }
});

inventoryPages.post('/systems/:code/retire', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const code = codeOf(c);
  if (str(body, 'confirm') !== 'yes') return systemPage(c, w, code, { message: { kind: 'error', text: w.t('ui.system.retire.confirm') } }, 400);
  const version = Number(str(body, 'version'));
  try {
    await retireSystem(c.get('deps').db, { principal: w.principal, requestId: c.get('requestId') }, code, Number.isSafeInteger(version) ? version : undefined);
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    if (e.code === 'precondition_failed') {
      const changes = await systemChangesSince(c.get('deps').db, w.principal, code, version);
      return systemPage(c, w, code, { conflict: { ...changes, yours: version } }, 409);
    }
    const text = e.code === 'forbidden' ? w.t('ui.error.forbidden') : w.t('ui.error.badRequest', { detail: e.message });
    return systemPage(c, w, code, { message: { kind: 'error', text } }, e.status);
  }
  return c.redirect(`/systems/${encodeURIComponent(code)}?done=retired`, 303);
});

inventoryPages.post('/systems/:code/usage', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const code = codeOf(c);
  const date = str(body, 'date');
  const metric = oneOf(USAGE_METRICS, str(body, 'metric'));
  const value = Number(str(body, 'value'));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !metric || !Number.isFinite(value) || value < 0) {
    return systemPage(c, w, code, { message: { kind: 'error', text: fieldMessage(w.t, 'usage', `${date} ${str(body, 'value')}`) } }, 400);
  }
  try {
    await pushSystemUsage(c.get('deps').db, { principal: w.principal, requestId: c.get('requestId') }, code, [{ date, metric, value }], c.get('deps').now());
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    return systemPage(c, w, code, { message: { kind: 'error', text: e.code === 'forbidden' ? w.t('ui.error.forbidden') : w.t('ui.error.badRequest', { detail: e.message }) } }, e.status);
  }
  return c.redirect(`/systems/${encodeURIComponent(code)}?done=usage`, 303);
});

inventoryPages.post('/systems/:code/usage-sources', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const code = codeOf(c);
  try {
    await addUsageSource(c.get('deps').db, { principal: w.principal, requestId: c.get('requestId') }, code, {
      kind: str(body, 'kind') as 'json',
      url: str(body, 'url'),
      selector: str(body, 'selector'),
      metric: str(body, 'metric') as 'visits',
    });
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    const detail = (e.errors ?? []).map((x) => fieldMessage(w.t, x.path === 'url' ? 'sourceUrl' : x.path, x.message)).join('；') || e.message;
    return systemPage(c, w, code, { message: { kind: 'error', text: e.code === 'forbidden' ? w.t('ui.error.forbidden') : w.t('ui.error.badRequest', { detail }) } }, e.status);
  }
  return c.redirect(`/systems/${encodeURIComponent(code)}?done=source`, 303);
});
