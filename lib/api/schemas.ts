import { z } from "zod";

/**
 * Shapes of the JSON API v1. The operations (lib/api/operations) parse requests with these, the
 * OpenAPI document is assembled from them and the forms validate with them; descriptions and
 * examples live here, in `.meta()`, so there is one text for all three.
 */
export const MIN_ALIVE_SECONDS = 300;
export const MAX_ALIVE_SECONDS = 30000;

const IMAGE_ID = "6f1c2a4e-8b7d-4c3e-9a21-0d5e7f9b1c23";
const LINK_ID = "0b9d4f3e-2c1a-4e5f-8a7b-6c5d4e3f2a10";
const ORIGIN = "https://images.example.com";

export const imageNameSchema = z
  .string({ error: "name is required" })
  .trim()
  .min(1, "name must not be empty")
  .max(200, "name must be at most 200 characters")
  // PostgreSQL text cannot hold NUL, and no control character belongs in a one-line name.
  .refine((name) => ![...name].some((c) => c < " " || c === "\u007f"), "name must not contain control characters")
  .meta({
    description:
      "A name for the image: 1–200 characters after trimming surrounding white space, without control characters.",
    examples: ["Holiday 2026"],
  });

const fileCount = (input: unknown) => (Array.isArray(input) ? "send exactly one file" : "a file is required");

/** The multipart upload: the text field and one file, whose type is detected from its bytes, never declared. */
export const renameImageSchema = z
  .object({ name: imageNameSchema })
  .meta({ id: "ImageRename", description: "The image's new name." });

export const MAX_BULK_IDS = 100;

export const deleteImagesSchema = z
  .object({
    ids: z
      .array(z.uuid({ error: "each id must be an image id (UUID)" }), { error: "ids must be a list of image ids" })
      .min(1, "ids must name at least one image")
      .max(MAX_BULK_IDS, `ids may name at most ${MAX_BULK_IDS} images`)
      .refine((ids) => new Set(ids.map((id) => id.toLowerCase())).size === ids.length, "ids must not repeat an id")
      .meta({ description: `1 to ${MAX_BULK_IDS} distinct image ids.` }),
  })
  .meta({ id: "ImageBulkDelete", description: "The images to delete." });

export const deleteImagesResultSchema = z
  .object({
    results: z.array(
      z.object({
        id: z.string().meta({ description: "The id as sent." }),
        status: z.enum(["deleted", "not_found", "failed"]).meta({
          description:
            "`deleted`; `not_found`: no such image of yours (missing, someone else's, or already deleted); `failed`: the storage could not be reached for this one, which is kept whole (retry it).",
        }),
        detail: z.string().optional().meta({ description: "Why it failed (`failed` only)." }),
      }),
    ),
  })
  .meta({
    id: "ImageBulkDeleteResult",
    description: "One result per id, in the order sent.",
    examples: [{ results: [{ id: IMAGE_ID, status: "deleted" }] }],
  });

export const uploadFormSchema = z
  .object({
    name: imageNameSchema,
    image: z.file({ error: (issue) => fileCount(issue.input) }).meta({ description: "One PNG or JPEG file." }),
  })
  .meta({ id: "ImageUpload", description: "multipart/form-data: `name` and exactly one file in `image`." });

const limitMessage = "limit must be a whole number from 1 to 100";

/** The list's orders (lib/images/list-images reads each by its own index). */
const LIST_SORTS = ["newest", "oldest", "name"] as const;

export const listImagesQuerySchema = z.object({
  limit: z.coerce
    .number({ error: limitMessage })
    .int(limitMessage)
    .min(1, limitMessage)
    .max(100, limitMessage)
    .default(20)
    .meta({ description: "Items per page." }),
  // A name sort's cursor carries the name (up to 200 characters, 600 bytes) in base64url.
  cursor: z.string().min(1).max(1000).optional().meta({
    description: "The `next_cursor` of the previous page (with the same `sort`); omit for the first page.",
  }),
  q: z
    .string()
    .trim()
    .max(100, "q must be at most 100 characters")
    .refine((q) => ![...q].some((c) => c < " " || c === "\u007f"), "q must not contain control characters")
    .optional()
    .meta({ description: "Only images whose name contains this text, ignoring case (empty: all)." }),
  sort: z
    .enum(LIST_SORTS, { error: `sort must be one of ${LIST_SORTS.join(", ")}` })
    .default("newest")
    .meta({ description: "`newest` first (the default), `oldest` first, or by `name` (A to Z, ignoring case)." }),
});

