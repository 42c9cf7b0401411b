ALTER TABLE "endpoint_state" ADD COLUMN "ipv6_pending" jsonb;--> statement-breakpoint
ALTER TABLE "endpoint_state" ADD COLUMN "ipv6_pending_at" timestamp with time zone;