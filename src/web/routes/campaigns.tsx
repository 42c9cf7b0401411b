import { can } from '../../auth/access.js';
import { campaignCreateSchema, campaignLinks, campaignProgress, closeCampaign, createCampaign, decideTransfer, listCampaigns, listMissingReports, listTransfers, rotateLink } from '../../campaigns/index.js';
import { localDay } from '../../../probes/time.js';
import { AppError } from '../../errors.js';
import { configuredBaseUrl, publicBaseUrl } from '../../http/env.js';
import { countyOptions, departmentsByCode } from '../../inventory/departments.js';
import { inLang, issueMessage } from '../../inventory/import/messages.js';
import { campaignLinkRows, campaignLinksXlsx } from '../../campaigns/index.js';
import { str, strs } from '../forms.js';
import { CampaignPage, CampaignsPage, type CreateForm } from '../pages/campaigns.js';
import { keysFor } from '../session.js';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { type C, type SignedIn, render, signedIn, signedInPost } from './common.js';

/** Campaign pages for ops: list, create, progress, links, transfers. */
export const campaignPages = new Hono<AppEnv>();

async function campaignsPage(c: C, w: SignedIn, extra: { form?: CreateForm; errors?: Array<{ path: string; message: string }> } = {}, status = 200) {
  const { db, now } = c.get('deps');
  const isOps = can(w.principal, 'campaigns.manage');
  return render(
    c,
    <CampaignsPage {...w} items={await listCampaigns(db, w.principal, now())} counties={isOps ? await countyOptions(db, w.principal) : []} minDeadline={localDay(now())} {...extra} />,
    status,
  );
}

campaignPages.get('/campaigns', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  return campaignsPage(c, w);
});

campaignPages.post('/campaigns', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const { w, body } = r;
  const form: CreateForm = { name: str(body, 'name'), deadline: str(body, 'deadline'), departments: str(body, 'departments'), counties: strs(body, 'counties') };
  const departmentsList = form.departments!.split(/[,，、\s]+/).map((s) => s.trim()).filter(Boolean);
  const parsed = campaignCreateSchema.safeParse({
    name: form.name,
    deadline: form.deadline,
    scope: { ...(departmentsList.length ? { departments: departmentsList } : {}), ...(form.counties!.length ? { counties: form.counties } : {}) },
  });
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      path: fieldLabel(w, String(i.path[0] ?? '')),
      message: i.path[0] === 'scope' && i.code === 'custom' ? w.t('ui.campaigns.error.emptyScope') : inLang(w.lang, issueMessage(i as never)),
    }));
    return campaignsPage(c, w, { form, errors }, 400);
  }
  try {
    const { db, now } = c.get('deps');
    const id = await createCampaign(db, { principal: w.principal, requestId: c.get('requestId') }, parsed.data, now());
    return c.redirect(`/campaigns/${id}?done=created`, 303);
  } catch (e) {
    if (e instanceof AppError && (e.code === 'validation_failed' || e.code === 'unprocessable')) {
      // Scope problems name the code the person typed: say it in their language.
      const errors = (e.errors?.length ? e.errors : [{ path: '', message: e.message }]).map((x) => ({
        path: fieldLabel(w, x.path.startsWith('scope.counties') ? 'counties' : x.path.startsWith('scope') ? 'departments' : x.path),
        message: /^no department (.+)$/.test(x.message) ? w.t('ui.campaigns.error.unknown', { code: x.message.replace(/^no department /, '') }) : /not a county/.test(x.message) ? w.t('ui.campaigns.error.notCounty') : /^must be .* or later$/.test(x.message) ? w.t('ui.campaigns.error.pastDeadline') : /no live systems/.test(x.message) ? w.t('ui.campaigns.error.noSystems') : x.message,
      }));
      return campaignsPage(c, w, { form, errors }, 400);
    }
    throw e;
  }
});

const FIELDS = { name: 'ui.campaigns.create.name', deadline: 'ui.campaigns.create.deadline', counties: 'ui.campaigns.create.counties', departments: 'ui.campaigns.create.departments', scope: 'ui.campaign.scope' } as const;

