CREATE TABLE "sweep_targets" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sweep_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"endpoint_id" integer,
	"url" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"leased_by" text,
	"lease_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"outcome" text,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sweeps" (
	"id" serial PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" text,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"targets" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "content_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"endpoint_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"content_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "endpoint_state" (
	"endpoint_id" integer PRIMARY KEY NOT NULL,
	"system_id" integer NOT NULL,
	"last_probe_at" timestamp with time zone,
	"last_outcome" text,
	"last_ok_at" timestamp with time zone,
	"content_hash" text,
	"content_changed_at" timestamp with time zone,
	"last_modified" timestamp with time zone,
	"sitemap_lastmod" timestamp with time zone,
	"title" text,
	"cert" jsonb,
	"ipv6" jsonb,
	"ipv6_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "probe_days" (
	"system_id" integer NOT NULL,
	"day" date NOT NULL,
	"probes" integer DEFAULT 0 NOT NULL,
	"ok" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"dns_nxdomain" integer DEFAULT 0 NOT NULL,
	"outcomes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sum_ms" bigint DEFAULT 0 NOT NULL,
	"max_ms" integer DEFAULT 0 NOT NULL,
	"cert_days_left_min" integer,
	"content_hash" text,
	CONSTRAINT "probe_days_system_id_day_pk" PRIMARY KEY("system_id","day")
);
--> statement-breakpoint
CREATE TABLE "probe_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sweep_id" integer,
	"system_id" integer NOT NULL,
	"endpoint_id" integer,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"http_status" smallint,
	"duration_ms" integer,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"content_hash" text
);
--> statement-breakpoint
CREATE TABLE "usage_days" (
	"system_id" integer NOT NULL,
	"day" date NOT NULL,
	"metric" text NOT NULL,
	"source" text NOT NULL,
	"value" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_days_system_id_day_metric_source_pk" PRIMARY KEY("system_id","day","metric","source")
);
--> statement-breakpoint
CREATE TABLE "usage_sources" (
	"id" serial PRIMARY KEY NOT NULL,
	"system_id" integer NOT NULL,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"selector" text NOT NULL,
	"metric" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_pulled_at" timestamp with time zone,
	"last_outcome" text
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"id" serial PRIMARY KEY NOT NULL,
	"system_id" integer NOT NULL,
	"department_id" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"verdict" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"policy_version" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"evidence_sha256" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"deadline" date NOT NULL,
	"notified_at" timestamp with time zone,
	"answered_at" timestamp with time zone,
	"answer" jsonb,
	"closed_at" timestamp with time zone,
	"close_note" text,
	"last_reminder_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monthly_reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"month" text NOT NULL,
	"policy_version" text NOT NULL,
	"inputs_hash" text NOT NULL,
	"input" jsonb NOT NULL,
	"generated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"webhook_id" integer,
	"event" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"sent_at" timestamp with time zone,
	"outcome" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"id" serial PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"body" jsonb NOT NULL,
	"active" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	CONSTRAINT "policies_version_unique" UNIQUE("version")
);
--> statement-breakpoint
CREATE TABLE "status_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"system_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"as_of" date NOT NULL,
	"status" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"policy_version" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "system_policies" (
	"system_id" integer PRIMARY KEY NOT NULL,
	"season" text,
	"exempt_until" date,
	"exempt_reason" text,
	"duplicates" text[] DEFAULT '{}'::text[] NOT NULL,
	"overrides" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"target" text,
	"events" text[] DEFAULT '{}'::text[] NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_departments" (
	"id" serial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"department_id" integer NOT NULL,
	"nonce" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"first_visit_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "campaign_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"department_id" integer NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"confirmed_by_name" text,
	"confirmed_by_phone" text,
	"confirmed_at" timestamp with time zone,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"scope" jsonb NOT NULL,
	"deadline" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text
);
--> statement-breakpoint
CREATE TABLE "missing_system_reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"campaign_id" integer,
	"department_id" integer NOT NULL,
	"name" text NOT NULL,
	"url" text,
	"note" text,
	"reported_by_name" text,
	"reported_by_phone" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"system_id" integer
);
--> statement-breakpoint
CREATE TABLE "transfers" (
	"id" serial PRIMARY KEY NOT NULL,
	"system_id" integer NOT NULL,
	"from_department_id" integer NOT NULL,
	"to_department_id" integer NOT NULL,
	"campaign_id" integer,
	"state" text DEFAULT 'pending' NOT NULL,
	"note" text,
	"requested_by" text,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"extra" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sweep_targets" ADD CONSTRAINT "sweep_targets_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_targets" ADD CONSTRAINT "sweep_targets_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_targets" ADD CONSTRAINT "sweep_targets_endpoint_id_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_changes" ADD CONSTRAINT "content_changes_endpoint_id_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_changes" ADD CONSTRAINT "content_changes_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "endpoint_state" ADD CONSTRAINT "endpoint_state_endpoint_id_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "endpoint_state" ADD CONSTRAINT "endpoint_state_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "probe_days" ADD CONSTRAINT "probe_days_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "probe_results" ADD CONSTRAINT "probe_results_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "probe_results" ADD CONSTRAINT "probe_results_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "probe_results" ADD CONSTRAINT "probe_results_endpoint_id_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoints"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_days" ADD CONSTRAINT "usage_days_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_sources" ADD CONSTRAINT "usage_sources_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."webhooks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_history" ADD CONSTRAINT "status_history_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "system_policies" ADD CONSTRAINT "system_policies_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_departments" ADD CONSTRAINT "campaign_departments_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_departments" ADD CONSTRAINT "campaign_departments_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_items" ADD CONSTRAINT "campaign_items_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_items" ADD CONSTRAINT "campaign_items_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_items" ADD CONSTRAINT "campaign_items_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "missing_system_reports" ADD CONSTRAINT "missing_system_reports_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "missing_system_reports" ADD CONSTRAINT "missing_system_reports_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "missing_system_reports" ADD CONSTRAINT "missing_system_reports_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_from_department_id_departments_id_fk" FOREIGN KEY ("from_department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_to_department_id_departments_id_fk" FOREIGN KEY ("to_department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sweep_targets_queue_idx" ON "sweep_targets" USING btree ("sweep_id","state","id");--> statement-breakpoint
CREATE INDEX "content_changes_system_at_idx" ON "content_changes" USING btree ("system_id","at");--> statement-breakpoint
CREATE INDEX "probe_days_day_idx" ON "probe_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "probe_results_system_at_idx" ON "probe_results" USING btree ("system_id","at");--> statement-breakpoint
CREATE INDEX "probe_results_at_idx" ON "probe_results" USING btree ("at");--> statement-breakpoint
CREATE INDEX "usage_days_day_idx" ON "usage_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "findings_status_idx" ON "findings" USING btree ("status");--> statement-breakpoint
CREATE INDEX "findings_department_idx" ON "findings" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "findings_system_idx" ON "findings" USING btree ("system_id");--> statement-breakpoint
CREATE UNIQUE INDEX "monthly_reports_month_idx" ON "monthly_reports" USING btree ("month");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_dedupe_idx" ON "notifications" USING btree ("webhook_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "status_history_system_at_idx" ON "status_history" USING btree ("system_id","as_of");--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_departments_idx" ON "campaign_departments" USING btree ("campaign_id","department_id");--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_items_idx" ON "campaign_items" USING btree ("campaign_id","system_id");--> statement-breakpoint
CREATE INDEX "campaign_items_department_idx" ON "campaign_items" USING btree ("campaign_id","department_id");--> statement-breakpoint
CREATE INDEX "transfers_to_idx" ON "transfers" USING btree ("to_department_id","state");