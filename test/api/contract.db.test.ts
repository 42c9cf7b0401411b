import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as codes from '../../reports/codes.js';
import { rowsOf } from '../../src/db/sql.js';
import * as enums from '../../src/db/schema/enums.js';
import { REPORT_FORMATS, REPORT_RENDERERS } from '../../reports/monthly/index.js';
import { PROBE_KINDS, STORED_PROBE_KINDS, SWEEP_KINDS } from '../../src/sweeps/kinds/index.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** The database enums and where the OpenAPI document must show the same values. */
const PG_ENUMS = [
  { type: 'system_status', values: codes.STATUSES, openapi: ['System.status'] },
  { type: 'lifecycle', values: codes.LIFECYCLES, openapi: ['System.lifecycle', 'SystemCreate.lifecycle', 'SystemPatch.lifecycle'] },
  { type: 'deployment', values: codes.DEPLOYMENTS, openapi: ['System.deployment', 'SystemCreate.deployment'] },
  { type: 'network', values: codes.NETWORKS, openapi: ['System.network', 'SystemCreate.network'] },
  { type: 'user_scope', values: codes.USER_SCOPES, openapi: ['System.userScope', 'SystemCreate.userScope'] },
  { type: 'endpoint_role', values: codes.ENDPOINT_ROLES, openapi: ['Endpoint.role'] },
  { type: 'department_level', values: codes.DEPARTMENT_LEVELS, openapi: ['Department.level', 'DepartmentCreate.level'] },
  { type: 'department_kind', values: codes.DEPARTMENT_KINDS, openapi: ['Department.kind', 'DepartmentCreate.kind'] },
  { type: 'built_by', values: enums.BUILT_BY, openapi: ['System.builtBy'] },
  { type: 'role', values: enums.ROLES, openapi: ['Token.role', 'TokenCreate.role'] },
] as const;

type Schema = { properties?: Record<string, { enum?: string[] }> };
type Operation = { parameters?: Array<{ name: string; schema?: { enum?: string[] } }>; responses: Record<string, { content?: Record<string, unknown> }> };

describe.each(backends)('contract names against the migrated database and the OpenAPI document on %s', (backend) => {
  let t: TestApp;
  let doc: { components: { schemas: Record<string, Schema> }; paths: Record<string, Record<string, Operation>> };
  let pg: Map<string, string[]>;
  beforeAll(async () => {
    t = await startTestApp(backend);
    doc = await (await t.call('GET', '/api/v1/openapi.json', { token: null })).json();
    const res = await t.database.db.execute(sql`
      select t.typname as name, array_to_json(array_agg(e.enumlabel order by e.enumsortorder)) as labels
      from pg_type t join pg_enum e on e.enumtypid = t.oid
      group by t.typname`);
    pg = new Map(rowsOf<{ name: string; labels: string[] | string }>(res).map((r) => [r.name, typeof r.labels === 'string' ? JSON.parse(r.labels) : r.labels]));
  });
  afterAll(() => t.close());

  it.each(PG_ENUMS.map((e) => [e.type, e] as const))('the migrations give %s exactly the values the code knows', (_, e) => {
    // A value added in reports/codes.ts without a migration (or a migration the code does not know) fails here.
    expect(pg.get(e.type)).toEqual([...e.values]);
  });

  it('every enum the Drizzle schema declares exists in the database with its values', () => {
    const declared = Object.values(enums).filter((v): v is typeof enums.lifecycle => typeof v === 'function' && 'enumName' in v);
    expect(declared.map((d) => d.enumName).sort()).toEqual(PG_ENUMS.map((e) => e.type).sort());
    for (const d of declared) expect(pg.get(d.enumName), d.enumName).toEqual([...d.enumValues]);
  });

  it.each(PG_ENUMS.flatMap((e) => e.openapi.map((where) => [where, e.values] as const)))('the OpenAPI document lists %s with the same values', (where, values) => {
    const [schema, prop] = where.split('.') as [string, string];
    expect(doc.components.schemas[schema]?.properties?.[prop]?.enum, where).toEqual([...values]);
  });

  it('the sweep API offers exactly the probe kinds of the registry, and filters results by their stored names', () => {
    expect(Object.keys(PROBE_KINDS)).toEqual(['liveness', 'ipv6', 'freshness', 'inspection', 'accessibility', 'usage']);
    const start = doc.components.schemas.SweepStart as unknown as { properties: { kinds: { items: { enum: string[] } } } };
    expect(start.properties.kinds.items.enum).toEqual([...SWEEP_KINDS]);
    const kind = doc.paths['/systems/{code}/probes']!.get!.parameters!.find((p) => p.name === 'kind');
    expect(kind?.schema?.enum).toEqual([...STORED_PROBE_KINDS]);
    expect(STORED_PROBE_KINDS).toEqual(['liveness', 'ipv6', 'freshness', 'inspection', 'accessibility', 'usage_pull']);
  });

  it('the report API offers exactly the formats of the registry, each with its content type', () => {
    const op = doc.paths['/reports/monthly']!.get!;
    expect(op.parameters!.find((p) => p.name === 'format')?.schema?.enum).toEqual([...REPORT_FORMATS]);
    expect(Object.keys(op.responses['200']!.content!).sort()).toEqual(Object.values(REPORT_RENDERERS).map((r) => r.contentType.split(';')[0]).sort());
  });

  it('usage metrics in the API are the ones the classifier reads', () => {
    const usage = doc.components.schemas.UsagePoints as unknown as { items: Schema };
    expect(usage.items.properties?.metric?.enum).toEqual([...codes.USAGE_METRICS]);
  });
});
