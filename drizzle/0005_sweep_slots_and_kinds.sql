ALTER TABLE "sweep_targets" ADD COLUMN "kind" text DEFAULT 'endpoint' NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_targets" ADD COLUMN "usage_source_id" integer;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "slot" text;--> statement-breakpoint
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_slot_unique" UNIQUE("slot");