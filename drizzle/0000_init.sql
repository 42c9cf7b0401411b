CREATE TYPE "public"."built_by" AS ENUM('national', 'provincial', 'municipal', 'county');--> statement-breakpoint
CREATE TYPE "public"."department_kind" AS ENUM('department', 'government', 'zone', 'enterprise');--> statement-breakpoint
CREATE TYPE "public"."department_level" AS ENUM('city', 'county', 'township', 'village');--> statement-breakpoint
CREATE TYPE "public"."deployment" AS ENUM('gov_cloud', 'self_hosted', 'hosted', 'other');--> statement-breakpoint
CREATE TYPE "public"."endpoint_role" AS ENUM('portal', 'app', 'api', 'admin');--> statement-breakpoint
CREATE TYPE "public"."lifecycle" AS ENUM('planning', 'construction', 'live', 'decommissioning', 'retired');--> statement-breakpoint
CREATE TYPE "public"."network" AS ENUM('internet', 'egov_extranet', 'private');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('admin', 'auditor', 'department', 'viewer');--> statement-breakpoint
CREATE TYPE "public"."system_status" AS ENUM('active', 'semi_zombie', 'zombie', 'insufficient_evidence', 'exempt');--> statement-breakpoint
CREATE TYPE "public"."user_scope" AS ENUM('public', 'internal', 'cross_department');--> statement-breakpoint
CREATE TABLE "departments" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"short_name" text,
	"level" "department_level" NOT NULL,
	"kind" "department_kind" NOT NULL,
	"parent_id" integer,
	"path" text NOT NULL,
	"dissolved_on" date,
	"successor_id" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "departments_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "endpoints" (
	"id" serial PRIMARY KEY NOT NULL,
	"system_id" integer NOT NULL,
	"url" text NOT NULL,
	"role" "endpoint_role" DEFAULT 'portal' NOT NULL,
	"position" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "systems" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"department_id" integer NOT NULL,
	"operator_unit" text,
	"contractor" text,
	"contact_name" text,
	"contact_phone" text,
	"contact_email" text,
	"description" text,
	"lifecycle" "lifecycle" DEFAULT 'live' NOT NULL,
	"launched_on" date,
	"deployment" "deployment" DEFAULT 'other' NOT NULL,
	"cloud_required" boolean DEFAULT false NOT NULL,
	"network" "network" DEFAULT 'internet' NOT NULL,
	"built_by" "built_by" DEFAULT 'municipal' NOT NULL,
	"mlps_level" smallint,
	"user_scope" "user_scope" DEFAULT 'public' NOT NULL,
	"registered_users" integer,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "system_status" DEFAULT 'insufficient_evidence' NOT NULL,
	"status_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "systems_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" "role" NOT NULL,
	"department_id" integer,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text
);
--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_parent_id_departments_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_successor_id_departments_id_fk" FOREIGN KEY ("successor_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "endpoints" ADD CONSTRAINT "endpoints_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "departments_path_idx" ON "departments" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "departments_parent_idx" ON "departments" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "endpoints_system_url_idx" ON "endpoints" USING btree ("system_id","url");--> statement-breakpoint
CREATE INDEX "systems_department_idx" ON "systems" USING btree ("department_id","id");--> statement-breakpoint
CREATE INDEX "systems_status_idx" ON "systems" USING btree ("status");--> statement-breakpoint
CREATE INDEX "systems_lifecycle_idx" ON "systems" USING btree ("lifecycle");--> statement-breakpoint
CREATE INDEX "api_tokens_department_idx" ON "api_tokens" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_log" USING btree ("entity","entity_id","at");--> statement-breakpoint
CREATE INDEX "audit_at_idx" ON "audit_log" USING btree ("at");