const aliveDurationMessage = `alive_duration must be an integer number of seconds from ${MIN_ALIVE_SECONDS} to ${MAX_ALIVE_SECONDS}`;

export const aliveDurationSchema = z
  .number({ error: aliveDurationMessage })
  .int(aliveDurationMessage)
  .min(MIN_ALIVE_SECONDS, aliveDurationMessage)
  .max(MAX_ALIVE_SECONDS, aliveDurationMessage)
  .meta({ description: "How long the link lives, in whole seconds.", examples: [3600] });

const imageIdField = z.uuid({ error: "image_id must be an image id (UUID)" });

export const createTempLinkSchema = z
  .object({
    image_id: imageIdField.meta({ description: "An image of yours.", examples: [IMAGE_ID] }),
    alive_duration: aliveDurationSchema,
  })
  .meta({ id: "CreateTempLink", description: "An image of yours and how long its expiring link lives." });

export const listTempLinksQuerySchema = z.object({
  image_id: imageIdField.optional().meta({ description: "Only this image's links." }),
});

/** Path ids: anything but a UUID cannot name a row, so the wrapper answers 404 as for a missing one. */
export const idParams = z.object({
  id: z.uuid().meta({ description: "The id. Not a UUID, or someone else's: 404 like a missing one." }),
});

export const thumbnailParams = idParams.extend({
  height: z
    .string()
    .regex(/^[1-9]\d{0,3}$/)
    .transform(Number)
    .meta({
      description: "One of your plan's thumbnail heights (1–4096 px). Not a whole number: 404; not in your plan: 403.",
    }),
});

const downloadMessage = "download must be 1 (or left out)";

/** The query of every file route (thumbnails, originals, expiring links). */
export const mediaQuerySchema = z.object({
  download: z.literal("1", { error: downloadMessage }).optional().meta({
    description:
      "`1`: `Content-Disposition: attachment`, so a browser saves the file under the image's name instead of showing it. Left out: `inline`. Any other value: 422.",
  }),
});

/** The encodings a thumbnail is served in (db/schema VARIANT_FORMATS, most compact first). */
const thumbnailFormatSchema = z.enum(["avif", "webp", "jpeg", "png"], {
  error: "format must be one of avif, webp, jpeg, png",
});

/** A thumbnail's query: `?download=1`, and `?format=` to force an encoding over `Accept`. */
export const thumbnailQuerySchema = mediaQuerySchema.extend({
  format: thumbnailFormatSchema.optional().meta({
    description:
      "Serve this encoding whatever `Accept` says: `avif`, `webp`, `jpeg` or `png` (a PNG as JPEG is laid on white). Left out: AVIF if `Accept` names `image/avif`, else WebP if it names `image/webp`, else the source format (q-values honoured, `q=0` excludes). Anything else: 422.",
  }),
});

export const linkTokenParams = z.object({
  token: z.string().min(1).meta({
    description: "The last segment of the link's `url` (`<link id>.<signature>`); it cannot be made up or altered.",
  }),
});

const thumbnailSchema = z
  .object({
    height: z.number().int().meta({ description: "A height of your plan, px." }),
    width: z.number().int().meta({ description: "The width of the file served at that height (never upscaled)." }),
    url: z.url().meta({
      description:
        "Served as AVIF, WebP or the source format by your `Accept` header (`Vary: Accept`); `?format=` forces one.",
    }),
    formats: z.array(thumbnailFormatSchema).meta({
      description:
        "The encodings the thumbnail can be served in, the most compact first: AVIF and WebP (made right after the upload), the source format (made with it), and the other source format (made on request).",
    }),
  })
  .meta({ id: "Thumbnail", description: "One thumbnail of the current plan." });

