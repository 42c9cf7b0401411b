import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { departmentOptions } from '../../inventory/departments.js';
import { importInventory, type ImportSummary } from '../../inventory/import/index.js';
import { buildImportTemplate } from '../../inventory/template.js';
import { str } from '../forms.js';
import { ImportPage, type ImportUploadState } from '../pages/import.js';
import { formLimit, pageHeaders } from './headers.js';
import { type C, type SignedIn, render, signedIn, signedInPost } from './common.js';

/**
 * The import page: upload an .xlsx or .csv, see the dry run (every row's problems, the columns ignored,
 * what each row would do), then apply it — all rows or none, the same service as POST /api/v1/imports.
 * The checked file travels to the apply step inside the form, so nothing is kept on the server between.
 */
export const importPages = new Hono<AppEnv>();

/** Files the page takes; larger inventories go through the API or `xuncha import`. */
export const PAGE_IMPORT_MAX_BYTES = 5 * 1024 * 1024;

importPages.use('/import', pageHeaders);
importPages.use('/import/*', pageHeaders);
importPages.on('POST', '/import', formLimit(PAGE_IMPORT_MAX_BYTES + 256 * 1024));
importPages.on('POST', '/import/apply', formLimit(Math.ceil((PAGE_IMPORT_MAX_BYTES * 4) / 3) + 256 * 1024));

const maxMb = PAGE_IMPORT_MAX_BYTES / 1024 / 1024;

function page(c: C, w: SignedIn, extra: { summary?: ImportSummary; upload?: ImportUploadState; applied?: ImportSummary; error?: string }, status = 200) {
  return render(c, <ImportPage {...w} maxMb={maxMb} {...extra} />, status);
}

/** A refused file or import in the reader's words: row problems are shown as a table, the rest as one line. */
function problem(w: SignedIn, e: unknown): string {
  if (!(e instanceof AppError)) throw e;
  if (e.code === 'forbidden') return w.t('ui.import.forbidden');
  if (e.code === 'payload_too_large') return w.t('ui.import.tooLarge', { mb: maxMb });
  if (e.code === 'bad_request' || e.code === 'unsupported_media_type') return w.t('ui.import.unreadable', { detail: e.message });
  if (e.code === 'validation_failed' || e.code === 'conflict' || e.code === 'unprocessable') return w.t('ui.import.failed', { detail: e.message });
  throw e;
}

importPages.get('/import', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  return page(c, w, {});
});

importPages.get('/import/template.xlsx', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const depts = await departmentOptions(c.get('deps').db, w.principal);
  const body = await buildImportTemplate({ sampleDepartment: depts.find((d) => d.level === 'city')?.code ?? depts[0]?.code });
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="xuncha-import-template.xlsx"; filename*=UTF-8''${encodeURIComponent('信息系统导入模板.xlsx')}`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
});

importPages.post('/import', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w } = r;
  const form = await c.req.parseBody({ all: true });
  const file = Array.isArray(form.file) ? form.file[0] : form.file;
  if (!(file instanceof File) || file.size === 0) return page(c, w, { error: w.t('ui.import.noFile') }, 400);
  if (file.size > PAGE_IMPORT_MAX_BYTES) return page(c, w, { error: w.t('ui.import.tooLarge', { mb: maxMb }) }, 413);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const fileName = file.name.slice(0, 200) || 'upload';
  try {
    const summary = await importInventory(c.get('deps').db, { principal: w.principal, requestId: c.get('requestId') }, { bytes, fileName, contentType: file.type, dryRun: true, now: c.get('deps').now() });
    const upload: ImportUploadState = { fileName, data: Buffer.from(bytes).toString('base64'), sha256: createHash('sha256').update(bytes).digest('hex') };
    return page(c, w, { summary, upload });
  } catch (e) {
    return page(c, w, { error: problem(w, e) }, e instanceof AppError ? e.status : 400);
  }
});

importPages.post('/import/apply', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const bytes = new Uint8Array(Buffer.from(str(body, 'data'), 'base64'));
  const fileName = str(body, 'fileName').slice(0, 200) || 'upload';
  if (!bytes.byteLength || createHash('sha256').update(bytes).digest('hex') !== str(body, 'sha256')) return page(c, w, { error: w.t('ui.import.noFile') }, 400);
  const deps = c.get('deps');
  try {
    const applied = await importInventory(deps.db, { principal: w.principal, requestId: c.get('requestId') }, { bytes, fileName, dryRun: false, now: deps.now() });
    return page(c, w, { applied });
  } catch (e) {
    // Something changed since the check (a department, a system): show the new dry run.
    if (e instanceof AppError && e.code === 'validation_failed') {
      const summary = await importInventory(deps.db, { principal: w.principal, requestId: c.get('requestId') }, { bytes, fileName, dryRun: true, now: deps.now() });
      return page(c, w, { summary, upload: { fileName, data: str(body, 'data'), sha256: str(body, 'sha256') }, error: w.t('ui.import.changed') }, 409);
    }
    return page(c, w, { error: problem(w, e) }, e instanceof AppError ? e.status : 400);
  }
});
