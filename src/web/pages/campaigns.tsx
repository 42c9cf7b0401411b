import type { FC } from 'hono/jsx';
import { can } from '../../auth/access.js';
import type { Principal } from '../../auth/tokens.js';
import type { CampaignLink, CampaignProgress, CampaignSummary, MissingReportDto, TransferDto } from '../../campaigns/schemas.js';
import type { T } from '../i18n.js';
import { Badge, fmtTime, Hidden, Notice, Page, SafeLink } from '../layout.js';
import { ErrorSummary, type Common } from './components.js';

const isOps = (p: Principal) => can(p, 'campaigns.manage');

export const CampaignStatus: FC<{ t: T; status: string; overdue: boolean }> = ({ t, status, overdue }) => (
  <span class="row">
    <Badge t={t} prefix="ui.campaigns.status" value={status} cls={status} />
    {overdue && status === 'open' ? <span class="badge overdue">{t('ui.campaigns.overdue')}</span> : null}
  </span>
);

export interface CreateForm {
  name?: string;
  deadline?: string;
  departments?: string;
  counties?: string[];
}

export const CampaignsPage: FC<
  Common & { items: CampaignSummary[]; counties: Array<{ code: string; name: string }>; form?: CreateForm; errors?: Array<{ path: string; message: string }>; minDeadline: string }
