CREATE TABLE "accessibility_days" (
	"endpoint_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"day" date NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"section" text NOT NULL,
	"critical_rules" integer DEFAULT 0 NOT NULL,
	"serious_rules" integer DEFAULT 0 NOT NULL,
	"moderate_rules" integer DEFAULT 0 NOT NULL,
	"minor_rules" integer DEFAULT 0 NOT NULL,
	"critical_nodes" integer DEFAULT 0 NOT NULL,
	"serious_nodes" integer DEFAULT 0 NOT NULL,
	"moderate_nodes" integer DEFAULT 0 NOT NULL,
	"minor_nodes" integer DEFAULT 0 NOT NULL,
	"pages" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "accessibility_days_endpoint_id_day_pk" PRIMARY KEY("endpoint_id","day")
);
--> statement-breakpoint
ALTER TABLE "accessibility_days" ADD CONSTRAINT "accessibility_days_endpoint_id_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accessibility_days" ADD CONSTRAINT "accessibility_days_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "accessibility_days_system_day_idx" ON "accessibility_days" USING btree ("system_id","day");