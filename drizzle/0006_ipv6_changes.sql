CREATE TABLE "ipv6_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"endpoint_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"grade" text NOT NULL,
	"second_level_rate" double precision,
	"third_level_rate" double precision
);
--> statement-breakpoint
ALTER TABLE "ipv6_changes" ADD CONSTRAINT "ipv6_changes_endpoint_id_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ipv6_changes" ADD CONSTRAINT "ipv6_changes_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ipv6_changes_system_at_idx" ON "ipv6_changes" USING btree ("system_id","at");--> statement-breakpoint
-- The grades measured so far become the first entries of their endpoints' history.
INSERT INTO "ipv6_changes" ("endpoint_id", "system_id", "at", "grade", "second_level_rate", "third_level_rate")
SELECT "endpoint_id", "system_id", "ipv6_at", "ipv6"->>'grade', ("ipv6"->>'secondLevelRate')::double precision, ("ipv6"->>'thirdLevelRate')::double precision
FROM "endpoint_state"
WHERE "ipv6" ? 'grade' AND "ipv6_at" IS NOT NULL;