function fieldLabel(w: SignedIn, path: string): string {
  const key = FIELDS[path as keyof typeof FIELDS];
  return key ? w.t(key) : path;
}

function campaignId(c: C): number {
  const id = Number(c.req.param('id'));
  if (!Number.isInteger(id) || id <= 0 || id > 2_147_483_647) throw new AppError('not_found', 'no such campaign');
  return id;
}

campaignPages.get('/campaigns/:id', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now } = c.get('deps');
  const id = campaignId(c);
  const progress = await campaignProgress(db, w.principal, id, now());
  const isOps = can(w.principal, 'campaigns.manage');
  // Without PUBLIC_URL no link can be made, but the rest of the campaign (progress, transfers) still shows.
  const base = configuredBaseUrl(c);
  const links = isOps && base ? await campaignLinks(db, w.principal, keysFor(c), id, base) : null;
  const transfers = await listTransfers(db, w.principal, { campaignId: id });
  const missing = await listMissingReports(db, w.principal, id);
  const done = c.req.query('done');
  const dept = progress.byDepartment.find((d) => d.departmentCode === c.req.query('department'));
  const flash =
    done === 'created'
      ? w.t('ui.campaign.created')
      : done === 'rotated' && dept
        ? w.t('ui.campaign.rotated', { department: dept.departmentName })
        : done === 'closed'
          ? w.t('ui.campaign.closed')
          : done === 'transfer'
            ? w.t('ui.campaign.transferDone')
            : undefined;
  const codes = [...(progress.scope.counties ?? []), ...(progress.scope.departments ?? [])];
  const names = await departmentsByCode(db, codes);
  const scopeNames = Object.fromEntries([...names].map(([code, d]) => [code, d.name]));
  return render(c, <CampaignPage {...w} progress={progress} links={links} linksBlocked={isOps && !base} transfers={transfers} missing={missing} flash={flash} scopeNames={scopeNames} />);
});

/** The links of a campaign as a sheet (department, contact, link, deadline), for 政务微信 or mail. Ops only. */
campaignPages.get('/campaigns/:id/links.xlsx', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const { db, now } = c.get('deps');
  const id = campaignId(c);
  const rows = await campaignLinkRows(db, w.principal, keysFor(c), id, publicBaseUrl(c));
  const progress = await campaignProgress(db, w.principal, id, now());
  const body = await campaignLinksXlsx(rows, progress.name);
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="xuncha-campaign-${id}-links.xlsx"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
});

campaignPages.post('/campaigns/:id/links/:department/rotate', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const id = campaignId(c);
  const code = c.req.param('department').slice(0, 64);
  await rotateLink(c.get('deps').db, { principal: r.w.principal, requestId: c.get('requestId') }, keysFor(c), id, code, publicBaseUrl(c));
  return c.redirect(`/campaigns/${id}?done=rotated&department=${encodeURIComponent(code)}`, 303);
});

campaignPages.post('/campaigns/:id/close', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const id = campaignId(c);
  await closeCampaign(c.get('deps').db, { principal: r.w.principal, requestId: c.get('requestId') }, id);
  return c.redirect(`/campaigns/${id}?done=closed`, 303);
});

campaignPages.post('/transfers/:id/decide', async (c) => {
  const r = await signedInPost(c);
  if (r instanceof Response) return r;
  const id = campaignId(c);
  const decision = str(r.body, 'decision');
  if (decision !== 'accept' && decision !== 'reject') throw new AppError('bad_request', 'decision must be accept or reject');
  const { db, now } = c.get('deps');
  await decideTransfer(db, { actor: { principal: r.w.principal, requestId: c.get('requestId') } }, id, decision, undefined, now());
  const back = Number(str(r.body, 'campaign'));
  return c.redirect(Number.isInteger(back) && back > 0 ? `/campaigns/${back}?done=transfer` : '/campaigns', 303);
});
