import { eq, inArray } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { departments, systems, type DepartmentKind, type DepartmentLevel } from '../db/schema/index.js';
import type { Actor } from '../audit/index.js';
import { recordAudit } from '../audit/index.js';
import { applyUpsert, loadDirectory, planUpsert } from './import/apply.js';
import { systemCreateSchema, type SystemCreate } from './schemas.js';

/**
 * Demo inventory for 临沂市: the city government, its departments, 3 districts, 9 counties, 3 development
 * zones, a few county departments, subdistricts and towns, and about 150 systems of the kinds a 大排查
 * finds (portals, 一网通办 and 爱山东 services, OA, business systems on 电子政务外网 and private networks),
 * some of them with missing owner data or retired, so that audits have something to find.
 *
 * Every host name ends in `.example` (reserved, RFC 2606): nothing real is ever probed. Phone numbers are
 * fictitious. Deterministic (a fixed-seed generator) and idempotent: existing codes are skipped.
 */

type Dept = { code: string; name: string; shortName: string; level: DepartmentLevel; kind: DepartmentKind; parent?: string };

const CITY = '371300';
const cityDept = (suffix: string, name: string, shortName: string): Dept => ({
  code: `${CITY}-${suffix}`,
  name,
  shortName,
  level: 'city',
  kind: 'department',
  parent: CITY,
});

const CITY_DEPARTMENTS: Dept[] = [
  cityDept('BGS', '临沂市人民政府办公室', '市政府办公室'),
  cityDept('DSJ', '临沂市大数据局', '市大数据局'),
  cityDept('FGW', '临沂市发展和改革委员会', '市发展改革委'),
  cityDept('JY', '临沂市教育局', '市教育局'),
  cityDept('KJ', '临沂市科学技术局', '市科技局'),
  cityDept('GXJ', '临沂市工业和信息化局', '市工业和信息化局'),
  cityDept('GA', '临沂市公安局', '市公安局'),
  cityDept('MZ', '临沂市民政局', '市民政局'),
  cityDept('SF', '临沂市司法局', '市司法局'),
  cityDept('CZ', '临沂市财政局', '市财政局'),
  cityDept('RS', '临沂市人力资源和社会保障局', '市人社局'),
  cityDept('ZRZY', '临沂市自然资源和规划局', '市自然资源和规划局'),
  cityDept('SHJ', '临沂市生态环境局', '市生态环境局'),
  cityDept('ZJ', '临沂市住房和城乡建设局', '市住房城乡建设局'),
  cityDept('JT', '临沂市交通运输局', '市交通运输局'),
  cityDept('SL', '临沂市水利局', '市水利局'),
  cityDept('NY', '临沂市农业农村局', '市农业农村局'),
  cityDept('SW', '临沂市商务局', '市商务局'),
  cityDept('WL', '临沂市文化和旅游局', '市文化和旅游局'),
  cityDept('WJ', '临沂市卫生健康委员会', '市卫健委'),
  cityDept('TY', '临沂市退役军人事务局', '市退役军人事务局'),
  cityDept('YJ', '临沂市应急管理局', '市应急局'),
  cityDept('SJ', '临沂市审计局', '市审计局'),
  cityDept('SCJG', '临沂市市场监督管理局', '市市场监管局'),
  cityDept('TJ', '临沂市统计局', '市统计局'),
  cityDept('YB', '临沂市医疗保障局', '市医保局'),
  cityDept('CG', '临沂市城市管理局', '市城管局'),
  cityDept('XZSP', '临沂市行政审批服务局', '市行政审批服务局'),
  cityDept('XF', '临沂市信访局', '市信访局'),
  cityDept('GJJ', '临沂市住房公积金管理中心', '市公积金中心'),
  cityDept('JGSW', '临沂市机关事务服务中心', '市机关事务服务中心'),
];

