ALTER TABLE "plans" ADD COLUMN "max_upload_bytes" bigint DEFAULT 26214400 NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "quota_bytes" bigint DEFAULT 21474836480;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "requests_per_minute" integer DEFAULT 600 NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "uploads_per_hour" integer DEFAULT 1000 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "bytes_used" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_limits_valid" CHECK ("plans"."max_upload_bytes" >= 1 and ("plans"."quota_bytes" is null or "plans"."quota_bytes" >= 0) and "plans"."requests_per_minute" >= 0 and "plans"."uploads_per_hour" >= 0);--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_bytes_used_valid" CHECK ("users"."bytes_used" >= 0);--> statement-breakpoint
-- Data: existing plans took Premium's limits from the column defaults; the built-ins get their own (by name).
UPDATE "plans" SET "max_upload_bytes" = 10485760, "quota_bytes" = 1073741824, "uploads_per_hour" = 100 WHERE lower("name") = 'basic';--> statement-breakpoint
UPDATE "plans" SET "quota_bytes" = NULL WHERE lower("name") = 'enterprise';--> statement-breakpoint
-- Data: each user's usage is the bytes of their stored originals.
UPDATE "users" SET "bytes_used" = s."bytes" FROM (SELECT "owner_id", sum("byte_size")::bigint AS "bytes" FROM "images" GROUP BY "owner_id") s WHERE s."owner_id" = "users"."id";
