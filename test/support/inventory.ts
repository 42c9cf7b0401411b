import type { TestApp } from './app.js';

/** A small tree: city 371300 with two districts, a township under 兰山区, and one system in each district. */
export async function smallInventory(t: TestApp): Promise<void> {
  const depts = [
    { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' },
    { code: '371302', name: '兰山区人民政府', shortName: '兰山区', level: 'county', kind: 'government', parentCode: '371300' },
    { code: '371311', name: '罗庄区人民政府', shortName: '罗庄区', level: 'county', kind: 'government', parentCode: '371300' },
    { code: '371302-001', name: '兰山街道办事处', level: 'township', kind: 'government', parentCode: '371302' },
  ];
  for (const body of depts) {
    const res = await t.call('POST', '/api/v1/departments', { body });
    if (res.status !== 201) throw new Error(`seed department ${body.code}: ${res.status} ${await res.text()}`);
  }
  const systems = [
    { code: 'LS-PORTAL', name: '兰山区政府门户网站', departmentCode: '371302', endpoints: [{ url: 'http://www.lanshan.example/', role: 'portal' }] },
    { code: 'LS-OA', name: '兰山街道协同办公系统', departmentCode: '371302-001', network: 'egov_extranet', userScope: 'internal' },
    { code: 'LZ-PORTAL', name: '罗庄区政府门户网站', departmentCode: '371311', deployment: 'gov_cloud', cloudRequired: true },
  ];
  for (const body of systems) {
    const res = await t.call('POST', '/api/v1/systems', { body });
    if (res.status !== 201) throw new Error(`seed system ${body.code}: ${res.status} ${await res.text()}`);
  }
  // Cloud resources (issue 12): one VM of 兰山区's portal, for the security table's resource rows.
  const res = await t.call('POST', '/api/v1/systems/LS-PORTAL/resources', { body: { kind: 'vm', externalId: 'SEC-R1', vcpu: 2, memoryGb: 4, storageGb: 40 } });
  if (res.status !== 201) throw new Error(`seed resource SEC-R1: ${res.status} ${await res.text()}`);
}
