import { describe, expect, it } from 'vitest';
import { REASON_CODES, FLAG_CODES, STATUSES } from '../../reports/codes.js';
import { catalogue, isLang, t, type MessageKey } from '../../i18n/index.js';
import { zh } from '../../i18n/zh.js';

const placeholders = (s: string) => [...s.matchAll(/\{([A-Za-z0-9_]+)(?::[A-Za-z0-9_.]+)?\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('English has exactly the keys of Chinese, with the same placeholders (reports and pages)', () => {
    const zhAll = catalogue('zh');
    const enAll = catalogue('en');
    expect(Object.keys(enAll).sort()).toEqual(Object.keys(zhAll).sort());
    expect(Object.keys(zhAll).length).toBeGreaterThan(Object.keys(zh).length);
    for (const key of Object.keys(zhAll) as MessageKey[]) {
      expect(placeholders(enAll[key]), key).toEqual(placeholders(zhAll[key]));
      expect(enAll[key].trim().length, key).toBeGreaterThan(0);
    }
  });

  it('one lookup serves the pages too: nested labels resolve across the catalogue', () => {
    expect(t('zh', 'ui.signedInAs', { name: '张三', role: 'auditor' })).toBe('当前用户：张三（运维审计）');
    expect(t('en', 'ui.nav.inventory')).not.toBe('ui.nav.inventory');
  });

  it('statuses, reasons and flags have names in both languages', () => {
    expect(STATUSES.map((s) => t('zh', `status.${s}`))).toEqual(['活跃', '半僵尸', '僵尸', '证据不足', '豁免']);
    expect(t('en', 'status.semi_zombie')).toBe('Semi-zombie');
    for (const r of REASON_CODES) {
      expect(t('zh', `reasonName.${r}` as MessageKey)).not.toBe(`reasonName.${r}`);
      expect(catalogue('zh')[`reason.${r}` as MessageKey], r).toBeDefined();
    }
    for (const f of FLAG_CODES) expect(t('en', `flagName.${f}` as MessageKey)).toBeTruthy();
  });

  it('report headings are the three sections of a 通报', () => {
    expect(t('zh', 'report.heading.overview')).toBe('一、总体情况');
    expect(t('zh', 'report.heading.problems')).toBe('二、主要问题');
    expect(t('zh', 'report.heading.requirements')).toBe('三、工作要求');
  });

  it('t fills placeholders, looks up enumerations, and leaves a missing param visible', () => {
    expect(t('zh', 'reason.cert_expired', { validTo: '2026-11-01' })).toBe('HTTPS证书已于2026-11-01到期');
    expect(t('zh', 'flag.not_on_gov_cloud', { deployment: 'hosted' })).toBe('应部署在政务云，实际部署：托管');
    expect(t('en', 'flag.not_on_gov_cloud', { deployment: 'mainframe' })).toBe('Should run on the government cloud; deployed: mainframe');
    expect(t('en', 'reason.cert_expired')).toBe('HTTPS certificate expired on {validTo}');
    expect(isLang('zh') && isLang('en') && !isLang('fr')).toBe(true);
  });
});
