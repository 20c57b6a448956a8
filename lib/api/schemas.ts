import { z } from "zod";
import { notFound } from "@/lib/http/problem";

/**
 * Request and response shapes of the JSON API v1. Routes parse with these; forms and the
 * OpenAPI document are built from the same objects.
 */
export const MIN_ALIVE_SECONDS = 300;
export const MAX_ALIVE_SECONDS = 30000;

export const uuidParam = z.uuid();

/** An id from a path: anything but a UUID cannot name a row, so it is a 404 like a missing one. */
export function idOrNotFound(value: unknown, what: string): string {
  if (!uuidParam.safeParse(value).success) throw notFound(what);
  return value as string;
}

export const imageNameSchema = z
  .string({ error: "name is required" })
  .trim()
  .min(1, "name must not be empty")
  .max(200, "name must be at most 200 characters");

/** The text fields of the multipart upload (the file itself is checked from its bytes). */
export const uploadFieldsSchema = z.object({ name: imageNameSchema });

export const listImagesQuerySchema = z.object({
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be between 1 and 100")
    .max(100, "limit must be between 1 and 100")
    .default(20),
  cursor: z.string().min(1).max(200).optional(),
});

const aliveDurationMessage = `alive_duration must be an integer number of seconds from ${MIN_ALIVE_SECONDS} to ${MAX_ALIVE_SECONDS}`;

export const aliveDurationSchema = z
  .number({ error: aliveDurationMessage })
  .int(aliveDurationMessage)
  .min(MIN_ALIVE_SECONDS, aliveDurationMessage)
  .max(MAX_ALIVE_SECONDS, aliveDurationMessage);

export const createTempLinkSchema = z.object({
  image_id: z.uuid({ error: "image_id must be an image id (UUID)" }),
  alive_duration: aliveDurationSchema,
});

export const listTempLinksQuerySchema = z.object({
  image_id: z.uuid({ error: "image_id must be an image id (UUID)" }).optional(),
});

export const thumbnailSchema = z.object({ height: z.number().int(), width: z.number().int(), url: z.url() });

export const imageSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  content_type: z.enum(["image/png", "image/jpeg"]),
  bytes: z.number().int(),
  created_at: z.iso.datetime(),
  /** processing until the plan's thumbnails exist (they are served on demand meanwhile). */
  status: z.enum(["processing", "ready", "failed"]),
  thumbnails: z.array(thumbnailSchema),
  original: z.object({ url: z.url() }).nullable(),
});

export const imageListSchema = z.object({ items: z.array(imageSchema), next_cursor: z.string().nullable() });

export const tempLinkCreatedSchema = z.object({
  url: z.url(),
  expires_at: z.iso.datetime(),
  image_id: z.uuid(),
  alive_duration: z.number().int(),
});

export const tempLinkSchema = z.object({
  id: z.uuid(),
  url: z.url(),
  image_id: z.uuid(),
  expires_at: z.iso.datetime(),
  created_at: z.iso.datetime(),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});

export type ImageJson = z.infer<typeof imageSchema>;
export type TempLinkJson = z.infer<typeof tempLinkSchema>;
export type TempLinkCreatedJson = z.infer<typeof tempLinkCreatedSchema>;

/**
 * The whole multipart upload body, for the OpenAPI document: the text fields plus one file in
 * `image` (the route reads the file itself; its type is detected from the bytes, not declared).
 */
export const uploadFormSchema = uploadFieldsSchema.extend({ image: z.file() });

/** GET /temp-links answers `{"items": [TempLink…]}`. */
export const tempLinkListSchema = z.object({ items: z.array(tempLinkSchema) });
