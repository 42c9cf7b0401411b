CREATE TABLE "inspection_sections" (
	"id" serial PRIMARY KEY NOT NULL,
	"system_id" integer NOT NULL,
	"url" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"source" text NOT NULL,
	"ignored" boolean DEFAULT false NOT NULL,
	"last_seen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "section_days" (
	"section_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"day" date NOT NULL,
	"outcome" text NOT NULL,
	"items" integer NOT NULL,
	"dated" integer NOT NULL,
	"newest" date,
	CONSTRAINT "section_days_section_id_day_pk" PRIMARY KEY("section_id","day")
);
--> statement-breakpoint
CREATE TABLE "site_days" (
	"endpoint_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"day" date NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"homepage_items" integer DEFAULT 0 NOT NULL,
	"homepage_dated" integer DEFAULT 0 NOT NULL,
	"homepage_newest" date,
	"navigation_only" boolean DEFAULT false NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"pages_failed" integer DEFAULT 0 NOT NULL,
	"pages_capped" boolean DEFAULT false NOT NULL,
	"links_checked" integer DEFAULT 0 NOT NULL,
	"links_broken" integer DEFAULT 0 NOT NULL,
	"links_external" integer DEFAULT 0 NOT NULL,
	"links_not_checked" integer DEFAULT 0 NOT NULL,
	"broken_links" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"outbound_risks" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"wording_hits" integer DEFAULT 0 NOT NULL,
	"wording" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"images" integer DEFAULT 0 NOT NULL,
	"images_with_alt" integer DEFAULT 0 NOT NULL,
	"care_entry" jsonb,
	CONSTRAINT "site_days_endpoint_id_day_pk" PRIMARY KEY("endpoint_id","day")
);
--> statement-breakpoint
ALTER TABLE "inspection_sections" ADD CONSTRAINT "inspection_sections_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "section_days" ADD CONSTRAINT "section_days_section_id_inspection_sections_id_fk" FOREIGN KEY ("section_id") REFERENCES "public"."inspection_sections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "section_days" ADD CONSTRAINT "section_days_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_days" ADD CONSTRAINT "site_days_endpoint_id_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_days" ADD CONSTRAINT "site_days_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inspection_sections_system_url_uq" ON "inspection_sections" USING btree ("system_id","url");--> statement-breakpoint
CREATE INDEX "section_days_system_day_idx" ON "section_days" USING btree ("system_id","day");--> statement-breakpoint
CREATE INDEX "site_days_system_day_idx" ON "site_days" USING btree ("system_id","day");