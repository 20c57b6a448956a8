-- Hand-added: drizzle-kit does not create extensions. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "images_owner_name_idx" ON "images" USING btree ("owner_id","name" collate "und-x-icu","id");--> statement-breakpoint
CREATE INDEX "images_name_trgm_idx" ON "images" USING gin ("name" gin_trgm_ops);