/** Districts and counties with their division codes, and the pinyin used for their (fictitious) host names. */
const COUNTIES: Array<{ code: string; short: string; name: string; host: string; phone: string }> = [
  { code: '371302', short: '兰山区', name: '临沂市兰山区人民政府', host: 'lanshan', phone: '0539-83' },
  { code: '371311', short: '罗庄区', name: '临沂市罗庄区人民政府', host: 'luozhuang', phone: '0539-82' },
  { code: '371312', short: '河东区', name: '临沂市河东区人民政府', host: 'hedong', phone: '0539-81' },
  { code: '371321', short: '沂南县', name: '沂南县人民政府', host: 'yinan', phone: '0539-32' },
  { code: '371322', short: '郯城县', name: '郯城县人民政府', host: 'tancheng', phone: '0539-62' },
  { code: '371323', short: '沂水县', name: '沂水县人民政府', host: 'yishui', phone: '0539-22' },
  { code: '371324', short: '兰陵县', name: '兰陵县人民政府', host: 'lanling', phone: '0539-52' },
  { code: '371325', short: '费县', name: '费县人民政府', host: 'feixian', phone: '0539-50' },
  { code: '371326', short: '平邑县', name: '平邑县人民政府', host: 'pingyi', phone: '0539-42' },
  { code: '371327', short: '莒南县', name: '莒南县人民政府', host: 'junan', phone: '0539-72' },
  { code: '371328', short: '蒙阴县', name: '蒙阴县人民政府', host: 'mengyin', phone: '0539-42' },
  { code: '371329', short: '临沭县', name: '临沭县人民政府', host: 'linshu', phone: '0539-62' },
];

const ZONES: Array<{ code: string; short: string; name: string; host: string }> = [
  { code: `${CITY}-JKQ`, short: '经开区', name: '临沂经济技术开发区管理委员会', host: 'jkq' },
  { code: `${CITY}-GXQ`, short: '高新区', name: '临沂高新技术产业开发区管理委员会', host: 'gxq' },
  { code: `${CITY}-LGQ`, short: '临港区', name: '临沂临港经济开发区管理委员会', host: 'lgq' },
];

const COUNTY_DEPARTMENTS: Dept[] = [
  { code: '371302-DSJ', name: '临沂市兰山区大数据中心', shortName: '兰山区大数据中心', level: 'county', kind: 'department', parent: '371302' },
  { code: '371302-JYTY', name: '临沂市兰山区教育和体育局', shortName: '兰山区教体局', level: 'county', kind: 'department', parent: '371302' },
  { code: '371302-XZSP', name: '临沂市兰山区行政审批服务局', shortName: '兰山区行政审批服务局', level: 'county', kind: 'department', parent: '371302' },
  { code: '371322-YJ', name: '郯城县应急管理局', shortName: '郯城县应急局', level: 'county', kind: 'department', parent: '371322' },
  { code: '371323-JYTY', name: '沂水县教育和体育局', shortName: '沂水县教体局', level: 'county', kind: 'department', parent: '371323' },
  { code: '371323-WJ', name: '沂水县卫生健康局', shortName: '沂水县卫健局', level: 'county', kind: 'department', parent: '371323' },
  { code: '371324-NY', name: '兰陵县农业农村局', shortName: '兰陵县农业农村局', level: 'county', kind: 'department', parent: '371324' },
  { code: '371325-XZSP', name: '费县行政审批服务局', shortName: '费县行政审批服务局', level: 'county', kind: 'department', parent: '371325' },
  { code: '371326-NY', name: '平邑县农业农村局', shortName: '平邑县农业农村局', level: 'county', kind: 'department', parent: '371326' },
  { code: '371327-SCJG', name: '莒南县市场监督管理局', shortName: '莒南县市场监管局', level: 'county', kind: 'department', parent: '371327' },
];

const TOWNSHIPS: Dept[] = [
  { code: '371302001', name: '临沂市兰山区兰山街道办事处', shortName: '兰山街道', level: 'township', kind: 'government', parent: '371302' },
  { code: '371302002', name: '临沂市兰山区银雀山街道办事处', shortName: '银雀山街道', level: 'township', kind: 'government', parent: '371302' },
  { code: '371302003', name: '临沂市兰山区金雀山街道办事处', shortName: '金雀山街道', level: 'township', kind: 'government', parent: '371302' },
  { code: '371311001', name: '临沂市罗庄区罗庄街道办事处', shortName: '罗庄街道', level: 'township', kind: 'government', parent: '371311' },
  { code: '371312001', name: '临沂市河东区九曲街道办事处', shortName: '九曲街道', level: 'township', kind: 'government', parent: '371312' },
  { code: '371323001', name: '沂水县沂城街道办事处', shortName: '沂城街道', level: 'township', kind: 'government', parent: '371323' },
  { code: '371323102', name: '沂水县许家湖镇人民政府', shortName: '许家湖镇', level: 'township', kind: 'government', parent: '371323' },
  { code: '371325001', name: '费县费城街道办事处', shortName: '费城街道', level: 'township', kind: 'government', parent: '371325' },
  { code: '371325102', name: '费县上冶镇人民政府', shortName: '上冶镇', level: 'township', kind: 'government', parent: '371325' },
];

