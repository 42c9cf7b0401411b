import type { MonthlyReportInput, ReportDepartment, SystemMonthSnapshot } from '../../reports/monthly/input.js';

/** A small Linyi: city departments, two counties and a development zone, a dozen systems over two months. */
export const departments: ReportDepartment[] = [
  { code: 'LY-GOV', name: '临沂市人民政府', shortName: '市政府', level: 'city', kind: 'government', parentCode: null },
  { code: 'LY-DSJ', name: '临沂市大数据局', shortName: '市大数据局', level: 'city', kind: 'department', parentCode: 'LY-GOV' },
  { code: 'LY-JY', name: '临沂市教育局', shortName: '市教育局', level: 'city', kind: 'department', parentCode: 'LY-GOV' },
  { code: 'LY-SL', name: '临沂市水利局', shortName: '市水利局', level: 'city', kind: 'department', parentCode: 'LY-GOV' },
  { code: 'LS-GOV', name: '临沂市兰山区人民政府', shortName: '兰山区', level: 'county', kind: 'government', parentCode: 'LY-GOV' },
  { code: 'LS-JT', name: '兰山区教育和体育局', shortName: '兰山区教体局', level: 'county', kind: 'department', parentCode: 'LS-GOV' },
  { code: 'LS-YJ-ZJ', name: '兰山区银雀山街道办事处', shortName: '银雀山街道', level: 'township', kind: 'government', parentCode: 'LS-GOV' },
  { code: 'YS-GOV', name: '沂水县人民政府', shortName: '沂水县', level: 'county', kind: 'government', parentCode: 'LY-GOV' },
  { code: 'YS-WJ', name: '沂水县卫生健康局', shortName: '沂水县卫健局', level: 'county', kind: 'department', parentCode: 'YS-GOV' },
  { code: 'KFQ', name: '临沂经济技术开发区管委会', shortName: '经开区', level: 'county', kind: 'zone', parentCode: 'LY-GOV' },
];

type Snap = Partial<SystemMonthSnapshot> & Pick<SystemMonthSnapshot, 'code' | 'name' | 'departmentCode' | 'status'>;

const snap = (s: Snap): SystemMonthSnapshot => ({
  lifecycle: 'live',
  reasons: [],
  flags: [],
  cloudRequired: true,
  deployment: 'gov_cloud',
  network: 'internet',
  ipv6: { grade: 'ready', secondLevelRate: 0.97, thirdLevelRate: 0.93 },
  availability: { probes: 720, ok: 718 },
  ...s,
});

export const november: SystemMonthSnapshot[] = [
  snap({ code: 'LY-DSJ-001', name: '临沂市政务服务网', departmentCode: 'LY-DSJ', status: 'active' }),
  snap({ code: 'LY-DSJ-002', name: '数字临沂数据共享平台', departmentCode: 'LY-DSJ', status: 'active', network: 'egov_extranet', ipv6: null }),
  snap({
    code: 'LY-JY-001',
    name: '临沂市中小学招生报名系统',
    departmentCode: 'LY-JY',
    status: 'semi_zombie',
    deployment: 'self_hosted',
    flags: ['not_on_gov_cloud'],
    reasons: [{ code: 'low_usage', since: '2026-09-01', message: { key: 'reason.low_usage', params: { window: 30, months: 12, users: 4, threshold: 10 } } }],
  }),
  snap({
    code: 'LY-JY-002',
    name: '教育局旧版门户',
    departmentCode: 'LY-JY',
    status: 'zombie',
    availability: { probes: 720, ok: 0 },
    ipv6: { grade: 'no_ipv6' },
    flags: ['ipv6_not_ready', 'mlps_missing'],
    reasons: [{ code: 'unreachable', since: '2026-10-02', message: { key: 'reason.unreachable', params: { days: 60, since: '2026-10-02', probes: 1440 } } }],
  }),
  snap({ code: 'LY-SL-001', name: '临沂市防汛指挥系统', departmentCode: 'LY-SL', status: 'exempt', network: 'private', ipv6: null }),
  snap({
    code: 'LS-JT-001',
    name: '兰山区教体局网站',
    departmentCode: 'LS-JT',
    status: 'semi_zombie',
    availability: { probes: 720, ok: 650 },
    ipv6: { grade: 'partial', secondLevelRate: 0.6, thirdLevelRate: 0.4 },
    flags: ['ipv6_not_ready'],
    reasons: [
      { code: 'homepage_not_updated', since: '2026-10-20', message: { key: 'reason.homepage_not_updated', params: { days: 41, since: '2026-10-20' } } },
      { code: 'availability_low', since: '2026-11-03', message: { key: 'reason.availability_low', params: { window: 30, availability: '90.3%', threshold: '95.0%', probes: 720, failed: 70 } } },
    ],
  }),
  snap({ code: 'LS-YJ-001', name: '银雀山街道网格化管理系统', departmentCode: 'LS-YJ-ZJ', status: 'insufficient_evidence', network: 'egov_extranet', ipv6: null, cloudRequired: false, deployment: 'hosted', availability: null }),
  snap({
    code: 'YS-WJ-001',
    name: '沂水县基层卫生信息系统',
    departmentCode: 'YS-WJ',
    status: 'zombie',
    network: 'egov_extranet',
    ipv6: null,
    deployment: 'self_hosted',
    flags: ['not_on_gov_cloud'],
    reasons: [{ code: 'no_usage', since: '2026-05-01', message: { key: 'reason.no_usage', params: { usageDays: 214, contentDays: 400 } } }, { code: 'owner_unconfirmed' }],
  }),
  snap({ code: 'YS-WJ-002', name: '沂水县预约挂号平台', departmentCode: 'YS-WJ', status: 'active' }),
  snap({ code: 'KFQ-001', name: '经开区企业服务平台', departmentCode: 'KFQ', status: 'active', availability: { probes: 700, ok: 700 } }),
  snap({ code: 'KFQ-002', name: '经开区新建项目审批系统', departmentCode: 'KFQ', status: 'active' }),
  snap({ code: 'LY-DSJ-900', name: '已下线的旧共享交换平台', departmentCode: 'LY-DSJ', status: 'exempt', lifecycle: 'retired', availability: null }),
];

