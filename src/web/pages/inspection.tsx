import type { FC } from 'hono/jsx';
import { t as translate, type Lang, type MessageKey } from '../../../i18n/index.js';
import { IMPACTS } from '../../../reports/inspection/accessibility.js';
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
      {card.accessibility ? <AccessibilityPart lang={lang} a11y={card.accessibility} /> : null}
      <p class="muted">{card.policyVersion}</p>
    </section>
  );
};

type A11y = NonNullable<InspectionDto['accessibility']>;
const KNOWN_OUTCOMES = ['timeout', 'http_error', 'body_too_large', 'blocked_by_policy', 'too_many_redirects'];
const outcomeLabel = (lang: Lang, outcome: string) => translate(lang, `a11y.outcome.${KNOWN_OUTCOMES.includes(outcome) ? outcome : 'other'}` as MessageKey);

/** 适老化 and accessibility (informational): alt text and the care-mode entry, and the axe-core figures. */
const AccessibilityPart: FC<{ lang: Lang; a11y: A11y }> = ({ lang, a11y }) => {
  const t = (key: string, params: Record<string, string | number> = {}) => translate(lang, key as MessageKey, params);
  const axe = a11y.axe;
  const care = a11y.careEntry;
  return (
    <div class="a11y" data-part="accessibility">
      <h3>{t('a11y.title')}</h3>
      {a11y.images ? <p>{t('a11y.alt', { images: a11y.images, withAlt: a11y.imagesWithAlt, share: pct(a11y.altShare) })}</p> : null}
      {care ? <p>{t(care.found ? (care.opens ? 'a11y.care.opens' : 'a11y.care.broken') : 'a11y.care.none')}</p> : null}
      {!axe ? (
        <p class="muted">{t('a11y.axe.none')}</p>
      ) : axe.outcome === 'unmeasured' ? (
        <p class="muted" data-axe="unmeasured">{t(axe.reason === 'browser_failed' ? 'a11y.axe.browser_failed' : 'a11y.axe.no_browser')}</p>
      ) : axe.outcome !== 'ok' ? (
        <p class="bad" data-axe="failed">{t('a11y.axe.failed', { outcome: outcomeLabel(lang, axe.outcome) })}</p>
      ) : (
        <>
          <table data-axe="violations">
            <caption>{t('a11y.axe.checkedOn', { day: axe.checkedOn })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('a11y.col.impact')}</th>
                <th scope="col">{t('a11y.col.rules')}</th>
                <th scope="col">{t('a11y.col.nodes')}</th>
              </tr>
            </thead>
            <tbody>
              {IMPACTS.map((i) => (
                <tr data-impact={i}>
                  <td class={axe.violations[i].rules && (i === 'critical' || i === 'serious') ? 'bad' : undefined}>{t(`a11y.impact.${i}`)}</td>
                  <td>{axe.violations[i].rules}</td>
                  <td>{axe.violations[i].nodes}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {axe.section === 'none' ? <p class="muted">{t('a11y.axe.section.none')}</p> : null}
          {axe.pages.map((p) =>
            p.outcome !== 'ok' ? (
              <p class="muted">{t('a11y.axe.section.failed', { outcome: outcomeLabel(lang, p.outcome) })}</p>
            ) : (
              <div data-page={p.role}>
                <h4>
                  {t(`a11y.page.${p.role}`)} <code>{p.url}</code>
                </h4>
                <p class="muted">
                  {t('a11y.subresources', { fetched: p.subresources.fetched, refused: p.subresources.refused, failed: p.subresources.failed })}
                  {p.loadIncomplete ? ` ${t('a11y.loadIncomplete')}` : ''}
                </p>
                {p.rules.length ? (
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t('a11y.col.rule')}</th>
                        <th scope="col">{t('a11y.col.help')}</th>
                        <th scope="col">{t('a11y.col.impact')}</th>
                        <th scope="col">{t('a11y.col.nodes')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {p.rules.map((r) => (
                        <tr data-rule={r.id}>
                          <td>
                            <code>{r.id}</code>
                          </td>
                          <td>{lang === 'zh' ? (r.helpZh ?? r.help) : r.help}</td>
                          <td>{t(`a11y.impact.${r.impact}`)}</td>
                          <td>{r.nodes}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
              </div>
            ),
          )}
        </>
      )}
    </div>
  );
};