export const DEMO_DEPARTMENTS: Dept[] = [
  { code: CITY, name: '临沂市人民政府', shortName: '临沂市', level: 'city', kind: 'government' },
  ...CITY_DEPARTMENTS,
  ...COUNTIES.map((c): Dept => ({ code: c.code, name: c.name, shortName: c.short, level: 'county', kind: 'government', parent: CITY })),
  ...ZONES.map((z): Dept => ({ code: z.code, name: z.name, shortName: z.short, level: 'county', kind: 'zone', parent: CITY })),
  ...COUNTY_DEPARTMENTS,
  ...TOWNSHIPS,
];

// ——— Systems ———

/** mulberry32: a tiny deterministic generator, so the demo is the same on every machine. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
  };
}

/** portal: a website; web: an online service; app: 爱山东/mobile; egov: on 电子政务外网; office: internal office work; private: a private network. */
type Kind = 'portal' | 'web' | 'app' | 'egov' | 'office' | 'private';

interface Spec {
  code: string;
  name: string;
  dept: string;
  kind: Kind;
  host: string;
  desc?: string;
  builtBy?: SystemCreate['builtBy'];
  lifecycle?: SystemCreate['lifecycle'];
  /** YYYY-MM-DD; null: not launched yet; absent: generated. */
  launched?: string | null;
  deployment?: SystemCreate['deployment'];
  cloudRequired?: boolean;
  mlps?: number | null;
  users?: number;
  tags?: string[];
  /** No contact, operator or contractor: an owner-missing case for the audit. */
  orphan?: boolean;
}

const S = (code: string, name: string, dept: string, kind: Kind, host: string, extra: Omit<Spec, 'code' | 'name' | 'dept' | 'kind' | 'host'> = {}): Spec => ({
  code,
  name,
  dept: dept.length <= 6 && !/^\d+$/.test(dept) ? `${CITY}-${dept}` : dept,
  kind,
  host,
  ...extra,
});

