CREATE TABLE "cloud_resources" (
	"id" serial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"system_id" integer,
	"kind" text NOT NULL,
	"name" text,
	"vcpu" double precision DEFAULT 0 NOT NULL,
	"memory_gb" double precision DEFAULT 0 NOT NULL,
	"storage_gb" double precision DEFAULT 0 NOT NULL,
	"bandwidth_mbps" double precision,
	"monthly_cost" double precision,
	"since" date,
	"until" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cloud_resources_external_id_unique" UNIQUE("external_id")
);
--> statement-breakpoint
CREATE TABLE "resource_utilisation" (
	"resource_id" integer NOT NULL,
	"day" date NOT NULL,
	"source" text NOT NULL,
	"cpu_avg" double precision,
	"cpu_p95" double precision,
	"cpu_max" double precision,
	"mem_pct" double precision,
	"net_in_bytes" bigint,
	"net_out_bytes" bigint,
	"disk_read_bytes" bigint,
	"disk_write_bytes" bigint,
	"missing_reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resource_utilisation_resource_id_day_pk" PRIMARY KEY("resource_id","day")
);
--> statement-breakpoint
ALTER TABLE "cloud_resources" ADD CONSTRAINT "cloud_resources_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resource_utilisation" ADD CONSTRAINT "resource_utilisation_resource_id_cloud_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."cloud_resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cloud_resources_system_idx" ON "cloud_resources" USING btree ("system_id");--> statement-breakpoint
CREATE INDEX "resource_utilisation_day_idx" ON "resource_utilisation" USING btree ("day");