export const imageSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    content_type: z
      .enum(["image/png", "image/jpeg"])
      .meta({ description: "Detected from the file's bytes at upload." }),
    bytes: z.number().int().meta({ description: "Size of the original in bytes." }),
    created_at: z.iso.datetime(),
    status: z.enum(["processing", "ready", "failed"]).meta({
      description:
        "`ready` once the plan's thumbnails are stored, as an upload's 201 normally says; `processing` while the queue makes them after a storage fault (they are served on demand meanwhile); `failed` after its last retry.",
    }),
    placeholder: z.base64().nullable().meta({
      description:
        "A [ThumbHash](https://evanw.github.io/thumbhash/) of the image, base64: decode it (the `thumbhash` package's `thumbHashToDataURL`) and paint it until a thumbnail has loaded. null for images uploaded before placeholders existed.",
    }),
    thumbnails: z.array(thumbnailSchema).meta({ description: "Exactly the plan's heights, ascending." }),
    original: z
      .object({ url: z.url() })
      .nullable()
      .meta({ description: "null unless the plan includes the original." }),
  })
  .meta({
    id: "Image",
    description: "An image as the owner's current plan shows it.",
    examples: [
      {
        id: IMAGE_ID,
        name: "Holiday 2026",
        width: 4000,
        height: 3000,
        content_type: "image/jpeg",
        bytes: 2483112,
        created_at: "2026-12-01T09:30:00.000Z",
        status: "ready",
        placeholder: "3OcRJYB4d3h/iIeHeEh3eIhw+j3A",
        thumbnails: [
          {
            height: 200,
            width: 267,
            url: `${ORIGIN}/api/v1/images/${IMAGE_ID}/thumbnails/200`,
            formats: ["avif", "webp", "jpeg", "png"],
          },
        ],
        original: null,
      },
    ],
  });

export const imageListSchema = z
  .object({ items: z.array(imageSchema), next_cursor: z.string().nullable() })
  .meta({ id: "ImageList", description: "A page of images, newest first. `next_cursor` is null on the last page." });

const linkUrl = z.url().meta({
  description: "Anyone holding it may fetch the original until `expires_at`.",
  examples: [`${ORIGIN}/l/${LINK_ID}.sig`],
});

const pageUrl = z.url().meta({
  description:
    "A web page for people, on the same terms as `url` (no sign-in, until `expires_at`): the image with its name, the time left and a download button, and Open Graph and Twitter card tags (`og:image` is `url`) so chat apps show a preview. Search engines are told not to index it. Expired or revoked: 410 with a page saying so.",
  examples: [`${ORIGIN}/s/${LINK_ID}.sig`],
});

export const tempLinkCreatedSchema = z
  .object({
    url: linkUrl,
    page_url: pageUrl,
    expires_at: z.iso.datetime(),
    image_id: z.uuid(),
    alive_duration: z.number().int(),
  })
  .meta({ id: "TempLinkCreated", description: "A new expiring link." });