const CITY_SYSTEMS: Spec[] = [
  S('LY-BGS-001', '临沂市人民政府门户网站', 'BGS', 'portal', 'www', { mlps: 3, launched: '2008-06-18', desc: '市政府门户网站，发布政务信息、政策文件，提供政务服务和互动交流入口。' }),
  S('LY-BGS-002', '临沂市协同办公系统', 'BGS', 'office', 'oa', { mlps: 3, desc: '全市党政机关公文流转、会议通知与督办的协同办公平台。', tags: ['OA'] }),
  S('LY-BGS-003', '临沂市政务督查督办系统', 'BGS', 'office', 'ducha', {}),
  S('LY-BGS-004', '临沂市政策文件库', 'BGS', 'web', 'zcwj', { launched: '2019-11-01' }),
  S('LY-DSJ-001', '临沂市一体化政务服务平台（一网通办）', 'DSJ', 'web', 'zwfw', { builtBy: 'provincial', mlps: 3, users: 2_350_000, tags: ['一网通办'], desc: '山东省一体化政务服务平台临沂分厅，政务服务事项网上办理。' }),
  S('LY-DSJ-002', '爱山东·临沂分厅', 'DSJ', 'app', 'ish', { builtBy: 'provincial', mlps: 3, users: 2_860_000, tags: ['爱山东', '移动端'], desc: '“爱山东”APP临沂分厅及小程序，掌上办事入口。' }),
  S('LY-DSJ-003', '临沂市政务信息资源共享交换平台', 'DSJ', 'egov', 'share', { mlps: 3, tags: ['数据共享'] }),
  S('LY-DSJ-004', '临沂市公共数据开放网', 'DSJ', 'web', 'data', { launched: '2020-09-28', tags: ['数据开放'] }),
  S('LY-DSJ-005', '数字临沂城市运行管理服务平台', 'DSJ', 'egov', 'cityos', { launched: '2022-12-20', mlps: 3, tags: ['数字临沂', '城市大脑'] }),
  S('LY-DSJ-006', '临沂市政务云管理平台', 'DSJ', 'private', 'cloudmgr', { deployment: 'gov_cloud', cloudRequired: true, mlps: 3, tags: ['政务云'] }),
  S('LY-DSJ-007', '临沂市电子证照库', 'DSJ', 'egov', 'dzzz', { mlps: 3, tags: ['一网通办'] }),
  S('LY-DSJ-008', '临沂市12345政务服务便民热线系统', 'DSJ', 'web', '12345', { mlps: 3, users: 410_000, tags: ['12345'] }),
  S('LY-DSJ-009', '临沂市视频会议系统', 'DSJ', 'private', 'video', { deployment: 'self_hosted', cloudRequired: false }),
  S('LY-DSJ-010', '临沂市“无证明城市”服务平台', 'DSJ', 'egov', 'wzm', { launched: '2021-07-01', tags: ['一网通办'] }),
  S('LY-DSJ-011', '临沂市政务信息系统巡查平台', 'DSJ', 'office', 'xuncha', { lifecycle: 'construction', launched: null, tags: ['数字临沂'] }),
  S('LY-FGW-001', '信用临沂网', 'FGW', 'web', 'credit', { mlps: 3, tags: ['信用'] }),
  S('LY-FGW-002', '临沂市投资项目在线审批监管平台', 'FGW', 'web', 'tzxm', { builtBy: 'national', tags: ['审批'] }),
  S('LY-FGW-003', '临沂市重点项目调度管理系统', 'FGW', 'office', 'zdxm', {}),
  S('LY-JY-001', '临沂市教育局网站', 'JY', 'portal', 'jyj', {}),
  S('LY-JY-002', '临沂市义务教育招生入学服务平台', 'JY', 'web', 'zhaosheng', { users: 185_000, tags: ['季节性', '招生'], desc: '每年6—8月开放的中小学招生报名系统。' }),
  S('LY-JY-003', '全国中小学生学籍信息管理系统（临沂）', 'JY', 'egov', 'xueji', { builtBy: 'national', mlps: 3 }),
  S('LY-JY-004', '临沂市教育资源公共服务平台', 'JY', 'web', 'edures', { deployment: 'self_hosted', launched: '2014-09-01', users: 52_000 }),
  S('LY-KJ-001', '临沂市科技管理信息系统', 'KJ', 'web', 'kjgl', {}),
  S('LY-GXJ-001', '临沂市工业经济运行监测平台', 'GXJ', 'egov', 'gyjc', {}),
  S('LY-GXJ-002', '临沂市中小企业公共服务平台', 'GXJ', 'web', 'smes', { deployment: 'hosted', launched: '2013-05-20', orphan: true }),
  S('LY-GA-001', '临沂市公安局网站', 'GA', 'portal', 'gaj', { mlps: 3 }),
  S('LY-GA-002', '临沂公安出入境网上预约系统', 'GA', 'app', 'crj', { mlps: 3, users: 96_000 }),
  S('LY-GA-003', '临沂市智慧警务平台', 'GA', 'private', 'zhjw', { deployment: 'self_hosted', cloudRequired: false, mlps: 4, tags: ['公安专网'] }),
  S('LY-GA-004', '临沂交警微信服务平台', 'GA', 'app', 'jj', { users: 640_000 }),
  S('LY-MZ-001', '临沂市智慧养老服务平台', 'MZ', 'web', 'yanglao', { launched: '2021-03-15' }),
  S('LY-MZ-002', '临沂市婚姻登记网上预约系统', 'MZ', 'app', 'hydj', {}),
  S('LY-MZ-003', '临沂市社会救助信息管理系统', 'MZ', 'egov', 'jiuzhu', { builtBy: 'provincial' }),
  S('LY-SF-001', '临沂市公共法律服务平台', 'SF', 'web', 'flfw', {}),
  S('LY-SF-002', '临沂市社区矫正信息管理系统', 'SF', 'private', 'sqjz', { builtBy: 'provincial', cloudRequired: false }),
  S('LY-CZ-001', '临沂市预算管理一体化系统', 'CZ', 'office', 'ysgl', { builtBy: 'provincial', mlps: 3 }),
  S('LY-CZ-002', '临沂市政府采购网', 'CZ', 'portal', 'ccgp', {}),
  S('LY-RS-001', '临沂市人力资源和社会保障局网站', 'RS', 'portal', 'rsj', {}),
  S('LY-RS-002', '临沂市社会保险经办信息系统', 'RS', 'private', 'shebao', { builtBy: 'provincial', mlps: 3, cloudRequired: false }),
  S('LY-RS-003', '临沂市公共就业服务平台', 'RS', 'web', 'jiuye', { users: 230_000 }),
  S('LY-RS-004', '临沂人才网', 'RS', 'web', 'rencai', { deployment: 'hosted', launched: '2012-04-01' }),
  S('LY-ZRZY-001', '临沂市不动产登记信息管理平台', 'ZRZY', 'egov', 'bdcdj', { mlps: 3 }),
  S('LY-ZRZY-002', '临沂市国土空间基础信息平台', 'ZRZY', 'egov', 'gtkj', { tags: ['一张图'] }),
  S('LY-ZRZY-003', '临沂市不动产登记网上服务大厅', 'ZRZY', 'web', 'bdcwt', { users: 310_000, tags: ['一网通办'] }),
  S('LY-SHJ-001', '临沂市生态环境局网站', 'SHJ', 'portal', 'sthj', {}),
  S('LY-SHJ-002', '临沂市环境质量自动监测系统', 'SHJ', 'egov', 'hjjc', {}),
  S('LY-ZJ-001', '临沂市物业管理服务平台', 'ZJ', 'web', 'wuye', { launched: '2022-05-10' }),
  S('LY-ZJ-002', '临沂市建筑市场监管与诚信信息平台', 'ZJ', 'web', 'jzsc', {}),
  S('LY-ZJ-003', '临沂市城市地下管网地理信息系统', 'ZJ', 'egov', 'guanwang', { deployment: 'self_hosted', launched: '2011-10-01', orphan: true, mlps: null }),
  S('LY-JT-001', '临沂公交实时查询系统', 'JT', 'app', 'bus', { deployment: 'hosted', users: 520_000 }),
  S('LY-JT-002', '临沂市交通运输综合执法管理系统', 'JT', 'egov', 'zhzf', {}),
  S('LY-SL-001', '临沂市防汛抗旱指挥决策支持系统', 'SL', 'egov', 'fangxun', { tags: ['季节性', '汛期'] }),
  S('LY-SL-002', '临沂市河长制信息管理系统', 'SL', 'egov', 'hezhang', {}),
  S('LY-NY-001', '临沂市农产品质量安全追溯平台', 'NY', 'web', 'zhuisu', {}),
  S('LY-NY-002', '农机购置与应用补贴信息系统（临沂）', 'NY', 'web', 'njbt', { builtBy: 'national' }),
  S('LY-SW-001', '临沂商城国际贸易服务平台', 'SW', 'web', 'trade', { users: 18_000 }),
  S('LY-WL-001', '游临沂智慧文旅平台', 'WL', 'app', 'travel', { users: 150_000 }),
  S('LY-WL-002', '临沂市图书馆数字资源服务平台', 'WL', 'web', 'lib', { deployment: 'self_hosted', launched: '2013-12-01' }),
  S('LY-WJ-001', '临沂市全民健康信息平台', 'WJ', 'egov', 'health', { mlps: 3 }),
  S('LY-WJ-002', '临沂市预约挂号统一服务平台', 'WJ', 'app', 'guahao', { users: 720_000 }),
  S('LY-WJ-003', '临沂市核酸检测信息管理系统', 'WJ', 'egov', 'hesuan', { lifecycle: 'decommissioning', launched: '2022-04-08', tags: ['疫情防控'] }),
  S('LY-WJ-004', '临沂市新冠疫苗接种预约系统', 'WJ', 'app', 'yimiao', { lifecycle: 'retired', launched: '2021-03-25', tags: ['疫情防控'] }),
  S('LY-WJ-005', '临沂市120急救指挥调度系统', 'WJ', 'private', '120', { deployment: 'self_hosted', cloudRequired: false, mlps: 3 }),
  S('LY-TY-001', '临沂市退役军人服务信息系统', 'TY', 'egov', 'tyjr', { builtBy: 'provincial' }),
  S('LY-YJ-001', '临沂市应急指挥信息平台', 'YJ', 'egov', 'yjzh', { mlps: 3 }),
  S('LY-YJ-002', '临沂市安全生产风险监测预警系统', 'YJ', 'egov', 'aqsc', {}),
  S('LY-SJ-001', '审计管理系统（临沂）', 'SJ', 'private', 'oa', { builtBy: 'national', cloudRequired: false }),
  S('LY-SCJG-001', '临沂市食品安全追溯平台', 'SCJG', 'web', 'spzs', {}),
  S('LY-SCJG-002', '临沂市特种设备安全监管系统', 'SCJG', 'egov', 'tzsb', {}),
  S('LY-SCJG-003', '“双随机、一公开”监管平台（临沂）', 'SCJG', 'egov', 'ssj', { builtBy: 'provincial' }),
  S('LY-TJ-001', '统计联网直报系统（临沂）', 'TJ', 'web', 'lwzb', { builtBy: 'national' }),
  S('LY-YB-001', '临沂市医疗保障信息平台', 'YB', 'private', 'ybxt', { builtBy: 'provincial', mlps: 3, cloudRequired: false }),
  S('LY-YB-002', '临沂医保网上服务大厅', 'YB', 'web', 'ybwt', { users: 260_000 }),
  S('LY-CG-001', '临沂市数字化城市管理系统', 'CG', 'egov', 'szcg', { launched: '2015-06-30' }),
  S('LY-CG-002', '临沂市智慧停车平台', 'CG', 'app', 'parking', { deployment: 'hosted', users: 330_000 }),
  S('LY-XZSP-001', '临沂市工程建设项目审批管理系统', 'XZSP', 'web', 'gcjs', { builtBy: 'provincial', tags: ['审批'] }),
  S('LY-XZSP-002', '临沂市企业开办“一窗通”平台', 'XZSP', 'web', 'qykb', { tags: ['一网通办', '审批'] }),
  S('LY-XZSP-003', '临沂市政务服务中心排队叫号系统', 'XZSP', 'private', 'paidui', { deployment: 'self_hosted' }),
  S('LY-XZSP-004', '临沂市政务服务“好差评”系统', 'XZSP', 'egov', 'hcp', { builtBy: 'provincial' }),
  S('LY-XF-001', '网上信访系统（临沂）', 'XF', 'web', 'xinfang', { builtBy: 'national' }),
  S('LY-GJJ-001', '临沂住房公积金网上服务大厅', 'GJJ', 'web', 'gjj', { users: 480_000 }),
  S('LY-GJJ-002', '临沂住房公积金综合业务系统', 'GJJ', 'private', 'gjjyw', { deployment: 'self_hosted', cloudRequired: true, mlps: 3 }),
  S('LY-JGSW-001', '临沂市公务用车管理平台', 'JGSW', 'office', 'gwyc', {}),
  S('LY-JGSW-002', '临沂市机关食堂订餐系统', 'JGSW', 'office', 'dingcan', { deployment: 'self_hosted', launched: '2014-03-01', orphan: true, mlps: null }),
];

