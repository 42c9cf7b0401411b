-- Fewer key checks on the tables a sweep writes (issue 14). probe_results keeps its ids as they were,
-- with no references: a record of what was probed is never rewritten (systems and sweeps are never
-- deleted; an endpoint replaced in the inventory used to have its id nulled in every partition, by a
-- scan). Tables keyed by an endpoint keep the endpoint's reference, which deletes their rows with it,
-- and lose the second one on system_id, a copy of the endpoint's system. Three checks with a row lock
-- each for every stored probe were a third of PostgreSQL's CPU in a sweep (bench/sweep-fleet.ts).
ALTER TABLE "content_changes" DROP CONSTRAINT "content_changes_system_id_systems_id_fk";
--> statement-breakpoint
ALTER TABLE "endpoint_state" DROP CONSTRAINT "endpoint_state_system_id_systems_id_fk";
--> statement-breakpoint
ALTER TABLE "inspection_days" DROP CONSTRAINT "inspection_days_system_id_systems_id_fk";
--> statement-breakpoint
ALTER TABLE "ipv6_changes" DROP CONSTRAINT "ipv6_changes_system_id_systems_id_fk";
--> statement-breakpoint
ALTER TABLE "probe_results" DROP CONSTRAINT "probe_results_sweep_id_sweeps_id_fk";
--> statement-breakpoint
ALTER TABLE "probe_results" DROP CONSTRAINT "probe_results_system_id_systems_id_fk";
--> statement-breakpoint
ALTER TABLE "probe_results" DROP CONSTRAINT "probe_results_endpoint_id_endpoints_id_fk";
--> statement-breakpoint
ALTER TABLE "accessibility_days" DROP CONSTRAINT "accessibility_days_system_id_systems_id_fk";
--> statement-breakpoint
ALTER TABLE "site_days" DROP CONSTRAINT "site_days_system_id_systems_id_fk";
