import { createRoute, z } from '@hono/zod-openapi';
import { router } from '../http/router.js';
import { EXPORT_FORMATS, EXPORT_MEDIA_TYPES, exportInventory } from '../inventory/export.js';
import { IMPORT_LIMITS } from '../inventory/import/index.js';
import { importUpload } from '../inventory/import/upload.js';
import { errorResponses, json, security, writeErrorResponses } from './common.js';

const tags = ['Inventory import and export'];

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Largest request body `POST /imports` reads; the app-wide JSON body limit must not apply to this route. */
export const IMPORT_BODY_LIMIT = IMPORT_LIMITS.maxBytes;

const rowErrorSchema = z.object({ row: z.number().int(), column: z.string(), message: z.string() }).openapi('ImportRowError');

export const importSummarySchema = z
  .object({
    dryRun: z.boolean(),
    format: z.enum(['xlsx', 'csv']),
    encoding: z.string().optional().openapi({ description: 'CSV only: utf-8, gb18030 or utf-16' }),
    rows: z.number().int().openapi({ description: 'non-empty data rows in the file' }),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    errors: z.array(rowErrorSchema).openapi({ description: 'dry run only (a real import with errors is a 400); at most 1000' }),
    errorCount: z.number().int(),
    headerRow: z.number().int().openapi({ description: 'the header row found (rows above it, such as a title, are skipped)' }),
    ignoredColumns: z.array(rowErrorSchema).openapi({ description: 'columns not read (序号, 备注, unknown headers); never a reason to refuse' }),
    preview: z
      .array(z.object({ row: z.number().int(), code: z.string(), name: z.string(), departmentCode: z.string(), departmentName: z.string(), action: z.enum(['create', 'update', 'unchanged']) }))
      .openapi({ description: 'the first 500 valid rows and what the import does with each' }),
  })
  .openapi('ImportSummary');

const importRoute = createRoute({
  method: 'post',
  path: '/imports',
  tags,
  security,
  summary: 'Import an .xlsx or .csv inventory (admin and auditor)',
  description:
    'The file is the raw request body (Content-Type: the .xlsx media type or text/csv; or pass `filename`). ' +
    'All rows or none: any row error and nothing is written (400 with `errors[]` carrying `row` and `column`). ' +
    'Upserts on the system code; rows equal to what is stored change nothing. `dryRun=true` checks every row, writes nothing ' +
    'and answers 200 with the errors it found. At most 50 MB.',
  request: {
    query: z.object({
      dryRun: z
        .enum(['true', 'false', '1', '0'])
        .optional()
        .transform((v) => v === 'true' || v === '1'),
      filename: z.string().max(255).optional().openapi({ description: 'original file name; its extension picks the format' }),
    }),
    body: {
      required: true,
      content: {
        [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary' }) },
        'text/csv': { schema: z.string() },
      },
    },
  },
  responses: {
    200: json(importSummarySchema, 'Imported (or, for a dry run, checked)'),
    ...writeErrorResponses,
    415: { description: 'Not an .xlsx or .csv file' },
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/export',
  tags,
  security,
  summary: 'Export the inventory (.xlsx, .csv or JSON)',
  description: 'Department tokens get their own department and its children. Spreadsheets use the import columns, so they can be edited and imported back.',
  request: {
    query: z.object({
      format: z.enum(EXPORT_FORMATS as unknown as ['xlsx', 'csv', 'json']).default('xlsx'),
      lang: z.enum(['zh', 'en']).default('zh').openapi({ description: 'headers and values: Chinese (default) or the API English keys' }),
    }),
  },
  responses: {
    200: {
      description: 'The inventory file',
      content: {
        [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary' }) },
        'text/csv': { schema: z.string() },
        'application/json': { schema: z.object({ exportedAt: z.string(), count: z.number().int(), systems: z.array(z.unknown()) }) },
      },
    },
    ...errorResponses,
  },
});

/** `POST /imports` and `GET /export`; mount under /api/v1 (behind authentication), with no 1 MiB JSON body limit on /imports. */
export const inventoryIoRoutes = router()
  .openapi(importRoute, async (c) => {
    const { dryRun, filename } = c.req.valid('query');
    const declared = Number(c.req.header('content-length') ?? NaN);
    const summary = await importUpload(
      c.get('deps').db,
      { principal: c.get('principal'), requestId: c.get('requestId') },
      {
        body: c.req.raw.body,
        declaredLength: Number.isFinite(declared) ? declared : undefined,
        fileName: filename,
        contentType: c.req.header('content-type'),
        dryRun,
        now: c.get('deps').now(),
      },
    );
    return c.json(summary, 200);
  })
  .openapi(exportRoute, async (c) => {
    const principal = c.get('principal');
    const { format, lang } = c.req.valid('query');
    const now = c.get('deps').now();
    const body = await exportInventory(c.get('deps').db, format, { principal, lang, now });
    const day = now.toISOString().slice(0, 10);
    const scope = principal.role === 'department' && principal.departmentCode ? `-${principal.departmentCode.replace(/[^A-Za-z0-9._-]/g, '')}` : '';
    return c.body(new Uint8Array(body), 200, {
      'content-type': EXPORT_MEDIA_TYPES[format],
      'content-disposition': `attachment; filename="xuncha-inventory${scope}-${day}.${format}"`,
      'cache-control': 'no-store',
    }) as never;
  });