> = ({ t, lang, here, principal, csrf, items, counties, form, errors, minDeadline }) => (
  <Page t={t} lang={lang} title={t('ui.campaigns.title')} here={here} principal={principal} csrf={csrf} nav="campaigns">
    <p>{t('ui.campaigns.intro')}</p>
    {items.length ? (
      <table>
        <thead>
          <tr>
            <th scope="col">{t('ui.campaigns.name')}</th>
            <th scope="col">{t('ui.campaigns.deadline')}</th>
            <th scope="col">{t('ui.campaigns.status')}</th>
            <th scope="col">{t('ui.campaigns.progress')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr>
              <td>
                <a href={`/campaigns/${c.id}`}>{c.name}</a>
              </td>
              <td>{c.deadline}</td>
              <td>
                <CampaignStatus t={t} status={c.status} overdue={c.overdue} />
              </td>
              <td>{t('ui.campaigns.progressText', { confirmed: c.totals.confirmed, systems: c.totals.systems, completed: c.totals.completed, departments: c.totals.departments })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p>{t('ui.campaigns.empty')}</p>
    )}
    {isOps(principal) ? (
      <section aria-labelledby="h-create">
        <h2 id="h-create">{t('ui.campaigns.create')}</h2>
        <ErrorSummary t={t} errors={(errors ?? []).map((e) => ({ where: e.path, message: e.message }))} />
        <form method="post" action="/campaigns">
          <Hidden name="_csrf" value={csrf} />
          <div class="field">
            <label for="c-name">{t('ui.campaigns.create.name')}</label>
            <input type="text" id="c-name" name="name" required maxlength={200} size={40} value={form?.name ?? ''} />
          </div>
          <div class="field">
            <label for="c-deadline">{t('ui.campaigns.create.deadline')}</label>
            <input type="date" id="c-deadline" name="deadline" required min={minDeadline} value={form?.deadline ?? ''} />
          </div>
          {counties.length ? (
            <fieldset>
              <legend>{t('ui.campaigns.create.counties')}</legend>
              <div class="cards">
                {counties.map((c) => (
                  <div class="field inline">
                    <input type="checkbox" id={`c-county-${c.code}`} name="counties" value={c.code} checked={form?.counties?.includes(c.code)} />
                    <label for={`c-county-${c.code}`}>{c.name}</label>
                  </div>
                ))}
              </div>
            </fieldset>
          ) : null}
          <div class="field">
            <label for="c-departments">{t('ui.campaigns.create.departments')}</label>
            <span class="hint" id="c-departments-hint">
              {t('ui.campaigns.create.departments.hint')}
            </span>
            <input type="text" id="c-departments" name="departments" aria-describedby="c-departments-hint" maxlength={5000} size={40} value={form?.departments ?? ''} />
          </div>
          <button type="submit">{t('ui.campaigns.create.submit')}</button>
        </form>
      </section>
    ) : null}
  </Page>
);

const CountTable: FC<{ t: T; rows: CampaignProgress['byCounty'] }> = ({ t, rows }) => (
  <table>
    <thead>
      <tr>
        <th scope="col">{t('ui.campaign.col.county')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.systems')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.confirmed')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.transferPending')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.retirement')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.disowned')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.pending')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.departments')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.visited')}</th>
        <th scope="col" class="num">{t('ui.campaign.col.completed')}</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((r) => (
        <tr>
          <th scope="row">{r.countyName ?? t('ui.campaign.cityLevel')}</th>
          <td class="num">{r.systems}</td>
          <td class="num">{r.confirmed}</td>
          <td class="num">{r.transferPending}</td>
          <td class="num">{r.retirementRequested}</td>
          <td class="num">{r.disowned}</td>
          <td class="num">{r.pending}</td>
          <td class="num">{r.departments}</td>
          <td class="num">{r.linksVisited}</td>
          <td class="num">{r.completed}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

export const CampaignPage: FC<
  Common & { progress: CampaignProgress; links: CampaignLink[] | null; linksBlocked?: boolean; transfers: TransferDto[]; missing: MissingReportDto[]; flash?: string; scopeNames: Record<string, string> }
> = ({ t, lang, here, principal, csrf, progress: p, links, linksBlocked, transfers, missing, flash, scopeNames }) => {
  const ops = isOps(principal);
  const pending = transfers.filter((x) => x.state === 'pending');
  const scope = [...(p.scope.counties ?? []), ...(p.scope.departments ?? [])].map((code) => scopeNames[code] ?? code).join('、');
  return (
    <Page t={t} lang={lang} title={p.name} here={here} principal={principal} csrf={csrf} nav="campaigns">
      {flash ? <Notice kind="ok">{flash}</Notice> : null}
      <section aria-labelledby="h-summary">
        <h2 id="h-summary">{t('ui.campaign.summary')}</h2>
        <dl class="facts">
          <dt>{t('ui.campaigns.deadline')}</dt>
          <dd>{p.deadline}</dd>
          <dt>{t('ui.campaigns.status')}</dt>
          <dd>
            <CampaignStatus t={t} status={p.status} overdue={p.overdue} />
          </dd>
          <dt>{t('ui.campaign.scope')}</dt>
          <dd>{scope}</dd>
          <dt>{t('ui.campaign.createdBy')}</dt>
          <dd>{`${p.createdBy ?? '—'}，${fmtTime(p.createdAt, lang)}`}</dd>
          <dt>
            <label for="campaign-progress">{t('ui.campaign.progressLabel')}</label>
          </dt>
          <dd class="row">
            <progress id="campaign-progress" max={Math.max(1, p.totals.systems)} value={p.totals.systems - p.totals.pending}>
              {`${p.totals.systems - p.totals.pending}/${p.totals.systems}`}
            </progress>
            <span>{`${p.totals.systems - p.totals.pending}/${p.totals.systems}`}</span>
          </dd>
        </dl>
        <p id="totals">{t('ui.campaign.totals', p.totals)}</p>
        <p>{t('ui.campaign.linksSummary', p.totals)}</p>
      </section>

      <section aria-labelledby="h-county">
        <h2 id="h-county">{t('ui.campaign.byCounty')}</h2>
        <CountTable t={t} rows={p.byCounty} />
      </section>

      <section aria-labelledby="h-dept">
        <h2 id="h-dept">{t('ui.campaign.byDepartment')}</h2>
        <table id="by-department">
          <thead>
            <tr>
              <th scope="col">{t('ui.campaign.col.department')}</th>
              <th scope="col">{t('ui.campaign.col.county')}</th>
              <th scope="col" class="num">{t('ui.campaign.col.systems')}</th>
              <th scope="col" class="num">{t('ui.campaign.col.confirmed')}</th>
              <th scope="col" class="num">{t('ui.campaign.col.transferPending')}</th>
              <th scope="col" class="num">{t('ui.campaign.col.retirement')}</th>
              <th scope="col" class="num">{t('ui.campaign.col.pending')}</th>
              <th scope="col" class="num">{t('ui.campaign.col.disowned')}</th>
              <th scope="col" class="num">{t('ui.campaign.col.incoming')}</th>
              <th scope="col">{t('ui.campaign.col.link')}</th>
            </tr>
          </thead>
          <tbody>
            {p.byDepartment.map((d) => (
              <tr data-department={d.departmentCode}>
                <th scope="row">{d.departmentName}</th>
                <td>{d.countyName ?? t('ui.campaign.cityLevel')}</td>
                <td class="num">{d.systems}</td>
                <td class="num">{d.confirmed}</td>
                <td class="num">{d.transferPending}</td>
                <td class="num">{d.retirementRequested}</td>
                <td class="num">{d.pending}</td>
                <td class="num">{d.disowned}</td>
                <td class="num">{d.incomingTransfers}</td>
                <td>
                  {d.linkVisitedAt ? t('ui.campaign.link.visited') : t('ui.campaign.link.notVisited')}，
                  {d.completedAt ? <Badge t={t} prefix="ui.campaign.link" value="completed" cls="confirmed" /> : t('ui.campaign.link.notCompleted')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="h-transfers">
        <h2 id="h-transfers">{t('ui.campaign.transfers')}</h2>
        {pending.length ? (
          <ul>
            {pending.map((x) => (
              <li>
                {t('ui.campaign.transfers.item', { system: x.systemName, from: x.fromDepartmentName, to: x.toDepartmentName })}
                {x.note ? <span class="muted"> — {x.note}</span> : null}
                {ops ? (
                  <form method="post" action={`/transfers/${x.id}/decide`} class="row">
                    <Hidden name="_csrf" value={csrf} />
                    <Hidden name="campaign" value={String(p.id)} />
                    <button type="submit" name="decision" value="accept">
                      {t('ui.campaign.transfers.accept')}
                    </button>
                    <button type="submit" name="decision" value="reject" class="secondary">
                      {t('ui.campaign.transfers.reject')}
                    </button>
                  </form>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('ui.campaign.transfers.empty')}</p>
        )}
      </section>

      <section aria-labelledby="h-missing">
        <h2 id="h-missing">{t('ui.campaign.missing')}</h2>
        {missing.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('ui.campaign.col.department')}</th>
                <th scope="col">{t('ui.confirm.missing.name')}</th>
                <th scope="col">URL</th>
                <th scope="col">{t('ui.confirm.note')}</th>
                <th scope="col">{t('ui.confirm.official')}</th>
              </tr>
            </thead>
            <tbody>
              {missing.map((m) => (
                <tr>
                  <td>{m.departmentName}</td>
                  <td>{m.name}</td>
                  <td>
                    <SafeLink href={m.url} />
                  </td>
                  <td>{m.note ?? ''}</td>
                  <td>{[m.reportedByName, m.reportedByPhone].filter(Boolean).join(' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">{t('ui.campaign.missing.empty')}</p>
        )}
      </section>

      {ops && linksBlocked ? (
        <section aria-labelledby="h-links">
          <h2 id="h-links">{t('ui.campaign.links')}</h2>
          <Notice kind="warn">{t('ui.error.publicUrlMissing')}</Notice>
        </section>
      ) : null}
      {ops && links ? (
        <section aria-labelledby="h-links">
          <h2 id="h-links">{t('ui.campaign.links')}</h2>
          <Notice kind="warn">{t('ui.campaign.links.warning')}</Notice>
          <p>
            <a href={`/campaigns/${p.id}/links.xlsx`} download>
              {t('ui.campaign.links.xlsx')}
            </a>
          </p>
          {links.map((l, i) => (
            <div class="field">
              <label for={`link-${i}`}>{t('ui.campaign.links.url', { department: l.departmentName })}</label>
              <span class="hint">{t('ui.campaign.links.expires', { at: fmtTime(l.expiresAt, lang) })}</span>
              <div class="row">
                <input type="text" id={`link-${i}`} class="link-url" readonly value={l.url} />
                {p.status === 'open' ? (
                  <form method="post" action={`/campaigns/${p.id}/links/${encodeURIComponent(l.departmentCode)}/rotate`}>
                    <Hidden name="_csrf" value={csrf} />
                    <button type="submit" class="secondary" aria-label={`${t('ui.campaign.links.rotate')}：${l.departmentName}`}>
                      {t('ui.campaign.links.rotate')}
                    </button>
                  </form>
                ) : null}
              </div>
            </div>
          ))}
        </section>
      ) : null}

      {ops && p.status === 'open' ? (
        <section aria-labelledby="h-close">
          <h2 id="h-close">{t('ui.campaign.close')}</h2>
          <p>{t('ui.campaign.close.hint')}</p>
          <form method="post" action={`/campaigns/${p.id}/close`}>
            <Hidden name="_csrf" value={csrf} />
            <button type="submit" class="danger">
              {t('ui.campaign.close')}
            </button>
          </form>
        </section>
      ) : null}
      {p.status !== 'open' ? <Notice>{t('ui.campaign.closed')}</Notice> : null}
    </Page>
  );
};
