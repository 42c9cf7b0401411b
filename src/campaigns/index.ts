/**
 * Ownership confirmation campaigns: ops snapshot the systems in scope, each owning department answers
 * through a signed link (`/confirm/{token}`), and what stays unanswered after the deadline becomes
 * `owner_unconfirmed` evidence (see ./evidence.ts).
 */
export * from './schemas.js';
export * from './service.js';
export * from './actions.js';
export { ownershipFromItems, ownershipEvidence, ownerUnconfirmed, loadCampaignItemFacts, type CampaignItemFact, type OwnershipFromCampaigns, type OwnerUnconfirmed } from './evidence.js';
export { runCampaignReminders, reminderStage, type ReminderRun, type ReminderStage } from './reminders.js';
export { signLink, parseLink, linkCsrfToken, linkCsrfValid } from './links.js';
export { campaignLinkRows, campaignLinksXlsx, type LinkSheetRow } from './links-export.js';