function countySystems(): Spec[] {
  const out: Spec[] = [];
  for (const c of COUNTIES) {
    out.push(S(`${c.code}-001`, `${c.name}网站`, c.code, 'portal', c.host, { builtBy: 'county', mlps: 2 }));
    out.push(S(`${c.code}-002`, `${c.short}协同办公系统`, c.code, 'office', `oa.${c.host}`, { builtBy: 'county', tags: ['OA'] }));
    out.push(S(`${c.code}-003`, `${c.short}网格化社会治理平台`, c.code, 'egov', `wangge.${c.host}`, { builtBy: 'county' }));
  }
  for (const z of ZONES) {
    out.push(S(`${z.code}-001`, `${z.name.replace('管理委员会', '')}网站`, z.code, 'portal', z.host, { builtBy: 'county' }));
    out.push(S(`${z.code}-002`, `${z.short}企业服务平台`, z.code, 'web', `qyfw.${z.host}`, { builtBy: 'county' }));
  }
  out.push(
    S('371302-DSJ-001', '兰山区城市运行管理平台', '371302-DSJ', 'egov', 'cityos.lanshan', { builtBy: 'county', launched: '2023-06-01' }),
    S('371302-JYTY-001', '兰山区中小学招生报名系统', '371302-JYTY', 'web', 'zs.lanshan', { builtBy: 'county', tags: ['季节性', '招生'] }),
    S('371302-XZSP-001', '兰山区“掌上办”小程序', '371302-XZSP', 'app', 'zsb.lanshan', { builtBy: 'county', tags: ['爱山东'] }),
    S('371322-YJ-001', '郯城县应急广播系统', '371322-YJ', 'private', 'yjgb.tancheng', { builtBy: 'county', deployment: 'self_hosted', cloudRequired: false }),
    S('371323-JYTY-001', '沂水县智慧校园平台', '371323-JYTY', 'web', 'xiaoyuan.yishui', { builtBy: 'county', deployment: 'hosted' }),
    S('371323-WJ-001', '沂水县县域医共体信息平台', '371323-WJ', 'egov', 'ygt.yishui', { builtBy: 'county' }),
    S('371324-NY-001', '兰陵县蔬菜产业大数据平台', '371324-NY', 'web', 'shucai.lanling', { builtBy: 'county', launched: '2020-10-16' }),
    S('371325-XZSP-001', '费县“一窗受理”综合服务系统', '371325-XZSP', 'egov', 'ycsl.feixian', { builtBy: 'county' }),
    S('371326-NY-001', '平邑县金银花产业服务平台', '371326-NY', 'web', 'jyh.pingyi', { builtBy: 'county', deployment: 'hosted', orphan: true }),
    S('371327-SCJG-001', '莒南县农贸市场智慧监管系统', '371327-SCJG', 'egov', 'nmsc.junan', { builtBy: 'county', lifecycle: 'planning', launched: null }),
    S('371328-004', '蒙阴县蜜桃产业电商服务平台', '371328', 'web', 'mitao.mengyin', { builtBy: 'county', deployment: 'hosted', launched: '2016-08-08', lifecycle: 'retired' }),
  );
  // Townships run business systems, not websites (国办发〔2017〕47号); one that kept its own site is a case to find.
  for (const t of TOWNSHIPS) {
    const county = COUNTIES.find((c) => c.code === t.parent)!;
    out.push(S(`${t.code}-001`, `${t.shortName}网格化管理系统`, t.code, 'egov', `wg${t.code.slice(-3)}.${county.host}`, { builtBy: 'county' }));
  }
  out.push(
    S('371302002-002', '银雀山街道社区服务网', '371302002', 'portal', 'yqs.lanshan', { builtBy: 'county', deployment: 'hosted', launched: '2015-04-01', orphan: true, mlps: null }),
    S('371323102-002', '许家湖镇“村村通”信息平台', '371323102', 'egov', 'cct.yishui', { builtBy: 'county', launched: '2016-05-01', deployment: 'self_hosted' }),
  );
  return out;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '孙', '徐', '高', '周', '吴', '马', '朱', '胡', '郭', '林', '何', '宋', '庞'];