const tempLinkSchema = z
  .object({
    id: z.uuid(),
    url: linkUrl,
    page_url: pageUrl,
    image_id: z.uuid(),
    expires_at: z.iso.datetime(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "TempLink", description: "A live (not expired, not revoked) expiring link." });

export const tempLinkListSchema = z
  .object({ items: z.array(tempLinkSchema) })
  .meta({ id: "TempLinkList", description: "Your live expiring links, newest first." });

const UPLOAD_ID = "3c7e9a1b-5d2f-4b8e-a6c4-1f0e9d8c7b6a";

export const createUploadSchema = z
  .object({
    name: imageNameSchema,
    bytes: z
      .number({ error: "bytes must be the file's size in bytes" })
      .int("bytes must be a whole number")
      .positive("bytes must be at least 1")
      .meta({ description: "The file's exact size in bytes: the URL takes that many and no other." }),
    content_type: z
      .string({ error: "content_type is required" })
      .max(100)
      .meta({ description: "`image/png` or `image/jpeg`; any other: 415. The bytes are checked again on completion." }),
  })
  .meta({ id: "UploadCreate", description: "The file you are about to send." });

export const uploadSchema = z
  .object({
    id: z.uuid().meta({ description: "The upload's id; completed, it is the image's id." }),
    url: z.url().meta({
      description:
        "Send the file's bytes here with `method` and `headers`, before `expires_at`: the bucket itself (S3 storage) or this app (disk storage). The store refuses another size or type, a late request or an altered URL.",
    }),
    method: z.literal("PUT"),
    headers: z.record(z.string(), z.string()).meta({
      description:
        "Send these headers exactly as given (they are signed). Browsers set `Content-Length` themselves, from the file.",
    }),
    expires_at: z.iso.datetime().meta({ description: "The URL's expiry, at most 15 minutes after it was made." }),
  })
  .meta({
    id: "Upload",
    description: "A direct upload: PUT the file to `url`, then POST `/api/v1/uploads/{id}/complete`.",
    examples: [
      {
        id: UPLOAD_ID,
        url: `${ORIGIN}/api/v1/uploads/${UPLOAD_ID}/content?expires=1796212800&signature=…`,
        method: "PUT",
        headers: { "Content-Type": "image/jpeg", "Content-Length": "2483011" },
        expires_at: "2026-12-02T12:00:00.000Z",
      },
    ],
  });

export const uploadContentQuery = z.object({
  expires: z
    .string()
    .regex(/^\d{1,12}$/)
    .transform(Number)
    .meta({ description: "The URL's expiry (Unix seconds), as given." }),
  signature: z.string().max(64).meta({ description: "The URL's signature, as given." }),
});

const quotaBytesField = z
  .number()
  .int()
  .nullable()
  .meta({ description: "Bytes of originals you may keep; null: unlimited." });

export const accountSchema = z
  .object({
    email: z.email(),
    plan: z
      .object({
        name: z.string(),
        heights: z.array(z.number().int()).meta({ description: "Thumbnail heights, px, ascending." }),
        original: z.boolean().meta({ description: "Whether images link to their original." }),
        expiring_links: z.boolean().meta({ description: "Whether you may create expiring links." }),
        max_upload_bytes: z.number().int().meta({
          description:
            "Largest file you may upload, bytes: the plan's limit, never above the server's MAX_UPLOAD_BYTES.",
        }),
        quota_bytes: quotaBytesField,
        requests_per_minute: z.number().int().meta({ description: "API requests per minute; 0: unlimited." }),
        uploads_per_hour: z.number().int().meta({ description: "Uploads per hour; 0: unlimited." }),
      })
      .meta({ description: "Your current plan." }),
    usage: z
      .object({
        images: z.number().int().meta({ description: "How many images you have." }),
        bytes: z.number().int().meta({ description: "Bytes of your originals (and of uploads in progress)." }),
        quota_bytes: quotaBytesField,
      })
      .meta({ description: "What you store against your plan's quota." }),
  })
  .meta({
    id: "Account",
    description: "You, your plan's limits and your storage usage.",
    examples: [
      {
        email: "you@example.com",
        plan: {
          name: "Basic",
          heights: [200],
          original: false,
          expiring_links: false,
          max_upload_bytes: 10485760,
          quota_bytes: 1073741824,
          requests_per_minute: 600,
          uploads_per_hour: 100,
        },
        usage: { images: 12, bytes: 31457280, quota_bytes: 1073741824 },
      },
    ],
  });

export type AccountJson = z.infer<typeof accountSchema>;

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.record(z.string(), z.array(z.string())).optional().meta({ description: "Each bad field's messages." }),
  })
  .meta({
    id: "Problem",
    description: "RFC 9457 problem details.",
    examples: [{ type: "about:blank#not-found", title: "Not Found", status: 404, detail: "No such image." }],
  });

export type ImageJson = z.infer<typeof imageSchema>;
export type TempLinkJson = z.infer<typeof tempLinkSchema>;
export type TempLinkCreatedJson = z.infer<typeof tempLinkCreatedSchema>;
