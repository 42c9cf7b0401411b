import type { FC } from 'hono/jsx';
import { t as translate, type Lang, type MessageKey } from '../../../i18n/index.js';
import type { InspectionDto } from '../../verdicts/inspection.js';

/**
 * The national website inspection of a portal on its system page (issue 11): each veto item with its
 * result and the figures it rests on, and the link check. Labels only, never raw codes.
 */

const pct = (r: number | null | undefined) => (typeof r === 'number' ? `${(Math.round(r * 1000) / 10).toFixed(1)}%` : '—');

function evidenceLine(lang: Lang, rule: string, e: Record<string, unknown>): string {
  const t = (key: string, params: Record<string, string | number> = {}) => translate(lang, key as MessageKey, params);
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  if (e.reason) return t('inspection.ev.unmeasured');
  switch (rule) {
    case 'site_unreachable':
      return typeof e.share === 'number' ? t('inspection.ev.site_unreachable', { from: String(e.from), to: String(e.to), visits: n(e.visits), share: pct(e.share) }) : t('inspection.ev.site_unreachable_short', { days: n(e.daysMeasured) });
    case 'homepage_not_updated':
      if (!e.newest) return t('inspection.ev.homepage_none');
      return t(e.judged === 'second_level_pages' ? 'inspection.ev.homepage_second_level' : 'inspection.ev.homepage_not_updated', { newest: String(e.newest), age: n(e.ageDays) });
    case 'sections_not_updated':
      return t('inspection.ev.sections_not_updated', { checked: n(e.sectionsChecked), stale: n(e.stale), longStale: n(e.longStale) });
    case 'blank_sections':
      return t('inspection.ev.blank_sections', { blank: n(e.blank) });
    case 'serious_errors':
      return t('inspection.ev.serious_errors', { hits: n(e.hits) });
    default:
      return '';
  }
}

export const InspectionSection: FC<{ lang: Lang; card: InspectionDto }> = ({ lang, card }) => {
  const t = (key: string, params: Record<string, string | number> = {}) => translate(lang, key as MessageKey, params);
  return (
    <section aria-labelledby="h-inspection">
      <h2 id="h-inspection">{t('inspection.title')}</h2>
      {card.checkedOn === null && card.items.every((i) => i.result === 'unmeasured') ? (
        <p class="muted">{t('inspection.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('inspection.col.rule')}</th>
              <th scope="col">{t('inspection.col.result')}</th>
              <th scope="col">{t('inspection.col.evidence')}</th>
            </tr>
          </thead>
          <tbody>
            {card.items.map((i) => (
              <tr data-rule={i.rule} data-result={i.result}>
                <td>{t(`inspection.rule.${i.rule}`)}</td>
                <td class={i.result === 'fail' ? 'bad' : i.result === 'pass' ? 'good' : 'muted'}>{t(`inspection.result.${i.result}`)}</td>
                <td>{evidenceLine(lang, i.rule, i.evidence)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {card.links ? <p>{t('inspection.links', { checked: card.links.checked, broken: card.links.broken, rate: pct(card.links.brokenRate), risks: card.links.outboundRisks })}</p> : null}
      {card.links?.brokenList.length ? (
        <ul>
          {card.links.brokenList.slice(0, 10).map((b) => (
            <li>
              <code>{String(b.url)}</code> ← <code>{String(b.page)}</code>
            </li>
          ))}
        </ul>
      ) : null}
      <p class="muted">{card.policyVersion}</p>
    </section>
  );
};