const GIVEN = ['伟', '芳', '敏', '静', '磊', '洋', '勇', '军', '杰', '娜', '涛', '明', '超', '霞', '鹏', '丽', '强', '燕', '晨', '宁', '海燕', '志强', '建华', '文博', '晓东'];
const COMPANIES = ['临沂沂蒙云信息技术有限公司', '山东琅琊软件有限公司', '临沂智城数字科技有限公司', '山东鲁南信息工程有限公司', '临沂蒙山网络科技有限公司', '山东沂河数据服务有限公司'];

/** What a kind of system usually is; a fixed-seed generator varies the rest. */
function toInput(spec: Spec, rnd: ReturnType<typeof generator>): SystemCreate {
  const county = COUNTIES.find((c) => spec.dept.startsWith(c.code));
  const internet = spec.kind === 'portal' || spec.kind === 'web' || spec.kind === 'app';
  const base = spec.host;
  const inet = `${base}.linyi.gov.cn.example`;
  const extranet = `${base}.zwww.linyi.gov.cn.example`;
  const endpoints: SystemCreate['endpoints'] =
    spec.kind === 'portal'
      ? [{ url: `https://${inet}/`, role: 'portal' }]
      : spec.kind === 'web'
        ? [{ url: `https://${inet}/`, role: 'portal' }, ...(rnd.chance(0.3) ? [{ url: `https://${inet}/admin/`, role: 'admin' as const }] : [])]
        : spec.kind === 'app'
          ? [
              { url: `https://${inet}/h5/`, role: 'app' },
              { url: `https://${inet}/api/`, role: 'api' },
            ]
          : spec.kind === 'private'
            ? [{ url: `http://${base}.zw.linyi.gov.cn.example/`, role: 'admin' }]
            : [{ url: `http://${extranet}/`, role: 'app' }];
  const cloudRequired = spec.cloudRequired ?? (spec.kind === 'private' ? rnd.chance(0.4) : true);
  const deployment =
    spec.deployment ??
    (cloudRequired ? (rnd.chance(0.82) ? 'gov_cloud' : rnd.pick(['self_hosted', 'self_hosted', 'hosted', 'other'] as const)) : rnd.pick(['self_hosted', 'hosted', 'other'] as const));
  const lifecycle = spec.lifecycle ?? (rnd.chance(0.06) ? 'construction' : 'live');
  const launchedOn =
    spec.launched !== undefined
      ? spec.launched
      : (lifecycle === 'construction' || lifecycle === 'planning' ? null : `${rnd.int(2010, 2024)}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`);
  const mlps = spec.mlps !== undefined ? spec.mlps : rnd.chance(0.12) ? null : internet ? rnd.pick([2, 2, 3]) : rnd.pick([2, 3, 3]);
  const orphan = spec.orphan ?? rnd.chance(0.06);
  // Linyi numbers: 0539- and eight digits.
  const phonePrefix = county?.phone ?? '0539-8';
  const digits = 13 - phonePrefix.length;
  const contact = orphan
    ? { name: null, phone: null, email: null }
    : {
        name: `${rnd.pick(SURNAMES)}${rnd.pick(GIVEN)}`,
        phone: `${phonePrefix}${String(rnd.int(0, 10 ** digits - 1)).padStart(digits, '0')}`,
        email: rnd.chance(0.5) ? `${spec.code.toLowerCase()}@linyi.gov.cn.example` : null,
      };
  return systemCreateSchema.parse({
    code: spec.code,
    name: spec.name,
    departmentCode: spec.dept,
    operatorUnit: orphan ? null : rnd.chance(0.5) ? '临沂市大数据中心' : rnd.pick(COMPANIES),
    contractor: orphan ? null : rnd.pick(COMPANIES),
    contact,
    description: spec.desc ?? null,
    lifecycle,
    launchedOn,
    deployment,
    cloudRequired,
    network: internet ? 'internet' : spec.kind === 'private' ? 'private' : 'egov_extranet',
    builtBy: spec.builtBy ?? 'municipal',
    mlpsLevel: mlps,
    userScope: internet ? 'public' : spec.kind === 'office' ? 'internal' : spec.kind === 'private' ? 'internal' : 'cross_department',
    registeredUsers: spec.users ?? (internet && spec.kind !== 'portal' && rnd.chance(0.6) ? rnd.int(200, 90_000) : null),
    endpoints,
    tags: spec.tags ?? [],
  });
}

