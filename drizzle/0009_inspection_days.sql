CREATE TABLE "inspection_days" (
	"endpoint_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"day" date NOT NULL,
	"visits" integer DEFAULT 0 NOT NULL,
	"not_opened" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "inspection_days_endpoint_id_day_pk" PRIMARY KEY("endpoint_id","day")
);
--> statement-breakpoint
ALTER TABLE "inspection_days" ADD CONSTRAINT "inspection_days_endpoint_id_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inspection_days" ADD CONSTRAINT "inspection_days_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inspection_days_system_day_idx" ON "inspection_days" USING btree ("system_id","day");