-- Variants were all in their source's format; existing rows say so before the column is required.
ALTER TABLE "image_variants" ADD COLUMN "format" text;--> statement-breakpoint
UPDATE "image_variants" SET "format" = CASE WHEN "images"."content_type" = 'image/png' THEN 'png' ELSE 'jpeg' END FROM "images" WHERE "images"."id" = "image_variants"."image_id";--> statement-breakpoint
ALTER TABLE "image_variants" ALTER COLUMN "format" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "image_variants" DROP CONSTRAINT "image_variants_pkey";
--> statement-breakpoint
ALTER TABLE "image_variants" ADD CONSTRAINT "image_variants_pkey" PRIMARY KEY("image_id","height","format");--> statement-breakpoint
ALTER TABLE "image_variants" ADD CONSTRAINT "image_variants_format_valid" CHECK ("image_variants"."format" in ('jpeg', 'png', 'webp', 'avif'));
