import type ExcelJS from 'exceljs';
import { newWorkbook } from '../excel.js';
import { BUILT_BY_ZH, DEPLOYMENT_ZH, INVENTORY_COLUMNS, LIFECYCLE_ZH, NETWORK_ZH, USER_SCOPE_ZH, type ColumnKey, type InventoryColumn } from './spreadsheet.js';

/**
 * The import template a department fills in: the Chinese headers the import reads, one sample row, a
 * drop-down (data validation) on every enumerated column, and a 填写说明 sheet. Importing it as it is
 * creates the sample system, so the sample is what a correct row looks like.
 */

/** Columns of the template: everything the import reads, except the export-only ones. */
export const TEMPLATE_COLUMNS: readonly InventoryColumn[] = INVENTORY_COLUMNS.filter((c) => c.use !== 'export');

const YES_NO = ['是', '否'];
const MLPS = ['一级', '二级', '三级', '四级', '五级', '未定级'];

/** The drop-down choices of each enumerated column (the labels the import accepts). */
export const TEMPLATE_CHOICES: Partial<Record<ColumnKey, readonly string[]>> = {
  lifecycle: Object.values(LIFECYCLE_ZH),
  deployment: Object.values(DEPLOYMENT_ZH),
  onGovCloud: YES_NO,
  cloudRequired: YES_NO,
  network: Object.values(NETWORK_ZH),
  builtBy: Object.values(BUILT_BY_ZH),
  mlpsLevel: MLPS,
  userScope: Object.values(USER_SCOPE_ZH),
};

const SAMPLE: Partial<Record<ColumnKey, string | number>> = {
  code: 'SAMPLE-001',
  name: '示例：政务服务事项管理系统',
  departmentCode: '371300-DSJ',
  operatorUnit: '临沂市大数据中心',
  contractor: '某某科技有限公司',
  'contact.name': '张伟',
  'contact.phone': '0539-8000000',
  'contact.email': 'zhangwei@linyi.gov.cn.example',
  description: '政务服务事项的录入、审核与发布',
  lifecycle: '运行中',
  launchedOn: '2020-06-01',
  deployment: '政务云',
  cloudRequired: '是',
  network: '电子政务外网',
  builtBy: '市',
  mlpsLevel: '二级',
  userScope: '内部',
  registeredUsers: 120,
  endpoints: '门户:https://sxgl.linyi.gov.cn.example/',
  tags: '政务服务',
};

/** Rows the drop-downs cover. */
export const TEMPLATE_ROWS = 2000;

function letter(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

/** @param sampleDepartment the code written in the sample row (one that exists in this instance). */
export async function buildImportTemplate(opts: { sampleDepartment?: string } = {}): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Xuncha';
  const ws = wb.addWorksheet('系统清单', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = TEMPLATE_COLUMNS.map((c) => ({ header: c.zh, key: c.key, width: c.width }));
  ws.getRow(1).font = { bold: true };
  const sample = { ...SAMPLE, ...(opts.sampleDepartment ? { departmentCode: opts.sampleDepartment } : {}) };
  ws.addRow(TEMPLATE_COLUMNS.map((c) => sample[c.key] ?? null));
  TEMPLATE_COLUMNS.forEach((c, i) => {
    const col = letter(i + 1);
    const choices = TEMPLATE_CHOICES[c.key];
    if (choices) {
      // exceljs writes range validations (dataValidations) but its typings do not declare them.
      (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${col}2:${col}${TEMPLATE_ROWS + 1}`, {
        type: 'list',
        allowBlank: true,
        formulae: [`"${choices.join(',')}"`],
        showErrorMessage: true,
        errorStyle: 'error',
        errorTitle: c.zh,
        error: `请从下拉列表中选择：${choices.join('、')}`,
      });
    }
    if (c.note) ws.getCell(`${col}1`).note = c.note;
  });
  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列', key: 'col', width: 16 },
    { header: '说明', key: 'note', width: 90 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of TEMPLATE_COLUMNS) help.addRow({ col: c.zh, note: [c.note, TEMPLATE_CHOICES[c.key] ? `可选：${TEMPLATE_CHOICES[c.key]!.join('、')}` : ''].filter(Boolean).join(' ') });
  help.addRow({});
  help.addRow({ col: '提示', note: '表头上方可以有标题行；序号、备注等其他列会被忽略。第 2 行为示例，请替换或删除。' });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