export const october: SystemMonthSnapshot[] = [
  snap({ code: 'LY-DSJ-001', name: '临沂市政务服务网', departmentCode: 'LY-DSJ', status: 'active' }),
  snap({ code: 'LY-DSJ-002', name: '数字临沂数据共享平台', departmentCode: 'LY-DSJ', status: 'active', network: 'egov_extranet', ipv6: null }),
  snap({ code: 'LY-JY-001', name: '临沂市中小学招生报名系统', departmentCode: 'LY-JY', status: 'active', deployment: 'self_hosted', flags: ['not_on_gov_cloud'] }),
  snap({ code: 'LY-JY-002', name: '教育局旧版门户', departmentCode: 'LY-JY', status: 'zombie', ipv6: { grade: 'no_ipv6' }, availability: { probes: 720, ok: 0 } }),
  snap({ code: 'LY-SL-001', name: '临沂市防汛指挥系统', departmentCode: 'LY-SL', status: 'exempt', network: 'private', ipv6: null }),
  snap({ code: 'LS-JT-001', name: '兰山区教体局网站', departmentCode: 'LS-JT', status: 'semi_zombie', ipv6: { grade: 'partial' }, availability: { probes: 720, ok: 700 } }),
  snap({ code: 'LS-YJ-001', name: '银雀山街道网格化管理系统', departmentCode: 'LS-YJ-ZJ', status: 'insufficient_evidence', network: 'egov_extranet', ipv6: null, cloudRequired: false, deployment: 'hosted', availability: null }),
  snap({ code: 'YS-WJ-001', name: '沂水县基层卫生信息系统', departmentCode: 'YS-WJ', status: 'semi_zombie', network: 'egov_extranet', ipv6: null, deployment: 'self_hosted', flags: ['not_on_gov_cloud'] }),
  snap({ code: 'YS-WJ-002', name: '沂水县预约挂号平台', departmentCode: 'YS-WJ', status: 'active', ipv6: { grade: 'partial' } }),
  snap({ code: 'KFQ-001', name: '经开区企业服务平台', departmentCode: 'KFQ', status: 'semi_zombie' }),
  snap({ code: 'LY-DSJ-900', name: '已下线的旧共享交换平台', departmentCode: 'LY-DSJ', status: 'zombie', lifecycle: 'decommissioning', availability: { probes: 720, ok: 0 } }),
];

export function monthlyInput(overrides: Partial<MonthlyReportInput> = {}): MonthlyReportInput {
  return {
    month: '2026-11',
    asOf: '2026-11-30',
    policyVersion: '2026-12-default',
    generatedFrom: { classificationRun: 'run-2026-11-30', sweepIds: ['s-101', 's-102'] },
    issuer: '临沂市大数据局',
    departments,
    systems: november,
    previousSystems: october,
    history: [
      // 2025-12 .. 2026-09 given by the loader; 2026-02 is missing (no figures that month).
      ...['2025-12', '2026-01', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'].map((month, i) => ({
        month,
        statusCounts: { active: 4 + (i % 3), semi_zombie: 2, zombie: 2 - (i % 2), insufficient_evidence: 1, exempt: 1 },
        cloud: { onCloud: 5 + Math.floor(i / 3), required: 9 },
        ipv6: { ready: 3 + Math.floor(i / 4), internetFacing: 7 },
      })),
    ],
    findings: [
      { id: 'F-001', systemCode: 'LY-DSJ-900', departmentCode: 'LY-DSJ', status: 'closed', verdict: 'zombie', openedOn: '2026-08-01', deadline: '2026-09-01', answer: { kind: 'decommission', dueBy: '2026-11-15' }, closedOn: '2026-11-20' },
      { id: 'F-002', systemCode: 'LY-JY-002', departmentCode: 'LY-JY', status: 'notified', verdict: 'zombie', openedOn: '2026-10-05', deadline: '2026-11-04', answer: null, closedOn: null },
      { id: 'F-003', systemCode: 'LS-JT-001', departmentCode: 'LS-JT', status: 'answered', verdict: 'semi_zombie', openedOn: '2026-10-05', deadline: '2026-11-04', answer: { kind: 'migrate', dueBy: '2026-12-31' }, closedOn: null },
      { id: 'F-004', systemCode: 'YS-WJ-001', departmentCode: 'YS-WJ', status: 'answered', verdict: 'zombie', openedOn: '2026-09-01', deadline: '2026-10-01', answer: { kind: 'decommission', dueBy: '2026-11-10' }, closedOn: null },
      { id: 'F-005', systemCode: 'LY-JY-001', departmentCode: 'LY-JY', status: 'open', verdict: 'semi_zombie', openedOn: '2026-11-30', deadline: null, answer: null, closedOn: null },
      { id: 'F-006', systemCode: 'KFQ-001', departmentCode: 'KFQ', status: 'closed', verdict: 'semi_zombie', openedOn: '2026-10-10', deadline: '2026-11-09', answer: { kind: 'keep' }, closedOn: '2026-11-05' },
    ],
    requirements: { rectifyBy: '2026-12-31', recheckOn: '2027-01-10' },
    ...overrides,
  };
}