export function demoSystems(): SystemCreate[] {
  const rnd = generator(0x1a2b3c);
  return [...CITY_SYSTEMS, ...countySystems()].map((s) => toInput(s, rnd));
}

const SEED_PRINCIPAL: Principal = { tokenId: null, name: 'demo seed', role: 'admin', departmentId: null, departmentPath: null, departmentCode: null };

/**
 * Loads the demo inventory. Idempotent: departments and systems whose codes exist are left as they are
 * (someone may have edited them). Returns how many were created now.
 */
export async function seedDemo(db: Db, actor: Actor = { principal: SEED_PRINCIPAL }): Promise<{ departments: number; systems: number }> {
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({ id: departments.id, code: departments.code, path: departments.path })
      .from(departments)
      .where(
        inArray(
          departments.code,
          DEMO_DEPARTMENTS.map((d) => d.code),
        ),
      );
    const known = new Map(existing.map((d) => [d.code, d]));
    let createdDepartments = 0;
    const audit = [];
    for (const d of DEMO_DEPARTMENTS) {
      if (known.has(d.code)) continue;
      const parent = d.parent ? known.get(d.parent) : undefined;
      const [row] = await tx
        .insert(departments)
        .values({ code: d.code, name: d.name, shortName: d.shortName, level: d.level, kind: d.kind, parentId: parent?.id ?? null, path: '/' })
        .returning({ id: departments.id });
      const path = `${parent?.path ?? '/'}${row!.id}/`;
      await tx.update(departments).set({ path }).where(eq(departments.id, row!.id));
      known.set(d.code, { id: row!.id, code: d.code, path });
      createdDepartments++;
      audit.push({ action: 'seed', entity: 'department', entityId: d.code, after: { code: d.code, name: d.name, shortName: d.shortName, level: d.level, kind: d.kind, parentCode: d.parent ?? null } });
    }
    await recordAudit(tx, actor, audit);

    const wanted = demoSystems();
    const present = new Set<string>();
    for (let i = 0; i < wanted.length; i += 1000) {
      const rows = await tx
        .select({ code: systems.code })
        .from(systems)
        .where(
          inArray(
            systems.code,
            wanted.slice(i, i + 1000).map((s) => s.code),
          ),
        );
      for (const r of rows) present.add(r.code);
    }
    const directory = await loadDirectory(tx);
    const items = wanted
      .filter((s) => !present.has(s.code))
      .map((input) => {
        const d = directory.resolve(input.departmentCode);
        if (!d.ok) throw new Error(`demo data: ${input.code} names unknown department ${input.departmentCode}`);
        return { input, department: d.value };
      });
    const plan = planUpsert(items);
    await applyUpsert(tx, actor, plan, { now: new Date(), action: 'seed' });
    return { departments: createdDepartments, systems: plan.creates.length };
  });
}
